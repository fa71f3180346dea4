"""A workload: many jobs as parallel numpy arrays (one entry per job, sorted by submit time).

A job asks for `gpus` GPUs of one type (or any type), runs `duration_s` seconds of compute if nothing
interrupts it, and then ends with its `outcome` (completed, or failed/cancelled by its user: the shares
real traces report). Hardware failures and preemption are the simulator's business, not the workload's.
Per-job checkpoint and restart parameters are optional (NaN = use the simulation's defaults), and so is
a quota group (an index into `groups`, e.g. a virtual cluster; -1 none), read when the policy has quotas.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal, get_args

import numpy as np

JobKind = Literal["pretrain", "finetune", "rl", "eval", "inference", "debug", "other"]
KINDS: tuple[str, ...] = get_args(JobKind)
JobOutcome = Literal["completed", "failed", "cancelled"]
OUTCOMES: tuple[str, ...] = get_args(JobOutcome)

# Default priority by kind (higher runs first under the priority policy). Estimate: production training
# and serving outrank experiments, as in the Meta RSC and Acme scheduling notes (reliability.md 2.2, 2.11).
DEFAULT_PRIORITY: dict[str, int] = {
    "inference": 4,
    "pretrain": 3,
    "rl": 2,
    "finetune": 2,
    "eval": 1,
    "other": 1,
    "debug": 0,
}
ANY_GPU = -1


def _as(values: np.ndarray | list, dtype: type) -> np.ndarray:
    arr = np.array(values, dtype=dtype, copy=True)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class Workload:
    submit_s: np.ndarray
    gpus: np.ndarray
    duration_s: np.ndarray
    priority: np.ndarray
    kind: np.ndarray  # int codes into KINDS
    outcome: np.ndarray  # int codes into OUTCOMES
    gpu_type: np.ndarray  # int codes into gpu_types, ANY_GPU (-1) for any
    gpu_types: tuple[str, ...] = ()
    checkpoint_interval_s: np.ndarray | None = None  # NaN or inf: defaults / never
    checkpoint_write_s: np.ndarray | None = None
    restart_s: np.ndarray | None = None
    job_id: tuple[str, ...] | None = None
    group: np.ndarray | None = None  # int codes into groups
    groups: tuple[str, ...] = ()
    source: str = "workload"
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.submit_s)
        for name in ("gpus", "duration_s", "priority", "kind", "outcome", "gpu_type"):
            if len(getattr(self, name)) != n:
                raise ValueError(
                    f"workload column {name} has {len(getattr(self, name))} entries, expected {n}"
                )
        for name in ("checkpoint_interval_s", "checkpoint_write_s", "restart_s"):
            col = getattr(self, name)
            if col is not None and len(col) != n:
                raise ValueError(f"workload column {name} has {len(col)} entries, expected {n}")
        if self.group is not None and (len(self.group) != n or (n and (self.group.min() < -1 or self.group.max()
                                                                            >= len(self.groups)))):
            raise ValueError("group codes must be one per job and index the groups (-1: no group)")
        if self.job_id is not None and len(self.job_id) != n:
            raise ValueError("job_id length differs from the number of jobs")
        if n:
            if not np.all(np.isfinite(self.submit_s)) or self.submit_s.min() < 0:
                raise ValueError("submit times must be finite and >= 0")
            if np.any(np.diff(self.submit_s) < 0):
                raise ValueError("jobs must be sorted by submit time (use Workload.build)")
            if self.gpus.min() < 1:
                raise ValueError("every job needs at least 1 GPU")
            if not np.all(np.isfinite(self.duration_s)) or self.duration_s.min() <= 0:
                raise ValueError("durations must be finite and > 0")
            if self.kind.min() < 0 or self.kind.max() >= len(KINDS):
                raise ValueError("kind codes out of range")
            if self.outcome.min() < 0 or self.outcome.max() >= len(OUTCOMES):
                raise ValueError("outcome codes out of range")
            if self.gpu_type.min() < ANY_GPU or self.gpu_type.max() >= len(self.gpu_types):
                raise ValueError("gpu_type codes out of range")

    @staticmethod
    def build(
        submit_s,
        gpus,
        duration_s,
        *,
        priority=None,
        kind=None,
        outcome=None,
        gpu_type=None,
        gpu_types: tuple[str, ...] = (),
        checkpoint_interval_s=None,
        checkpoint_write_s=None,
        restart_s=None,
        job_id=None,
        group=None,
        groups: tuple[str, ...] = (),
        source: str = "workload",
        meta: dict | None = None,
    ) -> Workload:
        """Make a workload from columns in any order (sorted here by submit time, stable)."""
        submit = np.asarray(submit_s, dtype=float)
        n = len(submit)
        order = np.argsort(submit, kind="stable")
        kind_arr = np.zeros(n, np.int8) if kind is None else np.asarray(kind, dtype=np.int8)
        if priority is None:
            table = np.array([DEFAULT_PRIORITY[k] for k in KINDS], dtype=np.int64)
            priority = table[kind_arr]

        def pick(col, dtype, default=None):
            if col is None:
                return None if default is None else _as(np.full(n, default, dtype=dtype), dtype)
            return _as(np.asarray(col, dtype=dtype)[order], dtype)

        return Workload(
            submit_s=pick(submit, float),
            gpus=pick(gpus, np.int64),
            duration_s=pick(duration_s, float),
            priority=pick(priority, np.int64),
            kind=pick(kind_arr, np.int8),
            outcome=pick(outcome, np.int8, 0),
            gpu_type=pick(gpu_type, np.int16, ANY_GPU),
            gpu_types=tuple(gpu_types),
            checkpoint_interval_s=pick(checkpoint_interval_s, float),
            checkpoint_write_s=pick(checkpoint_write_s, float),
            restart_s=pick(restart_s, float),
            job_id=None if job_id is None else tuple(np.asarray(job_id, dtype=str)[order].tolist()),
            group=pick(group, np.int64),
            groups=tuple(groups),
            source=source,
            meta=dict(meta or {}),
        )

    def __len__(self) -> int:
        return len(self.submit_s)

    @property
    def gpu_seconds(self) -> np.ndarray:
        return self.gpus * self.duration_s

    def with_groups(self, group: np.ndarray, groups: tuple[str, ...]) -> Workload:
        """The same jobs with quota groups."""
        return replace(self, group=_as(group, np.int64), groups=tuple(groups))

    def merge(self, other: Workload) -> Workload:
        """Both workloads' jobs in one (GPU-type names are unified; per-job checkpoint columns kept)."""
        types = tuple(dict.fromkeys(self.gpu_types + other.gpu_types))

        def remap(w: Workload) -> np.ndarray:
            lut = np.array([types.index(t) for t in w.gpu_types] + [ANY_GPU], dtype=np.int16)
            return lut[w.gpu_type]  # ANY_GPU (-1) indexes the last entry, which is ANY_GPU

        def opt(name: str) -> np.ndarray | None:
            a, b = getattr(self, name), getattr(other, name)
            if a is None and b is None:
                return None
            fill = lambda w, c: np.full(len(w), np.nan) if c is None else c  # noqa: E731
            return np.concatenate([fill(self, a), fill(other, b)])

        names = tuple(dict.fromkeys(self.groups + other.groups))

        def regroup(w: Workload) -> np.ndarray:
            if w.group is None:  # no group: no quota applies
                return np.full(len(w), -1, np.int64)
            lut = np.array([names.index(g) for g in w.groups] + [-1], dtype=np.int64)
            return lut[w.group]  # -1 indexes the last entry, which is -1

        group = None if self.group is None and other.group is None else np.concatenate(
            [regroup(self), regroup(other)])
        ids = None
        if self.job_id is not None or other.job_id is not None:
            def named(w: Workload) -> tuple[str, ...]:
                return w.job_id or tuple(np.char.add(f"{w.source}-", np.arange(len(w)).astype(str)).tolist())

            ids = named(self) + named(other)
        return Workload.build(
            np.concatenate([self.submit_s, other.submit_s]),
            np.concatenate([self.gpus, other.gpus]),
            np.concatenate([self.duration_s, other.duration_s]),
            priority=np.concatenate([self.priority, other.priority]),
            kind=np.concatenate([self.kind, other.kind]),
            outcome=np.concatenate([self.outcome, other.outcome]),
            gpu_type=np.concatenate([remap(self), remap(other)]),
            gpu_types=types,
            checkpoint_interval_s=opt("checkpoint_interval_s"),
            checkpoint_write_s=opt("checkpoint_write_s"),
            restart_s=opt("restart_s"),
            job_id=ids,
            group=group,
            groups=names if group is not None else (),
            source=f"{self.source}+{other.source}",
            meta={**self.meta, **other.meta},
        )


def kind_code(kind: str) -> int:
    if kind not in KINDS:
        raise KeyError(f"unknown job kind '{kind}': use one of {', '.join(KINDS)}")
    return KINDS.index(kind)


def outcome_code(outcome: str) -> int:
    if outcome not in OUTCOMES:
        raise KeyError(f"unknown job outcome '{outcome}': use one of {', '.join(OUTCOMES)}")
    return OUTCOMES.index(outcome)
