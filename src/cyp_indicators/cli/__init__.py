"""The ``cyp-indicators`` command: a thin layer that parses, calls the library and prints.

One module per command (``listing``, ``show``, ``compute``, ``compare``, ``report`` with ``demo``,
``published``, ``validate``); what a command needs beyond parsing lives in the library.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .. import __version__
from ..errors import CypIndicatorsError
from . import compare, compute, listing, published, report, show, validate
from ._common import ProgressBar, UsageError

__all__ = ["ProgressBar", "main"]

_COMMANDS = (report, listing, show, compute, compare, published, validate)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cyp-indicators",
        description="Children's-services performance indicators for English local authorities.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    # --debug after the subcommand too; SUPPRESS keeps the value given before it.
    debug = argparse.ArgumentParser(add_help=False)
    debug.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for command in _COMMANDS:
        command.register(sub, [debug])
    return parser


def _one_line(exc: BaseException) -> str:
    """An error for stderr; an OS error as its file and reason, without ``[Errno 2]``."""
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        return f"{str(exc.filename)!r}: {exc.strerror}"
    return str(exc)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 data problem, 2 usage)."""
    args = _parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stderr.close()
        return 0
    except (UsageError, CypIndicatorsError, OSError) as exc:
        if args.debug:
            raise
        print(f"cyp-indicators: {_one_line(exc)}", file=sys.stderr)
        return 2 if isinstance(exc, UsageError) else 1
    return code


if __name__ == "__main__":
    sys.exit(main())
