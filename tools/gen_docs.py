"""Generate the documentation pages that come from the library itself.

* The **data dictionary** (``dictionary/``): one page per definition id with every version in
  full, and an index of all ids by topic, built from ``cyp_indicators.load_catalogue()``.
* The **API index** (``reference/index.md``): every public name of ``cyp_indicators`` with a link
  to where the reference documents it.

mkdocs runs this file at build time through the ``gen-files`` plugin (see ``mkdocs.yml``), so the
pages never go stale. Without mkdocs, write the dictionary to a folder::

    .venv/bin/python tools/gen_docs.py OUT_DIR

This module also holds :class:`SphinxRoles`, the griffe extension that turns the Sphinx roles of
the package's docstrings (``:func:`compute```) into cross-references of the API reference.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import cyp_indicators as cyp
from cyp_indicators.catalogue import Catalogue
from cyp_indicators.model import IndicatorDefinition
from cyp_indicators.model.topics import TOPICS, topic_title

__all__ = [
    "DICTIONARY_DIR",
    "TOPICS",
    "api_pages",
    "definition_page",
    "dictionary_index",
    "dictionary_pages",
    "write_dictionary",
]

DICTIONARY_DIR = "dictionary"

#: The topics of the schema in their order, with the heading each gets in the index.

_FAMILY_WORDS = {
    "rate": "numerator / denominator × multiplier",
    "proportion": "numerator / denominator × multiplier (a share)",
    "conversion": "numerator / denominator × multiplier (a share of an earlier stage)",
    "count": "the count itself",
    "mean": "total / pupils",
    "points": "total points / pupils",
    "duration": "a length of time, derived from records",
    "expected_progress": "made / (made + not made) × 100, pupil by pupil from the matrix",
}
_CI_WORDS = {
    "wilson": "Wilson score interval",
    "byar_exact": "exact Poisson below a count of 10, Byar's approximation from 10",
    "exact": "exact Poisson (chi-square) for every count",
    "normal": "normal: mean ∓ z · sd / √n",
    "none": "no interval",
}
_OUTCOME_WORDS = {"made": "made", "not_made": "not made", "not_included": "not included"}

# Every key of IndicatorDefinition.to_mapping() that a page renders. A key the model gains later
# fails the build until the page shows it: the dictionary is complete by construction.
_RENDERED_KEYS = frozenset(
    {
        "id", "version", "title", "description", "topic", "family", "keywords", "numerator",
        "denominator", "spread", "unit", "multiplier", "polarity", "polarity_note",
        "period_type", "ci_method", "confidence_levels", "presentation", "disclosure",
        "valid_from", "valid_to", "provenance", "caveats", "changelog", "matrix", "derivation",
        "breakdown", "pupil_rule",
    }
)  # fmt: skip
_RENDERED_SUBKEYS = {
    "numerator": {"meaning", "column", "source", "population"},
    "denominator": {"meaning", "column", "source", "population"},
    "spread": {"meaning", "column", "source", "population"},
    "presentation": {"decimal_places", "rounding"},
    "disclosure": {"threshold", "symbol", "applies_to", "national_counts_rounded_to", "note"},
    "provenance": {
        "dfe_release", "dfe_table", "lait_measure_code", "lait_short_name", "lait_short_names",
        "ees", "csc_dashboard_metrics", "national_indicator", "seed_references", "urls", "notes",
    },
    "breakdown": {"dimension", "column", "total", "levels"},
    "matrix": {"prior", "outcome", "columns", "rows"},
    "derivation": {"name", "parameters"},
    "pupil_rule": {"name", "citation", "parameters"},
}  # fmt: skip


# --- Markdown helpers ---------------------------------------------------------------------------

_ESCAPE = re.compile(r"([\\`*_\[\]|])")


def esc(text: object) -> str:
    """Free text as Markdown that renders as written (no emphasis, links or table breaks)."""
    s = _ESCAPE.sub(r"\\\1", str(text))
    s = s.replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"(?m)^(\s*)([#+-]|\d+\.)(\s)", r"\1\\\2\3", s)


def cell(text: object) -> str:
    """Free text for a table cell: escaped, on one line."""
    return "<br>".join(esc(line) for line in str(text).strip().splitlines() if line.strip())


def code(text: object) -> str:
    """Inline code that survives backticks (a pipe inside code does not split a table cell)."""
    s = str(text)
    fence = "``" if "`" in s else "`"
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def link(url: str) -> str:
    """A URL as a link, or as code when it is not a web address."""
    return f"<{url}>" if re.match(r"https?://\S+$", url) else code(url)


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table (cells already formatted)."""
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _number(x: float | int) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:g}"


def _level(c: float) -> str:
    return f"{c * 100:g} %"


def _years(start: int, end: int | None) -> str:
    if end is None:
        return f"{start} onwards"
    return str(start) if start == end else f"{start}–{end}"


def _anchor(version: str) -> str:
    return "v" + version.replace(".", "-")


def _topic_title(topic: str) -> str:
    return topic_title(topic)


# --- the year chain -----------------------------------------------------------------------------


def _year_span(cat: Catalogue) -> range:
    """The collection years worth looking at: from the first definition or pack to the last."""
    defs = list(cat)
    first = min([d.valid_from for d in defs] + [p.year for p in cat.packs])
    last = max(
        [d.valid_from for d in defs]
        + [d.valid_to for d in defs if d.valid_to is not None]
        + [p.year for p in cat.packs]
    )
    return range(first, last + 1)


def in_force_years(cat: Catalogue) -> dict[str, list[int]]:
    """``id@version`` -> the collection years in which the catalogue puts it in force."""
    out: dict[str, list[int]] = {}
    for year in _year_span(cat):
        for d in cat.in_force(year).values():
            out.setdefault(d.key, []).append(year)
    return out


def _ranges(years: Sequence[int], last_year: int, open_ended: bool) -> str:
    if not years:
        return "never (no year pack puts it in force)"
    parts: list[str] = []
    start = prev = years[0]
    for y in [*years[1:], None]:
        if y is not None and y == prev + 1:
            prev = y
            continue
        end = None if (prev == last_year and open_ended) else prev
        parts.append(_years(start, end))
        if y is not None:
            start = prev = y
    return ", ".join(parts)


# --- one definition -----------------------------------------------------------------------------


def _source_file(d: IndicatorDefinition) -> str | None:
    if not d.source_file:
        return None
    path = Path(d.source_file)
    try:
        from cyp_indicators.resources import bundled_definitions

        return "definitions/" + path.relative_to(bundled_definitions()).as_posix()
    except (ValueError, FileNotFoundError):
        return path.name


def _measure_rows(doc: Mapping[str, Any]) -> list[list[str]]:
    rows = []
    for role in ("numerator", "denominator", "spread"):
        m = doc.get(role)
        if not m:
            continue
        pop = m.get("population")
        population = (
            f"{code(pop['series'])}, year offset {pop['year_offset']:+d}"
            + (" (the mid-year estimate of the year before)" if pop["year_offset"] == -1 else "")
            if pop
            else ""
        )
        label = {"spread": "spread (standard deviation)"}.get(role, role)
        rows.append(
            [
                f"**{label}**",
                cell(m["meaning"]),
                code(m["column"]),
                cell(m["source"]),
                population or "—",
            ]
        )
    return rows


def _measurement_rows(d: IndicatorDefinition, doc: Mapping[str, Any]) -> list[list[str]]:
    unit = doc["unit"]
    label = cyp.unit_label(d)
    pres = doc["presentation"]
    levels = ", ".join(_level(c) for c in doc["confidence_levels"]) or "—"
    rows = [
        ["family", f"{code(doc['family'])}: {_FAMILY_WORDS.get(doc['family'], '')}"],
        ["unit", code(unit) + (f" ({esc(label)})" if label != unit else "")],
        ["multiplier", _number(doc["multiplier"])],
        ["polarity", f"{code(doc['polarity'])} ({esc(d.polarity)})"],
    ]
    if doc.get("polarity_note"):
        rows.append(["polarity note", cell(doc["polarity_note"])])
    rows += [
        ["period type", code(doc["period_type"])],
        [
            "confidence interval",
            f"{code(doc['ci_method'])}: {_CI_WORDS.get(doc['ci_method'], '')}; levels {levels}",
        ],
        [
            "presentation",
            f"{pres['decimal_places']} decimal place{'s' if pres['decimal_places'] != 1 else ''}, "
            f"rounded {code(pres['rounding'])}",
        ],
    ]
    return rows


def _disclosure_rows(doc: Mapping[str, Any]) -> list[list[str]]:
    dis = doc["disclosure"]
    rule = (
        f"counts of 1 to {dis['threshold']} in {', '.join(code(a) for a in dis['applies_to'])} "
        f"are withheld and shown as {code(dis['symbol'])}"
        if dis["threshold"] > 0
        else f"none: threshold 0 (symbol {code(dis['symbol'])}, applies to "
        f"{', '.join(code(a) for a in dis['applies_to'])})"
    )
    rows = [["rule", rule]]
    if dis.get("national_counts_rounded_to"):
        rows.append(
            ["national counts", f"rounded to the nearest {dis['national_counts_rounded_to']}"]
        )
    if dis.get("note"):
        rows.append(["note", cell(dis["note"])])
    return rows


_PROVENANCE_LABELS = {
    "dfe_release": "DfE release",
    "dfe_table": "DfE table",
    "lait_measure_code": "LAIT measure code",
    "lait_short_name": "LAIT short name",
    "lait_short_names": "LAIT short names",
    "ees": "EES file",
    "csc_dashboard_metrics": "DfE CSC dashboard metrics",
    "national_indicator": "National indicator",
    "urls": "Links",
    "notes": "Notes",
}


def _provenance_rows(doc: Mapping[str, Any]) -> list[list[str]]:
    rows = []
    for key, label in _PROVENANCE_LABELS.items():
        value = doc["provenance"].get(key)
        if not value:
            continue
        if key == "urls":
            text = "<br>".join(link(u) for u in value)
        elif key == "ees":
            parts = [code(value["file"])]
            parts += [
                f"{label} {code(value[k])}"
                for k, label in (
                    ("value_column", "value"),
                    ("numerator_column", "numerator"),
                    ("denominator_column", "denominator"),
                    ("breakdown_column", "breakdown"),
                )
                if value.get(k)
            ]
            parts += [f"{code(k)} = {esc(v)}" for k, v in value.get("filters", {}).items()]
            text = "<br>".join(parts)
        elif key in ("dfe_table", "lait_measure_code"):
            text = code(value)
        elif isinstance(value, list):
            text = "<br>".join(cell(v) for v in value)
        else:
            text = cell(value)
        rows.append([label, text])
    return rows


def _column_rows(doc: Mapping[str, Any]) -> list[list[str]]:
    """The definition's input columns beside the columns of the DfE file that publishes them."""
    prov = doc["provenance"]
    ees = prov.get("ees") or {}
    where = code(ees["file"]) if ees else ""
    rows: list[list[str]] = []
    for role, key in (("numerator", "numerator_column"), ("denominator", "denominator_column")):
        measure = doc.get(role)
        if measure and ees.get(key):
            rows.append([role, code(measure["column"]), f"{where} {code(ees[key])}"])
    if ees.get("value_column"):
        rows.append(["published value", "`value`", f"{where} {code(ees['value_column'])}"])
    names = [prov["lait_short_name"]] if prov.get("lait_short_name") else []
    names += prov.get("lait_short_names", [])
    if names:
        rows.append(
            [
                "published value (LAIT)",
                "`value`",
                "LAIT " + ", ".join(code(n) for n in names) + " (`Short Desc`, `Values`)",
            ]
        )
    breakdown = doc.get("breakdown")
    if breakdown and ees.get("breakdown_column"):
        rows.append(
            [
                breakdown["dimension"],
                code(breakdown["column"]),
                f"{where} {code(ees['breakdown_column'])}",
            ]
        )
    for column, value in (ees.get("filters") or {}).items():
        rows.append(["rows chosen", "—", f"{where} {code(column)} = {esc(value)}"])
    return rows


def _history_section(cat: Catalogue, ident: str) -> list[str]:
    """The measures this one replaced or was replaced by, and where its series breaks."""
    lines: list[str] = []
    for r in cat.replaced(ident):
        lines.append(f"* From {r.year} it replaces [{code(r.id)}]({r.id}.md): {cell(r.note)}")
    for r in cat.replaced_by(ident):
        by = ", ".join(f"[{code(b)}]({b}.md)" for b in r.by)
        lines.append(f"* From {r.year} it is replaced by {by}: {cell(r.note)}")
    breaks = cat.breaks(ident)
    for b in breaks:
        kind = "a new major version" if b.kind == "new_version" else "a reform"
        lines.append(
            f"* A time series breaks in {b.year} ({kind}): {code(b.before)} → {code(b.after)}. "
            f"{cell(b.note)}"
        )
    if not lines:
        return []
    return [
        "## Series history",
        "",
        "Figures on either side of a break are on different bases and are not compared as one "
        "series (the report marks the break; `Catalogue.breaks(id)` returns it).",
        "",
        *lines,
        "",
    ]


def _reproduction() -> dict[str, Any]:
    path = Path(__file__).resolve().parents[1] / "docs" / "data" / "reproduction.json"
    return dict(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else {}


def _reproduction_section(d: IndicatorDefinition) -> list[str]:
    """What the test suite reproduced of DfE's figures (``docs/data/reproduction.json``, written
    by ``tools/reproduction.py`` and checked by ``tests/test_reproduction.py``)."""
    run = _reproduction().get(d.key)
    if run is None:
        return []
    causes = ", ".join(f"{n:,} {c}" for c, n in run["causes"].items())
    return [
        "#### Published figures reproduced",
        "",
        f"From {esc(run['components'])}, against {esc(run['published'])}: "
        f"**{esc(run['summary'])}**"
        + (f" (not reproduced: {esc(causes)})" if causes else "")
        + ".",
        "",
    ]


def _breakdown_section(doc: Mapping[str, Any]) -> list[str]:
    b = doc["breakdown"]
    rows = [
        [
            code(level["code"]),
            cell(level["label"]),
            code(level["lait_short_name"]) if level.get("lait_short_name") else "",
            esc(level.get("ees_value", "")),
        ]
        for level in b["levels"]
    ]
    return [
        "#### Breakdown",
        "",
        f"By {esc(b['dimension'])}: the column {code(b['column'])} holds each row's level"
        + (f"; {code(b['total'])} is the total." if b.get("total") else "."),
        "",
        table(["level", "label", "LAIT short name", "EES value"], rows),
        "",
    ]


def _derivation_section(doc: Mapping[str, Any]) -> list[str]:
    der = doc["derivation"]
    from cyp_indicators.records import DERIVATIONS

    spec = DERIVATIONS.get(der["name"])
    out = [
        "#### Derivation from records",
        "",
        f"Derivation {code(der['name'])} of the library's registry"
        + (f": {esc(spec.description)}" if spec and spec.description else "")
        + " See [record-level derivation](../records.md).",
        "",
    ]
    if spec is not None:
        out += [f"Tables read: {', '.join(code(t) for t in spec.tables)}.", ""]
    defaults = dict(spec.parameters) if spec is not None else {}
    given = dict(der.get("parameters") or {})
    names = sorted(set(defaults) | set(given))
    if names:
        out += [
            table(
                ["parameter", "value", "set by"],
                (
                    [
                        code(n),
                        code(json.dumps(given[n] if n in given else defaults[n], default=str)),
                        "this definition" if n in given else "the derivation's default",
                    ]
                    for n in names
                ),
            ),
            "",
        ]
    else:
        out += ["No parameters.", ""]
    return out


def _matrix_section(doc: Mapping[str, Any]) -> list[str]:
    m = doc["matrix"]
    cols = m["columns"]
    header = [f"{esc(m['prior'])} ↓ / {esc(m['outcome'])} →", *(code(c["code"]) for c in cols)]
    rows = [
        [f"{code(r['code'])} {esc(r['label'])}", *(_OUTCOME_WORDS.get(v, v) for v in r["cells"])]
        for r in m["rows"]
    ]

    def axis_rows(axes: Sequence[Mapping[str, Any]]) -> list[list[str]]:
        return [
            [
                code(a["code"]),
                cell(a["label"]),
                ", ".join(code(x) for x in a.get("aliases", ())) or "—",
                _number(a["level"]) if a.get("level") is not None else "—",
                "yes" if a.get("missing") else "",
            ]
            for a in axes
        ]

    axis_header = ["code", "label", "also read as", "level", "takes missing values"]
    return [
        "#### Progress matrix",
        "",
        f"Rows: {esc(m['prior'])}. Columns: {esc(m['outcome'])}. Each cell is the verdict for a "
        "pupil with that prior attainment and outcome; *not included* pupils leave the "
        "denominator. See [expected progress](../progress.md).",
        "",
        table(header, rows),
        "",
        '??? info "Rows and columns: labels, spellings, levels"',
        "",
        "    Rows (prior attainment):",
        "",
        _indent(table(axis_header, axis_rows(m["rows"]))),
        "",
        "    Columns (outcome):",
        "",
        _indent(table(axis_header, axis_rows(cols))),
        "",
    ]


def _pupil_rule_section(doc: Mapping[str, Any]) -> list[str]:
    rule = doc["pupil_rule"]
    from cyp_indicators.progress import PUPIL_RULES

    spec = PUPIL_RULES.get(rule["name"])
    out = [
        "#### Rule for pupil rows",
        "",
        f"Pupil rule {code(rule['name'])} of the library's registry"
        + (f": {esc(spec.description)}" if spec and spec.description else "")
        + " See [pupil rules](../definitions.md#pupil-rules).",
        "",
        f"DfE's rule: {cell(rule['citation'])}",
        "",
    ]
    defaults = dict(spec.parameters) if spec is not None else {}
    given = dict(rule.get("parameters") or {})
    names = sorted(set(defaults) | set(given))
    rows = (
        [
            code(n),
            code(json.dumps(given[n] if n in given else defaults[n], default=list)),
            "this definition" if n in given else "the rule's default",
        ]
        for n in names
    )
    out += [table(["parameter", "value", "set by"], rows), ""] if names else ["No parameters.", ""]
    return out


def _indent(text: str) -> str:
    return "\n".join("    " + line if line else line for line in text.splitlines())


def _version_section(
    d: IndicatorDefinition, cat: Catalogue, in_force: Mapping[str, list[int]], latest: bool
) -> list[str]:
    doc = d.to_mapping()
    unknown = set(doc) - _RENDERED_KEYS
    for key, subkeys in _RENDERED_SUBKEYS.items():
        if isinstance(doc.get(key), Mapping):
            unknown |= {f"{key}.{k}" for k in set(doc[key]) - subkeys}
    if unknown:
        msg = f"{d.key}: the data dictionary does not render {sorted(unknown)}; add them to tools/gen_docs.py"
        raise ValueError(msg)
    version = doc["version"]
    span = _year_span(cat)
    years = in_force.get(d.key, [])
    out = [
        f"## Version {version}{' (latest)' if latest else ''} {{ #{_anchor(version)} }}",
        "",
        f"**{esc(doc['title'])}**",
        "",
        esc(doc["description"]),
        "",
        table(
            ["field", "value"],
            [
                ["id@version", code(d.key)],
                ["topic", f"{code(doc['topic'])} ({esc(_topic_title(doc['topic']))})"],
                ["valid years", _years(doc["valid_from"], doc.get("valid_to"))],
                [
                    "in force (year chain)",
                    _ranges(years, span[-1], open_ended=doc.get("valid_to") is None),
                ],
                ["keywords", ", ".join(esc(k) for k in doc["keywords"]) or "—"],
                *([["file", code(f)]] if (f := _source_file(d)) else []),
            ],
        ),
        "",
        "#### What is counted",
        "",
        table(["role", "meaning", "column", "source", "population"], _measure_rows(doc)),
        "",
        "#### Measurement and presentation",
        "",
        table(["field", "value"], _measurement_rows(d, doc)),
        "",
        "#### Disclosure control",
        "",
        table(["field", "value"], _disclosure_rows(doc)),
        "",
        "#### Provenance",
        "",
    ]
    prov = _provenance_rows(doc)
    out += [table(["field", "value"], prov) if prov else "None recorded.", ""]
    columns = _column_rows(doc)
    if columns:
        out += [
            "#### Columns in DfE's files",
            "",
            "The input column the definition reads, beside the column of DfE's file that holds "
            "the same figure (`cyp.published` reads the value; `compute` takes the components).",
            "",
            table(["figure", "input column", "DfE's file and column"], columns),
            "",
        ]
    out += _reproduction_section(d)
    if doc.get("breakdown"):
        out += _breakdown_section(doc)
    out += ["#### Caveats", ""]
    out += [f"* {cell(c)}" for c in doc["caveats"]] or ["None recorded."]
    out += [""]
    if doc.get("derivation"):
        out += _derivation_section(doc)
    if doc.get("pupil_rule"):
        out += _pupil_rule_section(doc)
    if doc.get("matrix"):
        out += _matrix_section(doc)
    out += [
        "#### Changelog",
        "",
        table(
            ["version", "date", "change"],
            ([code(e["version"]), esc(e["date"]), cell(e["change"])] for e in doc["changelog"]),
        ),
        "",
    ]
    return out


def definition_page(cat: Catalogue, ident: str, in_force: Mapping[str, list[int]]) -> str:
    """The dictionary page of one id: a summary of its versions, then each version in full."""
    history = cat.history(ident)
    latest = history[-1]
    span = _year_span(cat)
    latest_years = in_force.get(latest.key) or [latest.valid_from]
    example_year = latest_years[-1]
    out = [
        f"# {esc(latest.title)}",
        "",
        f"{code(ident)} · topic {esc(_topic_title(latest.topic))} · family "
        f"{code(latest.family.value)} · unit {esc(cyp.unit_label(latest))} · "
        f"{len(history)} version{'s' if len(history) != 1 else ''}",
        "",
        table(
            ["version", "title", "valid years", "in force (year chain)"],
            (
                [
                    f"[{d.version}](#{_anchor(str(d.version))})",
                    cell(d.title),
                    _years(d.valid_from, d.valid_to),
                    _ranges(in_force.get(d.key, []), span[-1], open_ended=d.valid_to is None),
                ]
                for d in reversed(history)
            ),
        ),
        "",
        f'Load it with `cyp.load_catalogue().get("{ident}")` (the latest version), '
        f'`version="{history[0].version.major}"` (a pinned major version) or `year={example_year}` '
        "(the version in force in that collection year). A change of meaning is a new major "
        "version; see [versions and the year chain](../concepts.md#versions-and-the-year-chain).",
        "",
        *_history_section(cat, ident),
    ]
    for d in reversed(history):
        out += _version_section(d, cat, in_force, latest=d is latest)
    return "\n".join(out).rstrip() + "\n"


# --- the index ----------------------------------------------------------------------------------


def _by_topic(cat: Catalogue) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for ident in cat.ids:
        groups.setdefault(cat.get(ident).topic, []).append(ident)
    order = [t for t in TOPICS if t in groups] + sorted(set(groups) - set(TOPICS))
    return {t: groups[t] for t in order}


def dictionary_index(cat: Catalogue) -> str:
    """The dictionary's front page: every id by topic, linking to its page."""
    groups = _by_topic(cat)
    versions = len(cat)
    out = [
        "# Data dictionary",
        "",
        f"Every indicator of the bundled catalogue — {len(cat.ids)} ids, {versions} versions — "
        "with its full history. Each page shows every version as its definition file states "
        "it: title and description, what is counted (numerator and denominator: meaning, input "
        "column, source, population), unit, multiplier, polarity and why, period type, "
        "confidence interval, presentation, disclosure control, valid years and the years the "
        "year chain keeps it in force, provenance (DfE release and table, LAIT measure, "
        "national indicator), caveats, the record-level derivation and its parameters, the "
        "matrix of an expected-progress measure, and the changelog.",
        "",
        "The pages are generated from `cyp_indicators.load_catalogue()` each time the site is "
        "built, so they say what the library computes. [Writing definitions](../definitions.md) "
        "explains the fields; a council's own definitions are checked the same way.",
        "",
        "Topics: " + " · ".join(f"[{esc(_topic_title(t))}](#{t})" for t in groups),
        "",
    ]
    for topic, idents in groups.items():
        out += [f"## {esc(_topic_title(topic))} {{ #{topic} }}", ""]
        rows = []
        for ident in idents:
            history = cat.history(ident)
            d = history[-1]
            first = min(h.valid_from for h in history)
            last = None if any(h.valid_to is None for h in history) else d.valid_to
            rows.append(
                [
                    f"[{cell(d.title)}]({ident}.md)<br>{code(ident)}",
                    code(d.family.value),
                    esc(cyp.unit_label(d)),
                    esc(d.polarity),
                    ", ".join(str(h.version) for h in history),
                    _years(first, last),
                ]
            )
        out += [
            table(
                [
                    "indicator (latest title) and id",
                    "family",
                    "unit",
                    "polarity",
                    "versions",
                    "years",
                ],
                rows,
            ),
            "",
        ]
    return "\n".join(out).rstrip() + "\n"


def _named_by(cat: Catalogue) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """LAIT short name -> ids (with level) naming it; dashboard metric -> ids naming it."""
    lait: dict[str, list[str]] = {}
    metrics: dict[str, list[str]] = {}
    for ident in cat.ids:
        for d in cat.history(ident):
            prov = d.provenance
            where = f"[{code(ident)}]({ident}.md)"
            levels = d.breakdown.levels if d.breakdown is not None else ()
            by_level = {lv.lait_short_name: lv.code for lv in levels if lv.lait_short_name}
            for name in prov.lait_series:
                label = f"{where} level {code(by_level[name])}" if name in by_level else where
                if label not in lait.setdefault(name, []):
                    lait[name].append(label)
            metric_levels = {
                lv.csc_dashboard_metric: lv.code for lv in levels if lv.csc_dashboard_metric
            }
            for metric in prov.csc_dashboard_metrics:
                label = (
                    f"{where} level {code(metric_levels[metric])}"
                    if metric in metric_levels
                    else where
                )
                if label not in metrics.setdefault(metric, []):
                    metrics[metric].append(label)
    return lait, metrics


def published_series_page(cat: Catalogue) -> str:
    """Every LAIT measure and every DfE dashboard metric beside the definition that serves it."""
    from cyp_indicators.sources import lait_dictionary
    from cyp_indicators.sources.dashboard import dashboard_metrics

    lait, metrics = _named_by(cat)
    dictionary = lait_dictionary().unique("Measure_short", keep="first", maintain_order=True)
    lait_rows = [
        [
            code(row["Measure_code"] or "—"),
            code(row["Measure_short"]),
            esc(row["Topic"]),
            cell(row["Measure"]),
            "<br>".join(lait.get(row["Measure_short"], [])) or "not in the catalogue",
        ]
        for row in dictionary.iter_rows(named=True)
    ]
    covered = sum(1 for r in dictionary["Measure_short"] if r in lait)
    board = dashboard_metrics()
    metric_rows = [
        [
            esc(row["sort_order"]),
            esc(row["heading_text"]),
            cell(row["metric_display_text"]),
            "<br>".join(metrics.get(row["metric_display_text"], [])) or "not in the catalogue",
        ]
        for row in board.iter_rows(named=True)
    ]
    mapped = sum(1 for m in board["metric_display_text"] if m in metrics)
    out = [
        "# Where DfE publishes each measure",
        "",
        "Every measure of DfE's Local Authority Interactive Tool (LAIT) and every metric of DfE's "
        "children's social care dashboard, beside the definition whose `cyp.published(id)` "
        "returns its figures (and the breakdown level, where one definition serves several "
        "published series). Generated from the catalogue and the bundled LAIT data dictionary "
        "and dashboard metadata when the site is built.",
        "",
        f"## LAIT: {covered} of {dictionary.height} measures {{ #lait }}",
        "",
        table(["code", "short name", "topic", "measure", "definition"], lait_rows),
        "",
        f"## DfE children's social care dashboard: {mapped} of {board.height} metrics "
        "{ #dashboard }",
        "",
        table(["#", "heading", "metric", "definition"], metric_rows),
        "",
    ]
    return "\n".join(out).rstrip() + "\n"


def _summary(cat: Catalogue) -> str:
    """The dictionary's navigation (literate-nav): the index, then the ids by topic."""
    out = ["* [Index](index.md)", "* [Where DfE publishes each measure](published.md)"]
    for topic, idents in _by_topic(cat).items():
        out.append(f"* {_topic_title(topic)}")
        out += [f"    * [{ident}]({ident}.md)" for ident in idents]
    return "\n".join(out) + "\n"


def dictionary_pages(cat: Catalogue | None = None) -> dict[str, str]:
    """Every page of the data dictionary: path inside ``dictionary/`` -> Markdown.

    ``index.md`` lists the ids by topic, ``<id>.md`` holds one id's history and ``SUMMARY.md``
    is the navigation. ``cat`` defaults to the bundled catalogue.
    """
    cat = cat if cat is not None else cyp.load_catalogue()
    in_force = in_force_years(cat)
    pages = {
        "index.md": dictionary_index(cat),
        "published.md": published_series_page(cat),
        "SUMMARY.md": _summary(cat),
    }
    for ident in cat.ids:
        pages[f"{ident}.md"] = definition_page(cat, ident, in_force)
    return pages


def write_dictionary(out_dir: str | Path, cat: Catalogue | None = None) -> list[Path]:
    """Write the data dictionary's pages into ``out_dir`` (created); returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in dictionary_pages(cat).items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


# --- the API index ------------------------------------------------------------------------------

#: The reference pages (paths inside ``docs/reference/``), in the order of the navigation, with
#: the modules each documents. A public name defined in a module no page lists is documented on
#: the generated ``other.md``, so a new export never goes undocumented.
REFERENCE_PAGES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("catalogue.md", "Catalogue", ("cyp_indicators.catalogue", "cyp_indicators.loader")),
    ("model.md", "Definition model", ("cyp_indicators.model",)),
    ("compute.md", "compute", ("cyp_indicators.compute",)),
    ("stats/measures.md", "Statistics: measures", ("cyp_indicators.stats.measures",)),
    ("stats/intervals.md", "Statistics: intervals", ("cyp_indicators.stats.intervals",)),
    (
        "stats/rounding-symbols.md",
        "Statistics: rounding and symbols",
        ("cyp_indicators.stats.rounding", "cyp_indicators.stats.symbols"),
    ),
    ("presentation.md", "Presentation", ("cyp_indicators.presentation",)),
    (
        "population.md",
        "Population and data",
        ("cyp_indicators.population", "cyp_indicators.datasets", "cyp_indicators.io"),
    ),
    (
        "published.md",
        "Published values",
        ("cyp_indicators.sources", "cyp_indicators.years"),
    ),
    ("geography.md", "Geography", ("cyp_indicators.geography",)),
    ("units.md", "Units", ("cyp_indicators.units",)),
    ("compare/aggregate.md", "Comparisons: aggregate", ("cyp_indicators.compare.aggregate",)),
    ("compare/ranks.md", "Comparisons: ranks and bands", ("cyp_indicators.compare.ranks",)),
    ("compare/gaps.md", "Comparisons: gaps and change", ("cyp_indicators.compare.gaps",)),
    (
        "compare/significance.md",
        "Comparisons: significance and RAG",
        ("cyp_indicators.compare.significance",),
    ),
    ("compare/trend.md", "Comparisons: trend", ("cyp_indicators.compare.trend",)),
    ("compare/funnel.md", "Comparisons: funnel plots", ("cyp_indicators.compare.funnel",)),
    ("compare/benchmark.md", "Comparisons: benchmark table", ("cyp_indicators.compare.benchmark",)),
    ("compare/groups.md", "Comparisons: comparator groups", ("cyp_indicators.compare.groups",)),
    ("progress.md", "Expected progress and attainment", ("cyp_indicators.progress",)),
    (
        "records/index.md",
        "Records",
        ("cyp_indicators.records.registry", "cyp_indicators.records.accounting"),
    ),
    ("records/derive.md", "Records: derive", ("cyp_indicators.records.derive",)),
    ("records/periods.md", "Records: periods", ("cyp_indicators.records.periods",)),
    ("records/workdays.md", "Records: working days", ("cyp_indicators.records.workdays",)),
    ("records/readers.md", "Records: readers", ("cyp_indicators.records.readers",)),
    ("errors.md", "Errors", ("cyp_indicators.errors",)),
)
OTHER_PAGE = "other.md"


def _page_of(module: str) -> str | None:
    """The reference page documenting ``module`` (the longest listed prefix), if any."""
    best: tuple[int, str] | None = None
    for page, _title, modules in REFERENCE_PAGES:
        for m in modules:
            if (module == m or module.startswith(m + ".")) and (best is None or len(m) > best[0]):
                best = (len(m), page)
    return best[1] if best else None


def _summary_line(doc: str | None) -> str:
    """The first paragraph of a docstring, on one line, safe in a table cell."""
    if not doc:
        return ""
    first = doc.strip().split("\n\n")[0]
    return " ".join(first.split()).replace("|", "\\|")


def _load_package() -> Any:
    import griffe

    src = Path(__file__).resolve().parents[1] / "src"
    return griffe.load(
        "cyp_indicators",
        search_paths=[str(src)],
        resolve_aliases=True,
        extensions=griffe.load_extensions(SphinxRoles),
    )


def api_pages() -> dict[str, str]:
    """The generated reference pages: ``index.md`` and ``other.md`` (paths in ``reference/``).

    ``index.md`` lists every name of ``cyp_indicators.__all__`` by reference page, linked to its
    canonical path (where it is defined), with the first line of its docstring. ``other.md``
    documents the modules of public names that no page of :data:`REFERENCE_PAGES` covers.
    """
    import griffe

    pkg = _load_package()
    titles = {page: title for page, title, _ in REFERENCE_PAGES}
    order = [page for page, _, _ in REFERENCE_PAGES] + [OTHER_PAGE]
    groups: dict[str, list[list[str]]] = {}
    uncovered: list[str] = []
    for name in cyp.__all__:
        if name == "__version__":
            continue
        obj = pkg[name]
        target = obj.final_target if isinstance(obj, griffe.Alias) else obj
        if target.is_module and name in target.members:  # `compute` the function, not the module
            member = target.members[name]
            target = member.final_target if isinstance(member, griffe.Alias) else member
        module = target.module.path
        page = _page_of(module)
        if page is None:
            page = OTHER_PAGE
            if module not in uncovered:
                uncovered.append(module)
        doc = target.docstring.value if target.docstring else ""
        groups.setdefault(page, []).append(
            [f"[`{name}`][{target.path}]", target.kind.value, _summary_line(doc)]
        )
    index = [
        "# API reference",
        "",
        "Every name below is importable from the top level (`import cyp_indicators as cyp`). The",
        "pages of this section document each module from its docstrings (numpy style); every",
        "function states its units and polarity where they apply. This index is generated from",
        "`cyp_indicators.__all__` when the site is built.",
        "",
        "::: cyp_indicators",
        "    options:",
        "      members: false",
        "      show_root_heading: false",
        "",
        f"`cyp_indicators.__version__` is `{cyp.__version__}`.",
        "",
    ]
    for page in order:
        if page not in groups:
            continue
        title = titles.get(page, "Other modules")
        index += [f"## [{title}]({page})", "", table(["name", "kind", "summary"], groups[page]), ""]
    other = [
        "# Other modules",
        "",
        "Modules of public names that have no page of their own yet (generated: add the module to",
        "`REFERENCE_PAGES` in `tools/gen_docs.py` and a page under `docs/reference/` to move it).",
        "",
    ]
    other += [f"::: {m}\n" for m in uncovered] or ["Every public module has its own page.", ""]
    return {"index.md": "\n".join(index), OTHER_PAGE: "\n".join(other)}


# --- the griffe extension -----------------------------------------------------------------------

_ROLE = re.compile(r":(?:py:)?(func|class|meth|attr|mod|data|obj|exc):`(~?)([^`<>]+?)`")
_SECTION_RULE = re.compile(r"^\s*-{3,}\s*$")


def markdownify(text: str) -> str:
    """The reST habits of numpy docstrings, as Markdown.

    A paragraph ending ``::`` ends with ``:`` (the indented block after it is already code), and
    a doctest outside an "Examples" section (griffe renders those) becomes a fenced ``pycon``
    block instead of a quotation.
    """
    lines = text.splitlines()
    out: list[str] = []
    in_examples = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if i + 1 < len(lines) and _SECTION_RULE.match(lines[i + 1]) and line.strip():
            in_examples = line.strip() == "Examples"
        stripped = line.lstrip()
        if stripped.startswith(">>>") and not in_examples:
            indent = line[: len(line) - len(stripped)]
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i])
                i += 1
            if out and out[-1].strip():
                out.append("")
            out += [f"{indent}```pycon", *block, f"{indent}```"]
            continue
        if line.rstrip().endswith("::") and (i + 1 == len(lines) or not lines[i + 1].strip()):
            line = line.rstrip()[:-1]
        out.append(line)
        i += 1
    return "\n".join(out)


try:
    import griffe as _griffe
except ImportError:  # pragma: no cover - the docs extra is not installed
    _griffe = None  # type: ignore[assignment]


if _griffe is not None:

    class SphinxRoles(_griffe.Extension):
        """Teach griffe the conventions of this package's docstrings.

        * Sphinx roles (``:func:`compute```) become links to the object the name resolves to
          from the docstring's scope, shown as code; a name the reference does not document
          stays code (the link is optional).
        * ``#:`` comments above a module or class attribute are its docstring (Sphinx style).
        * attrs classes get the ``__init__`` attrs generates, so their signature and their
          "Parameters" sections show.
        """

        def on_package(self, *, pkg: Any, **kwargs: Any) -> None:
            self._walk(pkg, set())

        def _walk(self, obj: Any, seen: set[str]) -> None:
            if obj.path in seen or obj.is_alias:
                return
            seen.add(obj.path)
            if obj.is_attribute and obj.docstring is None:
                self._comment_docstring(obj)
            if obj.is_class:
                self._attrs_init(obj)
            if obj.docstring is not None:
                text = markdownify(obj.docstring.value)
                obj.docstring.value = _ROLE.sub(lambda m: self._replace(obj, m), text)
            for member in list(obj.members.values()):
                if not member.is_alias:
                    self._walk(member, seen)

        @staticmethod
        def _comment_docstring(attr: Any) -> None:
            """``#:`` comment lines right above the attribute become its docstring."""
            if not attr.lineno or attr.filepath is None:
                return
            try:
                lines = attr.lines_collection[attr.filepath]
            except KeyError:
                return
            found: list[str] = []
            i = attr.lineno - 2
            while i >= 0 and lines[i].strip().startswith("#:"):
                found.insert(0, lines[i].strip()[2:].strip())
                i -= 1
            if found:
                attr.docstring = _griffe.Docstring(
                    "\n".join(found), lineno=i + 2, endlineno=attr.lineno - 1, parent=attr
                )

        @staticmethod
        def _attrs_init(cls: Any) -> None:
            """Add the ``__init__`` that attrs generates (griffe reads source, not attrs)."""
            if "__init__" in cls.members or not any(
                "attr" in str(d.value).split(".")[0] for d in cls.decorators
            ):
                return
            import importlib

            import attrs

            try:
                runtime = getattr(importlib.import_module(cls.module.path), cls.name)
            except (ImportError, AttributeError):
                return
            if not attrs.has(runtime):
                return
            kind = _griffe.ParameterKind
            params = [_griffe.Parameter("self", kind=kind.positional_or_keyword)]
            for field in attrs.fields(runtime):
                if not field.init:
                    continue
                default: str | None = None
                if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
                    factory = field.default.factory
                    default = f"{getattr(factory, '__name__', 'factory')}()"
                elif field.default is not attrs.NOTHING:
                    default = repr(field.default)
                params.append(
                    _griffe.Parameter(
                        field.alias,
                        annotation=field.type if isinstance(field.type, str) else None,
                        kind=kind.keyword_only if field.kw_only else kind.positional_or_keyword,
                        default=default,
                    )
                )
            init = _griffe.Function(
                "__init__",
                lineno=cls.lineno,
                endlineno=cls.lineno,
                parameters=_griffe.Parameters(*params),
                returns="None",
            )
            cls.set_member("__init__", init)

        @staticmethod
        def _lookup(obj: Any, path: str, *, module: bool) -> str | None:
            """The canonical path of ``path`` in the loaded package, or None if it has none."""
            try:
                found = obj.modules_collection[path]
                found = found.final_target if found.is_alias else found
            except Exception:  # not loaded (polars, datetime) or not resolvable
                return None
            last = path.rsplit(".", 1)[-1]
            if found.is_module and not module and last in found.members:
                member = found.members[last]  # the function `compute`, not its module
                found = member.final_target if member.is_alias else member
            return str(found.path)

        def _resolve(self, obj: Any, name: str, *, module: bool = False) -> str | None:
            if "." in name and (found := self._lookup(obj, name, module=module)):
                return found
            scope = obj if (obj.is_class or obj.is_module) else obj.parent
            head, _, rest = name.partition(".")
            while scope is not None:
                try:
                    path = scope.resolve(head)
                except Exception:  # any failure: try the enclosing scope
                    scope = scope.parent
                    continue
                full = f"{path}.{rest}" if rest else str(path)
                return self._lookup(obj, full, module=module) or full
            return name if "." in name else None

        def _replace(self, obj: Any, m: re.Match[str]) -> str:
            _role, tilde, name = m.groups()
            name = name.strip()
            shown = name.rsplit(".", 1)[-1] if tilde else name
            if _role in ("func", "meth"):
                shown += "()"
            target = self._resolve(obj, name, module=_role == "mod")
            text = f"<code>{shown}</code>"
            if target is None:
                return text
            return f'<autoref identifier="{target}" optional>{text}</autoref>'


# --- entry points -------------------------------------------------------------------------------


def _generate_for_mkdocs() -> None:
    import mkdocs_gen_files
    from mkdocs.structure.files import InclusionLevel
    from mkdocs_gen_files.editor import FilesEditor

    for name, text in dictionary_pages().items():
        with mkdocs_gen_files.open(f"{DICTIONARY_DIR}/{name}", "w") as f:
            f.write(text)
    for name, text in api_pages().items():
        with mkdocs_gen_files.open(f"reference/{name}", "w") as f:
            f.write(text)
    # The dictionary's SUMMARY.md is navigation for literate-nav, not a page of the site.
    nav = FilesEditor.current().files.get_file_from_path(f"{DICTIONARY_DIR}/SUMMARY.md")
    if nav is not None:
        nav.inclusion = InclusionLevel.EXCLUDED


if __name__ == "<run_path>":  # run by mkdocs-gen-files
    _generate_for_mkdocs()
elif __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tools/gen_docs.py OUT_DIR  (writes the data dictionary)")
    paths = write_dictionary(sys.argv[1])
    print(f"{len(paths)} files written to {sys.argv[1]}")
