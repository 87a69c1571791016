"""Summarise a py-spy raw (collapsed stacks) profile: where the time goes, by function and by line.

    py-spy record -r 100 -f raw -o prof.raw --subprocesses -- python -m analysis run …
    python benchmarks/hotspots.py prof.raw [--top 25] [--match analysis/]

Inclusive share = samples whose stack contains the function (or the line) / all samples; self share =
samples where it is the innermost frame. ``--match`` keeps only frames whose file contains the text
(default: the package's own code), so library internals are charged to the calling line.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")


def load(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not raw.strip():
            continue
        stack, _, count = raw.rpartition(" ")
        stacks.append((stack.split(";"), int(count)))
    return stacks


def summarise(stacks: list[tuple[list[str], int]], match: str, top: int) -> str:
    total = sum(n for _, n in stacks)
    by_func: Counter[str] = Counter()
    by_line: Counter[str] = Counter()
    self_own: Counter[str] = Counter()
    for frames, n in stacks:
        seen_func, seen_line = set(), set()
        innermost = None
        for frame in frames:
            m = _FRAME.match(frame)
            if not m or match not in m["file"]:
                continue
            func = f"{m['func']} ({m['file']})"
            line = f"{m['func']} ({m['file']}:{m['line']})"
            seen_func.add(func)
            seen_line.add(line)
            innermost = line
        for key in seen_func:
            by_func[key] += n
        for key in seen_line:
            by_line[key] += n
        if innermost:
            self_own[innermost] += n
    out = [f"{total} samples"]
    for title, counter in (
        ("inclusive, by function", by_func),
        ("inclusive, by line", by_line),
        (f"innermost frame in '{match}' (library time charged to the calling line)", self_own),
    ):
        out.append(f"\n## {title}")
        for key, n in counter.most_common(top):
            out.append(f"{n / total:6.1%}  {key}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--match", default="analysis/")
    args = parser.parse_args(argv)
    print(summarise(load(args.profile), args.match, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
