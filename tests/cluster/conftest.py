"""Shared helpers for the cluster tests: the catalog and a small valid cluster description."""

from __future__ import annotations

import copy

import pytest

from colossim.catalog import load_catalog

MINIMAL = {
    "name": "small",
    "site": "us_average",
    "fabric": {"switch": "spectrum4_sn5600"},
    "phases": [
        {"name": "p1", "start": "2024-01-01", "add": [{"system": "dgx_h100", "count": 16}], "source": "test"},
    ],
}


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


@pytest.fixture
def minimal():
    return copy.deepcopy(MINIMAL)
