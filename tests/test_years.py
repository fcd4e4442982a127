"""Collection years: DfE's and LAIT's year labels, and the days a collection year covers.

Expected answers are DfE's own statements: a collection year is named by the year its period ends
("the year ending 31 March 2024" is 2024); EES writes a financial or academic year as 202324;
LAIT's (Rev), (prov), (Final) and (OT) mark revised, provisional, final and outturn releases.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

import cyp_indicators as cyp
from cyp_indicators.years import parse_time_label, period_bounds, period_end


@pytest.mark.parametrize(
    ("label", "year", "span", "status"),
    [
        ("2024", 2024, 1, None),
        ("2023-24", 2024, 1, None),
        ("2023/24", 2024, 1, None),
        ("202324", 2024, 1, None),
        ("1999-00", 2000, 1, None),
        ("2014-16", 2016, 3, None),
        ("2021/22-23/24", 2024, 3, None),
        ("2024 (Rev)", 2024, 1, "revised"),
        ("2025 (prov)", 2025, 1, "provisional"),
        ("2020 (Final)", 2020, 1, "final"),
        ("2023-24 (OT)", 2024, 1, "outturn"),
        (" 2023/24 ", 2024, 1, None),
    ],
)
def test_labels_map_to_the_year_the_period_ends(
    label: str, year: int, span: int, status: str | None
) -> None:
    parsed = parse_time_label(label)
    assert (parsed.year, parsed.span, parsed.status) == (year, span, status)
    assert parsed.label == label


@pytest.mark.parametrize("label", ["0", "FY 2025", "2023-25-27", "2023/25", "abcd", "", "2023-21"])
def test_labels_of_no_known_form_are_refused_naming_label_and_measure(label: str) -> None:
    with pytest.raises(cyp.DataError) as info:
        parse_time_label(label, measure="LAIT measure 'LAC'")
    assert repr(label) in str(info.value)
    assert "'LAC'" in str(info.value)


def test_every_lait_label_is_read() -> None:
    import polars as pl

    from cyp_indicators.sources.manifest import bundled_source

    labels = pl.read_parquet(bundled_source("lait").path)["Years"].unique().to_list()
    readable = [label for label in labels if label != "0"]
    assert len(readable) == 64
    for label in readable:
        # the period ends in the last year the label names: "2021/22-23/24" ends in 2024
        numbers = re.findall(r"\d+", label.split("(")[0])
        last = numbers[-1] if len(numbers[-1]) == 4 else numbers[0][:2] + numbers[-1]
        assert parse_time_label(label).year == int(last), label


@pytest.mark.parametrize(
    ("period_type", "first", "last"),
    [
        ("snapshot_31_march", date(2024, 3, 31), date(2024, 3, 31)),
        ("financial_year", date(2023, 4, 1), date(2024, 3, 31)),
        ("academic_year", date(2023, 9, 1), date(2024, 8, 31)),
        ("calendar_year", date(2024, 1, 1), date(2024, 12, 31)),
        ("snapshot_30_september", date(2024, 9, 30), date(2024, 9, 30)),
        ("snapshot_31_august", date(2024, 8, 31), date(2024, 8, 31)),
    ],
)
def test_period_bounds(period_type: str, first: date, last: date) -> None:
    assert period_bounds(2024, period_type) == (first, last)
    assert period_end(2024, period_type) == last
