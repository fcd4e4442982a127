"""The ``cyp-indicators`` command: a thin layer that parses, calls the library and prints.

One module per command (``listing``, ``show``, ``compute``, ``compare``, ``report`` with ``demo``,
``published``, ``validate``); what a command needs beyond parsing lives in the library.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from .. import __version__
from ..errors import CypIndicatorsError
from ..safe_output import SafeStream
from . import compare, compute, listing, published, report, show, validate
from ._common import ProgressBar, UsageError, is_write_error

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
    if isinstance(exc, UsageError | CypIndicatorsError | OSError) or is_write_error(exc):
        text = str(exc)
    else:  # not one of ours: say what kind, so a bug report can name it
        text = f"{type(exc).__name__}: {exc} (rerun with --debug for the traceback)"
    first, *rest = [line.strip() for line in text.splitlines() if line.strip()] or [
        type(exc).__name__
    ]
    return f"{first}: {'; '.join(rest)}" if rest else first


@contextmanager
def _safe_console() -> Iterator[None]:
    """stdout and stderr that print no control character and never fail on the encoding."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(out), SafeStream(err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 a problem, 2 usage, 130 Ctrl-C)."""
    with _safe_console():
        return _run(argv)


def _run(argv: Sequence[str] | None) -> int:
    debug = "--debug" in (sys.argv[1:] if argv is None else argv)
    try:
        args = _parser().parse_args(argv)
        debug = args.debug
        code: int = args.func(args)
    except KeyboardInterrupt:
        if debug:
            raise
        # a file being written was left as it was (the new one is written beside it first)
        print("cyp-indicators: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and closed early
        getattr(sys.stderr, "raw", sys.stderr).close()
        return 0
    except Exception as exc:
        if debug:
            raise
        print(f"cyp-indicators: {_one_line(exc)}", file=sys.stderr)
        return 2 if isinstance(exc, UsageError) else 1
    return code


if __name__ == "__main__":
    sys.exit(main())
