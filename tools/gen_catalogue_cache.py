"""Write src/cyp_indicators/data/catalogue_cache.json: the bundled definitions as read and checked.

Run after changing a bundled definition, pack, schema or registry:
``.venv/bin/python tools/gen_catalogue_cache.py`` (``--check`` exits 1 when the file is stale).
The library uses the record only while every file is byte for byte what was checked, so a stale
record costs time (a full read), never a wrong definition; the tests keep it current.
"""

from __future__ import annotations

import json
import sys

from cyp_indicators.catalogue_cache import CACHE_NAME, build_cache
from cyp_indicators.resources import data_file


def render() -> str:
    """The record as written: sorted keys, one line per file entry is not needed; stable JSON."""
    return (
        json.dumps(build_cache(), ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    )


def main(argv: list[str]) -> int:
    path = data_file(CACHE_NAME)
    text = render()
    if "--check" in argv:
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        if current != text:
            print(f"{path} is stale: run python tools/gen_catalogue_cache.py", file=sys.stderr)
            return 1
        return 0
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
