import sys

from syncdash.cli import main

sys.exit(main())
