"""Comparisons: neighbour sets, aggregation choices, ranks, gaps, RAG, the benchmark table, bad input."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import cyp_indicators as cyp

EXAMPLE_GROUPS = (
    Path(__file__).resolve().parents[1]
    / "examples" / "local_definitions" / "comparators" / "peterborough_local_comparators.toml"
)  # fmt: skip


@pytest.fixture(scope="module")
def cin_2021_2025() -> pl.DataFrame:
    """Every LA's CIN rate 2021-2025, computed from the bundled counts."""
    results = cyp.indicator_results(
        cyp.csc_counts(), cyp.load_catalogue(), ["cin_rate_per_10k"], years=range(2021, 2026)
    )
    return results.filter(pl.col("geographic_level") == "Local authority")


class TestNeighbourSets:
    def test_peterborough_2025_in_rank_order_with_closeness(self) -> None:
        """May 2025: Coventry and Derby very close, then eight close neighbours."""
        sn = cyp.neighbour_set("2025")
        assert sn.neighbours("874") == (
            "331",
            "831",
            "312",
            "350",
            "852",
            "335",
            "821",
            "354",
            "336",
            "883",
        )
        assert sn.group("874").closeness == ("very close",) * 2 + ("close",) * 8
        assert sn.key == "dfe_sn@2025"

    def test_peterborough_2021_and_ons_codes(self) -> None:
        """April 2021, looked up by ONS code: Derby first, all very close (capitalisation normalised)."""
        sn = cyp.neighbour_set("2021")
        assert sn.neighbours("E06000031") == (
            "831",
            "894",
            "887",
            "335",
            "879",
            "852",
            "851",
            "373",
            "350",
            "372",
        )
        assert set(sn.group("874").closeness or ()) == {"very close"}

    def test_sets_cover_every_la(self) -> None:
        """158 LAs in 2025 (with pre-reorganisation rows), 156 in 2021, ten neighbours each."""
        for version, count in (("2025", 158), ("2021", 156)):
            sn = cyp.neighbour_set(version)
            assert len(sn.las) == count
            assert all(len(g.members) == 10 for g in sn.groups)
            assert all(set(g.closeness or ()) <= set(cyp.CLOSENESS) for g in sn.groups)

    def test_unknown_version_lists_those_bundled(self) -> None:
        """An unknown set version says which exist."""
        with pytest.raises(cyp.UnknownDefinitionError) as info:
            cyp.neighbour_set("2019")
        assert set(info.value.suggestions) == {"2021", "2025"}

    def test_a_council_group_file_loads(self) -> None:
        """A council's own group, with ONS codes among the members, in the same shape."""
        local = cyp.load_comparator_set(EXAMPLE_GROUPS)
        assert local.neighbours("874") == ("873", "919", "881", "882")
        assert local.key == "peterborough_local_comparators@2026.1"
        assert local.group("883").name == "East of England unitaries"
        assert local.neighbours("883") == ("821", "822", "874", "882")

    def test_comparator_files_are_not_read_as_indicators(self) -> None:
        """load_catalogue skips a comparators/ folder in a council's definitions."""
        cat = cyp.load_catalogue(EXAMPLE_GROUPS.parent.parent)
        assert "contacts_to_early_help_pct" in cat

    def test_bad_group_files_name_file_field_and_line(self, tmp_path: Path) -> None:
        """Unknown LA codes and closeness lists of the wrong length are reported with lines."""
        path = tmp_path / "groups.toml"
        path.write_text(
            'id = "mine"\nversion = "1"\ntitle = "Mine"\nkind = "custom"\n\n[[groups]]\nla = "874"\n'
            'members = ["873", "999"]\ncloseness = ["close"]\n'
        )
        with pytest.raises(cyp.DefinitionError) as info:
            cyp.load_comparator_set(path)
        issues = {i.path: i for i in info.value.issues}
        assert issues["$.groups[0].members[1]"].message == "unknown LA code '999'"
        assert issues["$.groups[0].members[1]"].line == 8
        assert issues["$.groups[0].closeness"].message == "1 closeness bands for 2 members"

    def test_schema_breaches_are_reported(self, tmp_path: Path) -> None:
        """A group with neither an LA nor a name, and an unknown kind, break the schema."""
        path = tmp_path / "groups.toml"
        path.write_text(
            'id = "mine"\nversion = "1"\ntitle = "Mine"\nkind = "club"\n\n[[groups]]\nmembers = ["873"]\n'
        )
        with pytest.raises(cyp.DefinitionError) as info:
            cyp.load_comparator_set(path)
        paths = {i.path for i in info.value.issues}
        assert paths == {"$.kind", "$.groups[0]"}


class TestAggregation:
    def test_methods_are_named_and_differ(self, cin_2021_2025: pl.DataFrame) -> None:
        """mean, median, pooled and weighted mean of Peterborough's 2025 neighbours."""
        sn = cyp.neighbour_set("2025")
        d = cyp.load_catalogue().get("cin_rate_per_10k")
        year = cin_2021_2025.filter(pl.col("year") == 2025).with_columns(
            pl.col("denominator").alias("population")
        )
        got = {}
        for method in ("mean", "median", "pooled", "weighted_mean"):
            out = cyp.aggregate_neighbours(
                year, sn, method=method, la="area_code", numerator="numerator", denominator="denominator",
                weight="population", definition=d,
            ).filter(pl.col("area_code") == "874")  # fmt: skip
            row = out.row(0, named=True)
            assert row["sn_method"] == method
            assert row["sn_set"] == "dfe_sn@2025"
            assert (row["sn_n"], row["sn_of"]) == (10, 10)
            assert row["sn_min"] <= row["sn_value"] <= row["sn_max"]
            got[method] = row
        # 366.15 from LAIT's 1-dp published rates (reference-data README); 366.16 from unrounded ones
        assert got["mean"]["sn_value"] == pytest.approx(366.16, abs=0.005)
        assert got["pooled"]["sn_value"] == pytest.approx(got["weighted_mean"]["sn_value"])
        assert (
            got["pooled"]["sn_lower_95"] < got["pooled"]["sn_value"] < got["pooled"]["sn_upper_95"]
        )
        assert got["mean"]["sn_rank"] == 3
        assert got["mean"]["sn_rank_of"] == 11

    def test_reorganisation_leaves_fewer_neighbours_and_says_which(
        self, cin_2021_2025: pl.DataFrame
    ) -> None:
        """West Northamptonshire has no 2021 figure: its neighbours' groups count 9 of 10 that year."""
        out = cyp.aggregate_neighbours(cin_2021_2025, cyp.neighbour_set("2025"), la="area_code")
        row = out.filter((pl.col("area_code") == "822") & (pl.col("year") == 2021)).row(
            0, named=True
        )
        assert "941" in cyp.neighbour_set("2025").neighbours("822")
        assert (row["sn_n"], row["sn_of"]) == (9, 10)
        assert row["sn_missing"] == ["941"]
        later = out.filter((pl.col("area_code") == "822") & (pl.col("year") == 2022)).row(
            0, named=True
        )
        assert later["sn_n"] == 10

    def test_symbols_leave_the_aggregate(self) -> None:
        """Neighbours given as c or x are not counted, and the count and list say so."""
        sn = cyp.comparator_set("g", [("874", ["873", "881", "882", "883"])])
        frame = pl.DataFrame(
            {
                "la_code": ["874", "873", "881", "882", "883"],
                "year": [2025] * 5,
                "value": ["50", "10", "c", "30", "x"],
            }
        )
        row = (
            cyp.aggregate_neighbours(frame, sn, method="mean")
            .filter(pl.col("la_code") == "874")
            .row(0, named=True)
        )
        assert row["sn_value"] == 20
        assert (row["sn_n"], row["sn_of"]) == (2, 4)
        assert row["sn_missing"] == ["881", "883"]

    def test_no_member_with_data_gives_a_reasoned_null(self) -> None:
        """All neighbours suppressed: null with a reason, not a crash."""
        sn = cyp.comparator_set("g", [("874", ["873", "881"])])
        frame = pl.DataFrame(
            {"la_code": ["874", "873", "881"], "year": [2025] * 3, "value": ["50", "c", "c"]}
        )
        row = (
            cyp.aggregate_neighbours(frame, sn)
            .filter(pl.col("la_code") == "874")
            .row(0, named=True)
        )
        assert row["sn_value"] is None
        assert row["sn_reason"] == "x: no member of the group has a value"

    def test_england_and_regions_are_kept_unaggregated(self, cin_2021_2025: pl.DataFrame) -> None:
        """Aggregate rows pass through with a reason."""
        frame = pl.DataFrame(
            {"la_code": ["E92000001", "874"], "year": [2025, 2025], "value": [330.0, 414.6]}
        )
        out = cyp.aggregate_neighbours(frame, cyp.neighbour_set("2025"))
        assert out["sn_reason"][0] == "z: not an LA with a group in dfe_sn@2025"

    def test_unknown_codes_are_named(self) -> None:
        """A code that is neither an LA nor England/region is an error naming it and the set."""
        frame = pl.DataFrame({"la_code": ["874", "123"], "year": [2025, 2025], "value": [1.0, 2.0]})
        with pytest.raises(cyp.DataError, match=r"'123'.*dfe_sn@2025"):
            cyp.aggregate_neighbours(frame, cyp.neighbour_set("2025"))

    def test_duplicate_la_year_rows_are_an_error(self) -> None:
        """One row per (LA, year); an LA given by old and new code twice is caught too."""
        frame = pl.DataFrame(
            {"la_code": ["874", "E06000031"], "year": [2025, 2025], "value": [1.0, 2.0]}
        )
        with pytest.raises(cyp.DuplicateKeyError, match="la='874', year=2025"):
            cyp.aggregate_neighbours(frame, cyp.neighbour_set("2025"))

    def test_mixed_units_are_an_error(self) -> None:
        """Rows in different units cannot be compared."""
        frame = pl.DataFrame(
            {
                "la_code": ["874", "873"],
                "year": [2025, 2025],
                "value": [1.0, 2.0],
                "unit": ["percent", "per_10000"],
            }
        )
        with pytest.raises(cyp.DataError, match="share a unit"):
            cyp.aggregate_neighbours(frame, cyp.neighbour_set("2025"), unit="unit")

    def test_pooled_needs_counts(self) -> None:
        """Pooling without numerator and denominator columns is refused clearly."""
        frame = pl.DataFrame({"la_code": ["874"], "year": [2025], "value": [1.0]})
        with pytest.raises(ValueError, match="numerator= and denominator="):
            cyp.aggregate_neighbours(frame, cyp.neighbour_set("2025"), method="pooled")

    def test_lazy_in_lazy_out(self) -> None:
        """A LazyFrame stays lazy."""
        frame = pl.LazyFrame({"la_code": ["874", "831"], "year": [2025, 2025], "value": [1.0, 2.0]})
        assert isinstance(cyp.aggregate_neighbours(frame, cyp.neighbour_set("2025")), pl.LazyFrame)


class TestGroupsInOneFile:
    """A file with an LA's own group and named groups: each LA has exactly one group."""

    @staticmethod
    def _frame() -> pl.DataFrame:
        codes = ["874", "873", "919", "881", "882", "821", "822", "883"]
        values = [72.0, 49.0, 36.0, 35.0, 80.0, 60.0, 55.0, 65.0]
        return pl.DataFrame({"la_code": codes, "year": [2025] * 8, "value": values})

    def test_own_group_is_not_pooled_with_a_named_group(self) -> None:
        """Peterborough's comparators are its own 4, not its own 4 plus "East of England unitaries"."""
        local = cyp.load_comparator_set(EXAMPLE_GROUPS)
        out = cyp.aggregate_neighbours(self._frame(), local)
        row = out.filter(pl.col("la_code") == "874").row(0, named=True)
        assert (row["sn_n"], row["sn_of"], row["sn_missing"]) == (4, 4, [])
        assert row["sn_value"] == 42.5  # median of 49, 36, 35, 80
        assert (row["sn_rank"], row["sn_rank_of"]) == (2, 5)
        assert row["sn_group"] == "comparators of 874"
        thurrock = out.filter(pl.col("la_code") == "883").row(0, named=True)
        assert thurrock["sn_group"] == "East of England unitaries"
        assert thurrock["sn_of"] == 4

    def test_to_frame_gives_each_la_what_neighbours_gives(self) -> None:
        """One group per LA in the long form, members exactly as neighbours(la), none twice."""
        local = cyp.load_comparator_set(EXAMPLE_GROUPS)
        long = local.to_frame()
        for la in long["la"].unique().to_list():
            rows = long.filter(pl.col("la") == la).sort("rank")
            assert tuple(rows["member"]) == local.neighbours(la)
            assert rows["group"].n_unique() == 1

    def test_an_la_in_two_named_groups_takes_the_first_and_says_so(self) -> None:
        """Never merged: the first named group listing the LA, named in sn_group."""
        sn = cyp.comparator_set(
            "g", [("Unitaries", ["874", "882", "883"]), ("East", ["874", "873"])]
        )
        assert sn.neighbours("874") == ("882", "883")
        out = cyp.aggregate_neighbours(self._frame(), sn, method="mean")
        row = out.filter(pl.col("la_code") == "874").row(0, named=True)
        assert (row["sn_group"], row["sn_of"], row["sn_value"]) == ("Unitaries", 2, 72.5)
        east = out.filter(pl.col("la_code") == "873").row(0, named=True)
        assert (east["sn_group"], east["sn_value"]) == ("East", 72.0)

    def test_a_group_of_the_la_alone_says_so(self) -> None:
        """An LA whose group lists only itself is in the set, with no members and a reason."""
        sn = cyp.comparator_set("g", [("874", ["874"])])
        row = cyp.aggregate_neighbours(self._frame(), sn).row(0, named=True)
        assert (row["sn_group"], row["sn_n"], row["sn_of"], row["sn_missing"]) == (
            "comparators of 874", 0, 0, [],
        )  # fmt: skip
        assert row["sn_reason"] == "x: the group has no member other than the LA"

    def test_a_member_given_twice_under_two_codes_is_refused(self, tmp_path: Path) -> None:
        """Southend as 882 and as E06000033 would count twice: an error naming both."""
        path = tmp_path / "groups.toml"
        path.write_text(
            'id = "mine"\nversion = "1"\ntitle = "Mine"\nkind = "custom"\n\n[[groups]]\n'
            'la = "874"\nmembers = ["882", "873", "E06000033"]\n'
        )
        with pytest.raises(cyp.DefinitionError) as info:
            cyp.load_comparator_set(path)
        (issue,) = info.value.issues
        assert issue.path == "$.groups[0].members[2]"
        assert issue.message == "LA 'E06000033' is already a member as '882' (members[0])"
        with pytest.raises(ValueError, match=r"'E06000033'.*twice"):
            cyp.comparator_set("g", [("874", ["882", "E06000033"])])
        with pytest.raises(ValueError, match="'E06000031' has two groups of its own"):
            cyp.comparator_set("g", [("874", ["882"]), ("E06000031", ["873"])])


class TestWeightedAndPooledMembers:
    """A member counts in sn_n exactly when it enters the aggregate; otherwise it is in sn_missing."""

    @staticmethod
    def _frame(**columns: list[float | None]) -> pl.DataFrame:
        base = {"la_code": ["874", "873", "881", "882"], "year": [2025] * 4}
        return pl.DataFrame({**base, **columns})

    def test_weights_all_null_or_zero_give_a_reasoned_null(self) -> None:
        sn = cyp.comparator_set("g", [("874", ["873", "881", "882"])])
        frame = self._frame(value=[50.0, 10.0, 20.0, 30.0], w=[1.0, None, 0.0, None])
        row = cyp.aggregate_neighbours(frame, sn, method="weighted_mean", weight="w").row(
            0, named=True
        )
        assert row["sn_value"] is None
        assert (row["sn_n"], row["sn_of"]) == (0, 3)
        assert row["sn_missing"] == ["873", "881", "882"]
        assert row["sn_reason"] == "x: no member of the group has a value and a positive weight"
        assert (row["sn_rank"], row["sn_rank_of"]) == (1, 1)

    def test_only_weighted_members_count(self) -> None:
        sn = cyp.comparator_set("g", [("874", ["873", "881", "882"])])
        frame = self._frame(value=[50.0, 10.0, 20.0, 30.0], w=[1.0, 1.0, 0.0, 3.0])
        row = cyp.aggregate_neighbours(frame, sn, method="weighted_mean", weight="w").row(
            0, named=True
        )
        assert row["sn_value"] == pytest.approx((10 + 90) / 4)
        assert (row["sn_n"], row["sn_missing"]) == (2, ["881"])
        assert (row["sn_min"], row["sn_max"], row["sn_rank_of"]) == (10.0, 30.0, 3)

    def test_negative_weights_are_an_error_naming_rows(self) -> None:
        sn = cyp.comparator_set("g", [("874", ["873"])])
        frame = self._frame(value=[1.0, 2.0, 3.0, 4.0], w=[1.0, -5.0, 1.0, 1.0])
        with pytest.raises(cyp.InvalidValueError, match="'w'") as info:
            cyp.aggregate_neighbours(frame, sn, method="weighted_mean", weight="w")
        assert info.value.rows == (1,)

    def test_pooled_counts_a_member_only_with_value_and_both_counts(self) -> None:
        """873 has counts but no value, 882 a value but no numerator: neither is pooled nor counted."""
        sn = cyp.comparator_set("g", [("874", ["873", "881", "882"])])
        frame = self._frame(value=[5.0, None, 2.0, 3.0], n=[5, 1, 2, None], d=[100, 100, 100, 100])
        row = cyp.aggregate_neighbours(
            frame, sn, method="pooled", numerator="n", denominator="d", pooled_as="proportion",
            multiplier=100,
        ).row(0, named=True)  # fmt: skip
        assert row["sn_value"] == pytest.approx(2.0)
        assert (row["sn_n"], row["sn_of"], row["sn_missing"]) == (1, 3, ["873", "882"])
        assert (row["sn_min"], row["sn_max"], row["sn_rank_of"]) == (2.0, 2.0, 2)
        assert row["sn_reason"] is None

    def test_pooled_with_no_usable_member_gives_a_reasoned_null(self) -> None:
        sn = cyp.comparator_set("g", [("874", ["873", "881"])])
        frame = self._frame(value=[5.0, None, 2.0, 3.0], n=[5, 1, None, 3], d=[100, 100, 100, 100])
        row = cyp.aggregate_neighbours(
            frame, sn, method="pooled", numerator="n", denominator="d", pooled_as="rate",
            multiplier=1000,
        ).row(0, named=True)  # fmt: skip
        assert row["sn_value"] is None
        assert (row["sn_n"], row["sn_missing"]) == (0, ["873", "881"])
        assert row["sn_reason"] == (
            "x: no member of the group has a value, a numerator and a denominator"
        )


class TestOnsCodes:
    """The LA column may hold ONS codes: the same groups, aggregates and ranks as old numbers."""

    def test_aggregates_and_ranks_match_old_numbers(self, cin_2021_2025: pl.DataFrame) -> None:
        current = cyp.la_codes().filter(pl.col("current")).select("old_la_code", "new_la_code")
        ons = cin_2021_2025.join(
            current, left_on="area_code", right_on="old_la_code", how="left"
        ).with_columns(pl.col("new_la_code").alias("area_code"))
        assert ons["area_code"].null_count() == 0
        sn = cyp.neighbour_set("2025")
        cols = ["year", "sn_value", "sn_n", "sn_of", "sn_missing", "sn_rank", "sn_rank_of"]
        for method in ("median", "pooled"):
            kwargs = {"method": method, "la": "area_code", "polarity": "low_is_good"}
            if method == "pooled":
                kwargs |= {"numerator": "numerator", "denominator": "denominator"}
                kwargs |= {"pooled_as": "rate", "multiplier": 10_000}
            old = cyp.aggregate_neighbours(cin_2021_2025, sn, **kwargs)  # type: ignore[arg-type]
            new = cyp.aggregate_neighbours(ons, sn, **kwargs)  # type: ignore[arg-type]
            assert new["area_code"].to_list() == ons["area_code"].to_list()
            assert_frame_equal(old.select(cols), new.select(cols))
        row = new.filter((pl.col("area_code") == "E06000031") & (pl.col("year") == 2025))
        assert row["sn_n"].item() == 10
        ranks_old = cyp.rank_among_las(cin_2021_2025, la="area_code", polarity="low_is_good")
        ranks_new = cyp.rank_among_las(ons, la="area_code", polarity="low_is_good")
        assert ranks_old["la_rank"].to_list() == ranks_new["la_rank"].to_list()

    def test_group_file_and_frame_in_either_code(self) -> None:
        """Groups written in ONS codes, frame in old numbers (and the reverse), agree."""
        by_ons = cyp.comparator_set("g", [("E06000031", ["E10000003", "E06000033"])])
        by_old = cyp.comparator_set("g", [("874", ["873", "882"])])
        old_frame = pl.DataFrame(
            {"la_code": ["874", "873", "882"], "year": [2025] * 3, "value": [3.0, 1.0, 2.0]}
        )
        ons_frame = old_frame.with_columns(
            pl.Series("la_code", ["E06000031", "E10000003", "E06000033"])
        )
        rows = [
            cyp.aggregate_neighbours(f, s, method="mean").row(0, named=True)
            for f in (old_frame, ons_frame)
            for s in (by_ons, by_old)
        ]
        assert {(r["sn_value"], r["sn_n"], r["sn_rank"]) for r in rows} == {(1.5, 2, 1)}


class TestRanksAndBands:
    def test_too_few_values_for_quartiles_or_deciles(self) -> None:
        """Fewer than 4 LAs: no band; fewer than 10: no decile; each with a reason."""
        frame = pl.DataFrame(
            {"la_code": ["874", "873", "881"], "year": [2025] * 3, "value": [1.0, 2.0, 3.0]}
        )
        bands = cyp.quartile_bands(frame, polarity="low_is_good")
        assert bands["band"].null_count() == 3
        assert set(bands["band_reason"]) == {"x: fewer than 4 LAs have a value"}
        deciles = cyp.phe_quantiles(frame, n=10)
        assert deciles["quantile"].null_count() == 3
        assert set(deciles["quantile_reason"]) == {"x: fewer than 10 LAs have a value"}

    def test_rank_among_all_las_ignores_aggregates(self, cin_2021_2025: pl.DataFrame) -> None:
        """England's row is not ranked; LA ranks run to the number of LAs with a value."""
        frame = cin_2021_2025.filter(pl.col("year") == 2025)
        out = cyp.rank_among_las(frame, la="area_code", polarity="low_is_good")
        assert out["la_rank"].min() == 1
        assert out["la_rank_of"][0] == out["value"].drop_nulls().len()
        assert set(out["la_rank_order"]) == {"1 = best (low is good)"}


class TestGapsChangeAndRag:
    def test_gap_between_percentages_is_in_percentage_points(self) -> None:
        """add_gap labels a percentage gap in percentage points."""
        d = cyp.load_catalogue().get("re_referral_within_12_months_pct")
        frame = pl.DataFrame({"value": [19.8], "england": [22.6]})
        out = cyp.add_gap(frame, comparator="england", definition=d)
        assert out["gap_to_england"][0] == pytest.approx(-2.8)
        assert out["gap_to_england_unit"][0] == "percentage points"

    def test_change_needs_consecutive_years(self) -> None:
        """Year-on-year change is null across a gap in the years."""
        frame = pl.DataFrame(
            {"la": ["a", "a", "a"], "year": [2021, 2022, 2024], "value": [10.0, 12.0, 9.0]}
        )
        out = cyp.add_change(frame, by="la")
        assert out["change"].to_list() == [None, 2.0, None]

    def test_rolling_average_needs_every_year(self) -> None:
        """A 3-year average is null unless three consecutive years have values."""
        frame = pl.DataFrame(
            {"la": ["a"] * 4, "year": [2021, 2022, 2023, 2025], "value": [1.0, 2.0, 6.0, 4.0]}
        )
        out = cyp.rolling_average(frame, by="la")
        assert out["avg_3yr"].to_list() == [None, None, 3.0, None]

    def test_gap_change_and_average_read_gss_symbols(self) -> None:
        """Published text columns with "c" and "x" give null gaps, changes and averages."""
        frame = pl.DataFrame(
            {
                "la": ["a"] * 4,
                "year": [2019, 2020, 2021, 2022],
                "value": ["50", "c", "52", "53"],
                "england": ["49", "49", "x", "50"],
            }
        )
        assert cyp.add_gap(frame, comparator="england")["gap_to_england"].to_list() == [
            1.0, None, None, 3.0,
        ]  # fmt: skip
        assert cyp.add_change(frame, by="la")["change"].to_list() == [None, None, None, 1.0]
        averages = cyp.rolling_average(frame, by="la", n=2)["avg_2yr"].to_list()
        assert averages == [None, None, None, 52.5]

    def test_gap_rejects_unreadable_text_naming_the_rows(self) -> None:
        frame = pl.DataFrame({"value": ["50", "51"], "england": ["49", "n/a"]})
        with pytest.raises(cyp.InvalidValueError, match="'england'") as info:
            cyp.add_gap(frame, comparator="england")
        assert info.value.rows == (1,)

    def test_rolling_average_names_a_missing_column(self) -> None:
        frame = pl.DataFrame({"la": ["a"], "year": [2020], "rate": [1.0]})
        with pytest.raises(cyp.MissingColumnError, match="'value'"):
            cyp.rolling_average(frame, by="la")

    def test_rag_against_a_target(self) -> None:
        """G meets the target, A within tolerance, R beyond; polarity decides the side."""
        frame = pl.DataFrame({"v": [76.0, 74.0, 70.0]})
        got = (
            frame.select(cyp.rag("v", 75, polarity="high_is_good", amber_within=2))
            .to_series()
            .to_list()
        )
        assert got == ["G", "A", "R"]
        low = frame.select(
            cyp.rag("v", 75, polarity="low_is_good", amber_within=0.02, amber_mode="relative")
        ).to_series()
        assert low.to_list() == ["A", "G", "G"]
        with pytest.raises(ValueError, match="needs a polarity"):
            cyp.rag("v", 75, polarity="not_applicable", amber_within=1)


class TestBenchmarkTable:
    def test_committee_layout(self) -> None:
        """Rows LA / England / SN / local comparators; years, 3yr av., gap, direction, rank, band."""
        cat = cyp.load_catalogue()
        results = cyp.indicator_results(
            cyp.csc_counts(),
            cat,
            ["cin_rate_per_10k", "re_referral_within_12_months_pct"],
            years=range(2021, 2026),
        )
        table = cyp.benchmark_table(
            results, la="874", sn=cyp.neighbour_set("2025"), definitions=cat,
            local_comparators=cyp.load_comparator_set(EXAMPLE_GROUPS),
        )  # fmt: skip
        wide = table.wide
        assert wide.columns == [
            "indicator", "row", "2023", "2024", "2025", "3yr av.", "gap_to_england", "gap_unit",
            "gap_direction", "sn_rank", "band",
        ]  # fmt: skip
        cin = wide.filter(pl.col("indicator").str.starts_with("Children in need"))
        assert cin["row"].to_list() == [
            "Peterborough",
            "England",
            "Statistical neighbours (mean)",
            "Local comparators (mean)",
        ]
        assert cin["2025"][0] == "414.6"
        assert cin["sn_rank"][0] == "3/11"
        assert cin["3yr av."][0] == "379.0"  # mean of 318.2, 404.2, 414.6 as displayed
        re_ref = wide.filter(pl.col("indicator").str.starts_with("Re-referrals")).row(0, named=True)
        assert re_ref["gap_unit"] == "percentage points"
        assert re_ref["gap_to_england"] == pytest.approx(19.8 - 22.6)
        assert re_ref["band"] in {"A", "B", "C", "D"}
        tidy = table.tidy
        assert {"indicator_id", "indicator_version", "year", "row", "value", "presented"} <= set(
            tidy.columns
        )
        assert tidy.filter(pl.col("row_kind") == "sn")["sn_set"].unique().to_list() == [
            "dfe_sn@2025"
        ]

    def test_unknown_la_names_itself_and_the_set(self) -> None:
        """An LA in neither the SN set nor the results is an error naming both."""
        cat = cyp.load_catalogue()
        results = cyp.indicator_results(cyp.csc_counts(), cat, ["cin_rate_per_10k"], years=[2025])
        with pytest.raises(cyp.UnknownDefinitionError, match=r"'999'.*dfe_sn@2025"):
            cyp.benchmark_table(results, la="999", sn=cyp.neighbour_set("2025"), definitions=cat)


def test_benchmark_table_takes_pupil_group_rows() -> None:
    """Optional rows (pupil groups, children in care) join the layout below the comparators."""
    cat = cyp.load_catalogue()
    results = cyp.indicator_results(
        cyp.csc_counts(), cat, ["cin_rate_per_10k"], years=range(2023, 2026)
    )
    extra = pl.DataFrame(
        {
            "indicator_id": ["cin_rate_per_10k"] * 3,
            "year": [2023, 2024, 2025],
            "row": ["Boys"] * 3,
            "value": [320.04, 410.0, 420.05],
        }
    )
    wide = cyp.benchmark_table(
        results, la="874", sn=cyp.neighbour_set("2025"), definitions=cat, extra_rows=extra
    ).wide
    assert wide["row"].to_list()[-1] == "Boys"
    assert wide.row(-1, named=True)["2025"] == "420.1"


def test_benchmark_table_from_results_keyed_by_ons_codes() -> None:
    """Results whose area_code holds ONS codes give the same table as old LA numbers."""
    cat = cyp.load_catalogue()
    results = cyp.indicator_results(
        cyp.csc_counts(), cat, ["cin_rate_per_10k"], years=range(2023, 2026)
    )
    ons = dict(zip(cyp.la_codes()["old_la_code"], cyp.la_codes()["new_la_code"], strict=True))
    by_ons = results.with_columns(pl.col("area_code").replace(ons))
    assert by_ons.filter(pl.col("area_code") == "E06000031").height == 3
    sn = cyp.neighbour_set("2025")

    old_table = cyp.benchmark_table(results, la="874", sn=sn, definitions=cat).wide
    ons_table = cyp.benchmark_table(by_ons, la="E06000031", sn=sn, definitions=cat).wide

    assert ons_table.equals(old_table)
    assert old_table.filter(pl.col("row") == "Peterborough")["2025"][0] is not None


def test_trend_markers_per_la_with_polarity() -> None:
    """trend_markers runs the test per group and reads the direction through polarity."""
    frame = pl.DataFrame(
        {
            "la": ["a"] * 5 + ["b"] * 4,
            "year": [2014, 2015, 2016, 2017, 2018, 2015, 2016, 2017, 2018],
            "numerator": [994, 1023, 1199, 1332, 1367, 10, 11, 12, 13],
            "denominator": [40299, 41527, 42811, 44064, 44701, 100, 100, 100, 100],
        }
    ).with_columns((pl.col("numerator") / pl.col("denominator") * 100).alias("value"))
    out = cyp.trend_markers(frame, by="la", method="counts", polarity="low_is_good")
    a, b = out.row(0, named=True), out.row(1, named=True)
    assert (a["trend"], a["trend_assessment"]) == ("increasing", "getting worse")
    assert a["trend_chi2"] == pytest.approx(47.8967, abs=1e-4)
    assert b["trend"] is None
    assert b["trend_reason"] == "x: fewer than 5 recent points with valid values"


def test_funnel_position_of_values() -> None:
    """Values beyond the 99.8 % or 95 % limits are labelled; strict inequalities."""
    limits = cyp.funnel_limits([100, 100, 100, 100], kind="proportion", average=50)
    frame = limits.with_columns(pl.Series("value", [50.0, 61.0, 34.0, 100.0]))
    got = frame.select(cyp.funnel_position("value")).to_series().to_list()
    assert got == ["within", "high (95 %)", "low (99.8 %)", "high (99.8 %)"]


def test_comparison_without_polarity_says_higher_or_lower() -> None:
    """With no polarity, a significant difference is "higher"/"lower", never better/worse."""
    frame = pl.DataFrame({"c": [3.0], "value": [3.3], "lower_95": [3.2], "upper_95": [3.5]})
    assert frame.select(cyp.compare_with("c")).item() == "higher"


def test_unreadable_values_name_their_rows() -> None:
    """Text that is neither a number nor a symbol is an error, as in the statistics core."""
    frame = pl.DataFrame(
        {
            "la_code": ["874", "873", "881", "882"],
            "year": [2025] * 4,
            "value": ["1", "n/a", "3", "12%"],
        }
    )
    with pytest.raises(cyp.InvalidValueError) as info:
        cyp.rank_among_las(frame)
    assert info.value.rows == (1, 3)
    with pytest.raises(cyp.InvalidValueError, match="'n/a'"):
        cyp.aggregate_neighbours(frame, cyp.neighbour_set("2025"))


def test_the_comparisons_example_runs_as_written() -> None:
    """The issue's call, with a frame named as in its example."""
    counts = cyp.csc_counts().filter(
        (pl.col("geographic_level") == "Local authority") & (pl.col("year") >= 2024)
    )
    d = cyp.load_catalogue().get("cla_rate_per_10k")
    rates = cyp.compute(d, cyp.attach_population(counts, area="old_la_code", year="year")).select(
        pl.col("old_la_code").alias("la_code"), "year", pl.col("value").alias("rate")
    )
    sn = cyp.neighbour_set("2025")
    agg = cyp.aggregate_neighbours(
        rates, sn, method="median", la="la_code", year="year", value="rate", definition=d
    )
    row = agg.filter((pl.col("la_code") == "874") & (pl.col("year") == 2025)).row(0, named=True)
    assert {
        "rate",
        "sn_value",
        "sn_method",
        "sn_set",
        "sn_n",
        "sn_min",
        "sn_max",
        "sn_rank",
        "sn_rank_of",
    } <= row.keys()
    assert (row["sn_method"], row["sn_set"], row["sn_n"], row["sn_rank_of"]) == (
        "median",
        "dfe_sn@2025",
        10,
        11,
    )
    assert agg.height == rates.height


def test_benchmark_table_for_an_la_without_values() -> None:
    """Isles of Scilly (no values, "z"): the table is built with empty gaps, not a crash."""
    cat = cyp.load_catalogue()
    results = cyp.indicator_results(
        cyp.csc_counts(), cat, ["cla_rate_per_10k"], years=range(2021, 2026)
    )
    wide = cyp.benchmark_table(
        results, la="420", sn=cyp.neighbour_set("2025"), definitions=cat
    ).wide
    la_row = wide.row(0, named=True)
    assert la_row["gap_to_england"] is None
    assert la_row["gap_direction"] is None


def test_gap_direction_compares_the_gaps_as_shown() -> None:
    """Bromley's re-referral gap to England is +1.2 points in 2024 and in 2025 (23.6 - 22.4 and
    23.8 - 22.6): "No change", though the floating-point differences are not equal."""
    cat = cyp.load_catalogue()
    results = cyp.indicator_results(
        cyp.csc_counts(), cat, ["re_referral_within_12_months_pct"], years=[2024, 2025]
    )
    wide = cyp.benchmark_table(
        results, la="305", sn=cyp.neighbour_set("2025"), definitions=cat, years=2
    ).wide
    la = wide.row(0, named=True)
    assert la["gap_to_england"] == pytest.approx(1.2)
    assert la["gap_direction"] == "No change"


def test_ons_codes_are_read_in_any_case() -> None:
    assert cyp.canonical_la("e06000031") == cyp.canonical_la("E06000031") == "874"


def test_comparisons_keep_the_order_of_the_rows_given() -> None:
    """The same input gives the same output, row for row: LA rows in the order given (found
    with pandas round trips: the joins inside used to return rows in any order)."""
    d = cyp.load_catalogue().get("cla_rate_per_10k")
    published = pl.DataFrame(cyp.published(d).filter(pl.col("time_period") == 2025))
    shuffled = published.sample(fraction=1.0, shuffle=True, seed=7)
    out = cyp.comparisons(shuffled, d)
    las = shuffled.filter(pl.col("geographic_level") == "Local authority")["area_code"]
    assert out["area_code"].to_list() == las.to_list()
    assert out.equals(cyp.comparisons(shuffled, d))
