"""`rasa` CLI with production/degradation.py installed, e.g. `python -m production.serve run ...`."""
import sys

from rasa.__main__ import main

from production import degradation

if __name__ == "__main__":
    degradation.install()
    sys.argv[0] = "rasa"
    main()
