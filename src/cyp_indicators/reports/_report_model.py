"""The benchmarking report's data: what one report holds, ready for the HTML and Excel writers.

Every number here is already presented (rounded half away from zero to the definition's decimal
places); the writers only format and draw. A missing value keeps its DfE symbol (``c``, ``x``,
``z``, ``low``, ``u``) so a chart can show the symbol where a bar or point would be.
"""

from __future__ import annotations

import attrs
import polars as pl

from ..catalogue import SeriesBreak

__all__ = [
    "TOPIC_LABELS",
    "Bar",
    "IndicatorSection",
    "Report",
    "Shown",
    "Unavailable",
    "YearPoint",
    "break_sentence",
    "topic_label",
]

#: Sheet and section titles for the definitions' topics (short enough for a sheet name), in the
#: order of a child's journey (the catalogue's topics).
TOPIC_LABELS: dict[str, str] = {
    "early_help": "Early help",
    "front_door": "Front door",
    "children_in_need": "Children in need",
    "child_protection": "Child protection",
    "looked_after_children": "Looked after",
    "adoption": "Adoption",
    "care_leavers": "Care leavers",
    "workforce": "Workforce",
    "finance": "Finance",
    "youth_justice": "Youth justice",
    "health": "Health",
    "education": "Education",
    "early_years": "Early years",
    "absence_and_exclusions": "Absence and exclusions",
    "special_educational_needs": "SEN",
    "post_16": "Post-16",
    "economic_factors": "Economic factors",
    "context": "Context",
}


_SOCIAL_CARE = frozenset(
    {
        "early_help", "front_door", "children_in_need", "child_protection",
        "looked_after_children", "adoption", "care_leavers", "workforce", "finance",
    }
)  # fmt: skip


def topic_label(topic: str) -> str:
    """The short title of a topic (a sheet name): "Looked after"."""
    return TOPIC_LABELS.get(topic, topic.replace("_", " ").capitalize()[:31])


@attrs.frozen(kw_only=True)
class Shown:
    """One value as the report shows it.

    Attributes
    ----------
    value
        The presented (rounded) value; ``None`` when there is none.
    text
        The value with the definition's decimal places ("72", "19.8"), or the symbol ("x", "c").
    reason
        Why there is no value (``"x: numerator is 'x' (not available)"``); ``None`` otherwise.

    Examples
    --------
    >>> Shown(value=72.0, text="72").missing
    False
    >>> Shown(value=None, text="c", reason="c: withheld (small count)").missing
    True
    """

    value: float | None
    text: str
    reason: str | None = None

    @property
    def missing(self) -> bool:
        """Whether there is no value to draw."""
        return self.value is None


@attrs.frozen(kw_only=True)
class Bar:
    """One bar of the latest-year chart: the LA or one of its statistical neighbours.

    Attributes
    ----------
    code, name
        The area's old LA number and name.
    shown
        Its value in the latest year, as shown.
    is_la
        Whether it is the report's LA (else a neighbour).
    closeness_rank
        0 for the LA, 1 for its closest neighbour, 2 for the next, ...

    Examples
    --------
    >>> bar = Bar(code="874", name="Peterborough", shown=Shown(value=72.0, text="72"),
    ...           is_la=True, closeness_rank=0)
    >>> bar.shown.text, bar.is_la
    ('72', True)
    """

    code: str
    name: str
    shown: Shown
    is_la: bool
    closeness_rank: int  # 0 for the LA, 1 for its closest neighbour


@attrs.frozen(kw_only=True)
class YearPoint:
    """One year of an indicator's series: the LA (with its 95 % interval), England and the SN.

    ``own`` is the council's own figure for the year (from ``--input``), shown beside the
    published one, with its interval; ``vs_england`` and ``vs_sn`` the significance of the LA's
    value against them ("better", "similar", "worse"; "higher"/"lower" without a polarity;
    ``None`` without an interval); ``new_basis`` marks the first year after a series break.

    Attributes
    ----------
    year, version
        The collection year and the definition version in force in it.
    la, la_lower, la_upper
        The LA's value and its 95 % interval, as shown (rounded).
    england, sn
        England's value and the neighbours' aggregate.
    own, own_lower, own_upper
        The council's own figure and its interval, when given.
    vs_england, vs_sn
        The LA's value against England's and the neighbours' (see above).
    new_basis
        The first year after a series break.

    Examples
    --------
    >>> point = YearPoint(year=2025, version="1.0.0", la=Shown(value=72.0, text="72"),
    ...                   la_lower=65.0, la_upper=79.0, england=Shown(value=67.0, text="67"),
    ...                   sn=Shown(value=75.0, text="75"), vs_england="similar")
    >>> point.la.text, point.vs_england, point.new_basis
    ('72', 'similar', False)
    """

    year: int
    version: str
    la: Shown
    la_lower: float | None
    la_upper: float | None
    england: Shown
    sn: Shown
    own: Shown | None = None
    own_lower: float | None = None
    own_upper: float | None = None
    vs_england: str | None = None
    vs_sn: str | None = None
    new_basis: bool = False


@attrs.frozen(kw_only=True)
class IndicatorSection:
    """One indicator of the report: the latest figures, the series and the neighbours' bars.

    Attributes
    ----------
    indicator_id, version
        The definition and the version in force in ``latest_year``; ``versions`` gives the version
        in force each year shown.
    unit_label, gap_unit
        "per 10,000" or "%"; the gap's unit ("percentage points" for percentages).
    la, england, sn
        Latest-year values; ``ci_text`` is the LA's 95 % interval ("65 to 79").
    rank_text
        The LA's rank among itself and its neighbours with data, "8/11" (1 = best, or highest when
        the definition has no polarity); ``la_rank_text`` its rank among all LAs.
    band, band_note
        LAIT quartile band A to D (A best), or ``None`` with the reason in ``band_note``.
    trend, trend_text
        The recent-trend test's verdict ("increasing", "no significant change", ...) and a sentence
        with the change over the years shown.
    gap, gap_text, gap_direction
        Latest presented LA value minus England's, as a number and as text ("+5", "-2.8"), and
        whether the gap grew ("Increased" / "Declined" / "No change").
    bars, series
        The latest-year chart (the LA and its neighbours, largest first, missing last) and the time
        series.
    vs_england, vs_sn, significance
        The LA's latest value against England's and the neighbours' ("better", "similar",
        "worse"; "higher"/"lower" without a polarity; ``None`` without an interval), and a
        sentence naming the interval used.
    breaks, trend_since
        The series breaks within the years shown, and the year the trend test starts from.
    caveats
        The definition's caveats about the measure.

    Examples
    --------
    >>> from cyp_indicators.reports.benchmark_report import build_report
    >>> section = build_report("874", indicators=["cla_rate_per_10k"], years=2).sections[0]
    >>> section.la.text, section.ci_text, section.england.text, section.vs_england
    ('72', '65 to 79', '67', 'similar')
    """

    indicator_id: str
    version: str
    versions: tuple[tuple[int, str], ...]
    title: str
    description: str
    topic: str
    topic_label: str
    unit: str
    unit_label: str
    gap_unit: str
    decimal_places: int
    polarity: str
    polarity_label: str
    ci_method: str
    latest_year: int
    la: Shown
    ci_text: str | None
    england: Shown
    sn: Shown
    sn_method: str
    sn_n: int | None
    sn_of: int | None
    rank_text: str
    la_rank_text: str
    band: str | None
    band_note: str
    trend: str
    trend_text: str
    gap: float | None
    gap_text: str
    gap_direction: str | None
    bars: tuple[Bar, ...]
    series: tuple[YearPoint, ...]
    sn_set: str
    population_vintage: str | None
    source: str | None
    caveats: tuple[str, ...]
    level: str | None = None
    level_label: str | None = None
    vs_england: str | None = None
    vs_sn: str | None = None
    significance: str = ""
    breaks: tuple[SeriesBreak, ...] = ()
    trend_since: int | None = None
    own_source: str | None = None
    computed: bool = True

    @property
    def key(self) -> str:
        """``id@version`` of the latest year's definition."""
        return f"{self.indicator_id}@{self.version}"

    @property
    def anchor(self) -> str:
        """The section's id in the page: the indicator id, with the level's code for a level."""
        return f"{self.indicator_id}-{self.level}" if self.level else self.indicator_id

    @property
    def own_points(self) -> tuple[YearPoint, ...]:
        """The years with a council's own figure."""
        return tuple(p for p in self.series if p.own is not None)

    @property
    def own_only_years(self) -> tuple[int, ...]:
        """The years with the council's own figure and no published (or computed) one."""
        return tuple(p.year for p in self.own_points if p.la.value is None and p.la.text == "x")

    @property
    def versions_text(self) -> str:
        """The definition versions in force over the years, "cla_rate_per_10k@1.0.0 (2021-2025)"."""
        runs: list[tuple[str, int, int]] = []
        for year, version in self.versions:
            if runs and runs[-1][0] == version and runs[-1][2] == year - 1:
                runs[-1] = (version, runs[-1][1], year)
            else:
                runs.append((version, year, year))
        return ", ".join(
            f"{self.indicator_id}@{v} ({a}–{b})" if a != b else f"{self.indicator_id}@{v} ({a})"
            for v, a, b in runs
        )

    @property
    def provenance_text(self) -> str:
        """One line naming the definition versions, the SN set and the population vintage."""
        population = self.population_vintage or "none (a percentage of counts, no population)"
        return (
            f"Definition {self.versions_text}; statistical neighbours {self.sn_set} "
            f"({self.sn_method}); population {population}"
            + (f"; source {self.source}" if self.source else "")
        )


def break_sentence(b: SeriesBreak) -> str:
    """A series break in words, with the definition's note on it (the seeds' references left
    out)."""
    from ._caveats import measure_text

    what = "a new definition" if b.kind == "new_version" else "a reform replaced the measure"
    note = measure_text(b.note)
    text = f"From {b.year}, {what} ({b.before} before, {b.after} from {b.year}): the line breaks."
    return f"{text} {note}" if note else text


@attrs.frozen(kw_only=True)
class Unavailable:
    """An indicator asked for with no figures in the report's years, and why.

    Attributes
    ----------
    indicator_id, title
        The definition and its title.
    topic, topic_label
        Its topic, and the topic's short title (the report's area).
    reason
        Why there are no figures.
    caveats
        The definition's caveats about the measure.
    level
        The breakdown level's code, for a definition published by level.

    Examples
    --------
    >>> from cyp_indicators.reports.benchmark_report import build_report
    >>> report = build_report("874", indicators=["cla_rate_per_10k", "adoption_a1_days"], years=2)
    >>> missing = report.unavailable[0]
    >>> missing.indicator_id, missing.topic_label
    ('adoption_a1_days', 'Adoption')
    >>> print(missing.reason)  # doctest: +ELLIPSIS
    no figures: DfE publishes no series for adoption_a1_days and the counts have no column ...
    """

    indicator_id: str
    title: str
    topic: str
    topic_label: str
    reason: str
    caveats: tuple[str, ...] = ()
    level: str | None = None

    @property
    def anchor(self) -> str:
        """The entry's id in the page."""
        return f"{self.indicator_id}-{self.level}" if self.level else self.indicator_id


@attrs.frozen(kw_only=True)
class Report:
    """A benchmarking report for one LA: its sections, the tidy data and the provenance.

    Attributes
    ----------
    la, la_name, ons_code
        The old LA number ("874"), its name and current ONS code.
    years
        The collection years shown (2025 is the year ending 31 March 2025).
    sn_set, sn_title, sn_method
        The statistical-neighbour set's key (``dfe_sn@2025``), title and the aggregate's method.
    population_vintage
        The ONS mid-year estimates behind every rate.
    data_source
        Where the counts come from.
    sections
        One per indicator, in the order asked for.
    tidy
        :func:`cyp_indicators.benchmark_table`'s tidy rows for the LA and years: one row per
        indicator, year and comparator row (LA, England, statistical neighbours).
    neighbours
        The latest year's values of the LA and its neighbours: ``indicator_id``, ``year``,
        ``area_code``, ``area_name``, ``is_la``, ``closeness_rank``, ``presented``, ``display``,
        ``reason``.
    geography_notes
        Local government reorganisation in the years shown: which authorities reported for the
        LA's area in years it did not exist ("North Northamptonshire (940) was created on
        1 April 2021; before it, Northamptonshire (928) reported for its area").
    unavailable
        The indicators asked for that have no figures in the years shown, with the reason.
    own_source
        The file of the council's own figures, when given.
    library_version
        The version of cyp-indicators that made it.

    Examples
    --------
    >>> from cyp_indicators.reports.benchmark_report import build_report
    >>> report = build_report("874", indicators=["cla_rate_per_10k"], years=2)
    >>> report.title
    "Peterborough: children's social care benchmarking, 2024 to 2025"
    >>> report.years, report.sn_set, [area for area, _ in report.areas]
    ((2024, 2025), 'dfe_sn@2025', ['Looked after'])
    """

    la: str
    la_name: str
    ons_code: str | None
    years: tuple[int, ...]
    sn_set: str
    sn_title: str
    sn_method: str
    population_vintage: str
    data_source: str
    library_version: str
    sections: tuple[IndicatorSection, ...]
    tidy: pl.DataFrame = attrs.field(eq=False, repr=False)
    neighbours: pl.DataFrame = attrs.field(eq=False, repr=False)
    geography_notes: tuple[str, ...] = ()
    unavailable: tuple[Unavailable, ...] = ()
    own_source: str | None = None

    @property
    def title(self) -> str:
        """The report's title: "Peterborough: children's social care benchmarking, 2021 to 2025"."""
        span = f"{self.years[0]} to {self.years[-1]}" if len(self.years) > 1 else f"{self.years[0]}"
        return f"{self.la_name}: {self.subject} benchmarking, {span}"

    @property
    def subject(self) -> str:
        """ "children's social care" when every indicator is about it, else "children's services"."""
        topics = {s.topic for s in self.sections} | {u.topic for u in self.unavailable}
        return "children's social care" if topics <= _SOCIAL_CARE else "children's services"

    def _topics(self) -> list[str]:
        order = list(TOPIC_LABELS)
        topics: list[str] = []
        for topic in [s.topic for s in self.sections] + [u.topic for u in self.unavailable]:
            if topic not in topics:
                topics.append(topic)
        topics.sort(key=lambda t: order.index(t) if t in order else len(order))
        return topics

    @property
    def areas(self) -> tuple[tuple[str, tuple[IndicatorSection, ...]], ...]:
        """The sections grouped by topic, topics in the order of a child's journey (a topic
        with only indicators without figures has no sections)."""
        return tuple(
            (topic_label(t), tuple(s for s in self.sections if s.topic == t))
            for t in self._topics()
        )

    def unavailable_in(self, area: str) -> tuple[Unavailable, ...]:
        """The indicators of an area (as :attr:`areas` names it) with no figures.

        Parameters
        ----------
        area
            An area's title, as :attr:`areas` gives it ("Adoption").

        Returns
        -------
        tuple[Unavailable, ...]
            Its indicators without figures, in the order asked for.
        """
        return tuple(u for u in self.unavailable if u.topic_label == area)

    @property
    def definition_keys(self) -> tuple[str, ...]:
        """Every ``id@version`` behind a figure of the report."""
        keys: list[str] = []
        for s in self.sections:
            for _, v in s.versions:
                key = f"{s.indicator_id}@{v}"
                if key not in keys:
                    keys.append(key)
        return tuple(keys)
