"""Write ``validation/derivations.json``: the record-level derivations a definition may name, with
their parameters (and defaults) and the tables they read, generated from the library's registry
(``cyp_indicators.records.DERIVATIONS``). Definition loading checks a ``[derivation]`` against
it, so a misspelt name or parameter is refused when the file is read, not inside ``derive``;
``tests/test_catalogue.py`` fails when the file no longer matches the registry. Run after adding
or changing a derivation:

    .venv/bin/python tools/gen_derivations.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "validation" / "derivations.json"


def derivations() -> dict[str, Any]:
    """The registry as plain data, sorted by name."""
    from cyp_indicators.records import DERIVATIONS

    return {
        name: {
            "description": spec.description,
            "tables": list(spec.tables),
            "parameters": {k: spec.parameters[k] for k in sorted(spec.parameters)},
        }
        for name, spec in sorted(DERIVATIONS.items())
    }


def main() -> None:
    OUT.write_text(json.dumps(derivations(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
