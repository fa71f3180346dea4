"""The shipped file of published, measured serving results (serve/data/published.yaml), or a user's own file
of the same schema, validated with pydantic and expanded into one row per measured point."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from colossim.inputs import parse_yaml_text, read_text, validate
from colossim.serve.layout import ServeLayout

PUBLISHED_FILE = "colossim/serve/data/published.yaml"
Metric = Literal["output_tokens_per_s", "tpot_s", "ttft_s"]
Reliability = Literal["high", "medium", "low"]
HEADLINE: tuple[Reliability, ...] = ("high", "medium")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    title: str = Field(min_length=3)
    url: str = Field(min_length=8)
    measured: str = Field(min_length=3, description="what was measured, and how")
    assumed: str = Field(default="", description="what the source does not state and how it is filled")


class Series(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.\-]*$")
    source: str
    model: str
    gpu: str
    layout: ServeLayout
    reliability: Reliability
    metric: Metric
    notes: str = ""
    points: list[tuple[float, float, float]] = Field(min_length=1,
                                                     description="[prompt tokens, output tokens, measured value]")

    @model_validator(mode="after")
    def _positive(self) -> Series:
        for p, o, v in self.points:
            if p < 1 or o < 1 or v <= 0:
                raise ValueError(f"point [{p}, {o}, {v}]: token counts must be >= 1 and the value > 0")
        return self


class PublishedFile(_Strict):
    sources: dict[str, Source]
    series: list[Series] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_sources(self) -> PublishedFile:
        ids = [s.id for s in self.series]
        if len(ids) != len(set(ids)):
            raise ValueError("series ids must be unique")
        missing = sorted({s.source for s in self.series} - set(self.sources))
        if missing:
            raise ValueError(f"series name unknown sources {missing}: add them under `sources`")
        return self


@dataclass(frozen=True)
class PublishedRow:
    id: str
    series: str
    source: str
    model: str
    gpu: str
    layout: ServeLayout
    reliability: Reliability
    metric: Metric
    prompt_tokens: int
    output_tokens: int
    measured: float

    @property
    def headline(self) -> bool:
        return self.reliability in HEADLINE and self.metric == "output_tokens_per_s"


def parse_published(text: str, source: str) -> PublishedFile:
    return validate(parse_yaml_text(text, source), PublishedFile, source)


@lru_cache(maxsize=1)
def _shipped() -> PublishedFile:
    text = (resources.files("colossim.serve") / "data" / "published.yaml").read_text(encoding="utf-8")
    return parse_published(text, PUBLISHED_FILE)


def load_published(path: str | Path | None = None) -> PublishedFile:
    """The shipped file, or the file at `path` (same schema)."""
    return _shipped() if path is None else parse_published(read_text(path), str(path))


def published_rows(data: PublishedFile) -> list[PublishedRow]:
    return [PublishedRow(f"{s.id}@{int(p)}/{int(o)}", s.id, s.source, s.model, s.gpu, s.layout, s.reliability,
                         s.metric, int(p), int(o), float(v))
            for s in data.series for p, o, v in s.points]


__all__ = ["HEADLINE", "Metric", "PublishedFile", "PublishedRow", "Series", "Source", "load_published",
           "parse_published", "published_rows"]
