"""Attainment rules: key stage 2 combined standards, key stage 4 English and maths, Attainment 8.

Each rule states DfE's rule in its docstring; the definition that names it cites the guidance
(``[pupil_rule] citation``) and gives the thresholds and codes as parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from ._columns import assessed, disjoint, first_reason, graded, number
from ._registry import RuleContext, RuleExprs, pupil_rule

__all__: list[str] = []

_PRE_KEY_STAGE = ("PKF", "PKE", "PKG", "PK1", "PK2", "PK3", "PK4", "PK5", "PK6")


@pupil_rule(
    "ks2_combined_standard",
    kind="share",
    parameters={
        "test_columns": ("reading_scaled_score", "maths_scaled_score"),
        "min_scaled_score": 100,
        "scaled_score_range": (80, 120),
        "test_not_met_codes": ("A", "B", "H", "J", "Q", "T", "U"),
        "test_not_in_cohort_codes": ("L", "M", "F", "P"),
        "teacher_assessment_columns": ("writing_teacher_assessment",),
        "teacher_assessment_met": ("EXS", "GDS"),
        "teacher_assessment_not_met": ("WTS", "HNM", *_PRE_KEY_STAGE, "BLW", "EM", "A", "D"),
        "teacher_assessment_not_in_cohort": ("L", "F", "P"),
    },
)
def ks2_combined_standard(schema: pl.Schema, p: Mapping[str, Any], ctx: RuleContext) -> RuleExprs:
    """Pupils meeting a standard in every listed key stage 2 subject: a scaled score of at least
    ``min_scaled_score`` in each test and a listed teacher assessment in each teacher-assessed
    subject.

    A pupil is in the cohort when eligible in every subject. Test codes in
    ``test_not_met_codes`` (absent, working below the standard of the test, unable to access it,
    cheating, just arrived, maladministration) and teacher assessments in
    ``teacher_assessment_not_met`` count as not meeting the standard; codes in the
    ``..._not_in_cohort`` lists (left, missing, taking the key stage in a future or past year) and
    no result at all take the pupil out, with the reason.
    """
    disjoint(
        ctx, test_not_met_codes=p["test_not_met_codes"],
        test_not_in_cohort_codes=p["test_not_in_cohort_codes"],
    )  # fmt: skip
    disjoint(
        ctx, teacher_assessment_met=p["teacher_assessment_met"],
        teacher_assessment_not_met=p["teacher_assessment_not_met"],
        teacher_assessment_not_in_cohort=p["teacher_assessment_not_in_cohort"],
    )  # fmt: skip
    mets: list[pl.Expr] = []
    reasons: list[pl.Expr] = []
    for column in p["test_columns"]:
        met, reason = graded(
            column, ctx.need(schema, column, "test_columns"), ctx, "test_columns",
            at_least=float(p["min_scaled_score"]), value_range=p["scaled_score_range"],
            not_met_codes=p["test_not_met_codes"], left_codes=p["test_not_in_cohort_codes"],
            missing_leaves=True, missing_words="DfE leaves pupils with a missing result out",
        )  # fmt: skip
        mets.append(met)
        reasons.append(reason)
    for column in p["teacher_assessment_columns"]:
        met, reason = assessed(
            column, ctx.need(schema, column, "teacher_assessment_columns"), ctx,
            "teacher_assessment_columns", met=p["teacher_assessment_met"],
            not_met=p["teacher_assessment_not_met"], left=p["teacher_assessment_not_in_cohort"],
            missing_words="DfE leaves pupils with a missing result out",
        )  # fmt: skip
        mets.append(met)
        reasons.append(reason)
    if not mets:
        raise ctx.error("names no test and no teacher-assessed subject")
    reason = first_reason(reasons)
    return RuleExprs(pl.when(reason.is_null()).then(pl.all_horizontal(mets)), reason)


@pupil_rule(
    "ks4_english_and_maths",
    kind="share",
    parameters={
        "english_columns": ("english_language_grade", "english_literature_grade"),
        "maths_columns": ("maths_grade",),
        "min_grade": 4,
        "grade_range": (0, 9),
        "not_achieved_codes": ("U", "X"),
    },
)
def ks4_english_and_maths(schema: pl.Schema, p: Mapping[str, Any], ctx: RuleContext) -> RuleExprs:
    """Pupils with a grade of at least ``min_grade`` in one of the English qualifications
    (``english_columns``: language or literature, without having to sit both) and in
    mathematics.

    Every pupil at the end of key stage 4 is in the cohort: no entry (no grade) or a code in
    ``not_achieved_codes`` (ungraded, absent) is not achieving. A grade outside
    ``grade_range``, a non-finite number or a code in no list takes the pupil out, with the
    reason.
    """
    groups: list[pl.Expr] = []
    reasons: list[pl.Expr] = []
    for parameter in ("english_columns", "maths_columns"):
        columns = p[parameter]
        if not columns:
            raise ctx.error(f"'{parameter}' names no column")
        mets = []
        for column in columns:
            met, reason = graded(
                column, ctx.need(schema, column, parameter), ctx, parameter,
                at_least=float(p["min_grade"]), value_range=p["grade_range"],
                not_met_codes=p["not_achieved_codes"], missing_leaves=False, missing_words="",
            )  # fmt: skip
            mets.append(met.fill_null(False))
            reasons.append(reason)
        groups.append(pl.any_horizontal(mets))
    reason = first_reason(reasons)
    return RuleExprs(pl.when(reason.is_null()).then(pl.all_horizontal(groups)), reason)


@pupil_rule(
    "attainment_8",
    kind="mean",
    parameters={
        "english_language_column": "english_language_points",
        "english_literature_column": "english_literature_points",
        "maths_column": "maths_points",
        "ebacc_columns": ("ebacc_slot_1_points", "ebacc_slot_2_points", "ebacc_slot_3_points"),
        "open_columns": ("open_slot_1_points", "open_slot_2_points", "open_slot_3_points"),
        "english_weight_both": 2,
        "english_weight_one": 1,
        "maths_weight": 2,
        "points_range": (0, 9),
    },
)
def attainment_8(schema: pl.Schema, p: Mapping[str, Any], ctx: RuleContext) -> RuleExprs:
    """A pupil's Attainment 8 score from slot points: English (the higher of English language
    and English literature, weighted ``english_weight_both`` when the pupil took both, otherwise
    the one taken weighted ``english_weight_one``), mathematics weighted ``maths_weight``, and the
    points of the EBacc and open slots.

    Points are the caller's: a null is no entry (an empty slot scores zero; an English
    qualification not taken does not count as taken), a 0 an ungraded entry (taken). The open
    slots are as the caller filled them, including the lower English grade where it counts there.
    A non-finite number, or points outside ``points_range``, takes the pupil out with the reason.
    """
    if len(p["points_range"]) != 2:
        raise ctx.error(f"'points_range' must be two numbers, got {list(p['points_range'])}")
    low, high = (float(v) for v in p["points_range"])
    named = [
        (p["english_language_column"], "english_language_column"),
        (p["english_literature_column"], "english_literature_column"),
        (p["maths_column"], "maths_column"),
        *((c, "ebacc_columns") for c in p["ebacc_columns"]),
        *((c, "open_columns") for c in p["open_columns"]),
    ]
    points: list[pl.Expr] = []
    reasons: list[pl.Expr] = []
    for column, parameter in named:
        x, non_finite = number(column, ctx.need(schema, column, parameter), ctx, parameter)
        points.append(x)
        outside = (
            pl.when(x.is_finite() & ((x < low) | (x > high)))
            .then(
                pl.concat_str(
                    pl.lit(f"out_of_range: {column} "),
                    pl.col(column).cast(pl.String),
                    pl.lit(f" is outside {low:g} to {high:g} points"),
                )
            )
            .otherwise(pl.lit(None, pl.String))
        )
        reasons += [non_finite, outside]
    language, literature, maths, *slots = points
    english = (
        pl.when(language.is_not_null() & literature.is_not_null())
        .then(pl.max_horizontal(language, literature) * float(p["english_weight_both"]))
        .otherwise(
            pl.coalesce(language, literature).fill_null(0.0) * float(p["english_weight_one"])
        )
    )
    total = english + maths.fill_null(0.0) * float(p["maths_weight"])
    for slot in slots:
        total = total + slot.fill_null(0.0)
    reason = first_reason(reasons)
    return RuleExprs(pl.when(reason.is_null()).then(total), reason)
