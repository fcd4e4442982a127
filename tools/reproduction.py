"""Write ``docs/data/reproduction.json``: for every definition DfE publishes components of, how many
published figures the library reproduces from them (``cyp_indicators.sources.reproduce``).

The data dictionary prints these counts beside each definition; ``tests/test_reproduction.py``
runs the same reproduction and fails when this file no longer matches it. Run after changing a
definition or the bundled data:

    .venv/bin/python tools/reproduction.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cyp_indicators as cyp
from cyp_indicators.sources.reproduce import reproduce, reproducible

OUT = Path(__file__).resolve().parents[1] / "docs" / "data" / "reproduction.json"


def summaries(catalogue: cyp.Catalogue | None = None) -> dict[str, dict[str, Any]]:
    """Each reproducible definition version's counts, keyed by ``id@version``."""
    cat = catalogue or cyp.load_catalogue()
    out: dict[str, dict[str, Any]] = {}
    for d in cat:
        if not reproducible(d):
            continue
        r = reproduce(d, catalogue=cat)
        out[d.key] = {
            "published": r.published,
            "components": r.components,
            "la_years": r.la_years,
            "la_years_reproduced": r.la_years_reproduced,
            "la_years_published": r.la_years_published,
            "aggregates": r.aggregates,
            "aggregates_reproduced": r.aggregates_reproduced,
            "causes": dict(sorted(r.causes.items())),
            "summary": r.summary,
        }
    return dict(sorted(out.items()))


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(summaries(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
