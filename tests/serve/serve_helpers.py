"""Shared helpers of the serving tests (importable: conftest.py puts this folder on sys.path)."""

from __future__ import annotations

from colossim.models import get_model
from colossim.perf.hardware import hardware_for
from colossim.serve.layout import ServeLayout, from_serve_layouts
from colossim.serve.shapes import serve_model


def one(model_id: str, gpu: str, **layout):
    """(ServeModel, ServeLayoutArrays, HardwareArrays) of one typed layout."""
    return serve_model(get_model(model_id)), from_serve_layouts([ServeLayout(**layout)]), hardware_for(gpu).arrays()
