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
from typing import Any, BinaryIO

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
    # every marker holds "!" (0x21) in every encoding checked: most chunks have none
    if b"!" not in data:
        return False
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


#: Bytes fed to the parser at a time: elements that end within a chunk are freed after it.
CHUNK_BYTES = 64 * 1024


def _chunks(path: Path) -> Iterator[bytes]:
    """The file in chunks, refusing a DTD or entity declaration anywhere (see the module)."""
    name = str(path)
    with path.open("rb") as raw:
        head = raw.read(PROBE_BYTES)
        if not head.removeprefix(b"\xef\xbb\xbf").strip():
            raise DataError(f"{name}: the file is empty")
        if _has_marker(head):
            raise _refuse(name)
        guarded = _GuardedReader(raw, name)
        yield head
        guarded._tail = head[-_OVERLAP:]  # a marker split across the probe's end is found
        while chunk := guarded.read(CHUNK_BYTES):
            yield chunk


def stream_elements(
    path: Path, wanted: Collection[tuple[str, ...]], starts: Collection[tuple[str, ...]] = ()
) -> Iterator[tuple[str, tuple[str, ...], ET.Element]]:
    """Stream ``(event, tag path, element)`` with bounded memory, freeing every element once
    it has ended.

    ``tag path`` is the local names from the root down to the element. Given, in document
    order, are the root's ``start`` (to check what the document is), the ``start`` of every
    element whose tag path is in ``wanted`` or ``starts``, and the ``end`` of a wanted one with
    the element complete. The file is parsed a chunk (:data:`CHUNK_BYTES`) at a time by
    ElementTree's C parser building the tree; after each chunk the elements that have ended
    are handed over (wanted ones) and detached from their parents, so memory holds only the
    elements still open, those of one chunk, and the subtree of a wanted element being read:
    a large element anywhere else in the document (outside ``<Children>``, say) is never held
    whole. Walking the tree once per chunk, instead of handling an event per element, leaves
    the parsing to C.

    Raises
    ------
    DataError
        As :func:`safe_iterparse`.
    """
    name = str(path)
    wanted_paths = frozenset(wanted)
    announced = wanted_paths | frozenset(starts)
    # tag paths that lead to a wanted or announced element: only those are walked into
    leads = frozenset(p[:i] for p in announced for i in range(1, len(p)))
    parser: Any = ET.XMLPullParser(events=("start",))
    root: ET.Element | None = None
    seen: set[int] = set()  # announced elements already given (by id, while they are held)
    try:
        for chunk in _chunks(path):
            parser.feed(chunk)
            if root is None:
                root = _first_start(parser)
                if root is None:
                    continue
                yield "start", (local_name(root.tag),), root
            _drain(parser)  # nothing queued once the parser is told to stop (see above)
            yield from _walk(root, (local_name(root.tag),), False, wanted_paths, announced,
                             leads, seen)  # fmt: skip
        parser.close()
        if root is None:
            root = _first_start(parser)
            if root is None:
                return
            yield "start", (local_name(root.tag),), root
        yield from _walk(root, (local_name(root.tag),), True, wanted_paths, announced, leads, seen)
    except ET.ParseError as exc:
        raise DataError(f"{name}: not well-formed XML ({exc})") from exc


def _first_start(parser: Any) -> ET.Element | None:
    """The root element once the parser has met it; then the parser is told to stop queueing
    an event per element (the tree is walked instead). Where it cannot be told (a Python
    without CPython's parser internals), :func:`_drain` empties the queue after every chunk."""
    root: ET.Element | None = None
    for _, element in parser.read_events():
        root = element
        break
    if root is not None and not _stop_events(parser):
        _drain(parser)
    return root


def _stop_events(parser: Any) -> bool:
    """Tell CPython's XMLPullParser to stop queueing events; False where it cannot be told."""
    try:
        parser._parser._setevents(parser._events_queue, ())
        parser._events_queue.clear()
    except AttributeError:
        return False
    return True


def _drain(parser: Any) -> None:
    for _ in parser.read_events():
        pass


def _walk(
    element: ET.Element,
    path: tuple[str, ...],
    ended: bool,
    wanted: frozenset[tuple[str, ...]],
    announced: frozenset[tuple[str, ...]],
    leads: frozenset[tuple[str, ...]],
    seen: set[int],
) -> Iterator[tuple[str, tuple[str, ...], ET.Element]]:
    """The announced and wanted elements under ``element`` (in document order), and the
    children that have ended detached. Every child but the last has ended (the parser reads
    in order), and the last too when ``element`` has (``ended``)."""
    count = len(element)
    done = count if ended else count - 1
    for i in range(count):
        child = element[i]
        child_ended = i < done
        here = (*path, local_name(child.tag))
        if here in announced and id(child) not in seen:
            seen.add(id(child))
            yield "start", here, child
        if here in wanted:
            if not child_ended:
                break  # still being read: its subtree stays until it ends
            yield "end", here, child
        elif here in leads:
            yield from _walk(child, here, child_ended, wanted, announced, leads, seen)
        elif not child_ended:
            _prune(child)  # nothing wanted inside: free what has ended
        if child_ended:
            seen.discard(id(child))
    if done > 0:
        for child in element[:done]:
            child.clear()
        del element[:done]


def _prune(element: ET.Element) -> None:
    """Detach the ended descendants of an element still being read (all but the last child
    at each level)."""
    while len(element):
        if len(element) > 1:
            del element[:-1]
        element = element[-1]
