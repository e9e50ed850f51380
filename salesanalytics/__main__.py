"""``python -m salesanalytics`` runs the command line."""

import sys

from .adapters.cli import run

sys.exit(run())
