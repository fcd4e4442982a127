"""pandas in, pandas out: the library's frame functions accept a pandas DataFrame and return one.

polars stays the engine. A pandas frame is converted with polars' own conversion
(:func:`polars.from_pandas`, :meth:`polars.DataFrame.to_pandas`, which use pyarrow: install the
``pandas`` extra, ``pip install "cyp-indicators[pandas]"``) on the way in and out, so the figures
are the polars path's to the bit. Chosen over a dataframe-agnostic layer (narwhals) because the
library's expressions are polars expressions throughout: converting once at the edge keeps one
engine and one set of rules, and costs one copy of the frame each way.

What the conversion decides, so pandas input meets exactly the rules polars input meets:

* ``NaN`` and ``None`` in a pandas column are missing values (pandas' own meaning), so they become
  polars nulls and the result says why a value is missing ("x: numerator is missing");
* a column of Python objects of mixed kinds (numbers beside DfE symbols such as ``"c"``, as
  read from a spreadsheet) becomes text, so a symbol is a typed value and anything else is the
  same :class:`~cyp_indicators.InvalidValueError`, naming the column, that polars text gives;
  it comes back as text;
* a named or non-default index is kept: it goes in as columns and, where the result still has
  them, comes back as the index; column names must be text and unique (an error names them);
* a result's provenance (the definitions and what produced it) travels in the pandas frame's
  ``attrs["cyp_indicators"]``, so :func:`~cyp_indicators.present` of a pandas result knows its
  definition and never presents it twice.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

import polars as pl

from .errors import DataError
from .model import IndicatorDefinition

__all__ = [
    "PandasDataFrame",
    "from_pandas",
    "is_pandas",
    "pandas_frames",
    "pandas_frames_after_definition",
    "to_pandas",
]

P = ParamSpec("P")
F = TypeVar("F", pl.DataFrame, pl.LazyFrame)

#: The key of a pandas frame's ``attrs`` that holds a result's provenance.
ATTRS_KEY = "cyp_indicators"


class PandasDataFrame(Protocol):
    """A pandas DataFrame, as the library's functions accept it.

    A structural type (pandas need not be installed for the library to import): what the library
    reads of a pandas frame.

    Attributes
    ----------
    attrs
        The frame's metadata dict; a result's provenance travels in ``attrs["cyp_indicators"]``.
    iloc
        Positional indexing.

    Examples
    --------
    >>> import pandas as pd
    >>> frame: PandasDataFrame = pd.DataFrame({"n": [1]})
    >>> frame.attrs
    {}
    """

    @property
    def attrs(self) -> dict[Hashable, Any]:
        """The frame's metadata dict."""

    @property
    def iloc(self) -> Any:
        """Positional indexing."""


G = TypeVar("G", pl.DataFrame, pl.LazyFrame, PandasDataFrame)


def is_pandas(frame: object) -> bool:
    """Whether ``frame`` is a pandas DataFrame (checked without importing pandas).

    Parameters
    ----------
    frame
        Anything.

    Returns
    -------
    bool
        True for a pandas DataFrame or an instance of a subclass.

    Examples
    --------
    >>> import polars as pl
    >>> is_pandas(pl.DataFrame({"a": [1]}))
    False
    """
    return any(
        cls.__name__ == "DataFrame" and cls.__module__.split(".")[0] == "pandas"
        for cls in type(frame).__mro__
    )


def _pandas() -> Any:
    try:
        import pandas as pd
        import pyarrow  # noqa: F401  (polars converts through it)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        msg = (
            "a pandas DataFrame needs pandas and pyarrow installed: "
            'pip install "cyp-indicators[pandas]"'
        )
        raise ImportError(msg) from exc
    return pd


def _text_if_mixed(pd: Any, column: Any) -> Any:
    """An object column of mixed kinds as text (None for missing), else the column unchanged."""
    if column.dtype != object:
        return column
    kind = pd.api.types.infer_dtype(column, skipna=True)
    if kind in {"string", "empty", "integer", "floating", "boolean", "date", "datetime"}:
        return column
    values = [None if _missing(pd, v) else str(v) for v in column.tolist()]
    return pd.Series(values, index=column.index, dtype=object, name=column.name)


def _missing(pd: Any, value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def from_pandas(frame: PandasDataFrame) -> tuple[pl.DataFrame, tuple[str, ...]]:
    """``frame`` as a polars DataFrame, and the names of the index columns it was given.

    NaN and None become nulls, an object column of mixed kinds becomes text, a named or
    non-default index becomes columns (``index``, ``level_0``, ... where unnamed), and a result's
    provenance in ``attrs["cyp_indicators"]`` is carried over.

    Parameters
    ----------
    frame
        A pandas DataFrame.

    Returns
    -------
    tuple[polars.DataFrame, tuple[str, ...]]
        The frame, and the names of the columns that were its index (empty for a default
        ``RangeIndex``).

    Raises
    ------
    DataError
        Column names that are not text or are repeated, or an index name that is also a column.
    ImportError
        pandas or pyarrow is not installed (``pip install "cyp-indicators[pandas]"``).

    Examples
    --------
    >>> import pandas as pd
    >>> out, index = from_pandas(pd.DataFrame({"n": [1, "c", None]}))
    >>> out["n"].to_list(), index
    (['1', 'c', None], ())
    """
    pd = _pandas()
    df: Any = frame
    index = df.index
    default = (
        isinstance(index, pd.RangeIndex)
        and index.start == 0
        and index.step == 1
        and index.name is None
    )
    index_names: tuple[str, ...] = ()
    if not default:
        names = [n if n is not None else "index" for n in index.names]
        if len(names) > 1:
            names = [n if n is not None else f"level_{i}" for i, n in enumerate(index.names)]
        clash = [n for n in names if n in df.columns]
        if clash:
            msg = f"the index name(s) {clash} are also column names; rename one"
            raise DataError(msg)
        df = df.reset_index(names=names)
        index_names = tuple(str(n) for n in names)
    not_text = [repr(c) for c in df.columns if not isinstance(c, str)]
    if not_text:
        msg = f"column names must be text; these are not: {', '.join(not_text)}"
        raise DataError(msg)
    repeated = sorted({c for c in df.columns if list(df.columns).count(c) > 1})
    if repeated:
        msg = f"column name(s) {repeated} appear more than once"
        raise DataError(msg)
    columns = {name: _text_if_mixed(pd, df[name]) for name in df.columns}
    prepared = pd.DataFrame(columns, index=pd.RangeIndex(len(df)))
    out = pl.from_pandas(prepared, nan_to_null=True)
    provenance = getattr(frame, "attrs", {}).get(ATTRS_KEY)
    if provenance is not None:
        from .results import ResultProvenance, _wrap_frame

        if isinstance(provenance, ResultProvenance):
            out = _wrap_frame(out, provenance)
    return out, index_names


def to_pandas(frame: pl.DataFrame, index: tuple[str, ...] = ()) -> Any:
    """``frame`` as a pandas DataFrame, with its index and a result's provenance restored.

    Parameters
    ----------
    frame
        A polars DataFrame (a result carries its provenance to ``attrs["cyp_indicators"]``).
    index
        Columns to make the index again, where all of them are still there.

    Returns
    -------
    pandas.DataFrame
        The converted frame.

    Raises
    ------
    ImportError
        pandas or pyarrow is not installed.

    Examples
    --------
    >>> import polars as pl
    >>> to_pandas(pl.DataFrame({"area": ["E1"], "value": [1.5]}), ("area",)).index.tolist()
    ['E1']
    """
    _pandas()
    out = frame.to_pandas()
    if index and all(name in out.columns for name in index):
        out = out.set_index(list(index))
        if list(index) == ["index"]:
            out.index.name = None
    provenance = getattr(frame, "provenance", None)
    if provenance is not None:
        out.attrs[ATTRS_KEY] = provenance
    return out


class _FrameFunction(Protocol[P]):
    def __call__(self, frame: G, /, *args: P.args, **kwargs: P.kwargs) -> G: ...


class _DefinitionFrameFunction(Protocol[P]):
    def __call__(
        self, definition: IndicatorDefinition, frame: G, /, *args: P.args, **kwargs: P.kwargs
    ) -> G: ...


def _converting(func: Callable[..., Any], position: int) -> Callable[..., Any]:
    """``func`` with its frame argument (at ``position``, or the keyword ``frame``) converted
    from pandas and its result converted back."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if len(args) > position:
            frame = args[position]
            if not is_pandas(frame):
                return func(*args, **kwargs)
            polars_frame, index = from_pandas(frame)
            args = (*args[:position], polars_frame, *args[position + 1 :])
        elif is_pandas(kwargs.get("frame")):
            polars_frame, index = from_pandas(kwargs["frame"])
            kwargs["frame"] = polars_frame
        else:
            return func(*args, **kwargs)
        return to_pandas(func(*args, **kwargs), index)

    return wrapper


def pandas_frames(func: Callable[Concatenate[F, P], F]) -> _FrameFunction[P]:
    """Let ``func(frame, ...)`` take a pandas DataFrame and return one (see the module).

    A polars frame passes through unchanged; a pandas one, positional or given as ``frame=``, is
    converted with :func:`from_pandas` on the way in and :func:`to_pandas` on the way out.

    Parameters
    ----------
    func
        A function whose first argument is a polars frame and which returns one.

    Returns
    -------
    Callable
        ``func``, wrapped (its name and docstring kept).

    Examples
    --------
    >>> import pandas as pd
    >>> import polars as pl
    >>> @pandas_frames
    ... def double(frame, column):
    ...     return frame.with_columns(pl.col(column) * 2)
    >>> out = double(pd.DataFrame({"n": [1, 2]}, index=pd.Index(["a", "b"], name="la")), "n")
    >>> type(out).__name__, out["n"].tolist(), out.index.tolist()
    ('DataFrame', [2, 4], ['a', 'b'])
    """
    return _converting(func, 0)


def pandas_frames_after_definition(
    func: Callable[Concatenate[IndicatorDefinition, F, P], F],
) -> _DefinitionFrameFunction[P]:
    """Let ``func(definition, frame, ...)`` take a pandas DataFrame and return one.

    As :func:`pandas_frames`, for a function whose frame is its second argument.

    Parameters
    ----------
    func
        A function of a definition and a polars frame that returns a polars frame.

    Returns
    -------
    Callable
        ``func``, wrapped (its name and docstring kept).

    Examples
    --------
    >>> import pandas as pd
    >>> import polars as pl
    >>> @pandas_frames_after_definition
    ... def tag(definition, frame):
    ...     return frame.with_columns(pl.lit(definition).alias("id"))
    >>> tag("cla_rate_per_10k", pd.DataFrame({"n": [1]}))["id"].tolist()
    ['cla_rate_per_10k']
    """
    return _converting(func, 1)
