"""Published figures: DfE's own values for a definition, from LAIT and Explore Education
Statistics files bundled with the library (or a newer download), with their provenance.

:func:`published` is the entry point; :func:`published_sources` lists the bundled files with
where each came from; :func:`lait_dictionary` is LAIT's data dictionary (polarity, decimal places,
year type and quartile rule of each of its measures).
"""

from .consistency import lait_consistency
from .ees import ees_rows, ees_table, read_ees
from .lait import lait_dictionary, lait_rows, read_lait
from .manifest import PublishedSource, bundled_source, published_sources
from .published import PUBLISHED_COLUMNS, published, published_series
from .reproduce import CAUSES, Reproduction, reproduce, reproducible

__all__ = [
    "CAUSES",
    "PUBLISHED_COLUMNS",
    "PublishedSource",
    "Reproduction",
    "bundled_source",
    "ees_rows",
    "ees_table",
    "lait_consistency",
    "lait_dictionary",
    "lait_rows",
    "published",
    "published_series",
    "published_sources",
    "read_ees",
    "read_lait",
    "reproduce",
    "reproducible",
]
