"""The model zoo shipped in colossim/models/data/zoo.yaml, looked up by id or alias."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from pydantic import BaseModel, ConfigDict

from colossim.inputs import input_error, parse_yaml_text, validate
from colossim.models.schema import ModelSpec

ZOO_FILE = "colossim/models/data/zoo.yaml"


class ZooFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    models: list[ModelSpec]


@dataclass(frozen=True)
class Zoo:
    models: dict[str, ModelSpec]
    aliases: dict[str, str]

    def __getitem__(self, key: str) -> ModelSpec:
        key = self.aliases.get(key, key)
        if key not in self.models:
            raise KeyError(f"unknown model '{key}': use one of {', '.join(sorted(self.models))}")
        return self.models[key]

    def __contains__(self, key: object) -> bool:
        return key in self.models or key in self.aliases

    def __iter__(self):
        return iter(self.models.values())

    def ids(self) -> list[str]:
        return sorted(self.models)


def build_zoo(text: str, source: str) -> Zoo:
    data = parse_yaml_text(text, source)
    parsed = validate(data, ZooFile, source)
    models: dict[str, ModelSpec] = {}
    aliases: dict[str, str] = {}
    for m in parsed.models:
        if m.id in models or m.id in aliases:
            raise input_error(source, f"duplicate model id '{m.id}'", "give each model a unique id")
        models[m.id] = m
        for a in m.aliases:
            aliases[a] = m.id
    return Zoo(models, aliases)


@lru_cache(maxsize=1)
def load_zoo() -> Zoo:
    """The shipped zoo (parsed once, on first use)."""
    text = (resources.files("colossim.models") / "data" / "zoo.yaml").read_text(encoding="utf-8")
    return build_zoo(text, ZOO_FILE)


def get_model(id_or_alias: str) -> ModelSpec:
    return load_zoo()[id_or_alias]


def resolve_model(name: str) -> ModelSpec:
    """A zoo id or alias, or the path of a model file (a name ending in .yaml/.yml, or an existing file):
    how a sweep's `models:` entries are read."""
    from pathlib import Path

    if name.lower().endswith((".yaml", ".yml")) or Path(name).is_file():
        return load_model_file(name)
    return get_model(name)


def load_model_file(path) -> ModelSpec:
    """A model of your own: a YAML file with one ModelSpec mapping (the fields of a zoo entry, validated the
    same way; `colossim schema model`), or a zoo-shaped file with exactly one entry under `models:`."""
    from colossim.inputs import read_yaml

    data = read_yaml(path)
    if isinstance(data, dict) and set(data) == {"models"}:
        entries = data["models"]
        if not isinstance(entries, list) or len(entries) != 1:
            raise input_error(str(path), "a model file lists one model", "keep one entry under models:, or "
                              "write the model's fields at the top level", "models")
        data = entries[0]
    if not isinstance(data, dict):
        raise input_error(str(path), "a model file is a mapping of model fields (id, name, layers, hidden, ...)",
                          "see `colossim schema model` and examples/my_model.yaml")
    return validate(data, ModelSpec, str(path))


__all__ = ["Zoo", "build_zoo", "get_model", "load_model_file", "load_zoo", "resolve_model"]
