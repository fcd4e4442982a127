"""Geography: local authorities, regions and England, once, with local government reorganisation.

Local authorities are keyed by their old three-digit LA number ("874"), which survives ONS
recoding (Buckinghamshire E10000002 -> E06000060); every ONS code an authority has had is accepted
as well. Regions use their ONS codes (``E12...``; DfE files give London's boroughs the Inner and
Outer London codes ``E13000001``/``E13000002``), England is :data:`ENGLAND`, and LAIT's own
numbers for them (970 England, 980-990 regions) are read too.

Reorganisation is data (``data/geography/reorganisations.csv``): Bournemouth, Poole and Dorset
became Bournemouth, Christchurch and Poole and Dorset on 1 April 2019, Northamptonshire became North
and West Northamptonshire on 1 April 2021, Cumbria became Cumberland and Westmorland and Furness on
1 April 2023. A figure belongs to the authority that existed on the last day of its period: the
31 March 2021 snapshot is Northamptonshire's, calendar year 2021 North Northamptonshire's.
:func:`area_status` answers with a typed :class:`NotApplicable` naming the authorities that cover
the area instead, never a silent gap.

>>> successors("909")
('942', '943')
>>> predecessors("940")
('928',)
"""

from ._areas import (
    ENGLAND,
    area_name,
    areas,
    canonical_area,
    canonical_expr,
    canonical_la,
    is_aggregate_code,
    is_england,
    la_codes,
    la_name,
    local_authorities,
    region_of,
    resolve_la,
)
from ._reorganisation import (
    NotApplicable,
    Reorganisation,
    area_status,
    check_exists,
    exists_on,
    predecessors,
    reorganisations,
    successors,
)

__all__ = [
    "ENGLAND",
    "NotApplicable",
    "Reorganisation",
    "area_name",
    "area_status",
    "areas",
    "canonical_area",
    "canonical_expr",
    "canonical_la",
    "check_exists",
    "exists_on",
    "is_aggregate_code",
    "is_england",
    "la_codes",
    "la_name",
    "local_authorities",
    "predecessors",
    "region_of",
    "reorganisations",
    "resolve_la",
    "successors",
]
