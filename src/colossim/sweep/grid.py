"""Grid points of a sweep and their stable keys (pure functions, no I/O)."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from colossim import __version__
from colossim.sweep.schema import SweepSpec

KEY_VERSION = "colossim.sweep/2"  # /2: keys carry the content digests of the point's model and cluster
POINT_COLUMNS = ("model", "cluster", "gpus", "global_batch", "objective")


@dataclass(frozen=True)
class SweepPoint:
    """One request to the evaluator. Plain, frozen and picklable (process pools and Ray ship it)."""

    model: str
    cluster: str
    gpus: int
    global_batch: int
    objective: str
    top_k: int = 1
    options: tuple[tuple[str, Any], ...] = ()
    evaluator: str = ""
    model_digest: str = ""    # digest of what the model name stands for (colossim.sweep.digests)
    cluster_digest: str = ""  # the same for the cluster: an edited cluster file gives new keys

    @property
    def opts(self) -> dict[str, Any]:
        return dict(self.options)

    @cached_property
    def key(self) -> str:
        """The stable key (computed once per point: ~13 us)."""
        return point_key(self)

    def columns(self) -> dict[str, Any]:
        """The point's own columns, put in front of every result row."""
        return {"model": self.model, "cluster": self.cluster, "gpus": self.gpus,
                "global_batch": self.global_batch, "objective": self.objective}

    def describe(self) -> str:
        return (f"model={self.model} cluster={self.cluster} gpus={self.gpus} "
                f"global_batch={self.global_batch} objective={self.objective}")


def point_key(point: SweepPoint) -> str:
    """Stable 16-hex-digit key: SHA-256 of the point's canonical JSON (same on every machine and Python
    run, unlike hash()). Changing the evaluator, top_k, options, the content a model or cluster name
    stands for (an edited file), or the colossim version changes the key."""
    canon = json.dumps({"v": KEY_VERSION, "colossim": __version__, "evaluator": point.evaluator,
                        "model": point.model, "model_digest": point.model_digest, "cluster": point.cluster,
                        "cluster_digest": point.cluster_digest, "gpus": point.gpus,
                        "global_batch": point.global_batch, "objective": point.objective, "top_k": point.top_k,
                        "options": dict(point.options)},
                       sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:16]


def expand_grid(spec: SweepSpec, digests: Mapping[tuple[str, str], str] | None = None) -> list[SweepPoint]:
    """All points in a fixed order: model, cluster, objective, global batch, then GPU count (fastest), so
    neighbouring points share a model and cluster (an evaluator may cache per model and cluster).
    `digests` maps ("model" | "cluster", name) to the content digest of that name (colossim.sweep.digests;
    missing: ""), which goes into each point's key."""
    options = tuple(sorted(spec.options.items()))
    d = digests or {}
    return [SweepPoint(model=m, cluster=c, gpus=g, global_batch=b, objective=o, top_k=spec.top_k,
                       options=options, evaluator=spec.evaluator, model_digest=d.get(("model", m), ""),
                       cluster_digest=d.get(("cluster", c), ""))
            for m, c, o, b, g in itertools.product(spec.models, spec.clusters, spec.objectives,
                                                   spec.global_batch_sizes, spec.gpu_counts)]
