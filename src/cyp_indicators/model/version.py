"""Semantic versions of definitions: ``1.0.0``; a pin may name only the major (``"1"``) or more."""

from __future__ import annotations

import re
from functools import total_ordering

__all__ = ["Version"]

_FULL = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
_PIN = re.compile(r"^v?(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?$")


@total_ordering
class Version:
    """An immutable ``major.minor.patch`` version, ordered numerically.

    Parameters
    ----------
    major, minor, patch
        The parts; a change of meaning is a new major version.

    Examples
    --------
    >>> Version.parse("1.10.0") > Version(1, 9, 3), str(Version(2))
    (True, '2.0.0')
    """

    __slots__ = ("major", "minor", "patch")

    major: int
    minor: int
    patch: int

    def __init__(self, major: int, minor: int = 0, patch: int = 0) -> None:
        object.__setattr__(self, "major", major)
        object.__setattr__(self, "minor", minor)
        object.__setattr__(self, "patch", patch)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Version is immutable")

    def __reduce__(self) -> tuple[type[Version], tuple[int, int, int]]:
        return (Version, (self.major, self.minor, self.patch))

    @classmethod
    def parse(cls, text: str | Version) -> Version:
        """Parse ``"1.2.3"`` (a Version is returned as it is).

        Parameters
        ----------
        text
            ``major.minor.patch``, each part a whole number without leading zeros.

        Returns
        -------
        Version
            The version.

        Raises
        ------
        ValueError
            Any other text, naming it.

        Examples
        --------
        >>> Version.parse("1.2.3")
        Version('1.2.3')
        """
        if isinstance(text, Version):
            return text
        m = _FULL.match(str(text))
        if not m:
            msg = f"version must be major.minor.patch (e.g. 1.0.0), got {text!r}"
            raise ValueError(msg)
        return cls(int(m[1]), int(m[2]), int(m[3]))

    @staticmethod
    def parse_pin(text: str | int) -> tuple[int, int | None, int | None]:
        """Parse a pin: ``"1"`` (any 1.x.y), ``"1.2"``, ``"1.2.3"`` or ``"v1"``.

        Parameters
        ----------
        text
            The pin (text or a whole number).

        Returns
        -------
        tuple[int, int | None, int | None]
            Major, minor and patch; None for a part the pin leaves open.

        Raises
        ------
        ValueError
            Text that is not a pin, naming it.

        Examples
        --------
        >>> Version.parse_pin("v1"), Version.parse_pin("1.2")
        ((1, None, None), (1, 2, None))
        """
        m = _PIN.match(str(text).strip())
        if not m:
            msg = f"version pin must look like 1, 1.2 or 1.2.3, got {text!r}"
            raise ValueError(msg)
        return int(m[1]), (int(m[2]) if m[2] else None), (int(m[3]) if m[3] else None)

    def matches(self, pin: tuple[int, int | None, int | None]) -> bool:
        """Whether this version satisfies a parsed pin.

        Parameters
        ----------
        pin
            As :meth:`parse_pin` gives it.

        Returns
        -------
        bool
            Every part the pin gives is equal.

        Examples
        --------
        >>> Version(1, 2, 0).matches(Version.parse_pin("1")), Version(1, 2, 0).matches((1, 3, None))
        (True, False)
        """
        major, minor, patch = pin
        return (
            self.major == major
            and (minor is None or self.minor == minor)
            and (patch is None or self.patch == patch)
        )

    def _key(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() == other._key()

    def __lt__(self, other: Version) -> bool:
        return self._key() < other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"

    def __repr__(self) -> str:
        return f"Version('{self}')"
