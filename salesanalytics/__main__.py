"""``python -m salesanalytics`` runs the command line."""

import sys

from .adapters.cli import main

sys.exit(main())
