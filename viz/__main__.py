"""Entry point for ``python -m viz``."""

import sys

from viz.cli import main

sys.exit(main())
