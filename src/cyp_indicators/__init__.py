"""cyp-indicators: typed, versioned children's-services performance indicators on polars frames.

>>> import cyp_indicators as cyp
>>> d = cyp.load_catalogue().get("cla_rate_per_10k")
>>> str(d.version), str(d.unit), d.polarity.value
('1.0.0', 'per_10000', 'not_applicable')
"""

# Public modules (modules are not listed in __all__): cyp.expr.rate, cyp.geography.successors, ...
# What a first computation needs is imported here; the rest (comparisons, record-level returns,
# published series, pint) on first use of one of its names, so `import cyp_indicators` stays light.
import typing as _typing

from . import expr as expr
from . import geography as geography
from . import years as years
from .catalogue import Catalogue, SeriesBreak, load_catalogue
from .compute import compute, compute_by_year
from .errors import (
    AreaNotApplicableError,
    CypIndicatorsError,
    DataError,
    DefinitionError,
    DuplicateKeyError,
    InvalidValueError,
    Location,
    MissingColumnError,
    Problem,
    PublishedDataError,
    SchemaIssue,
    UnknownAreaError,
    UnknownComparatorSetError,
    UnknownDefinitionError,
    UnknownTopicError,
)
from .inputs import tidy_input
from .loader import Replacement, YearPack
from .model import (
    Breakdown,
    BreakdownLevel,
    CIMethod,
    EESSeries,
    Family,
    IndicatorDefinition,
    MatrixAxis,
    Outcome,
    PeriodType,
    Polarity,
    ProgressMatrix,
    PupilRule,
    Version,
    normalise_code,
)
from .stats.intervals import (
    byar_exact_interval,
    byars_interval,
    exact_poisson_interval,
    wilson_interval,
    z_value,
)
from .stats.measures import (
    count,
    mean,
    proportion,
    rate,
    result_columns,
)
from .stats.rounding import round_half_away, round_half_away_expr
from .stats.symbols import Symbol, parse_symbol

if _typing.TYPE_CHECKING:
    from . import compare as compare
    from . import datasets as datasets
    from . import io as io
    from . import population as population
    from . import presentation as presentation
    from . import progress as progress
    from . import records as records
    from . import reports as reports
    from . import rollup as rollup
    from . import sources as sources
    from . import units as units
    from .compare import (
        CHI2_THRESHOLD,
        CLOSENESS,
        ENGLAND,
        BenchmarkTable,
        ComparatorGroup,
        ComparatorSet,
        add_change,
        add_gap,
        aggregate_neighbours,
        benchmark_table,
        canonical_la,
        comparator_set,
        compare_with,
        comparisons,
        funnel_limits,
        funnel_position,
        gap_direction,
        gap_unit_label,
        indicator_results,
        la_codes,
        la_name,
        load_comparator_set,
        neighbour_set,
        phe_quantiles,
        present_comparisons,
        quartile_bands,
        rag,
        rank_among_las,
        rolling_average,
        trend_markers,
        trend_test,
    )
    from .datasets import (
        csc_counts,
    )
    from .io import (
        from_dfe_sentinels,
        read_table,
    )
    from .population import (
        BUNDLED_VINTAGE,
        attach_population,
        population_estimates,
        population_of,
    )
    from .presentation import (
        format_fixed,
        present,
        unit_label,
    )
    from .progress import (
        apply_pupil_rule,
        classify_progress,
        compute_from_pupils,
        progress_rates,
        suppress_transition,
        transition_from_counts,
        transition_matrix,
    )
    from .records import (
        SSDA903,
        CINCensus,
        Derivation,
        Period,
        PeriodSeries,
        RecordFileWarning,
        WorkingDayCalendar,
        age_on,
        derive,
        read_cin_census,
        read_cin_tables,
        read_ssda903,
    )
    from .rollup import (
        roll_up,
    )
    from .sources import (
        published,
        published_sources,
    )
    from .units import (
        Quantity,
        gap,
        registry,
    )

#: Public names imported on first use: name -> the module that defines it.
_LAZY: dict[str, str] = {
    "BUNDLED_VINTAGE": ".population",
    "BenchmarkTable": ".compare",
    "CHI2_THRESHOLD": ".compare",
    "CINCensus": ".records",
    "CLOSENESS": ".compare",
    "ComparatorGroup": ".compare",
    "ComparatorSet": ".compare",
    "Derivation": ".records",
    "ENGLAND": ".compare",
    "Period": ".records",
    "PeriodSeries": ".records",
    "Quantity": ".units",
    "RecordFileWarning": ".records",
    "SSDA903": ".records",
    "WorkingDayCalendar": ".records",
    "add_change": ".compare",
    "add_gap": ".compare",
    "age_on": ".records",
    "apply_pupil_rule": ".progress",
    "aggregate_neighbours": ".compare",
    "attach_population": ".population",
    "benchmark_table": ".compare",
    "canonical_la": ".compare",
    "classify_progress": ".progress",
    "comparator_set": ".compare",
    "compare_with": ".compare",
    "comparisons": ".compare",
    "compute_from_pupils": ".progress",
    "csc_counts": ".datasets",
    "derive": ".records",
    "format_fixed": ".presentation",
    "from_dfe_sentinels": ".io",
    "funnel_limits": ".compare",
    "funnel_position": ".compare",
    "gap": ".units",
    "gap_direction": ".compare",
    "gap_unit_label": ".compare",
    "indicator_results": ".compare",
    "la_codes": ".compare",
    "la_name": ".compare",
    "load_comparator_set": ".compare",
    "neighbour_set": ".compare",
    "phe_quantiles": ".compare",
    "present_comparisons": ".compare",
    "population_estimates": ".population",
    "population_of": ".population",
    "present": ".presentation",
    "progress_rates": ".progress",
    "published": ".sources",
    "published_sources": ".sources",
    "quartile_bands": ".compare",
    "rag": ".compare",
    "rank_among_las": ".compare",
    "read_cin_census": ".records",
    "read_cin_tables": ".records",
    "read_ssda903": ".records",
    "read_table": ".io",
    "registry": ".units",
    "roll_up": ".rollup",
    "rolling_average": ".compare",
    "suppress_transition": ".progress",
    "transition_from_counts": ".progress",
    "transition_matrix": ".progress",
    "trend_markers": ".compare",
    "trend_test": ".compare",
    "unit_label": ".presentation",
}
#: Public modules imported on first use.
_LAZY_MODULES = frozenset(
    {
        "compare",
        "datasets",
        "io",
        "population",
        "presentation",
        "progress",
        "records",
        "reports",
        "rollup",
        "sources",
        "units",
    }
)


def __getattr__(name: str) -> _typing.Any:
    import importlib

    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    elif name in _LAZY_MODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | _LAZY_MODULES)


__version__ = "0.3.0"

__all__ = [
    "BUNDLED_VINTAGE",
    "CHI2_THRESHOLD",
    "CLOSENESS",
    "ENGLAND",
    "SSDA903",
    "AreaNotApplicableError",
    "BenchmarkTable",
    "Breakdown",
    "BreakdownLevel",
    "CIMethod",
    "CINCensus",
    "Catalogue",
    "ComparatorGroup",
    "ComparatorSet",
    "CypIndicatorsError",
    "DataError",
    "DefinitionError",
    "Derivation",
    "DuplicateKeyError",
    "EESSeries",
    "Family",
    "IndicatorDefinition",
    "InvalidValueError",
    "Location",
    "MatrixAxis",
    "MissingColumnError",
    "Outcome",
    "Period",
    "PeriodSeries",
    "PeriodType",
    "Polarity",
    "Problem",
    "ProgressMatrix",
    "PublishedDataError",
    "PupilRule",
    "Quantity",
    "RecordFileWarning",
    "Replacement",
    "SchemaIssue",
    "SeriesBreak",
    "Symbol",
    "UnknownAreaError",
    "UnknownComparatorSetError",
    "UnknownDefinitionError",
    "UnknownTopicError",
    "Version",
    "WorkingDayCalendar",
    "YearPack",
    "__version__",
    "add_change",
    "add_gap",
    "age_on",
    "aggregate_neighbours",
    "apply_pupil_rule",
    "attach_population",
    "benchmark_table",
    "byar_exact_interval",
    "byars_interval",
    "canonical_la",
    "classify_progress",
    "comparator_set",
    "compare_with",
    "comparisons",
    "compute",
    "compute_by_year",
    "compute_from_pupils",
    "count",
    "csc_counts",
    "derive",
    "exact_poisson_interval",
    "format_fixed",
    "from_dfe_sentinels",
    "funnel_limits",
    "funnel_position",
    "gap",
    "gap_direction",
    "gap_unit_label",
    "indicator_results",
    "la_codes",
    "la_name",
    "load_catalogue",
    "load_comparator_set",
    "mean",
    "neighbour_set",
    "normalise_code",
    "parse_symbol",
    "phe_quantiles",
    "population_estimates",
    "population_of",
    "present",
    "present_comparisons",
    "progress_rates",
    "proportion",
    "published",
    "published_sources",
    "quartile_bands",
    "rag",
    "rank_among_las",
    "rate",
    "read_cin_census",
    "read_cin_tables",
    "read_ssda903",
    "read_table",
    "registry",
    "result_columns",
    "roll_up",
    "rolling_average",
    "round_half_away",
    "round_half_away_expr",
    "suppress_transition",
    "tidy_input",
    "transition_from_counts",
    "transition_matrix",
    "trend_markers",
    "trend_test",
    "unit_label",
    "wilson_interval",
    "z_value",
]
