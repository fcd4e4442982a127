"""Safe, streaming XML: no DTDs, no entities, no network.

The standard library's expat parser does not fetch external entities, but a document type
declaration can still define entities that expand (the "billion laughs"). These readers refuse
any document holding ``<!DOCTYPE`` or ``<!ENTITY``: the first :data:`PROBE_BYTES` are checked
before parsing starts, and every later chunk is checked as the parser reads it (in UTF-8 and in
the UTF-16/32 byte orders too), so a declaration is refused wherever it is.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import BinaryIO

from ...errors import DataError

__all__ = ["PROBE_BYTES", "local_name", "safe_iterparse", "stream_elements", "text_of"]

#: How much of the file is checked before parsing starts.
PROBE_BYTES = 64 * 1024

_MARKERS = tuple(
    marker.encode(codec)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for codec in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)
_OVERLAP = max(len(m) for m in _MARKERS)


def _refuse(name: str) -> DataError:
    return DataError(
        f"{name}: the XML holds a <!DOCTYPE or <!ENTITY declaration; such documents are "
        "refused (no DTDs or entities are read, for safety)"
    )


def _has_marker(data: bytes) -> bool:
    upper = data.upper()
    return any(m in upper for m in _MARKERS)


class _GuardedReader:
    """A binary file whose every chunk is checked for DTD or entity declarations."""

    def __init__(self, raw: BinaryIO, name: str) -> None:
        self._raw = raw
        self._name = name
        self._tail = b""

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size)
        if _has_marker(self._tail + chunk):
            raise _refuse(self._name)
        self._tail = chunk[-_OVERLAP:] if chunk else self._tail
        return chunk


def safe_iterparse(path: Path) -> Iterator[tuple[str, ET.Element]]:
    """``(event, element)`` pairs for ``start`` and ``end`` from ElementTree's iterparse.

    Raises
    ------
    DataError
        The file is empty, holds a DTD or entity declaration, or is not well-formed XML; the
        message names the file.
    """
    name = str(path)
    with path.open("rb") as raw:
        head = raw.read(PROBE_BYTES)
        if not head.removeprefix(b"\xef\xbb\xbf").strip():
            raise DataError(f"{name}: the file is empty")
        if _has_marker(head):
            raise _refuse(name)
        raw.seek(0)
        try:
            yield from ET.iterparse(_GuardedReader(raw, name), events=("start", "end"))
        except ET.ParseError as exc:
            raise DataError(f"{name}: not well-formed XML ({exc})") from exc


def local_name(tag: str) -> str:
    """The tag without its namespace (``{uri}Child`` -> ``Child``)."""
    return tag.rpartition("}")[2] if tag[:1] == "{" else tag


def text_of(element: ET.Element) -> str | None:
    """The element's own text, stripped; ``None`` when empty. Tail text is ignored."""
    text = element.text
    if text is None:
        return None
    text = text.strip()
    return text or None


def stream_elements(
    path: Path, wanted: Collection[tuple[str, ...]], starts: Collection[tuple[str, ...]] = ()
) -> Iterator[tuple[str, tuple[str, ...], ET.Element]]:
    """Stream ``(event, tag path, element)`` with bounded memory, freeing every element it ends.

    ``tag path`` is the local names from the root down to the element. Given are the root's
    ``start`` (to check what the document is), the ``start`` of every element whose tag path is
    in ``wanted`` or ``starts``, and the ``end`` of a wanted one with the element complete. Every element is then detached
    from its parent once it ends (after it is given, for a wanted one), so memory holds only the
    elements still open and the subtree of a wanted element being read: a large element anywhere
    else in the document (outside ``<Children>``, say) is never held whole.

    Raises
    ------
    DataError
        As :func:`safe_iterparse`.
    """
    wanted_paths = frozenset(wanted)
    announced = wanted_paths | frozenset(starts)
    stack: list[ET.Element] = []
    tags: list[str] = []
    keep = 0  # how many open elements are wanted (their subtrees stay until they end)
    for event, element in safe_iterparse(path):
        if event == "start":
            stack.append(element)
            tags.append(local_name(element.tag))
            here = tuple(tags)
            if len(stack) == 1 or here in announced:
                yield event, here, element
            if here in wanted_paths:
                keep += 1
            continue
        here = tuple(tags)
        is_wanted = here in wanted_paths
        if is_wanted:
            yield event, here, element
            keep -= 1
        stack.pop()
        tags.pop()
        if keep:
            continue  # part of a wanted subtree still being read
        element.clear()
        if stack:
            # the parser reads ahead, so the parent may already hold later children; its
            # earlier ones were detached as they ended, so the ended element is the first
            parent = stack[-1]
            if len(parent) and parent[0] is element:
                del parent[0]
