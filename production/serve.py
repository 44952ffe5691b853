"""`rasa` CLI with production/degradation.py installed and the action server's shared secret
sent on every action call, e.g. `python -m production.serve run ...`."""
import process_supervisor.quiet_warnings  # noqa: F401 - first: dependencies import at once
import sys

from rasa.__main__ import main

from process_supervisor.quiet_warnings import keep_after_rasa

from action_server import secret
from channels import limits
from production import degradation

if __name__ == "__main__":
    keep_after_rasa()
    limits.set_server_limits()
    degradation.install()
    secret.install_in_rasa()
    sys.argv[0] = "rasa"
    main()
