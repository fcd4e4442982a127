"""cyp-indicators: typed, versioned children's-services performance indicators on polars frames.

>>> import cyp_indicators as cyp
>>> d = cyp.load_catalogue().get("cla_rate_per_10k")
>>> str(d.version), str(d.unit), d.polarity.value
('1.0.0', 'per_10000', 'not_applicable')
"""

from .catalogue import Catalogue, load_catalogue
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
    quartile_bands,
    rag,
    rank_among_las,
    rolling_average,
    trend_markers,
    trend_test,
)
from .compute import compute
from .datasets import csc_counts
from .errors import (
    CypIndicatorsError,
    DataError,
    DefinitionError,
    DuplicateKeyError,
    InvalidValueError,
    MissingColumnError,
    SchemaIssue,
    UnknownDefinitionError,
)
from .io import from_dfe_sentinels, read_table
from .loader import YearPack
from .model import (
    CIMethod,
    Family,
    IndicatorDefinition,
    MatrixAxis,
    Outcome,
    PeriodType,
    Polarity,
    ProgressMatrix,
    Version,
    normalise_code,
)
from .population import BUNDLED_VINTAGE, attach_population, population_estimates
from .presentation import format_fixed, present, unit_label
from .progress import (
    classify_progress,
    compute_from_pupils,
    progress_rates,
    suppress_transition,
    transition_from_counts,
    transition_matrix,
)
from .stats.intervals import byars_interval, exact_poisson_interval, wilson_interval, z_value
from .stats.measures import count, mean, proportion, rate, result_columns
from .stats.rounding import round_half_away, round_half_away_expr
from .stats.symbols import Symbol, parse_symbol
from .units import Quantity, gap, registry

__version__ = "0.1.0"

__all__ = [
    "BUNDLED_VINTAGE",
    "CHI2_THRESHOLD",
    "CLOSENESS",
    "ENGLAND",
    "BenchmarkTable",
    "CIMethod",
    "Catalogue",
    "ComparatorGroup",
    "ComparatorSet",
    "CypIndicatorsError",
    "DataError",
    "DefinitionError",
    "DuplicateKeyError",
    "Family",
    "IndicatorDefinition",
    "InvalidValueError",
    "MatrixAxis",
    "MissingColumnError",
    "Outcome",
    "PeriodType",
    "Polarity",
    "ProgressMatrix",
    "Quantity",
    "SchemaIssue",
    "Symbol",
    "UnknownDefinitionError",
    "Version",
    "YearPack",
    "__version__",
    "add_change",
    "add_gap",
    "aggregate_neighbours",
    "attach_population",
    "benchmark_table",
    "byars_interval",
    "canonical_la",
    "classify_progress",
    "comparator_set",
    "compare_with",
    "compute",
    "compute_from_pupils",
    "count",
    "csc_counts",
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
    "present",
    "progress_rates",
    "proportion",
    "quartile_bands",
    "rag",
    "rank_among_las",
    "rate",
    "read_table",
    "registry",
    "result_columns",
    "rolling_average",
    "round_half_away",
    "round_half_away_expr",
    "suppress_transition",
    "transition_from_counts",
    "transition_matrix",
    "trend_markers",
    "trend_test",
    "unit_label",
    "wilson_interval",
    "z_value",
]
