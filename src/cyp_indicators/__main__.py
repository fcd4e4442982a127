"""``python -m cyp_indicators`` runs the command line."""

import sys

from .cli import main

sys.exit(main())
