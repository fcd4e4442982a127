"""``python -m benchmarks``: run the suite (``--help`` for the options)."""

from __future__ import annotations

import sys

from benchmarks.run import main

if __name__ == "__main__":  # spawned case processes import this module as __mp_main__
    sys.exit(main())
