"""Load the catalog shipped inside the package (or an extra user file) into one typed value."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from colossim.catalog.plant import Battery, CoolingDesign, Turbine
from colossim.catalog.schema import Gpu, Nic, Optic, Site, Sourced, Switch, System
from colossim.inputs import InputError, input_error, parse_yaml_text, read_text, validate

EntryT = TypeVar("EntryT", bound=Sourced)


class CatalogFile(BaseModel):
    """The shape of one catalog YAML file: any of these lists."""

    model_config = ConfigDict(extra="forbid")
    gpus: list[Gpu] = []
    systems: list[System] = []
    nics: list[Nic] = []
    switches: list[Switch] = []
    optics: list[Optic] = []
    sites: list[Site] = []
    turbines: list[Turbine] = []
    batteries: list[Battery] = []
    cooling: list[CoolingDesign] = []


@dataclass(frozen=True)
class Section(Generic[EntryT]):
    """Entries of one kind by id, with aliases, and lookups that say what exists."""

    kind: str
    entries: dict[str, EntryT]
    aliases: dict[str, str]

    def __getitem__(self, key: str) -> EntryT:
        key = self.aliases.get(key, key)
        if key not in self.entries:
            known = ", ".join(sorted(self.entries))
            raise KeyError(f"unknown {self.kind} '{key}': use one of {known}")
        return self.entries[key]

    def __contains__(self, key: object) -> bool:
        return key in self.entries or key in self.aliases

    def __iter__(self):
        return iter(self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)

    def ids(self) -> list[str]:
        return sorted(self.entries)


@dataclass(frozen=True)
class Catalog:
    gpus: Section[Gpu]
    systems: Section[System]
    nics: Section[Nic]
    switches: Section[Switch]
    optics: Section[Optic]
    sites: Section[Site]
    turbines: Section[Turbine]
    batteries: Section[Battery]
    cooling: Section[CoolingDesign]


DATA_FILES = ("gpus.yaml", "systems.yaml", "network.yaml", "sites.yaml", "plant.yaml")


def _section(kind: str, items: list, source: str) -> Section:
    entries: dict = {}
    aliases: dict[str, str] = {}
    for item in items:
        if item.id in entries:
            raise input_error(source, f"duplicate {kind} id '{item.id}'", "give each entry a unique id")
        entries[item.id] = item
        for alias in getattr(item, "aliases", ()):
            aliases[alias] = item.id
    return Section(kind, entries, aliases)


def _check_references(cat: Catalog, source: str) -> None:
    for system in cat.systems:
        if system.gpu not in cat.gpus:
            raise input_error(source, f"system '{system.id}' names unknown gpu '{system.gpu}'",
                              f"use one of {', '.join(cat.gpus.ids())}", f"systems.{system.id}.gpu")
        for field in ("nic", "extra_nic"):
            nic = getattr(system, field)
            if nic is not None and nic not in cat.nics:
                raise input_error(source, f"system '{system.id}' names unknown nic '{nic}'",
                                  f"use one of {', '.join(cat.nics.ids())}", f"systems.{system.id}.{field}")


def _check_optics(cat: Catalog, source: str) -> None:
    for kind, section in (("nics", cat.nics), ("switches", cat.switches)):
        for part in section:
            if part.optic is not None and part.optic not in cat.optics:
                raise input_error(source, f"{kind[:-1]} '{part.id}' names unknown optic '{part.optic}'",
                                  f"use one of {', '.join(cat.optics.ids())}", f"{kind}.{part.id}.optic")


def build_catalog(texts: dict[str, str]) -> Catalog:
    """Validate catalog YAML texts (name -> text) into one Catalog."""
    merged: dict[str, list] = {k: [] for k in CatalogFile.model_fields}
    for name, text in texts.items():
        data = parse_yaml_text(text, name)
        if not isinstance(data, dict):
            raise input_error(name, "a catalog file must be a mapping of lists",
                              "see the files shipped in colossim/catalog/data")
        parsed = validate(data, CatalogFile, name)
        for key in merged:
            merged[key].extend(getattr(parsed, key))
    source = " + ".join(texts)
    cat = Catalog(
        gpus=_section("gpu", merged["gpus"], source),
        systems=_section("system", merged["systems"], source),
        nics=_section("nic", merged["nics"], source),
        switches=_section("switch", merged["switches"], source),
        optics=_section("optic", merged["optics"], source),
        sites=_section("site", merged["sites"], source),
        turbines=_section("turbine", merged["turbines"], source),
        batteries=_section("battery", merged["batteries"], source),
        cooling=_section("cooling design", merged["cooling"], source),
    )
    _check_references(cat, source)
    _check_optics(cat, source)
    return cat


def _shipped_texts() -> dict[str, str]:
    base = resources.files("colossim.catalog") / "data"
    return {f"colossim/catalog/data/{name}": (base / name).read_text(encoding="utf-8") for name in DATA_FILES}


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The catalog shipped with colossim (parsed once, on first use)."""
    return build_catalog(_shipped_texts())


def load_catalog_with(extra: str | Path) -> Catalog:
    """The shipped catalog plus a user's extra YAML file of entries (new GPUs, systems, sites...)."""
    path = Path(extra)
    text = read_text(path)  # a regular file within the size limit, or InputError
    return build_catalog({**_shipped_texts(), str(path): text})


__all__ = ["Catalog", "Section", "load_catalog", "load_catalog_with", "build_catalog", "InputError"]
