import sys

from assistant import log_masking
from leads.cli import main

log_masking.install()
sys.exit(main())
