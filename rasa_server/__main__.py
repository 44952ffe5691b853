"""`rasa` CLI with this assistant's Rasa patches installed before Rasa starts, e.g.
`python -m rasa_server run ...` (make run, the stack's replicas) or `python -m rasa_server shell`."""

import sys

from rasa.__main__ import main

import assistant.quiet_warnings  # noqa: F401 - first: dependencies import at once
import rasa_patches
from assistant import log_masking
from assistant.quiet_warnings import keep_after_rasa
from channels import limits

if __name__ == "__main__":
    keep_after_rasa()
    limits.set_server_limits()
    log_masking.install()
    rasa_patches.install()
    sys.argv[0] = "rasa"
    main()
