"""``python -m analysis …``: the command line (cli.py)."""

import atexit
import contextlib
import os
import sys

from analysis.cli import main

code = main()
# The command has finished and closed what it wrote. Python's own shutdown would now free every module
# and object one at a time (0.1–0.3 s after a large ingest), so: run the exit handlers, flush the
# output, and end the process.
atexit._run_exitfuncs()
for stream in (sys.stdout, sys.stderr):
    with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more can be said
        stream.flush()
os._exit(code)
