import sys

from assistant import log_masking
from process_supervisor.supervisor import main

log_masking.install()
sys.exit(main(sys.argv[1:]))
