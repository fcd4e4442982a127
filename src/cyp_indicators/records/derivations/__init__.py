"""The registered derivations, one module per area. Importing this package registers them all."""

from . import (
    care_leavers,
    children_in_need,
    children_in_need_groups,
    looked_after,
    looked_after_groups,
    outcomes,
)

__all__ = [
    "care_leavers",
    "children_in_need",
    "children_in_need_groups",
    "looked_after",
    "looked_after_groups",
    "outcomes",
]
