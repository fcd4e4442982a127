"""cyp-indicators: typed, versioned children's-services performance indicators on polars frames.

>>> import cyp_indicators as cyp
>>> d = cyp.load_catalogue().get("cla_rate_per_10k")
>>> str(d.version), str(d.unit), d.polarity.value
('1.0.0', 'per_10000', 'not_applicable')
"""

from .catalogue import Catalogue, load_catalogue
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
    PeriodType,
    Polarity,
    Version,
)
from .population import BUNDLED_VINTAGE, attach_population, population_estimates
from .presentation import present, unit_label
from .stats.intervals import byars_interval, exact_poisson_interval, wilson_interval, z_value
from .stats.measures import count, proportion, rate, result_columns
from .stats.rounding import round_half_away, round_half_away_expr
from .stats.symbols import Symbol, parse_symbol
from .units import Quantity, gap, registry

__version__ = "0.1.0"

__all__ = [
    "BUNDLED_VINTAGE",
    "CIMethod",
    "Catalogue",
    "CypIndicatorsError",
    "DataError",
    "DefinitionError",
    "DuplicateKeyError",
    "Family",
    "IndicatorDefinition",
    "InvalidValueError",
    "MissingColumnError",
    "PeriodType",
    "Polarity",
    "Quantity",
    "SchemaIssue",
    "Symbol",
    "UnknownDefinitionError",
    "Version",
    "YearPack",
    "__version__",
    "attach_population",
    "byars_interval",
    "compute",
    "count",
    "csc_counts",
    "exact_poisson_interval",
    "from_dfe_sentinels",
    "gap",
    "load_catalogue",
    "parse_symbol",
    "population_estimates",
    "present",
    "proportion",
    "rate",
    "read_table",
    "registry",
    "result_columns",
    "round_half_away",
    "round_half_away_expr",
    "unit_label",
    "wilson_interval",
    "z_value",
]
