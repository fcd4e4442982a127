"""Comparisons: statistical neighbours and other comparator groups, ranks, bands, gaps,
significance, trend, funnel limits and the benchmark table."""

from ..geography import ENGLAND, canonical_la, is_aggregate_code, la_codes, la_name
from .aggregate import AggregationMethod, aggregate_neighbours
from .benchmark import BenchmarkTable, benchmark_table, indicator_results
from .comparisons import COMPARISON_COLUMNS, comparisons, present_comparisons
from .funnel import funnel_limits, funnel_position
from .gaps import add_change, add_gap, gap_direction, gap_unit_label, rolling_average
from .groups import (
    CLOSENESS,
    ComparatorGroup,
    ComparatorSet,
    comparator_set,
    load_comparator_set,
    neighbour_set,
    neighbour_set_versions,
)
from .ranks import phe_quantiles, quartile_bands, rank_among_las
from .significance import compare_with, rag
from .trend import CHI2_THRESHOLD, trend_markers, trend_test

__all__ = [
    "CHI2_THRESHOLD",
    "CLOSENESS",
    "COMPARISON_COLUMNS",
    "ENGLAND",
    "AggregationMethod",
    "BenchmarkTable",
    "ComparatorGroup",
    "ComparatorSet",
    "add_change",
    "add_gap",
    "aggregate_neighbours",
    "benchmark_table",
    "canonical_la",
    "comparator_set",
    "compare_with",
    "comparisons",
    "funnel_limits",
    "funnel_position",
    "gap_direction",
    "gap_unit_label",
    "indicator_results",
    "is_aggregate_code",
    "la_codes",
    "la_name",
    "load_comparator_set",
    "neighbour_set",
    "neighbour_set_versions",
    "phe_quantiles",
    "present_comparisons",
    "quartile_bands",
    "rag",
    "rank_among_las",
    "rolling_average",
    "trend_markers",
    "trend_test",
]
