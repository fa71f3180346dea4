"""What requests a service gets: a mix of prompt and output lengths (a shipped default, a CSV of your own, or
one fixed shape), and the moments of it the serving model needs.

With continuous batching a request stays in the batch for its output length, so the batch over time is
length-biased: a running request holds on average E[O (P + O/2)] / E[O] cached tokens and reserves
E[O (P + O)] / E[O] (renewal-reward: each request contributes its time in the batch, O steps). Each finished
request is replaced by a new one, so an iteration admits E[P] / E[O] prompt tokens per running request.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import numpy as np

from colossim.inputs import input_error, read_text

MIX_FILE = "colossim/serve/data/request_mix.csv"


class ServeWorkload(NamedTuple):
    """The moments of a request mix (floats, or one per row)."""

    prompt: np.ndarray | float  # E[P]
    output: np.ndarray | float  # E[O]
    context: np.ndarray | float  # cached tokens of a running request, time-averaged
    reserve: np.ndarray | float  # KV tokens a running request reserves, time-averaged


def fixed_workload(prompt, output) -> ServeWorkload:
    p = np.asarray(prompt, dtype=float)
    o = np.asarray(output, dtype=float)
    return ServeWorkload(p, o, p + o / 2.0, p + o)


@dataclass(frozen=True)
class RequestMix:
    """Request shapes and their probabilities."""

    name: str
    prompt_tokens: np.ndarray
    output_tokens: np.ndarray
    share: np.ndarray  # sums to 1
    source: str

    def workload(self) -> ServeWorkload:
        p, o, w = self.prompt_tokens, self.output_tokens, self.share
        eo = float(np.sum(w * o))
        return ServeWorkload(float(np.sum(w * p)), eo, float(np.sum(w * o * (p + o / 2.0))) / eo,
                             float(np.sum(w * o * (p + o))) / eo)

    def sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """n (prompt, output) pairs drawn from the mix."""
        idx = rng.choice(len(self.share), size=n, p=self.share)
        return self.prompt_tokens[idx].astype(float), self.output_tokens[idx].astype(float)

    def quantile_prompt(self, q: float) -> float:
        order = np.argsort(self.prompt_tokens)
        cum = np.cumsum(self.share[order])
        return float(self.prompt_tokens[order][min(int(np.searchsorted(cum, q)), len(cum) - 1)])

    def describe(self) -> str:
        w = self.workload()
        return f"{self.name}: mean prompt {w.prompt:,.0f} tokens, mean output {w.output:,.0f} tokens"


def fixed_mix(prompt_tokens: int, output_tokens: int) -> RequestMix:
    if prompt_tokens < 1 or output_tokens < 1:
        raise input_error("command line", "prompt and output tokens must be >= 1",
                          "e.g. --prompt-tokens 1000 --output-tokens 500")
    return RequestMix(f"{prompt_tokens}/{output_tokens} tokens", np.array([prompt_tokens]),
                      np.array([output_tokens]), np.array([1.0]), "command line")


def parse_mix_csv(text: str, source: str) -> RequestMix:
    """A CSV with columns prompt_tokens and output_tokens, one row per request or per class, and an optional
    `share` (or `count`) column weighting the rows (equal weights without one)."""
    reader = csv.DictReader(io.StringIO(text))
    cols = set(reader.fieldnames or [])
    if not {"prompt_tokens", "output_tokens"} <= cols:
        raise input_error(source, f"columns {sorted(cols)} lack prompt_tokens and output_tokens",
                          "give a header line with prompt_tokens,output_tokens[,share]")
    weight_col = "share" if "share" in cols else ("count" if "count" in cols else None)
    p, o, w = [], [], []
    for i, row in enumerate(reader, start=2):
        try:
            pi, oi = float(row["prompt_tokens"]), float(row["output_tokens"])
            wi = float(row[weight_col]) if weight_col else 1.0
        except (TypeError, ValueError):
            raise input_error(source, "not a number", "use whole token counts and numeric shares",
                              f"line {i}") from None
        if not (np.isfinite(pi) and np.isfinite(oi) and np.isfinite(wi)) or pi < 1 or oi < 1 or wi < 0:
            raise input_error(source, "token counts must be >= 1 and shares >= 0", "fix the values", f"line {i}")
        p.append(pi)
        o.append(oi)
        w.append(wi)
    share = np.array(w, dtype=float)
    if not p or share.sum() <= 0:
        raise input_error(source, "no requests with a positive share", "add at least one row")
    return RequestMix(Path(source).name, np.array(p), np.array(o), share / share.sum(), source)


def read_mix_csv(path: str | Path) -> RequestMix:
    return parse_mix_csv(read_text(path, "CSV"), str(path))


@lru_cache(maxsize=1)
def default_mix() -> RequestMix:
    """The shipped mix: translation, generation and summarization in equal parts (NVIDIA's NIM benchmarking
    guide's use cases and their typical lengths; see request_mix.csv)."""
    text = (resources.files("colossim.serve") / "data" / "request_mix.csv").read_text(encoding="utf-8")
    mix = parse_mix_csv(text, MIX_FILE)
    return RequestMix("default mix (translation, generation, summarization)", mix.prompt_tokens,
                      mix.output_tokens, mix.share, MIX_FILE)


__all__ = ["RequestMix", "ServeWorkload", "default_mix", "fixed_mix", "fixed_workload", "parse_mix_csv",
           "read_mix_csv"]
