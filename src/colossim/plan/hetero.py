"""One training job across GPU generations (partitions that cannot share a layout's ranks, e.g. Hopper and
GB200), planned as published heterogeneous-training planners do for data parallelism: every partition runs
replicas of the same model-parallel shape (tp, pp, vpp, cp, ep, micro-batch, ZeRO, recompute, precision),
and the global batch is split into uneven micro-batch counts per replica, balanced by each partition's speed
(Whale, Jia et al. USENIX ATC'22, hardware-aware load balancing; Cephalo, Guo et al. 2024; Poplar, Zhang et
al. 2024: batch share in proportion to device throughput). Gradients are summed over every replica, so the
optimizer step is that of one job.

  replica step  T_i(k) = a_i + b_i k on partition i with k micro-batches (the step model, two points, then
                exact at the chosen integers); ZeRO shards and the DP all-reduce span all D = sum d_i replicas
  balance       a fixed batch: d_i k_i micro-batches on partition i with sum d_i k_i = K (the global batch /
                micro-batch), T* = (K + sum d_i a_i / b_i) / sum d_i / b_i, rounded so the batch is exact; the
                default batch: each partition fills the job's time with whole micro-batches, replica counts as
                the search takes them (the most that fit or a power of two), the batch within 25% of the target
  job step      max_i (T_i - dp_i) + max_i dp_i: compute waits for the slowest replica, the all-reduce for
                the slowest link (every partition is evaluated at the slowest NIC on the path)
  memory        the shape must fit on every partition: the smaller HBM decides
  cost          what mixing costs is stated: replicas waiting for the slowest, the shape held to the smaller
                NVLink domain and HBM, the slower link, against separate jobs on each partition
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from colossim.models.schema import ModelSpec
from colossim.perf.hardware import Hardware
from colossim.perf.layout import Layout, from_layouts
from colossim.perf.step import evaluate
from colossim.plan.machine import JobMachine
from colossim.plan.search import PlanResult, default_global_batch, layout_of, search

SHAPE_KEYS = ("tp", "pp", "vpp", "cp", "ep", "mbs", "zero", "recompute", "rc_modules", "rc_layers", "precision",
              "offload", "fp8_params")  # columns of a search row that make a model-parallel shape (absent: None)


@dataclass(frozen=True)
class SeparateJob:
    """The best job of the model on one partition alone (the plan search)."""

    partition: str
    gpus: int
    tokens_per_s: float
    mfu: float
    layout: Layout


@dataclass(frozen=True)
class GroupShare:
    """One partition's part of the cross-generation job."""

    partition: str
    gpu: str
    replicas: int
    gpus: int
    microbatches: int  # per replica (some replicas may take one fewer so the batch is exact)
    sequences: int  # of the global batch, on this partition
    step_time_s: float  # its replicas' own step
    wait_s: float  # idle per step, waiting for the slowest replica
    dp_s: float
    memory_gb: float
    usable_gb: float


@dataclass(frozen=True)
class CrossGenerationPlan:
    model: str
    layout: Layout  # the shared model-parallel shape, with dp = all replicas and the whole global batch
    groups: tuple[GroupShare, ...]
    step_time_s: float
    tokens_per_s: float
    global_batch: int  # sequences
    link_gbps_per_gpu: float  # the slowest scale-out NIC on the all-reduce path
    nvlink_domain: int  # the smallest, which bounds tp
    memory_gpu: str  # the GPU with the smallest HBM among the partitions
    separate: tuple[SeparateJob, ...]
    shapes_tried: int

    @property
    def gpus(self) -> int:
        return sum(g.gpus for g in self.groups)

    @property
    def best_separate(self) -> SeparateJob:
        return max(self.separate, key=lambda s: s.tokens_per_s)

    @property
    def separate_tokens_per_s(self) -> float:
        """Every partition running its own best job at once."""
        return sum(s.tokens_per_s for s in self.separate)

    @property
    def gain_vs_best_partition(self) -> float:
        """Tokens/s of one job over everything / the best job on one partition - 1."""
        return self.tokens_per_s / self.best_separate.tokens_per_s - 1.0

    @property
    def gain_vs_separate(self) -> float:
        """Tokens/s of one job / separate jobs on every partition at once - 1 (negative: mixing costs)."""
        return self.tokens_per_s / self.separate_tokens_per_s - 1.0

    def costs(self) -> list[str]:
        """What mixing generations costs, in words (each a fact of this plan)."""
        out = []
        for g in self.groups:
            if g.wait_s > 1e-9:
                out.append(f"{g.partition}: replicas wait {g.wait_s:.3g} s a step ({g.wait_s / self.step_time_s:.1%})"
                           " for the slowest (whole micro-batches cannot balance exactly)")
        memory = ", ".join(f"{g.partition} {g.memory_gb:.1f} of {g.usable_gb:.1f} GB" for g in self.groups)
        out.append(f"one shape for all: tp <= {self.nvlink_domain} (the smaller NVLink domain), and it must fit "
                   f"every partition's HBM (per GPU: {memory}; the smallest HBM is {self.memory_gpu}'s)")
        out.append(f"the gradient all-reduce spans all {self.layout.dp:,} replicas at {self.link_gbps_per_gpu:g} Gb/s "
                   "per GPU, the slowest NIC on the path")
        out.append(f"one job: {self.tokens_per_s:,.0f} tokens/s, {self.gain_vs_best_partition:+.1%} against the best "
                   f"partition alone ({self.best_separate.partition}, {self.best_separate.tokens_per_s:,.0f}) and "
                   f"{self.gain_vs_separate:+.1%} against separate jobs on every partition at once "
                   f"({self.separate_tokens_per_s:,.0f})")
        return out

    def summary(self) -> dict:
        lay = self.layout
        return {
            "model": self.model, "gpus": self.gpus, "global_batch": self.global_batch,
            "step_time_s": self.step_time_s, "tokens_per_s": self.tokens_per_s,
            "layout": {"tp": lay.tp, "pp": lay.pp, "vpp": lay.vpp, "cp": lay.cp, "ep": lay.ep, "dp": lay.dp,
                       "mbs": lay.micro_batch, "zero": lay.zero_stage, "recompute": lay.recompute,
                       "precision": lay.precision, "offload": lay.activation_offload},
            "link_gbps_per_gpu": self.link_gbps_per_gpu, "nvlink_domain": self.nvlink_domain,
            "memory_gpu": self.memory_gpu, "shapes_tried": self.shapes_tried,
            "groups": [g.__dict__ for g in self.groups],
            "separate": [{"partition": s.partition, "gpus": s.gpus, "tokens_per_s": s.tokens_per_s, "mfu": s.mfu}
                         for s in self.separate],
            "separate_tokens_per_s": self.separate_tokens_per_s,
            "gain_vs_best_partition": self.gain_vs_best_partition, "gain_vs_separate": self.gain_vs_separate,
            "costs": self.costs(),
        }


def _split_gpus(machines: Sequence[JobMachine], gpus: int | None) -> list[int]:
    """GPUs per partition: all of them, the smallest partitions trimmed first to `gpus`."""
    have = [m.gpus_available for m in machines]
    if gpus is None or gpus >= sum(have):
        return have
    extra = sum(have) - gpus
    out = list(have)
    for i in sorted(range(len(out)), key=lambda j: out[j]):
        take = min(extra, out[i])
        out[i] -= take
        extra -= take
    return out


def _evaluate(model: ModelSpec, layouts: list[Layout], hw: Hardware):
    return evaluate(model, from_layouts(layouts), hw)


def _group_times(model: ModelSpec, shape: Layout, dp: int, ks: Sequence[int], hw: Hardware):
    """Step-model rows of one replica with k micro-batches, for each k, with the all-reduce over dp replicas."""
    lays = [shape.model_copy(update={"dp": dp, "global_batch": dp * shape.micro_batch * int(k)}) for k in ks]
    return _evaluate(model, lays, hw)


def _balance(total: int, replicas: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Integer micro-batches per partition (sum = total) that equalise a_i + b_i k_i as closely as whole
    micro-batches allow; k_i are per replica (ceil of the partition's share over its replicas)."""
    t_star = (total + np.sum(replicas * a / b)) / np.sum(replicas / b)
    share = np.maximum(replicas * (t_star - a) / b, 0.0)
    counts = np.floor(share).astype(int)
    while counts.sum() < total:  # give the next micro-batch to the partition whose step grows least
        per = np.ceil((counts + 1) / replicas)
        counts[int(np.argmin(a + b * per))] += 1
    while counts.sum() > total:
        counts[int(np.argmax(counts))] -= 1
    return counts


def _trim(replicas: np.ndarray, per: np.ndarray, cap: int, step: int) -> np.ndarray | None:
    """Fewer replicas, slowest partitions first, until sum(replicas x per) <= cap (None: a partition empties)."""
    d = replicas.copy()
    for i in np.argsort(per, kind="stable"):
        excess = int(np.sum(d * per)) - cap
        if excess <= 0:
            break
        cut = min(d[i] - step, -(-excess // (per[i] * step)) * step)
        d[i] -= max(cut, 0)
    return d if int(np.sum(d * per)) <= cap and np.all(d >= step) else None


def _replica_options(dmax: int, step: int) -> np.ndarray:
    """Replica counts a partition may take, as the search's: the most that fit, or a power of two below it."""
    powers = 2 ** np.arange(0, int(np.log2(max(dmax, 1))) + 1)
    out = np.unique(np.append(powers[powers < dmax], dmax))
    return out[out % step == 0]


def _free_batch(a, b, dp, dmax, target: int, step: int, tolerance: float = 0.25):
    """Micro-batches per replica and replicas per partition when the batch may move within `tolerance` of
    `target` (the search's rule): every partition fills the job's time with whole micro-batches, replica counts
    as the search takes them; the best job time tau over the candidate times."""
    options = [_replica_options(int(d), step) for d in dmax]
    if any(o.size == 0 for o in options):
        return None
    combos = np.stack([g.ravel() for g in np.meshgrid(*options, indexing="ij")], axis=1)  # (combos, groups)
    best = None
    for tau in sorted({float(a[i] + b[i] * k) for i in range(len(a))
                       for k in range(1, int((1 + tolerance) * target / max(dmax[i], 1)) + 2)}):
        per = np.floor((tau - a) / b + 1e-9).astype(int)
        if np.any(per < 1):
            continue
        total = combos @ per
        ok = np.abs(total / target - 1.0) <= tolerance
        if not ok.any():
            continue
        pick = int(np.argmax(np.where(ok, total, -1)))
        rate = float(total[pick]) / (tau + float(np.max(dp)))
        if best is None or rate > best[0]:
            best = (rate, combos[pick].copy(), per)
    return None if best is None else (best[1], best[2])


def _plan_shape(model, shape: Layout, gpus: list[int], hws: list[Hardware], target_mb: int, fixed: bool):
    m = shape.tp * shape.pp * shape.cp
    step = shape.ep // math.gcd(shape.ep, shape.cp)  # EP groups stay inside one partition
    dmax = np.array([(g // m) // step * step for g in gpus])
    if np.any(dmax < step):
        return None
    d_all = int(dmax.sum())
    k0 = max(1, target_mb // d_all)
    pts = [_group_times(model, shape, d_all, (k0, 2 * k0), hw) for hw in hws]
    c = np.array([p.step_time_s - p.dp_s for p in pts])  # (groups, 2): the part replicas do on their own
    if not np.all(np.isfinite(c)):
        return None
    b = (c[:, 1] - c[:, 0]) / k0
    if np.any(b <= 0):
        return None
    a = c[:, 0] - b * k0
    dp = np.array([float(p.dp_s[0]) for p in pts])
    if fixed:
        replicas = _trim(dmax, np.ones_like(dmax), target_mb, step) if dmax.sum() > target_mb else dmax
        if replicas is None:
            return None
        counts = _balance(target_mb, replicas, a, b)
        if np.any(counts < replicas):  # a partition too slow to give each replica a micro-batch: not this shape
            return None
        per = -(-counts // replicas)
    else:
        got = _free_batch(a, b, dp, dmax, target_mb, step)
        if got is None:
            return None
        replicas, per = got
        counts = replicas * per
    d = int(replicas.sum())
    exact = [_group_times(model, shape, d, (int(k),), hw) for k, hw in zip(per, hws, strict=True)]
    if not all(bool(e.memory.fits[0]) and np.isfinite(e.step_time_s[0]) for e in exact):
        return None  # the shape must fit on every partition: the smaller HBM decides
    times = np.array([float(e.step_time_s[0]) for e in exact])
    dps = np.array([float(e.dp_s[0]) for e in exact])
    job_step = float(np.max(times - dps) + np.max(dps))
    return replicas, counts, per, exact, times, dps, job_step


def _shapes(results: Sequence[PlanResult], model: ModelSpec, template: Layout | None) -> list[Layout]:
    seen, out = set(), []
    for res in results:
        for _, row in res.top.iterrows():
            key = tuple(row.get(k) for k in SHAPE_KEYS)
            if key not in seen:
                seen.add(key)
                out.append(layout_of(row, model.layers, template or res.template))
    return out


def _best_of(model, shapes, gpus, hws, sequences, fixed) -> tuple | None:
    """The fastest of `shapes` on these partitions together (one partition: a job of its own)."""
    domain = min(hw.nvlink_domain for hw in hws)
    best = None
    for shape in shapes:
        if shape.tp > domain:
            continue
        got = _plan_shape(model, shape, gpus, hws, max(1, sequences // shape.micro_batch), fixed)
        if got is None:
            continue
        tokens_per_s = float(np.sum(got[1])) * shape.micro_batch * model.seq_len / got[-1]
        if best is None or tokens_per_s > best[0]:
            best = (tokens_per_s, shape, got)
    return best


def _separate(model: ModelSpec, machine: JobMachine, res: PlanResult, template: Layout | None) -> SeparateJob:
    """A partition's best job alone: the plan search's (what `plan` and `train` say for that partition)."""
    row = res.best
    return SeparateJob(machine.gpu, int(row["gpus_used"]), float(row["tokens_per_s"]), float(row["mfu"]),
                       layout_of(row, model.layers, template or res.template))


def plan_cross_generation(model: ModelSpec, machines: Sequence[JobMachine], gpus: int | None = None,
                          global_batch: int | None = None, precisions: tuple[str, ...] = ("bf16",),
                          top_k: int = 8, found: Sequence[PlanResult] | None = None,
                          template: Layout | None = None) -> CrossGenerationPlan:
    """The fastest cross-generation job over `machines` (one per partition) on up to `gpus` GPUs, and the
    separate best job on each partition to set it against (module docstring). `found`: the partitions' own
    plan searches when the caller has them already (time objective, all of each partition's GPUs); `template`:
    the switches the search does not turn (the software stack, as plan.search.search takes it)."""
    if len(machines) < 2:
        raise ValueError("a cross-generation job needs at least two partitions")
    shares = _split_gpus(machines, gpus)
    n = sum(shares)
    sequences = global_batch or default_global_batch(model, n)
    fixed = global_batch is not None
    if found is None or len(found) != len(machines):
        found = [search(model, m.hardware, g, global_batch=global_batch, objective="time", top_k=top_k,
                        precisions=precisions, economics=m.economics, template=template)
                 for m, g in zip(machines, shares, strict=True)]
    shapes = _shapes(found, model, template)
    separate = tuple(_separate(model, m, res, template) for m, res in zip(machines, found, strict=True))
    link = min(m.hardware.scale_out_gbps_per_gpu for m in machines)
    hws = [replace(m.hardware, scale_out_gbps_per_gpu=link) for m in machines]
    best_plan = _best_of(model, shapes, shares, hws, sequences, fixed)
    if best_plan is None:
        raise ValueError(f"{model.id}: no layout of the partitions' best {top_k} runs fits on every partition "
                         f"({', '.join(m.gpu for m in machines)}): a job across them is limited by the smaller HBM "
                         "and NVLink domain; plan each partition on its own")
    tokens_per_s, shape, (replicas, counts, per, exact, times, dps, job_step) = best_plan
    total_mb = int(np.sum(counts))
    d = int(replicas.sum())
    groups = tuple(
        GroupShare(m.gpu, m.hardware.gpu.id, int(r), int(r) * shape.tp * shape.pp * shape.cp, int(k),
                   int(c) * shape.micro_batch, float(t), float(max(job_step - (t - dp) - max(dps), 0.0)), float(dp),
                   float(e.memory.total_bytes[0]) / 1e9, float(np.broadcast_to(e.memory.usable_bytes, (1,))[0]) / 1e9)
        for m, r, c, k, t, dp, e in zip(machines, replicas, counts, per, times, dps, exact, strict=True))
    memory_gpu = min((m.hardware.gpu for m in machines), key=lambda g: (g.hbm_gb, g.id)).id
    joint = shape.model_copy(update={"dp": d, "global_batch": total_mb * shape.micro_batch})
    domain = min(hw.nvlink_domain for hw in hws)
    return CrossGenerationPlan(model.id, joint, groups, job_step, tokens_per_s, total_mb * shape.micro_batch, link,
                               domain, memory_gpu, separate, len(shapes))
