"""What every JSON colossim writes says about itself: the package version and the schema version of its fields
(raised when a field changes meaning or goes away). One place for `--json` output and report.json."""

from __future__ import annotations

from colossim import __version__

JSON_SCHEMA_VERSION = 1


def json_stamp() -> dict[str, object]:
    return {"colossim_version": __version__, "schema_version": JSON_SCHEMA_VERSION}


__all__ = ["JSON_SCHEMA_VERSION", "json_stamp"]
