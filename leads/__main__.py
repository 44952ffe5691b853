import sys

from leads.cli import main

sys.exit(main())
