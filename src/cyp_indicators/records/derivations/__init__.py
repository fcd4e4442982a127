"""The registered derivations, one module per area. Importing this package registers them all."""

from . import (
    care_leavers,
    characteristics,
    children_in_need,
    children_in_need_groups,
    looked_after,
    looked_after_groups,
    outcomes,
    reviews,
)

__all__ = [
    "care_leavers",
    "characteristics",
    "children_in_need",
    "children_in_need_groups",
    "looked_after",
    "looked_after_groups",
    "outcomes",
    "reviews",
]
