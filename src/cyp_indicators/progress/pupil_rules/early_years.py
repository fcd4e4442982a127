"""Early years foundation stage profile: a good level of development."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from ._columns import first_reason, outcome
from ._registry import RuleContext, RuleExprs, pupil_rule

__all__: list[str] = []

#: The 12 early learning goals of a good level of development in the profile reformed from
#: September 2021 (communication and language; personal, social and emotional development;
#: physical development; literacy; mathematics), and the other 5.
_GLD_GOALS = (
    "elg_listening_attention_and_understanding", "elg_speaking",
    "elg_self_regulation", "elg_managing_self", "elg_building_relationships",
    "elg_gross_motor_skills", "elg_fine_motor_skills",
    "elg_comprehension", "elg_word_reading", "elg_writing",
    "elg_number", "elg_numerical_patterns",
)  # fmt: skip
_OTHER_GOALS = (
    "elg_past_and_present", "elg_people_culture_and_communities", "elg_the_natural_world",
    "elg_creating_with_materials", "elg_being_imaginative_and_expressive",
)  # fmt: skip


@pupil_rule(
    "eyfs_good_level_of_development",
    kind="share",
    parameters={
        "goal_columns": _GLD_GOALS,
        "other_goal_columns": _OTHER_GOALS,
        "valid_outcomes": (1, 2),
        "expected_outcomes": (2,),
    },
)
def eyfs_good_level_of_development(
    schema: pl.Schema, p: Mapping[str, Any], ctx: RuleContext
) -> RuleExprs:
    """Children at the expected level or above (an outcome in ``expected_outcomes``) in every
    early learning goal of ``goal_columns``, the goals of a good level of development.

    A child is in the cohort with a valid outcome (in ``valid_outcomes``) in every goal, those
    of ``other_goal_columns`` included: DfE counts only children with a valid result in every
    goal. No outcome, or one not valid (``A``), takes the child out with the reason.
    """
    if not p["goal_columns"]:
        raise ctx.error("'goal_columns' names no early learning goal")
    unknown = [v for v in p["expected_outcomes"] if v not in p["valid_outcomes"]]
    if unknown:
        raise ctx.error(f"'expected_outcomes' {unknown} are not in 'valid_outcomes'")
    words = "DfE counts only children with a valid result in every early learning goal"
    mets: list[pl.Expr] = []
    reasons: list[pl.Expr] = []
    for parameter in ("goal_columns", "other_goal_columns"):
        for column in p[parameter]:
            met, reason = outcome(
                column, ctx.need(schema, column, parameter), ctx, parameter,
                valid=p["valid_outcomes"], met=p["expected_outcomes"], invalid_words=words,
            )  # fmt: skip
            reasons.append(reason)
            if parameter == "goal_columns":
                mets.append(met)
    reason = first_reason(reasons)
    return RuleExprs(pl.when(reason.is_null()).then(pl.all_horizontal(mets)), reason)
