import sys

from process_supervisor.supervisor import main

sys.exit(main(sys.argv[1:]))
