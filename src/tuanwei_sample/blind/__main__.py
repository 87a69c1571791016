import sys

from tuanwei_sample.blind.check import main

sys.exit(main(sys.argv[1:]))
