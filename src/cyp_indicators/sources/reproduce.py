"""Reproducing DfE's published figures from the published components, definition by definition.

:func:`reproduce` computes a definition from the numerator and denominator DfE publishes (the
EES file and columns its ``provenance.ees`` names; a population denominator from the bundled ONS
estimates), presents it as DfE does, and sets each LA-year beside DfE's published figure (LAIT's
or the EES file's). England and the regions are rolled up from the LA components
(:func:`~cyp_indicators.roll_up`). Every figure that is not reproduced gets a cause:

``withheld``
    DfE published a symbol (``c``, ``x``, ``u``, ``low``) where the components give a value, or
    the components are withheld where DfE published a value (a 0 % beside a withheld cohort).
``population vintage``
    A rate whose published value implies a population outside the range the bundled estimate
    gives (an earlier or later ONS vintage).
``approximate roll-up``
    An England or regional row from which an LA without a published count had to be left out.
``rounded counts``
    An England or regional figure that DfE (or LAIT) computed from counts rounded to the nearest
    10, which the figure from the LA counts misses by the rounding.
``unexplained``
    Anything else: a definition should have none.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import polars as pl

from ..compute import compute
from ..errors import DataError
from ..model import Family, IndicatorDefinition
from ..population import attach_population
from ..presentation import present
from ..rollup import roll_up
from ..stats.rounding import round_half_away_expr
from .ees import ees_table
from .published import published

__all__ = ["CAUSES", "Reproduction", "reproduce", "reproducible"]

#: The causes a figure that is not reproduced can have (see the module docstring).
CAUSES = (
    "withheld",
    "population vintage",
    "approximate roll-up",
    "rounded counts",
    "unexplained",
)
_NUM, _DEN = "published_numerator", "published_denominator"


@attrs.frozen(kw_only=True)
class Reproduction:
    """What :func:`reproduce` found for one definition.

    ``la_years`` counts the LA-years with a published figure (a value or a symbol) for which DfE
    publishes the components too, ``la_years_published`` every LA-year of the published series,
    and ``la_years_reproduced`` those the components give exactly (after the definition's rounding;
    a symbol counts when the library withholds the same figure); ``aggregates`` and
    ``aggregates_reproduced`` the same for England and the regions, rolled up from the LAs.
    ``causes`` counts the figures not reproduced by cause; ``rows`` holds every comparison.

    Parameters
    ----------
    definition
        The definition's key (``id@version``).
    published
        The published series compared with: its file and series.
    components
        Where the numerator and denominator came from.
    la_years, la_years_reproduced, la_years_published
        The LA-years compared, those reproduced, and those the series publishes.
    aggregates, aggregates_reproduced
        England and regional figures compared, and those reproduced.
    causes
        Cause (one of :data:`CAUSES`) -> how many figures it explains.
    rows
        Every comparison: the keys, ``published``, ``published_symbol``, ``computed``,
        ``computed_symbol``, ``reproduced``, ``cause``, ``level`` (not part of equality).

    Examples
    --------
    >>> r = Reproduction(definition="x@1.0.0", published="f.csv: v", components="f.csv: n / d",
    ...                  la_years=150, la_years_reproduced=149, la_years_published=152,
    ...                  aggregates=10, aggregates_reproduced=10, causes={"withheld": 1})
    >>> r.summary
    '149 of 150 LA-years; England and regions 10 of 10 from LA rows'
    """

    definition: str
    published: str
    components: str
    la_years: int
    la_years_reproduced: int
    la_years_published: int
    aggregates: int
    aggregates_reproduced: int
    causes: dict[str, int] = attrs.field(factory=dict)
    rows: pl.DataFrame = attrs.field(eq=False, repr=False, factory=pl.DataFrame)

    @property
    def summary(self) -> str:
        """One line: "1,504 of 1,504 LA-years; England and regions 99 of 108 from LA rows"."""
        text = f"{self.la_years_reproduced:,} of {self.la_years:,} LA-years"
        if self.aggregates:
            text += (
                f"; England and regions {self.aggregates_reproduced:,} of {self.aggregates:,} "
                "from LA rows"
            )
        return text


def reproducible(definition: IndicatorDefinition) -> bool:
    """Whether the definition names published components to reproduce it from.

    Parameters
    ----------
    definition
        Any definition.

    Returns
    -------
    bool
        True when its EES series names a numerator column and, unless it is a count, a
        denominator column or a population denominator.

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> cat = cyp.load_catalogue()
    >>> reproducible(cat.get("cla_rate_per_10k")), reproducible(cat.get("adoption_a1_days"))
    (True, False)
    """
    ees = definition.provenance.ees
    if ees is None or ees.numerator_column is None:
        return False
    if definition.family is Family.COUNT:
        return True
    den = definition.denominator
    return ees.denominator_column is not None or (den is not None and den.population is not None)


def _components(definition: IndicatorDefinition) -> tuple[pl.DataFrame, str, str | None, str]:
    ees = definition.provenance.ees
    assert ees is not None
    assert ees.numerator_column is not None
    columns = [ees.numerator_column]
    if ees.denominator_column is not None:
        columns.append(ees.denominator_column)
    frame = ees_table(ees, columns, breakdown=definition.breakdown)
    frame = frame.rename({ees.numerator_column: _NUM})
    described = f"{ees.file}: {ees.numerator_column}"
    if ees.denominator_column is not None:
        frame = frame.rename({ees.denominator_column: _DEN})
        return frame, _NUM, _DEN, f"{described} / {ees.denominator_column}"
    den = definition.denominator
    if den is not None and den.population is not None:
        spec = den.population
        if spec.series != "ons_mye_0_17":
            msg = f"{definition.key}: population series {spec.series!r} is not bundled"
            raise DataError(msg)
        frame = attach_population(
            frame, area="area_code", year="time_period", name=_DEN, year_offset=spec.year_offset
        )
        return frame, _NUM, _DEN, f"{described} / ONS 0-17 mid-year estimates"
    return frame, _NUM, None, described


def _compared(
    mine: pl.DataFrame, theirs: pl.DataFrame, keys: Sequence[str], dps: int
) -> pl.DataFrame:
    joined = theirs.select(
        *keys, pl.col("value").alias("published"), pl.col("symbol").alias("published_symbol")
    ).join(mine, on=list(keys), how="inner")  # the figures DfE publishes components for
    shown = round_half_away_expr(pl.col("published"), dps)
    same_value = pl.col("published").is_not_null() & (shown == pl.col("computed"))
    # no figure on either side (LAIT writes "-" for every kind of missing figure)
    same_symbol = pl.col("published").is_null() & pl.col("computed").is_null()
    return joined.with_columns((same_value | same_symbol).fill_null(False).alias("reproduced"))


def _cause(kind: str) -> pl.Expr:
    withheld = (pl.col("published").is_null() & pl.col("computed").is_not_null()) | (
        pl.col("published").is_not_null() & pl.col("computed").is_null()
    )
    checks: list[tuple[pl.Expr, str]] = []
    if kind == "aggregate":
        checks += [
            (pl.col("approximate").fill_null(False), "approximate roll-up"),
            (pl.col("__from_rounded").fill_null(False), "rounded counts"),
        ]
    checks.append((withheld, "withheld"))
    if kind == "la":
        # a published rate implies a denominator num * multiplier / (rate -+ half a unit)
        checks.append((pl.col("__outside_vintage").fill_null(False), "population vintage"))
    cause: pl.Expr = pl.lit("unexplained")
    for condition, name in reversed(checks):
        cause = pl.when(condition).then(pl.lit(name)).otherwise(cause)
    return (
        pl.when(pl.col("reproduced")).then(pl.lit(None, pl.String)).otherwise(cause).alias("cause")
    )


def reproduce(definition: IndicatorDefinition, *, catalogue: object | None = None) -> Reproduction:
    """Compute ``definition`` from DfE's published components and compare with DfE's figures.

    The LA figures are computed and presented as DfE does; England and the regions are rolled
    up from the LA components. Every figure not reproduced gets a cause (see the module).

    Parameters
    ----------
    definition
        A definition that is :func:`reproducible`.
    catalogue
        The catalogue whose year chain gives the version in force each year (default: the
        bundled one).

    Returns
    -------
    Reproduction
        The counts, the causes and every comparison.

    Raises
    ------
    DataError
        When the definition names no published components (``provenance.ees`` with a
        ``numerator_column``) or names a population that is not bundled.
    PublishedDataError
        A bundled file of another shape than the definition says.

    Examples
    --------
    >>> import cyp_indicators as cyp
    >>> r = reproduce(cyp.load_catalogue().get("cla_rate_per_10k"))
    >>> r.la_years_reproduced == r.la_years > 0, r.causes
    (True, {})
    """
    if not reproducible(definition):
        msg = f"{definition.key} names no published components to reproduce it from"
        raise DataError(msg)
    frame, num, den, described = _components(definition)
    breakdown = [definition.breakdown.column] if definition.breakdown is not None else []
    keys = ["area_code", "time_period", *breakdown]
    dps = definition.presentation.decimal_places
    pub = published(definition, catalogue=catalogue)

    def shown(rows: pl.DataFrame) -> pl.DataFrame:
        result = present(compute(definition, rows, numerator=num, denominator=den), definition)
        extra = []
        if den is not None:
            extra = [pl.col("numerator").alias("__n"), pl.col("denominator").alias("__d")]
        return pl.DataFrame(result).select(
            *keys,
            pl.col("value").alias("computed"),
            pl.when(pl.col("value").is_null()).then(pl.col("display")).alias("computed_symbol"),
            *extra,
        )

    las = frame.filter(pl.col("geographic_level") == "Local authority")
    la_rows = _compared(
        shown(las), pub.filter(pl.col("geographic_level") == "Local authority"), keys, dps
    )
    if "__n" in la_rows.columns and definition.family is Family.RATE:
        half = 0.5 * 10.0**-dps
        rate = pl.col("published")
        low = pl.col("__n") * definition.multiplier / (rate + half)
        high = pl.col("__n") * definition.multiplier / (rate - half)
        la_rows = la_rows.with_columns(
            ((pl.col("__d") < low) | (pl.col("__d") > high)).alias("__outside_vintage")
        )
    else:
        la_rows = la_rows.with_columns(pl.lit(False).alias("__outside_vintage"))
    la_rows = la_rows.with_columns(_cause("la"), pl.lit("Local authority").alias("level"))

    aggregate_rows = pl.DataFrame()
    if den is not None:
        ups = pl.concat(
            [
                roll_up(
                    las,
                    numerator=num,
                    denominator=den,
                    to=to,
                    la="area_code",
                    by=["time_period", *breakdown],
                )
                for to in ("region", "england")
            ],
            how="vertical_relaxed",
        )
        mine = shown(ups).join(ups.select(*keys, "approximate"), on=keys, how="left")
        theirs = pub.filter(pl.col("geographic_level") != "Local authority")
        compared = _compared(mine, theirs, keys, dps)
        # the figure from counts rounded to the nearest 10 (a rate's population is not rounded)
        tens = (pl.col("__n") / 10).round(0, mode="half_away_from_zero") * 10
        den_tens = (
            pl.col("__d")
            if definition.family is Family.RATE
            else (pl.col("__d") / 10).round(0, mode="half_away_from_zero") * 10
        )
        from_rounded = round_half_away_expr(tens / den_tens * definition.multiplier, dps)
        aggregate_rows = compared.with_columns(
            (from_rounded == round_half_away_expr(pl.col("published"), dps)).alias("__from_rounded")
        ).with_columns(_cause("aggregate"), pl.lit("England and regions").alias("level"))
    common = [
        *keys,
        "published",
        "published_symbol",
        "computed",
        "computed_symbol",
        "reproduced",
        "cause",
        "level",
    ]
    parts = [la_rows.select(common)]
    if aggregate_rows.height:
        parts.append(aggregate_rows.select(common))
    rows = pl.concat(parts, how="vertical_relaxed")
    causes = rows.filter(pl.col("cause").is_not_null()).group_by("cause").len()
    la_part = rows.filter(pl.col("level") == "Local authority")
    agg_part = rows.filter(pl.col("level") != "Local authority")
    series = pub["series"].unique().sort().to_list()
    return Reproduction(
        definition=definition.key,
        published=f"{pub['source_file'][0] if pub.height else ''}: {', '.join(series)}",
        components=described,
        la_years=la_part.height,
        la_years_reproduced=int(la_part["reproduced"].sum()),
        la_years_published=pub.filter(pl.col("geographic_level") == "Local authority").height,
        aggregates=agg_part.height,
        aggregates_reproduced=int(agg_part["reproduced"].sum()) if agg_part.height else 0,
        causes=dict(zip(causes["cause"].to_list(), causes["len"].to_list(), strict=True)),
        rows=rows,
    )
