"""A scripted mutation check of the statistics core, presentation, the year chain, the comparisons,
progress and the record derivations (issue 12).

Each mutation is a realistic change a reviewer could let through: ``<`` for ``<=``, a suppression
bound, the population year offset, the 12-month window, the 31 March snapshot, a confidence level.
For each one the script edits the source file in place, runs the test files that cover that module
(``pytest -x``), and restores the file, whatever happens (a ``finally``; Ctrl-C and SIGTERM too).
A mutant is *caught* when a test fails (or the run times out), *survived* when every test passes.

Usage (from the repository root)::

    .venv/bin/python tools/mutation_check.py                  # every mutation (about an hour)
    .venv/bin/python tools/mutation_check.py --only rag       # ids or paths containing "rag"
    .venv/bin/python tools/mutation_check.py --list           # the mutations, without running
    .venv/bin/python tools/mutation_check.py --check          # each original text is found once
    .venv/bin/python tools/mutation_check.py --only X --full  # run the whole suite for X

The check is not part of ``make test`` (it is slow). It refuses to start when a file it mutates
has uncommitted changes, and afterwards verifies that every file is byte for byte as before and
that git shows no change. ``tests/README.md`` records the last score and the survivors judged
harmless.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
PKG = "src/cyp_indicators/"


@dataclass(frozen=True)
class Mutation:
    """One mutation: in ``path``, the exact text ``original`` (found once) becomes ``replacement``."""

    id: str
    path: str  # relative to src/cyp_indicators/
    original: str
    replacement: str
    description: str
    tests: tuple[str, ...] = field(default=())  # overrides the module's test files

    @property
    def file(self) -> Path:
        return ROOT / PKG / self.path


# --- which tests cover which module ------------------------------------------------------------
# Fast, specific files first: ``pytest -x`` stops at the first failure.

_STATS = (
    "test_intervals_reference.py", "test_means.py", "test_units.py", "test_bad_input.py",
    "test_api.py", "test_pandas.py", "test_results.py", "test_hostile_library.py",
    "test_population.py", "test_expr.py", "test_properties.py",
)  # fmt: skip
_ROUNDING = (
    "test_presentation.py", "test_transition.py", "test_compare_reference.py",
    "test_dfe_published.py", "test_definitions_primary.py", "test_definitions_secondary.py",
    "test_examples_seed.py", "test_compare.py", "test_properties.py",
)  # fmt: skip
_PRESENTATION = (
    "test_presentation.py", "test_results.py", "test_attainment.py", "test_rollup.py",
    "test_tidy_input.py", "test_definitions_cin_cp.py", "test_definitions_secondary.py",
    "test_definitions_workforce_finance_health.py", "test_dfe_published.py",
    "test_hostile_library.py", "test_compare.py", "test_progress_properties.py",
    "test_properties.py",
)  # fmt: skip
_POPULATION = (
    "test_population.py", "test_dfe_published.py", "test_definitions_cin_cp.py",
    "test_results.py", "test_hostile_library.py", "test_compare.py", "test_cli_published.py",
)  # fmt: skip
_CATALOGUE = (
    "test_catalogue.py", "test_catalogue_consolidation.py", "test_catalogue_consistency.py",
    "test_api.py", "test_years.py", "test_compare.py", "test_progress_seed_matrices.py",
    "test_definitions_absence_sen.py", "test_definitions_primary.py",
    "test_definitions_workforce_finance_health.py", "test_dfe_published.py", "test_results.py",
)  # fmt: skip
_YEARS = ("test_years.py", "test_records_periods.py", "test_tidy_input.py", "test_catalogue.py")
_COMPARE = (
    "test_compare.py", "test_compare_reference.py", "test_hostile_library.py",
    "test_cli_published.py", "test_results.py", "test_lait_statistics.py",
    "test_compare_properties.py",
)  # fmt: skip
_TREND = ("test_compare_reference.py", "test_compare.py", "test_hostile_library.py",
          "test_report.py")  # fmt: skip
_BENCHMARK = ("test_compare.py", "test_compare_reference.py", "test_report.py")
_FUNNEL = ("test_compare.py", "test_compare_reference.py")
_PROGRESS = (
    "test_progress_seed_matrices.py", "test_progress_properties.py", "test_results.py",
    "test_attainment.py", "test_catalogue.py",
)  # fmt: skip
_TRANSITION = ("test_transition.py", "test_progress_properties.py")
_RECORDS = (
    "test_records_derive.py", "test_records_rules.py", "test_records_periods.py",
    "test_records_workdays.py", "test_definitions_cin_cp.py", "test_definitions_cla.py",
    "test_definition_derivations.py", "test_lineage.py", "test_records_differential.py",
    "test_records_readers.py", "test_records_files.py", "test_records_properties.py",
)  # fmt: skip

#: Module (path under src/cyp_indicators/, or a folder ending in "/") -> test files.
TESTS: dict[str, tuple[str, ...]] = {
    "stats/rounding.py": _ROUNDING,
    "stats/symbols.py": (*_STATS, "test_tidy_input.py", "test_compare.py", "test_presentation.py"),
    "stats/difference.py": (
        "test_compare_reference.py",
        "test_definitions_secondary.py",
        "test_properties.py",
        "test_compare.py",
    ),
    "stats/": (*_STATS, "test_compare.py", "test_errors.py"),
    "presentation.py": _PRESENTATION,
    "population.py": _POPULATION,
    "catalogue.py": _CATALOGUE,
    "loader.py": _CATALOGUE,
    "model/definition.py": _CATALOGUE,
    "model/version.py": _CATALOGUE,
    "years.py": _YEARS,
    "compare/trend.py": _TREND,
    "compare/benchmark.py": _BENCHMARK,
    "compare/funnel.py": _FUNNEL,
    "compare/": _COMPARE,
    "model/matrix.py": _PROGRESS,
    "progress/transition.py": _TRANSITION,
    "progress/": _PROGRESS,
    "records/": _RECORDS,
}


def tests_for(m: Mutation) -> list[str]:
    """The test files run for a mutation: the ``tests/test_mutation_*.py`` files (written for
    this check, small and fast) first, then its own, else its module's (the longest match)."""
    if m.tests:
        names = m.tests
    else:
        keys = [k for k in TESTS if m.path == k or (k.endswith("/") and m.path.startswith(k))]
        if not keys:
            msg = f"{m.id}: no test files mapped to {m.path}"
            raise SystemExit(msg)
        names = TESTS[max(keys, key=len)]
    pinned = sorted(p.name for p in (ROOT / "tests").glob("test_mutation_*.py"))
    return [f"tests/{name}" for name in dict.fromkeys([*pinned, *names])]


# --- the mutations -------------------------------------------------------------------------------


def _m(id: str, path: str, original: str, replacement: str, description: str,
       tests: tuple[str, ...] = ()) -> Mutation:  # fmt: skip
    return Mutation(id, path, original, replacement, description, tests)


#: The overlap search's bound on the end of a record (``end`` on or after the period's start), in
#: the pairing of overlapping periods and in the search of disjoint ones.
_OVERLAP = (
    '            & (pl.col(end).is_null() | (pl.col(end) >= pl.col("period_start")))\n'
    "        )\n"
    '    starts, ends = spans["period_start"], spans["period_end"]\n'
    "    begun, ended = records[start], records[end]\n"
    '    lo = ends.search_sorted(begun, side="left").cast(pl.Int64)\n'
    "    hi = (\n"
    "        pl.select(\n"
    "            pl.when(pl.lit(begun).is_null())\n"
    "            .then(0)\n"
    "            .when(pl.lit(ended).is_null())\n"
    "            .then(len(starts))\n"
    '            .otherwise(pl.lit(starts.search_sorted(ended, side="right")))'
)

MUTATIONS: tuple[Mutation, ...] = (
    # stats/intervals.py
    _m(
        "z-one-sided",
        "stats/intervals.py",
        "    tail = (1 - confidence) / 2\n    z = statistics",
        "    tail = 1 - confidence\n    z = statistics",
        "z for a one-sided level (1.645 at 95 %)",
    ),
    _m(
        "wilson-4x",
        "stats/intervals.py",
        "(z2 + 4 * x * (1 - x / n)).sqrt()",
        "(z2 + 2 * x * (1 - x / n)).sqrt()",
        "Wilson root: 2x(1 - x/n) for 4x(1 - x/n)",
    ),
    _m(
        "wilson-denominator-z",
        "stats/intervals.py",
        "denominator = 2 * (n + z2)",
        "denominator = 2 * (n + z)",
        "Wilson denominator n + z for n + z^2",
    ),
    _m(
        "wilson-valid-zero-total",
        "stats/intervals.py",
        "    valid = n > 0\n",
        "    valid = n >= 0\n",
        "Wilson limits for a zero total (0 of 0 gives a lower limit of 0)",
    ),
    _m(
        "wilson-upper-one",
        "stats/intervals.py",
        "pl.when(valid & (x == n)).then(1.0)",
        "pl.when(valid & (x == n)).then(0.0)",
        "Wilson upper limit of x == n set to 0 instead of 1",
    ),
    _m(
        "byars-lower-root",
        "stats/intervals.py",
        "lower = o * (1 - 1 / (9 * o) - z / (3 * o.sqrt())) ** 3",
        "lower = o * (1 - 1 / (9 * o) - z / (3 * o1.sqrt())) ** 3",
        "Byar's lower limit with sqrt(O+1) for sqrt(O)",
    ),
    _m(
        "byars-upper-o",
        "stats/intervals.py",
        "upper = o1 * (1 - 1 / (9 * o1) + z / (3 * o1.sqrt())) ** 3",
        "upper = o * (1 - 1 / (9 * o1) + z / (3 * o1.sqrt())) ** 3",
        "Byar's upper limit multiplied by O for O+1",
    ),
    _m(
        "byars-negative-lower",
        "stats/intervals.py",
        "pl.when(o == 0).then(0.0).when(lower_raw >= 0).then(lower_raw)",
        "pl.when(o == 0).then(0.0).otherwise(lower_raw)",
        "Byar's negative lower limit kept instead of null",
    ),
    _m(
        "exact-below-5",
        "stats/intervals.py",
        "EXACT_BELOW = 10\n",
        "EXACT_BELOW = 5\n",
        "exact Poisson limits only below 5 (PHE: below 10)",
    ),
    _m(
        "byar-exact-small-le",
        "stats/intervals.py",
        "    small = o < EXACT_BELOW\n",
        "    small = o <= EXACT_BELOW\n",
        "a count of 10 takes the exact branch (and the table's last entry)",
    ),
    _m(
        "exact-table-one-sided",
        "stats/intervals.py",
        "    half = (1 - confidence) / 2\n    lower, upper = [0.0], []",
        "    half = 1 - confidence\n    lower, upper = [0.0], []",
        "exact limits from a one-sided tail",
    ),
    _m(
        "exact-batch-upper-df",
        "stats/intervals.py",
        "special.gammainccinv(values + 1, half)",
        "special.gammainccinv(values, half)",
        "exact upper limit from O instead of O+1",
    ),
    _m(
        "confidence-percent-one",
        "stats/intervals.py",
        "if 1 < level < 100:",
        "if 1 <= level < 100:",
        "a confidence level of exactly 1 read as 1 %",
    ),
    _m(
        "confidence-label",
        "stats/intervals.py",
        '.replace(".", "_")',
        '.replace(".", "")',
        'column suffix 99.8 -> "998" for "99_8"',
    ),
    # stats/rounding.py
    _m(
        "round-tolerance-sign",
        "stats/rounding.py",
        "math.trunc(abs(value) * scale + 0.5 + tolerance)",
        "math.trunc(abs(value) * scale + 0.5 - tolerance)",
        "Python rounding: tolerance subtracted",
    ),
    _m(
        "round-bankers",
        "stats/rounding.py",
        "magnitude = math.trunc(abs(value) * scale + 0.5 + tolerance) / scale",
        "magnitude = round(abs(value) * scale + tolerance) / scale",
        "Python rounding: round half to even (Python's round)",
    ),
    _m(
        "round-expr-no-tolerance",
        "stats/rounding.py",
        "units = ((e.abs() * scale) + 0.5 + tolerance).floor()",
        "units = ((e.abs() * scale) + 0.5).floor()",
        "polars rounding without DfE's tolerance",
    ),
    _m(
        "round-expr-round",
        "stats/rounding.py",
        "units = ((e.abs() * scale) + 0.5 + tolerance).floor()",
        "units = ((e.abs() * scale) + 0.5 + tolerance).round()",
        "polars rounding: round() for floor() after adding a half",
    ),
    _m(
        "round-expr-negative-zero",
        "stats/rounding.py",
        "pl.when((e < 0) & (magnitude > 0)).then(-magnitude)",
        "pl.when(e < 0).then(-magnitude)",
        "a small negative value rounds to -0.0",
    ),
    _m(
        "round-tolerance-epsilon",
        "stats/rounding.py",
        "TOLERANCE = math.sqrt(2.220446049250313e-16)",
        "TOLERANCE = 2.220446049250313e-16",
        "tolerance machine epsilon instead of its square root",
    ),
    _m(
        "round-expr-bankers",
        "stats/rounding.py",
        'magnitude = (units / scale).round(max(decimals, 0), mode="half_away_from_zero")\n'
        "    rounded = pl.when",
        "magnitude = e.abs().round(max(decimals, 0))\n    rounded = pl.when",
        "polars rounding: bare .round() (half to even)",
    ),
    # stats/measures.py, fields.py, checks.py
    _m(
        "measures-negative-le",
        "stats/measures.py",
        'pl.col(temp) < 0, column, f"{role} must not be negative"',
        'pl.col(temp) <= 0, column, f"{role} must not be negative"',
        "zero counts refused as negative",
    ),
    _m(
        "measures-exceeds-ge",
        "stats/measures.py",
        "(pl.col(_NUM) > pl.col(_DEN)) & (pl.col(_DEN) != 0)",
        "(pl.col(_NUM) >= pl.col(_DEN)) & (pl.col(_DEN) != 0)",
        "a proportion of 100 % refused",
    ),
    _m(
        "measures-count-fraction",
        "stats/measures.py",
        'if kind in ("rate", "count") and numerator not in whole and whole_counts:',
        'if kind == "rate" and numerator not in whole and whole_counts:',
        "fractional counts accepted by count()",
    ),
    _m(
        "measures-mean-negative-pupils",
        "stats/measures.py",
        'if signed and not (kind == "mean" and role == "numerator"):',
        'if signed and not (kind == "mean"):',
        "negative pupils accepted by mean()",
    ),
    _m(
        "measures-group-null-sum",
        "stats/measures.py",
        "pl.when(pl.col(c).null_count() == 0).then(pl.col(c).sum()).alias(c)",
        "pl.col(c).sum().alias(c)",
        "a group with a missing count summed over the rest",
    ),
    _m(
        "measures-zero-den-mask",
        "stats/measures.py",
        "pl.when(pl.col(_DEN) != 0).then(pl.col(_DEN)).alias(_DEN_OK)",
        "pl.col(_DEN).alias(_DEN_OK)",
        "zero denominator not masked (division by zero)",
    ),
    _m(
        "fields-mean-sqrt",
        "stats/fields.py",
        "half = z_value(level) * sd / d_ok.sqrt()",
        "half = z_value(level) * sd / d_ok",
        "mean interval: sd / n for sd / sqrt(n)",
    ),
    _m(
        "fields-method-exact-le",
        "stats/fields.py",
        "method = pl.when(n < EXACT_BELOW)",
        "method = pl.when(n <= EXACT_BELOW)",
        'method "exact" for a count of 10',
    ),
    _m(
        "fields-flows-lt",
        "stats/fields.py",
        "lower, upper = pl.when(n <= d_ok).then(lower), pl.when(n <= d_ok).then(upper)",
        "lower, upper = pl.when(n < d_ok).then(lower), pl.when(n < d_ok).then(upper)",
        "flows: no interval where the numerator equals the denominator",
    ),
    _m(
        "fields-zero-den-symbol",
        "stats/fields.py",
        'pl.when(d == 0).then(pl.lit("z: denominator is zero"))',
        'pl.when(d == 0).then(pl.lit("x: denominator is zero"))',
        'zero denominator reported as "x" for "z"',
    ),
    _m(
        "fields-grouped-exceeds",
        "stats/fields.py",
        "d_ok = pl.when(n <= d).then(d_ok)",
        "d_ok = pl.when(n < d).then(d_ok)",
        "grouped proportion: 100 % withheld as exceeding",
    ),
    _m(
        "fields-checked-negative-zero",
        "stats/fields.py",
        "            ok = ok & (number >= 0)\n",
        "            ok = ok & (number > 0)\n",
        "expressions: zero treated as negative",
    ),
    _m(
        "fields-summed-missing",
        "stats/fields.py",
        'usable = pl.col(f"{name}_missing") == 0',
        'usable = pl.col(f"{name}_missing") <= 1',
        "expressions: a group with one missing value summed",
    ),
    _m(
        "fields-proportion-multiplier",
        "stats/fields.py",
        'fields[f"lower_{label}"] = lower * multiplier\n',
        'fields[f"lower_{label}"] = lower\n',
        "proportion's lower limit not scaled to a percentage",
    ),
    _m(
        "fields-whole-inputs-bound",
        "stats/fields.py",
        "WHOLE_INPUT_MULTIPLIER = 1e287",
        "WHOLE_INPUT_MULTIPLIER = 1e300",
        "integer counts with a multiplier of 1e300 not tested for a result beyond the largest float",
    ),
    _m(
        "checks-duplicates-two",
        "stats/checks.py",
        '.filter(pl.col("__n") > 1)',
        '.filter(pl.col("__n") > 2)',
        "a key repeated twice not reported as a duplicate",
    ),
    _m(
        "checks-one-bad-row",
        "stats/checks.py",
        "    if bad.height:\n        raise InvalidValueError",
        "    if bad.height > 1:\n        raise InvalidValueError",
        "a single bad row not refused",
    ),
    # stats/symbols.py, difference.py
    _m(
        "symbols-dash",
        "stats/symbols.py",
        '"-": Symbol.UNAVAILABLE',
        '"-": Symbol.NOT_APPLICABLE',
        'LAIT\'s "-" read as not applicable (z) for unavailable (x)',
    ),
    _m(
        "symbols-tilde",
        "stats/symbols.py",
        '"~": Symbol.LOW',
        '"~": Symbol.UNAVAILABLE',
        '"~" read as unavailable for low',
    ),
    _m(
        "symbols-thousands",
        "stats/symbols.py",
        r'_THOUSANDS = r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+',
        r'_THOUSANDS = r"[+-]?[0-9]{1,4}(?:,[0-9]{3})+',
        'badly grouped thousands ("1234,567") read as a number',
    ),
    _m(
        "symbols-empty-unreadable",
        "stats/symbols.py",
        'text.is_not_null() & (text != "") & ~is_number',
        "text.is_not_null() & ~is_number",
        "an empty cell refused as unreadable",
    ),
    _m(
        "symbols-reason-low",
        "stats/symbols.py",
        'r"^(c|x|z|low|u):"',
        'r"^(c|x|z|u):"',
        '"low" missing from the reason symbols',
    ),
    _m(
        "difference-order",
        "stats/difference.py",
        '(pl.col("__a") - pl.col("__b")).alias("value")',
        '(pl.col("__b") - pl.col("__a")).alias("value")',
        "difference second - first",
    ),
    # presentation.py
    _m(
        "present-suppress-zero",
        "presentation.py",
        "suppress = suppress | pl.col(side).is_between(1, rule.threshold)",
        "suppress = suppress | pl.col(side).is_between(0, rule.threshold)",
        "suppression from 0 (a zero count withheld)",
    ),
    _m(
        "present-suppress-threshold",
        "presentation.py",
        "suppress = suppress | pl.col(side).is_between(1, rule.threshold)",
        "suppress = suppress | pl.col(side).is_between(1, rule.threshold - 1)",
        "suppression below the threshold (a count equal to it shown)",
    ),
    _m(
        "present-giveaway-zero",
        "presentation.py",
        "small = pl.col(side).is_between(1, threshold).fill_null(False)",
        "small = pl.col(side).is_between(0, threshold).fill_null(False)",
        "a zero numerator or denominator withheld",
    ),
    _m(
        "present-numerator-beside-cohort",
        "presentation.py",
        'when = (suppress | small) if side == "numerator" else small',
        "when = small",
        "the numerator beside a withheld cohort shown",
    ),
    _m(
        "present-withhold-columns",
        "presentation.py",
        "hidden.setdefault(column, suppress | small.fill_null(False))",
        "hidden.setdefault(column, small.fill_null(False))",
        "withhold= columns shown beside a withheld value",
    ),
    _m(
        "present-bare-round",
        "presentation.py",
        ".otherwise(round_half_away_expr(c, dps, tolerance=definition.presentation.tolerance))",
        ".otherwise(pl.col(c).round(dps))",
        "presentation with polars' bare round (half to even)",
    ),
    _m(
        "present-bounds-unrounded",
        "presentation.py",
        'for c in ["value", *bounds]',
        'for c in ["value"]',
        "interval bounds not rounded",
    ),
    _m(
        "present-bound-pattern",
        "presentation.py",
        r'_BOUND = re.compile(r"^(lower|upper)_[0-9]+(_[0-9]+)?$")',
        r'_BOUND = re.compile(r"^(lower|upper)_[0-9]+$")',
        "99.8 % bounds not recognised (neither rounded nor withheld)",
    ),
    _m(
        "present-method-kept",
        "presentation.py",
        'pl.when(suppress).then(None).otherwise(pl.col("method")).alias("method")',
        'pl.col("method").alias("method")',
        "method shown beside a withheld value",
    ),
    _m(
        "present-display-fallback",
        "presentation.py",
        'otherwise(pl.coalesce(reason_symbol(pl.col("reason")), pl.lit("x")))',
        'otherwise(pl.coalesce(reason_symbol(pl.col("reason")), pl.lit("z")))',
        'display "z" for a missing value without a symbol',
    ),
    _m(
        "present-decimals-off-by-one",
        "presentation.py",
        "    dps = definition.presentation.decimal_places\n    rule",
        "    dps = definition.presentation.decimal_places + 1\n    rule",
        "one decimal place too many",
    ),
    # population.py, model/definition.py
    _m(
        "population-offset-zero",
        "population.py",
        "year_offset: int = -1,",
        "year_offset: int = 0,",
        "population of mid-Y for reporting year Y (DfE: mid-(Y-1))",
    ),
    _m(
        "population-offset-sign",
        "population.py",
        "(pl.col(year).cast(pl.Int64) + year_offset)",
        "(pl.col(year).cast(pl.Int64) - year_offset)",
        "population year offset applied with the wrong sign",
    ),
    _m(
        "population-inner-join",
        "population.py",
        'right_on=["area_code", "mid_year"],\n            how="left",',
        'right_on=["area_code", "mid_year"],\n            how="inner",',
        "rows without an estimate dropped",
    ),
    _m(
        "population-old-code",
        "population.py",
        'pl.col("old_la_code").alias("area_code"), *cols',
        'pl.col("new_la_code").alias("area_code"), *cols',
        "old LA numbers not looked up",
    ),
    _m(
        "definition-offset-validator",
        "model/definition.py",
        "year_offset: int = attrs.field(validator=attrs.validators.le(0))",
        "year_offset: int = attrs.field(validator=attrs.validators.lt(0))",
        "a year offset of 0 refused",
    ),
    # the year chain: model/definition.py, catalogue.py, model/version.py, years.py
    _m(
        "valid-in-from",
        "model/definition.py",
        "return self.valid_from <= year and",
        "return self.valid_from < year and",
        "valid_in excludes the valid_from year",
    ),
    _m(
        "valid-in-to",
        "model/definition.py",
        "(self.valid_to is None or year <= self.valid_to)",
        "(self.valid_to is None or year < self.valid_to)",
        "valid_in excludes the valid_to year",
    ),
    _m(
        "definition-one-year",
        "model/definition.py",
        "if self.valid_to is not None and self.valid_to < self.valid_from:",
        "if self.valid_to is not None and self.valid_to <= self.valid_from:",
        "a definition valid for one year refused",
    ),
    _m(
        "in-force-chain-year",
        "catalogue.py",
        "        chain_years = [y for y in self._chain if y <= year]\n        if chain_years:",
        "        chain_years = [y for y in self._chain if y < year]\n        if chain_years:",
        "in_force(Y) uses the pack before Y's",
    ),
    _m(
        "in-force-oldest",
        "catalogue.py",
        "            if valid:\n                out[ident] = valid[-1]",
        "            if valid:\n                out[ident] = valid[0]",
        "get(year=) picks the oldest valid version of an unchained id",
    ),
    _m(
        "versions-by-year-oldest",
        "catalogue.py",
        "out[year] = valid[-1] if valid else None",
        "out[year] = valid[0] if valid else None",
        "versions_by_year picks the oldest valid version",
    ),
    _m(
        "versions-by-year-chain",
        "catalogue.py",
        "                chain_years = [y for y in self._chain if y <= year]",
        "                chain_years = [y for y in self._chain if y < year]",
        "versions_by_year uses the pack before Y's",
    ),
    _m(
        "get-latest-oldest",
        "catalogue.py",
        "return next(reversed(versions.values()))",
        "return next(iter(versions.values()))",
        "get() without a pin gives the oldest version",
    ),
    _m(
        "get-pin-oldest",
        "catalogue.py",
        "        return matching[-1]",
        "        return matching[0]",
        'a pin ("1") gives the oldest matching version',
    ),
    _m(
        "chain-removal-ignored",
        "catalogue.py",
        "current.pop(ident, None)",
        "current.get(ident, None)",
        "a pack's removed ids stay in force",
    ),
    _m(
        "chain-validity-span",
        "catalogue.py",
        "last = years[i + 1] - 1 if i + 1 < len(years) else None",
        "last = years[i + 1] if i + 1 < len(years) else None",
        "validity checked up to the next pack's year, not the year before",
    ),
    _m(
        "breaks-minor",
        "catalogue.py",
        "if after.version.major != before.version.major:",
        "if after.version != before.version:",
        "a minor version reported as a series break",
    ),
    _m(
        "breaks-span-first-year",
        "catalogue.py",
        "span[0] < b.year <= span[-1]",
        "span[0] <= b.year <= span[-1]",
        "a break in the first year of a span reported",
    ),
    _m(
        "version-pin-minor",
        "model/version.py",
        "and (minor is None or self.minor == minor)",
        "and (minor is None or self.minor >= minor)",
        'a pin "1.2" matches 1.3.0',
    ),
    _m(
        "period-31-march",
        "years.py",
        "return date(year, 3, 31), date(year, 3, 31)",
        "return date(year - 1, 3, 31), date(year - 1, 3, 31)",
        "the 31 March snapshot of collection year Y taken in Y-1",
    ),
    _m(
        "period-financial-year",
        "years.py",
        "    return date(year - 1, 4, 1), date(year, 3, 31)",
        "    return date(year, 4, 1), date(year + 1, 3, 31)",
        "financial year Y runs April Y to March Y+1",
    ),
    _m(
        "period-academic-year",
        "years.py",
        "return date(year - 1, 9, 1), date(year, 8, 31)",
        "return date(year, 9, 1), date(year + 1, 8, 31)",
        "academic year Y runs September Y to August Y+1",
    ),
    _m(
        "label-financial-year-start",
        "years.py",
        "        if end == first + 1:\n            year = end",
        "        if end == first + 1:\n            year = first",
        '"2023-24" read as collection year 2023',
    ),
    _m(
        "label-ees-start",
        "years.py",
        "            year = first + 1\n",
        "            year = first\n",
        'EES "202324" read as collection year 2023',
    ),
    # compare/significance.py
    _m(
        "similar-bounds-open",
        "compare/significance.py",
        "when((lo <= c) & (c <= hi))",
        "when((lo < c) & (c < hi))",
        "a comparator on an interval bound is not similar",
    ),
    _m(
        "similar-upper-open",
        "compare/significance.py",
        "when((lo <= c) & (c <= hi))",
        "when((lo <= c) & (c < hi))",
        "a comparator on the upper bound is not similar",
    ),
    _m(
        "similar-lower-open",
        "compare/significance.py",
        "when((lo <= c) & (c <= hi))",
        "when((lo < c) & (c <= hi))",
        "a comparator on the lower bound is not similar",
    ),
    _m(
        "outer-bound-inclusive",
        "compare/significance.py",
        "when(c < olo).then(pl.lit(far_up)).when(c > ohi)",
        "when(c <= olo).then(pl.lit(far_up)).when(c >= ohi)",
        "a comparator on the 99.8 % bound is best/worst",
    ),
    _m(
        "polarity-swapped",
        "compare/significance.py",
        'Polarity.HIGH_IS_GOOD: ("better", "worse"),',
        'Polarity.HIGH_IS_GOOD: ("worse", "better"),',
        "high is good: higher reads as worse",
    ),
    _m(
        "missing-nan",
        "compare/significance.py",
        "out = out | number.is_null() | ~number.is_finite()",
        "out = out | number.is_null()",
        "NaN compared (reads as higher)",
    ),
    _m(
        "rag-green-strict",
        "compare/significance.py",
        ".when(shortfall <= 0)",
        ".when(shortfall < 0)",
        "a value exactly on target is not green",
    ),
    _m(
        "rag-amber-strict",
        "compare/significance.py",
        ".when(shortfall <= tolerance)",
        ".when(shortfall < tolerance)",
        "a value short by exactly amber_within is red, not amber",
    ),
    _m(
        "rag-relative-of-value",
        "compare/significance.py",
        "else t.abs() * amber_within",
        "else v.abs() * amber_within",
        "relative amber band taken of the value, not the target",
    ),
    _m(
        "rag-amber-zero",
        "compare/significance.py",
        "if not (math.isfinite(amber_within) and amber_within >= 0):",
        "if not (math.isfinite(amber_within) and amber_within > 0):",
        "amber_within=0 refused",
    ),
    _m(
        "rag-shortfall-sign",
        "compare/significance.py",
        "shortfall = (t - v) if pol is Polarity.HIGH_IS_GOOD else (v - t)",
        "shortfall = (v - t) if pol is Polarity.HIGH_IS_GOOD else (t - v)",
        "RAG polarity reversed",
    ),
    # compare/trend.py
    _m(
        "trend-chi2-95",
        "compare/trend.py",
        "CHI2_THRESHOLD = 9.54953570608324",
        "CHI2_THRESHOLD = 3.841458820694124",
        "trend significant at 95 % (Fingertips: 99.8 %)",
    ),
    _m(
        "trend-chi2-ge",
        "compare/trend.py",
        "chi2 > CHI2_THRESHOLD",
        "chi2 >= CHI2_THRESHOLD",
        "a chi2 equal to the threshold significant",
    ),
    _m(
        "trend-se-196",
        "compare/trend.py",
        "(((upper[i] - lower[i]) / 3.92) ** 2)",
        "(((upper[i] - lower[i]) / 1.96) ** 2)",
        "weighted SE from the interval width / 1.96",
    ),
    _m(
        "trend-outlier-one",
        "compare/trend.py",
        "return abs(sum(signs)) == len(signs)",
        "return abs(sum(signs)) >= len(signs) - 2",
        "one leave-one-out slope may change sign",
    ),
    _m(
        "trend-oldest-run",
        "compare/trend.py",
        "        key=lambda r: r[0],\n        reverse=True,",
        "        key=lambda r: r[0],\n        reverse=False,",
        "the trend run taken from the oldest points",
    ),
    _m(
        "trend-zero-denominator",
        "compare/trend.py",
        "(c is not None and d is not None and d > 0)",
        "(c is not None and d is not None and d >= 0)",
        "a zero denominator counted as a valid point",
    ),
    _m(
        "trend-direction",
        "compare/trend.py",
        '("increasing" if slope > 0 else "decreasing")',
        '("increasing" if slope < 0 else "decreasing")',
        "trend direction reversed",
    ),
    _m(
        "trend-chi2-counts",
        "compare/trend.py",
        "(big_n * snt2 - snt**2)",
        "(big_n * snt2 - snt)",
        "Cochran-Armitage denominator: sum N_t t for its square",
    ),
    _m(
        "trend-assessment-low",
        "compare/trend.py",
        'Polarity.LOW_IS_GOOD: "decreasing"}',
        'Polarity.LOW_IS_GOOD: "increasing"}',
        "low is good: a decrease assessed as getting worse",
    ),
    # compare/ranks.py, _values.py
    _m(
        "rank-ties-max",
        "compare/ranks.py",
        'pl.when(is_la).then(pl.col("__v")).rank(method="min", descending=descending)',
        'pl.when(is_la).then(pl.col("__v")).rank(method="max", descending=descending)',
        "tied LAs share the highest rank, not the lowest",
    ),
    _m(
        "band-q1-strict",
        "compare/ranks.py",
        'pl.when(v <= pl.col("band_q1"))',
        'pl.when(v < pl.col("band_q1"))',
        "quartile band A not inclusive of Q1",
    ),
    _m(
        "band-q3-strict",
        "compare/ranks.py",
        '.when(v <= pl.col("band_q3"))',
        '.when(v < pl.col("band_q3"))',
        "quartile band C not inclusive of Q3",
    ),
    _m(
        "band-letters",
        "compare/ranks.py",
        'letters = "ABCD" if pol == "low_is_good" else "DCBA"',
        'letters = "ABCD" if pol == "high_is_good" else "DCBA"',
        "quartile letters reversed",
    ),
    _m(
        "band-quantile-nearest",
        "compare/ranks.py",
        'la_v.quantile(q, interpolation="linear")',
        'la_v.quantile(q, interpolation="nearest")',
        "quartiles by nearest rank (LAIT: type 7, linear)",
    ),
    _m(
        "band-min-las",
        "compare/ranks.py",
        '(pl.col("__n") >= min_las)',
        '(pl.col("__n") > min_las)',
        "bands need more than min_las LAs",
    ),
    _m(
        "quantile-floor-one",
        "compare/ranks.py",
        "quant = pl.when(raw < 1).then(1.0)",
        "quant = pl.when(raw < 0).then(1.0)",
        "PHE quantile 0 not raised to 1",
    ),
    _m(
        "quantile-ceil",
        "compare/ranks.py",
        "/ (big_n / n)).ceil()).floor()",
        "/ (big_n / n)).floor()).floor()",
        "PHE quantile with floor for ceil",
    ),
    _m(
        "quantile-invert",
        "compare/ranks.py",
        '.rank(method="min", descending=invert)',
        '.rank(method="min", descending=not invert)',
        "PHE quantiles not inverted",
    ),
    _m(
        "rank-direction-low",
        "compare/_values.py",
        'return False, "1 = best (low is good)"',
        'return True, "1 = best (low is good)"',
        "low is good ranks the highest first",
    ),
    _m(
        "values-negative",
        "compare/_values.py",
        'rules.append((value < 0, f"must not be negative',
        'rules.append((value < -1, f"must not be negative',
        "small negative values accepted for a rate",
    ),
    # compare/aggregate.py
    _m(
        "sn-median-as-mean",
        "compare/aggregate.py",
        'aggs.append(v.median().alias("sn_value"))',
        'aggs.append(v.mean().alias("sn_value"))',
        "the median method gives the mean",
    ),
    _m(
        "sn-mean-as-median",
        "compare/aggregate.py",
        'aggs.append(v.mean().alias("sn_value"))',
        'aggs.append(v.median().alias("sn_value"))',
        "the mean method (LAIT) gives the median",
    ),
    _m(
        "sn-weights-all",
        "compare/aggregate.py",
        '/ pl.col("__w").filter(ok).sum()',
        '/ pl.col("__w").sum()',
        "weighted mean divides by the weights of members without a value",
    ),
    _m(
        "sn-weight-zero",
        "compare/aggregate.py",
        'has & (pl.col("__w") > 0).fill_null(False)',
        'has & (pl.col("__w") >= 0).fill_null(False)',
        "a member with zero weight takes part",
    ),
    _m(
        "sn-rank-plus-one",
        "compare/aggregate.py",
        'then(pl.col("__better") + 1).alias("sn_rank")',
        'then(pl.col("__better")).alias("sn_rank")',
        "the SN rank starts at 0",
    ),
    _m(
        "sn-rank-of",
        "compare/aggregate.py",
        'then(pl.col("sn_n") + 1).alias("sn_rank_of")',
        'then(pl.col("sn_n")).alias("sn_rank_of")',
        "the SN rank's total leaves out the LA",
    ),
    _m(
        "sn-rank-ties",
        "compare/aggregate.py",
        'better = pl.col("__v") > pl.col("__own") if descending',
        'better = pl.col("__v") >= pl.col("__own") if descending',
        "a neighbour tied with the LA ranks above it",
    ),
    _m(
        "sn-pooled-kind",
        "compare/aggregate.py",
        'kind = "rate" if definition.family.value == "rate" else "proportion"',
        'kind = "proportion" if definition.family.value == "rate" else "rate"',
        "pooled rates and proportions swapped",
    ),
    _m(
        "sn-pooled-members",
        "compare/aggregate.py",
        'pl.col("__num").filter(ok).sum().alias("__pn")',
        'pl.col("__num").sum().alias("__pn")',
        "pooled numerator includes members not taking part",
    ),
    # compare/gaps.py
    _m(
        "gap-order",
        "compare/gaps.py",
        "(own - other).alias(out)",
        "(other - own).alias(out)",
        "gap comparator - value",
    ),
    _m(
        "gap-direction-high",
        "compare/gaps.py",
        "size_now, size_before = -a, -b",
        "size_now, size_before = a, b",
        "gap direction ignores high is good",
    ),
    _m(
        "gap-direction-no-change",
        "compare/gaps.py",
        ".when(size_now > size_before)",
        ".when(size_now >= size_before)",
        'an unchanged gap reported as "Increased"',
    ),
    _m(
        "gap-direction-unrounded",
        "compare/gaps.py",
        "if decimals is not None:\n        a, b = round_half_away_expr",
        "if decimals is None:\n        a, b = round_half_away_expr",
        "gap direction on unrounded gaps",
    ),
    _m(
        "change-any-previous",
        "compare/gaps.py",
        "pl.when(prev_year == pl.col(year) - 1)",
        "pl.when(prev_year.is_not_null())",
        "change across a missing year",
    ),
    _m(
        "rolling-span",
        "compare/gaps.py",
        "== n - 1\n    complete",
        "<= n\n    complete",
        "3-year average over a gap in the years",
    ),
    _m(
        "rolling-incomplete",
        "compare/gaps.py",
        "pl.when(span_ok & complete).then(v.rolling_mean(n).over(keys))",
        "pl.when(span_ok).then(v.rolling_mean(n, min_samples=1).over(keys))",
        "3-year average over the years with a value",
    ),
    # compare/benchmark.py
    _m(
        "bench-average-missing-year",
        "compare/benchmark.py",
        "pl.when(pl.col(source).count() == len(years)).then(pl.col(source).mean())",
        "pl.when(pl.col(source).count() > 0).then(pl.col(source).mean())",
        "3-year average with a missing year",
    ),
    _m(
        "bench-average-unrounded",
        "compare/benchmark.py",
        'source = "presented" if average_of == "presented" else "value"',
        'source = "value"',
        "3-year average over unrounded values",
    ),
    _m(
        "bench-sn-unrounded",
        "compare/benchmark.py",
        'compared = _as_published(las, definition) if average_of == "presented" else las',
        "compared = las",
        "neighbours' aggregate over unrounded values",
    ),
    _m(
        "bench-gap-unrounded",
        "compare/benchmark.py",
        '.then(pl.col("presented") - pl.lit(eng, pl.Float64))',
        '.then(pl.col("value") - pl.lit(eng, pl.Float64))',
        "gap to England from the unrounded value",
    ),
    _m(
        "bench-previous-year",
        "compare/benchmark.py",
        'previous = t.filter(pl.col("year") == max(t["year"]) - 1)',
        'previous = t.filter(pl.col("year") == min(t["year"]))',
        "gap direction against the first year, not the year before",
    ),
    _m(
        "bench-latest-years",
        "compare/benchmark.py",
        "chosen = all_years[-years:]",
        "chosen = all_years[:years]",
        "the earliest years, not the latest",
    ),
    # compare/funnel.py, comparisons.py
    _m(
        "funnel-3s-level",
        "compare/funnel.py",
        '_LEVELS = {"2s": 0.95, "3s": 0.998}',
        '_LEVELS = {"2s": 0.95, "3s": 0.9973}',
        "3s limits at 99.73 % (three sigma) for PHE's 99.8 %",
    ),
    _m(
        "funnel-no-clip",
        "compare/funnel.py",
        "return np.clip(p - half, 0, 1), np.clip(p + half, 0, 1)",
        "return p - half, p + half",
        "proportion limits not clamped to [0, 1]",
    ),
    _m(
        "funnel-position-inclusive",
        "compare/funnel.py",
        '.when(v < col("lower_3s"))',
        '.when(v <= col("lower_3s"))',
        "a value on the 3s limit is outside (PHE: strict)",
    ),
    _m(
        "funnel-rate-lower-alpha",
        "compare/funnel.py",
        "_stats.chi2.ppf(1 - alpha, 2 * e + 2) / 2 - lam",
        "_stats.chi2.ppf(alpha, 2 * e + 2) / 2 - lam",
        "rate funnel lower limit from the wrong tail",
    ),
    _m(
        "comparisons-subregion",
        "compare/comparisons.py",
        'pl.coalesce("__sub_v", "__reg_v").alias("region_value")',
        'pl.coalesce("__reg_v", "__sub_v").alias("region_value")',
        "a London borough compared with London, not Inner/Outer London",
    ),
    _m(
        "comparisons-gap-england",
        "compare/comparisons.py",
        '(pl.col("__v") - pl.col("england_value")).alias("gap_to_england")',
        '(pl.col("england_value") - pl.col("__v")).alias("gap_to_england")',
        "gap to England reversed",
    ),
    # progress/, model/matrix.py
    _m(
        "levels-of-progress-sign",
        "progress/classify.py",
        "(matrix.columns[c].level - matrix.rows[r].level)",
        "(matrix.rows[r].level - matrix.columns[c].level)",
        "levels of progress prior - outcome",
    ),
    _m(
        "classify-cell-index",
        "progress/classify.py",
        "n_cols = len(col_codes)",
        "n_cols = len(row_codes)",
        "cell index from the number of rows (wrong cell where rows != columns)",
    ),
    _m(
        "matrix-missing-row",
        "model/matrix.py",
        '                out[""] = a.code',
        '                out["MISSING"] = a.code',
        "a missing value does not fall in the missing row/column",
    ),
    _m(
        "matrix-outcome-transposed",
        "model/matrix.py",
        "return self.cells[r][c]",
        "return self.cells[c][r]",
        "outcome_of reads the cell transposed",
    ),
    _m(
        "progress-included",
        "progress/rates.py",
        '(pl.col("made") + pl.col("not_made")).alias("included")',
        'pl.col("pupils").alias("included")',
        '"not included" pupils kept in the denominator',
    ),
    _m(
        "progress-caution",
        "progress/rates.py",
        '(pl.col("included") < caution_below)',
        '(pl.col("included") <= caution_below)',
        "a cohort of exactly caution_below flagged",
    ),
    _m(
        "transition-column-percent",
        "progress/transition.py",
        '.then(pl.col("count") / pl.col("row_total") * 100)',
        '.then(pl.col("count") / pl.col("column_total") * 100)',
        "transition percentages of the column total",
    ),
    _m(
        "transition-tolerance",
        "progress/transition.py",
        '    rounding_tolerance: float = 0.0,\n) -> pl.DataFrame:\n    """A transition matrix from aggregated',
        "    rounding_tolerance: float = 1.4901161193847656e-08,\n) -> pl.DataFrame:\n"
        '    """A transition matrix from aggregated',
        "transition percentages with DfE's round_five_up tolerance (399/2800 shows 14.3)",
    ),
    _m(
        "transition-primary",
        "progress/transition.py",
        "if len(nonzero) == 1:",
        "if len(nonzero) <= 1:",
        "an all-zero row withheld",
    ),
    _m(
        "transition-secondary-zero",
        "progress/transition.py",
        "for i, c in enumerate(visible) if cells[c] > 0",
        "for i, c in enumerate(visible) if cells[c] >= 0",
        "secondary suppression may pick a zero cell",
    ),
    # records/derivations, periods.py, workdays.py, readers
    _m(
        "re-referral-11-months",
        "records/derivations/children_in_need.py",
        "dt.offset_by(f\"-{int(params['months'])}mo\")",
        "dt.offset_by(f\"-{int(params['months']) - 1}mo\")",
        "re-referral window of 11 months",
    ),
    _m(
        "re-referral-window-open",
        "records/derivations/children_in_need.py",
        "(previous >= window_start)",
        "(previous > window_start)",
        "a previous referral exactly 12 months before not a re-referral",
    ),
    _m(
        "re-referral-next",
        "records/derivations/children_in_need.py",
        "same_child = pl.col(child) == pl.col(child).shift(1)\n"
        '    previous = pl.when(same_child).then(pl.col("CINreferralDate").shift(1))',
        "same_child = pl.col(child) == pl.col(child).shift(-1)\n"
        '    previous = pl.when(same_child).then(pl.col("CINreferralDate").shift(-1))',
        "re-referral measured against the next referral",
    ),
    _m(
        "cin-in-period-start",
        "records/derivations/children_in_need.py",
        '(pl.col(col) >= pl.col("period_start"))',
        '(pl.col(col) > pl.col("period_start"))',
        "CIN events on the first day of the period left out",
    ),
    _m(
        "cin-in-period-end",
        "records/derivations/children_in_need.py",
        '& (pl.col(col) <= pl.col("period_end"))',
        '& (pl.col(col) < pl.col("period_end"))',
        "CIN events on 31 March left out",
    ),
    _m(
        "cp-open-at-31-march",
        "records/derivations/_common.py",
        "        total = total + ((date >= day) if on_or_before else (date > day)).cast(pl.Int64)",
        "        total = total + ((date >= day) if on_or_before else ((date >= day) "
        'if date.meta.output_name() == "CPPendDate" else (date > day))).cast(pl.Int64)',
        "a plan ending on 31 March counted as open at 31 March (the shared search, for plans)",
    ),
    _m(
        "cp-open-start",
        "records/derivations/_common.py",
        "        total = total + ((date >= day) if on_or_before else (date > day)).cast(pl.Int64)",
        "        total = total + ((date >= day) if on_or_before else ((date >= day) "
        'if date.meta.output_name() == "CPPstartDate" else (date > day))).cast(pl.Int64)',
        "a plan starting on 31 March not open at 31 March (the shared search, for plans)",
    ),
    _m(
        "cp-open-longer-18-months",
        "records/derivations/children_in_need.py",
        'dt.offset_by(f"{months}mo") < pl.col("period_end")',
        'dt.offset_by(f"{months}mo") <= pl.col("period_end")',
        "a plan open exactly 18 months counted as open longer than 18 months",
    ),
    _m(
        "cp-previous-above-one",
        "records/derivations/children_in_need.py",
        'pl.col("NumberOfPreviousCPP").fill_null(0) > 0',
        'pl.col("NumberOfPreviousCPP").fill_null(0) > 1',
        "a child with one previous plan not second or subsequent",
    ),
    _m(
        "cp-earlier-plan-same-day",
        "records/derivations/children_in_need.py",
        "((pl.col(CHILD) == pl.col(CHILD).shift(1)).fill_null(False) | previous)",
        '((pl.col("CPPstartDate") > pl.col("CPPstartDate").min().over(CHILD)).fill_null(False)'
        " | previous)",
        "a second plan starting the same day as the first not subsequent",
    ),
    _m(
        "cp-length-both-days",
        "records/derivations/children_in_need.py",
        '(end - pl.col("CPPstartDate")).dt.total_days() + 1',
        '(end - pl.col("CPPstartDate")).dt.total_days()',
        "plan length without counting both days",
    ),
    _m(
        "cp-lasting-strict",
        "records/derivations/children_in_need.py",
        '_length_days(pl.col("CPPendDate")) >= int(params["min_days"])',
        '_length_days(pl.col("CPPendDate")) > int(params["min_days"])',
        "a plan of exactly 730 days not lasting two years",
    ),
    _m(
        "cin-open-at-31-march",
        "records/derivations/_common.py",
        "        total = total + ((date >= day) if on_or_before else (date > day)).cast(pl.Int64)",
        "        total = total + ((date >= day) if on_or_before else ((date >= day) "
        'if date.meta.output_name() == "CINclosureDate" else (date > day))).cast(pl.Int64)',
        "a CIN episode closed on 31 March counted as open (the shared search, for episodes of need)",
    ),
    _m(
        "cin-death-on-date",
        "records/derivations/children_in_need.py",
        '(pl.col("__died") > pl.col("period_end"))',
        '(pl.col("__died") >= pl.col("period_end"))',
        "a child who died on 31 March counted as in need",
    ),
    _m(
        "cin-nfa-counted",
        "records/derivations/children_in_need.py",
        '_narrow(table.filter(~pl.col("__nfa")), "CINreferralDate"',
        '_narrow(table, "CINreferralDate"',
        "a referral with no further action counted as in need",
    ),
    _m(
        "assessment-45-strict",
        "records/derivations/children_in_need.py",
        '    hits = hits.with_columns(taken.alias("__days"))\n'
        '    timely = hits.filter(pl.col("__days") <= int(params["working_days"]))',
        '    hits = hits.with_columns(taken.alias("__days"))\n'
        '    timely = hits.filter(pl.col("__days") < int(params["working_days"]))',
        "an assessment on working day 45 late",
    ),
    _m(
        "icpc-15-strict",
        "records/derivations/children_in_need.py",
        "conference_intervals(records, periods, params)\n"
        '    timely = hits.filter(pl.col("__days") <= int(params["working_days"]))',
        "conference_intervals(records, periods, params)\n"
        '    timely = hits.filter(pl.col("__days") < int(params["working_days"]))',
        "an ICPC on working day 15 late",
    ),
    _m(
        "icpc-same-day",
        "records/derivations/children_in_need.py",
        '& (pl.col("DateOfInitialCPC") >= pl.col("S47ActualStartDate"))\n    )',
        '& (pl.col("DateOfInitialCPC") > pl.col("S47ActualStartDate"))\n    )',
        "an ICPC on the day the section 47 started not measurable",
    ),
    _m(
        "referral-assessment-same-day",
        "records/derivations/children_in_need.py",
        'qualifies = pl.col("AssessmentActualStartDate") >= pl.col("CINreferralDate")',
        'qualifies = pl.col("AssessmentActualStartDate") > pl.col("CINreferralDate")',
        "an assessment starting the day of the referral not a conversion",
    ),
    _m(
        "la-open-at-31-march",
        "records/derivations/looked_after.py",
        '(pl.col("DEC").is_null() | (pl.col("DEC") > end))',
        '(pl.col("DEC").is_null() | (pl.col("DEC") >= end))',
        "a child leaving care on 31 March counted as looked after at 31 March",
    ),
    _m(
        "la-open-start",
        "records/derivations/looked_after.py",
        'return (pl.col("DECOM") <= end) &',
        'return (pl.col("DECOM") < end) &',
        "a child starting on 31 March not looked after at 31 March",
    ),
    _m(
        "la-started-first-day",
        "records/derivations/_common.py",
        "        total = total + ((date >= day) if on_or_before else (date > day)).cast(pl.Int64)",
        '        total = total + (((date > day) if date.meta.output_name() == "DECOM" else (date >= day)) '
        "if on_or_before else (date > day)).cast(pl.Int64)",
        "a child starting on 1 April not a start (the shared in-period search, for DECOM)",
    ),
    _m(
        "la-ceased-x1",
        "records/derivations/looked_after.py",
        'ceased = pl.col("REC").is_not_null() & (pl.col("REC") != "X1")',
        'ceased = pl.col("REC").is_not_null()',
        "an X1 (new episode the same day) counted as ceasing",
    ),
    _m(
        "la-short-breaks",
        "records/derivations/looked_after.py",
        'SHORT_BREAKS = ["V3", "V4"]',
        'SHORT_BREAKS = ["V3"]',
        "V4 short breaks counted",
    ),
    _m(
        "placements-three",
        "records/derivations/looked_after.py",
        'many = per_child.filter(pl.col("n") >= int(params["minimum"]))',
        'many = per_child.filter(pl.col("n") > int(params["minimum"]))',
        "three placements not enough (more than three needed)",
    ),
    _m(
        "placements-first-day",
        "records/derivations/looked_after.py",
        'begins = (starts_placement & (pl.col("DECOM") >= pl.col("period_start")))',
        'begins = (starts_placement & (pl.col("DECOM") > pl.col("period_start")))',
        "a move on 1 April not counted",
    ),
    _m(
        "placements-overlap-first-day",
        "records/derivations/_common.py",
        _OVERLAP,
        _OVERLAP.replace(
            '(pl.col(end) >= pl.col("period_start"))', '(pl.col(end) > pl.col("period_start"))'
        ).replace('search_sorted(ended, side="right")', 'search_sorted(ended, side="left")'),
        "a placement ending on 1 April not in the year (the shared overlap search)",
    ),
    _m(
        "placements-adoption-carers",
        "records/derivations/looked_after.py",
        '~not_a_move.fill_null(False)\n        & ~pl.col("__temporary_move")',
        '~pl.col("__temporary_move")',
        "adoption by the current foster carers counted as a move",
    ),
    _m(
        "stability-under-16",
        "records/derivations/looked_after.py",
        'under_age = age < int(params["max_age"])',
        'under_age = age <= int(params["max_age"])',
        "children aged 16 in the stability cohort",
    ),
    _m(
        "stability-2-5-years",
        "records/derivations/looked_after.py",
        '    f"{int(params[\'min_months_in_care\'])}mo"\n    ) <= pl.col("period_end")',
        '    f"{int(params[\'min_months_in_care\'])}mo"\n    ) < pl.col("period_end")',
        "exactly 2.5 years in care not enough",
    ),
    _m(
        "stability-2-years",
        "records/derivations/looked_after.py",
        "stable = since.dt.offset_by(f\"{int(params['min_months_in_placement'])}mo\") <= pl.col(",
        "stable = since.dt.offset_by(f\"{int(params['min_months_in_placement'])}mo\") < pl.col(",
        "exactly 2 years in the placement not stable",
    ),
    _m(
        "adoption-a2-matched-before",
        "records/derivations/looked_after.py",
        'pl.max_horizontal("__authority", "__match").alias("__matched")',
        'pl.col("__match").alias("__matched")',
        "a match before court authority gives negative days (DfE: 0)",
    ),
    _m(
        "adoption-a1-moved-in",
        "records/derivations/looked_after.py",
        '            if e["RNE"] in new_family:\n                break',
        '            if e["RNE"] in new_family:\n                continue',
        "A1 counts to the first adoptive placement, not the last change of carer",
    ),
    _m(
        "dob-oldest-return",
        "records/readers/_tables.py",
        "recency = -pl.col(FILE) if FILE",
        "recency = pl.col(FILE) if FILE",
        "the oldest return's date of birth wins a conflict",
    ),
    _m(
        "dob-missing-first",
        "records/readers/_tables.py",
        'rank = pl.struct(pl.col(dob).is_null(), recency, pl.col("__pos"))',
        'rank = pl.struct(recency, pl.col(dob).is_null(), pl.col("__pos"))',
        "the latest return wins even without a date of birth",
    ),
    _m(
        "rolling-12-13-months",
        "records/periods.py",
        "start = _add_months(d, -12) + timedelta(days=1)",
        "start = _add_months(d, -12)",
        "12 months to a mid-month day start a day early (12 months and a day)",
    ),
    _m(
        "rolling-12-month-end",
        "records/periods.py",
        "start = _add_months(d.replace(day=1), -11)",
        "start = _add_months(d.replace(day=1), -12)",
        "12 months to a month end cover 13 months",
    ),
    _m(
        "period-open-at-end",
        "records/periods.py",
        "(end.is_null() | (end > pl.lit(self.end)))).fill_null(",
        "(end.is_null() | (end >= pl.lit(self.end)))).fill_null(",
        "open_at_end_expr counts an episode ending on the date",
    ),
    _m(
        "financial-year-april",
        "records/periods.py",
        "return date(d.year if d.month >= 4 else d.year - 1, 4, 1)",
        "return date(d.year if d.month > 4 else d.year - 1, 4, 1)",
        "year to date in April starts the April before",
    ),
    _m(
        "age-birthday",
        "records/periods.py",
        "age = years - (on_md < born_md).cast(pl.Int64)",
        "age = years - (on_md <= born_md).cast(pl.Int64)",
        "age goes up the day after the birthday",
    ),
    _m(
        "workdays-friday",
        "records/workdays.py",
        "working = (days.dt.weekday() <= 5)",
        "working = (days.dt.weekday() < 5)",
        "Fridays not working days (expressions)",
    ),
    _m(
        "workdays-saturday",
        "records/workdays.py",
        "return d.weekday() < 5 and d not in",
        "return d.weekday() <= 5 and d not in",
        "Saturdays working days",
    ),
    _m(
        "workdays-same-day",
        "records/workdays.py",
        "pl.when(i_end >= i_start)",
        "pl.when(i_end > i_start)",
        "0 working days between a day and itself gives null",
    ),
    _m(
        "workdays-add-off-by-one",
        "records/workdays.py",
        ".otherwise(cumulative + n_expr - 1)",
        ".otherwise(cumulative + n_expr)",
        "add_working_days_expr one day late",
    ),
    _m(
        "workdays-include-start",
        "records/workdays.py",
        "first = start if include_start else start + timedelta(days=1)",
        "first = start",
        "working_days_between counts the start day",
    ),
    # the shared searches, for the rules the rework moved into them from the derivations
    _m(
        "la-open-at-31-march-search",
        "records/derivations/_common.py",
        "        total = total + ((date >= day) if on_or_before else (date > day)).cast(pl.Int64)",
        "        total = total + ((date >= day) if on_or_before else ((date >= day) "
        'if date.meta.output_name() == "DEC" else (date > day))).cast(pl.Int64)',
        "a child whose episode ends on 31 March counted as looked after then (the shared search)",
    ),
    _m(
        "la-open-start-search",
        "records/derivations/_common.py",
        "        total = total + ((date >= day) if on_or_before else (date > day)).cast(pl.Int64)",
        "        total = total + ((date >= day) if on_or_before else ((date >= day) "
        'if date.meta.output_name() == "DECOM" else (date > day))).cast(pl.Int64)',
        "a child whose episode begins on 31 March not looked after then (the shared search)",
    ),
    _m(
        "referral-in-period-first-day",
        "records/derivations/_common.py",
        "        total = total + ((date >= day) if on_or_before else (date > day)).cast(pl.Int64)",
        '        total = total + (((date > day) if date.meta.output_name() == "CINreferralDate" else (date >= day)) '
        "if on_or_before else (date > day)).cast(pl.Int64)",
        "a referral on 1 April left out of the year (the shared search)",
    ),
    _m(
        "in-period-last-day",
        "records/derivations/_common.py",
        "        total = total + ((date >= day) if on_or_before else (date > day)).cast(pl.Int64)",
        "        total = total + ((date >= day) if on_or_before else ((date >= day) "
        'if date.meta.output_name() == "CINreferralDate" else (date > day))).cast(pl.Int64)',
        "a referral on 31 March left out of the year (the shared search)",
    ),
)


# --- running -------------------------------------------------------------------------------------


@dataclass
class Result:
    mutation: Mutation
    status: str  # caught, timeout, survived, error
    seconds: float
    detail: str = ""


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _drop_bytecode(path: Path) -> None:
    """Remove the cached bytecode of ``path``: a mutant of the same size written within the same
    second as the cached source would otherwise be skipped."""
    cache = path.parent / "__pycache__"
    if cache.is_dir():
        for pyc in cache.glob(f"{path.stem}.*.pyc"):
            pyc.unlink(missing_ok=True)


def _git_changes(paths: Sequence[Path]) -> str:
    """``git status`` of ``paths`` (empty when unchanged, or outside a git checkout: a copy of
    the tree is checked by content alone)."""
    inside = subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree"], cwd=ROOT, capture_output=True, text=True
    )
    if inside.returncode != 0:
        return ""
    out = subprocess.run(
        ["git", "status", "--porcelain", "--", *map(str, paths)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return out.stdout.strip()


def check(mutations: Sequence[Mutation]) -> list[str]:
    """Problems with the list: an original not found exactly once, a mutant that does not
    compile, a duplicate id, a module without tests."""
    problems: list[str] = []
    seen: set[str] = set()
    for m in mutations:
        if m.id in seen:
            problems.append(f"{m.id}: duplicate id")
        seen.add(m.id)
        if not m.file.is_file():
            problems.append(f"{m.id}: no file {m.path}")
            continue
        text = m.file.read_text(encoding="utf-8")
        found = text.count(m.original)
        if found != 1:
            problems.append(f"{m.id}: original text found {found} times in {m.path}")
            continue
        if m.original == m.replacement:
            problems.append(f"{m.id}: the replacement is the original")
        try:
            compile(text.replace(m.original, m.replacement), str(m.file), "exec")
        except SyntaxError as exc:
            problems.append(f"{m.id}: the mutant does not compile: {exc}")
        for test in tests_for(m):
            if not (ROOT / test).is_file():
                problems.append(f"{m.id}: no test file {test}")
    return problems


class _StopError(Exception):
    """SIGTERM, turned into an exception so that the ``finally`` restores the file."""


def _on_term(signum: int, frame: FrameType | None) -> None:
    raise _StopError


@contextmanager
def mutated(m: Mutation) -> Iterator[None]:
    """The file with the mutation applied; restored byte for byte on the way out, whatever
    happens."""
    original = m.file.read_bytes()
    text = original.decode("utf-8")
    if text.count(m.original) != 1:
        msg = f"{m.id}: original text not found exactly once in {m.path}"
        raise SystemExit(msg)
    try:
        _drop_bytecode(m.file)
        m.file.write_text(text.replace(m.original, m.replacement), encoding="utf-8")
        yield
    finally:
        m.file.write_bytes(original)
        _drop_bytecode(m.file)


def run_tests(tests: Sequence[str], timeout: float) -> tuple[str, str]:
    """Run pytest on ``tests``; ``(status, detail)`` with status caught/timeout/survived/error."""
    with tempfile.TemporaryDirectory(prefix="mutation-hypothesis-") as storage:
        env = os.environ | {
            "PYTHONDONTWRITEBYTECODE": "1",  # never cache a mutant's bytecode
            "HYPOTHESIS_STORAGE_DIRECTORY": storage,  # no examples carried between mutants
            "PYTHONPATH": str(ROOT / "src"),  # this tree's source, whatever is installed
        }
        cmd = [
            sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
            "--hypothesis-seed=0", "--no-header", *tests,
        ]  # fmt: skip
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,
        )  # fmt: skip
        try:
            output, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return "timeout", f"no result within {timeout:.0f} s"
        except BaseException:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise
    failed = [line for line in output.splitlines() if line.startswith(("FAILED", "ERROR"))]
    if proc.returncode == 0:
        return "survived", ""
    if proc.returncode in (1, 2):  # tests failed, or collection failed (the mutant broke import)
        first = failed[0] if failed else output.strip().splitlines()[-1]
        return "caught", first.split(" - ")[0].removeprefix("FAILED ").removeprefix("ERROR ")
    return "error", f"pytest exit code {proc.returncode}: {output.strip()[-500:]}"


def baseline(tests: Sequence[str], timeout: float) -> None:
    status, detail = run_tests(tests, timeout)
    if status != "survived":
        msg = f"the tests fail without any mutation ({status}: {detail}); fix them first"
        raise SystemExit(msg)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--only", action="append", default=[],
                        help="run mutations whose id or path contains this text (repeatable)")  # fmt: skip
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--check", action="store_true",
                        help="check every original is found once and every mutant compiles")  # fmt: skip
    parser.add_argument("--full", action="store_true", help="run the whole test suite per mutant")
    parser.add_argument("--tests", nargs="+", metavar="FILE",
                        help="run only these test files for every mutation (a quick look)")  # fmt: skip
    parser.add_argument("--timeout", type=float, default=900, help="seconds per mutant (900)")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip running the selected tests once without mutation")  # fmt: skip
    parser.add_argument("--json", type=Path, help="write the results to this file")
    args = parser.parse_args(argv)

    chosen = [
        m for m in MUTATIONS
        if not args.only or any(p in m.id or p in m.path for p in args.only)
    ]  # fmt: skip
    if args.list:
        for m in chosen:
            print(f"{m.id:32} {m.path:42} {m.description}")
        print(f"{len(chosen)} mutations")
        return 0
    problems = check(chosen)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2
    if args.check:
        print(f"{len(chosen)} mutations: every original found once, every mutant compiles")
        return 0
    if not chosen:
        print("no mutation matches", file=sys.stderr)
        return 2

    files = sorted({m.file for m in MUTATIONS})
    dirty = _git_changes(files)
    if dirty:
        print(f"refusing to start: files to mutate have uncommitted changes:\n{dirty}",
              file=sys.stderr)  # fmt: skip
        return 2
    before = {f: _sha(f) for f in files}
    signal.signal(signal.SIGTERM, _on_term)

    def selected(m: Mutation) -> list[str]:
        if args.tests:
            return list(args.tests)
        return ["tests"] if args.full else tests_for(m)

    results: list[Result] = []
    started = time.monotonic()
    try:
        if not args.no_baseline:
            union = list(dict.fromkeys(t for m in chosen for t in selected(m)))
            print(f"baseline: {len(union)} test file(s) without mutation ...", flush=True)
            baseline(union, args.timeout * 2)
        for i, m in enumerate(chosen, 1):
            t0 = time.monotonic()
            with mutated(m):
                status, detail = run_tests(selected(m), args.timeout)
            r = Result(m, status, time.monotonic() - t0, detail)
            results.append(r)
            print(f"[{i:3}/{len(chosen)}] {status:8} {r.seconds:6.1f}s {m.id:32} {detail}",
                  flush=True)  # fmt: skip
    except (KeyboardInterrupt, _StopError):
        print("interrupted: the mutated file was restored", file=sys.stderr)
    changed = [str(f.relative_to(ROOT)) for f in files if _sha(f) != before[f]]
    if changed or _git_changes(files):
        print(f"ERROR: files differ after the run: {changed}", file=sys.stderr)
        return 3

    report(results, time.monotonic() - started)
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {"id": r.mutation.id, "path": r.mutation.path, "status": r.status,
                     "seconds": round(r.seconds, 1), "detail": r.detail,
                     "description": r.mutation.description}
                    for r in results
                ],
                indent=1,
            )
            + "\n",
            encoding="utf-8",
        )  # fmt: skip
    return 1 if any(r.status == "error" for r in results) else 0


def report(results: Sequence[Result], seconds: float) -> None:
    print()
    print(f"{'status':9} {'id':32} {'module':42} description")
    for r in results:
        print(f"{r.status:9} {r.mutation.id:32} {r.mutation.path:42} {r.mutation.description}")
    caught = sum(r.status in ("caught", "timeout") for r in results)
    scored = sum(r.status != "error" for r in results)
    errors = len(results) - scored
    print()
    survivors = [r for r in results if r.status == "survived"]
    if survivors:
        print("survived:")
        for r in survivors:
            print(f"  {r.mutation.id}: {r.mutation.path}: {r.mutation.description}")
    pct = 100 * caught / scored if scored else 0.0
    print(f"score: {caught}/{scored} caught ({pct:.1f} %), {errors} error(s), "
          f"{seconds / 60:.1f} min")  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
