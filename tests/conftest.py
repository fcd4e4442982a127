"""Shared fixtures: the reference folder and the bundled catalogue."""

from __future__ import annotations

import pytest

import cyp_indicators as cyp


@pytest.fixture(scope="session")
def catalogue() -> cyp.Catalogue:
    """The bundled catalogue, loaded once."""
    return cyp.load_catalogue()
