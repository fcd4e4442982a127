"""Write ``validation/pupil_rules.json``: the pupil-level rules a definition may name, with their
kind (``share`` or ``mean``) and parameters (and defaults), generated from the library's registry
(``cyp_indicators.progress.PUPIL_RULES``). Definition loading checks a ``[pupil_rule]`` against
it, so a misspelt name or parameter is refused when the file is read, not inside
``compute_from_pupils``; ``tests/test_pupil_rules.py`` fails when the file no longer matches the
registry. Run after adding or changing a rule:

    .venv/bin/python tools/gen_pupil_rules.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "validation" / "pupil_rules.json"


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def pupil_rules() -> dict[str, Any]:
    """The registry as plain data, sorted by name."""
    from cyp_indicators.progress import PUPIL_RULES

    return {
        name: {
            "description": spec.description,
            "kind": spec.kind,
            "parameters": {k: _plain(spec.parameters[k]) for k in sorted(spec.parameters)},
        }
        for name, spec in sorted(PUPIL_RULES.items())
    }


def main() -> None:
    OUT.write_text(json.dumps(pupil_rules(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
