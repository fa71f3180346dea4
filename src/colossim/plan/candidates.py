"""Enumerate every parallel layout worth evaluating, as numpy structure-of-arrays.

Rules (Megatron-LM / Megatron-Core constraints, Narayanan et al. 2021 and the Megatron-Core docs):
- tp divides the key/value heads (Megatron: query groups % tp == 0, so tp also divides the heads) and never
  exceeds `max_tp`;
- pp divides the layers or is a power of two (Megatron-Core accepts uneven stages; the step model charges the
  largest stage, ceil(layers / (pp*vpp)) layers per virtual stage); vpp > 1 needs pp > 1 and pp*vpp <= layers;
- cp (context parallel) divides the sequence into 2*cp chunks, so 2*cp divides the sequence length;
- a fixed global batch: dp * micro_batch divides it; a target batch (`fixed_batch=False`): each layout
  rounds it to the nearest multiple of dp * micro_batch, kept within `batch_tolerance` of the target, and dp
  is the largest that fits the GPUs and the batch, or a power of two below it; always tp*pp*cp*dp <= GPUs;
- ZeRO-2 runs without pipeline parallelism (DeepSpeed does not combine them); ZeRO-3 / FSDP combines with it
  the way Meta's Llama 3 stack and torchtitan do (weights gathered once per step and kept, no reshard);
- context parallelism keeps at least `min_cp_tokens` tokens per rank (ring-attention blocks smaller than
  that leave the attention kernels starved; Megatron-Core uses cp for 8k+ sequences);
- ep (expert parallel) divides the number of experts and the dp*cp ranks it is taken from;
- precision is one the GPU runs natively; ZeRO 0-3 is a free choice; recomputation is one of the variants
  of `recompute_variants`: none, selective recompute of the attention core or of module sets (Megatron-Core
  recompute_modules), and full recompute of every layer or of the first 1-2 layers of each model chunk.
The search masks memory and evaluates the rest; this module only knows divisibility.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

LAYOUT_FIELDS = ("tp", "pp", "vpp", "dp", "cp", "ep", "mbs", "gbs", "zero", "recompute", "rc_modules", "rc_layers",
                 "precision")
# Megatron-Core recompute_modules bits (colossim.perf.layout.MODULE_BIT): core_attn 1, layernorm 2,
# mla_up_proj 4, mlp 8, moe_act 16
CORE_ATTN, LAYERNORM, MLA_UP, MLP, MOE_ACT = 1, 2, 4, 8, 16


def recompute_variants(attention: str = "gqa", dense_layers: int = 1, moe: bool = False) -> tuple:
    """(recompute code, module bits, full-recompute layers per chunk) a practitioner would try, lightest first:
    none; selective of the attention core, the norms, the norms and MLPs (and expert activations, MLA
    up-projections where the model has them); full of 1, 2 or every layer per model chunk."""
    heavy = LAYERNORM | (MLP if dense_layers else 0) | (MOE_ACT if moe else 0) | (MLA_UP if attention == "mla" else 0)
    return ((0, CORE_ATTN, np.inf), (1, CORE_ATTN, np.inf), (1, LAYERNORM, np.inf), (1, heavy, np.inf),
            (2, CORE_ATTN, 1.0), (2, CORE_ATTN, 2.0), (2, CORE_ATTN, np.inf))


@dataclass(frozen=True)
class SearchSpace:
    """The knobs a search may turn. Codes for recompute and precision are indexes into the tuples
    the perf model uses (see colossim.perf)."""

    gpus: int
    global_batch: int
    layers: int
    heads: int
    kv_heads: int
    seq_len: int
    experts: int = 0
    max_tp: int = 64
    tp_options: Sequence[int] = (1, 2, 4, 8, 16, 32, 64)
    cp_options: Sequence[int] = (1, 2, 4, 8, 16, 32)
    vpp_options: Sequence[int] = (1, 2, 3, 4, 5, 6, 8, 12, 16)
    mbs_options: Sequence[int] = (1, 2, 4, 8)
    zero_options: Sequence[int] = (0, 1, 2, 3)
    recompute_codes: Sequence[int] = (0, 1, 2)  # which codes of `recompute` the variants may use
    recompute: Sequence[tuple[int, int, float]] = ((0, 1, np.inf), (1, 1, np.inf), (2, 1, np.inf))
    precision_codes: Sequence[int] = (0,)
    max_pp: int = 256
    min_gpu_fraction: float = 0.0
    fixed_batch: bool = True
    batch_tolerance: float = 0.25
    min_cp_tokens: int = 2048


def divisors(n: int) -> np.ndarray:
    """All positive divisors of n, ascending."""
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    small = np.arange(1, int(np.sqrt(n)) + 1, dtype=np.int64)
    small = small[n % small == 0]
    return np.unique(np.concatenate([small, n // small]))


def _grid(*axes: np.ndarray) -> list[np.ndarray]:
    mesh = np.meshgrid(*axes, indexing="ij")
    return [m.ravel() for m in mesh]


def model_parallel_grid(space: SearchSpace) -> dict[str, np.ndarray]:
    """Valid (tp, cp, pp, vpp, dp, mbs, ep) tuples before the free choices are crossed in."""
    tp = np.array([t for t in space.tp_options if t <= space.max_tp and space.kv_heads % t == 0], dtype=np.int64)
    cp = np.array([c for c in space.cp_options
                   if c == 1 or (space.seq_len % (2 * c) == 0 and space.seq_len // c >= space.min_cp_tokens)],
                  dtype=np.int64)
    powers_of_two = 2 ** np.arange(0, int(np.log2(max(space.layers, 1))) + 1, dtype=np.int64)
    pp = np.union1d(divisors(space.layers), powers_of_two)
    pp = pp[(pp <= space.max_pp) & (pp <= space.layers)]
    if space.fixed_batch:
        mbs = np.array([m for m in space.mbs_options if space.global_batch % m == 0], dtype=np.int64)
        dp = divisors(space.global_batch)
        t, c, p, m, d = _grid(tp, cp, pp, mbs, dp)
        gbs = np.full(t.shape, space.global_batch, dtype=np.int64)
    else:
        t, c, p, m, d, gbs = _target_batch_grid(space, tp, cp, pp)
    used = t * c * p * d
    keep = (used <= space.gpus) & (d >= 1) & (gbs % (d * m) == 0)
    keep &= used >= space.min_gpu_fraction * space.gpus
    t, c, p, m, d, gbs = t[keep], c[keep], p[keep], m[keep], d[keep], gbs[keep]

    # Interleaving: vpp virtual stages per rank, at least one layer each; vpp=1 is plain 1F1B.
    vpp_opts = np.array(space.vpp_options, dtype=np.int64)
    idx, v = _grid(np.arange(t.size), vpp_opts)
    keep = (p[idx] * v <= space.layers) & ((v == 1) | (p[idx] > 1))
    idx, v = idx[keep], v[keep]
    out = {"tp": t[idx], "cp": c[idx], "pp": p[idx], "mbs": m[idx], "dp": d[idx], "vpp": v, "gbs": gbs[idx]}

    if space.experts > 1:
        ep_opts = divisors(space.experts)
        idx, e = _grid(np.arange(out["tp"].size), ep_opts)
        keep = ((out["dp"][idx] * out["cp"][idx]) % e == 0)
        out = {k: a[idx][keep] for k, a in out.items()}
        out["ep"] = e[keep]
    else:
        out["ep"] = np.ones_like(out["tp"])
    return out


def _target_batch_grid(space: SearchSpace, tp, cp, pp):
    """dp candidates: the largest that fits the GPUs, and the powers of two below it; the global batch of
    each row is the target rounded to a multiple of dp * micro_batch (at least one micro-batch each)."""
    t, c, p, m = _grid(tp, cp, pp, np.asarray(space.mbs_options, dtype=np.int64))
    most_ranks = np.floor(space.global_batch * (1.0 + space.batch_tolerance) / m).astype(np.int64)
    dmax = np.minimum(space.gpus // (t * c * p), most_ranks)
    fits = dmax >= 1
    t, c, p, m, dmax = t[fits], c[fits], p[fits], m[fits], dmax[fits]
    max_exp = int(np.log2(max(int(dmax.max(initial=1)), 1)))
    powers = 2 ** np.arange(0, max_exp + 1, dtype=np.int64)
    idx, pw = _grid(np.arange(t.size), powers)
    keep = pw < dmax[idx]
    rows = np.concatenate([np.arange(t.size), idx[keep]])
    d = np.concatenate([dmax, pw[keep]])
    t, c, p, m = t[rows], c[rows], p[rows], m[rows]
    per_step = np.maximum(d * m, 1)
    gbs = np.maximum(np.rint(space.global_batch / per_step), 1).astype(np.int64) * per_step
    near = np.abs(gbs / space.global_batch - 1.0) <= space.batch_tolerance
    return t[near], c[near], p[near], m[near], d[near], gbs[near]


def _zero_for(pp: np.ndarray, zero_options: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """(row index, zero stage) pairs: ZeRO 2 only without pipeline parallelism."""
    idx, z = _grid(np.arange(pp.size), np.asarray(zero_options, dtype=np.int64))
    keep = (z != 2) | (pp[idx] == 1)
    return idx[keep], z[keep]


def _variants(space: SearchSpace) -> np.ndarray:
    rows = [v for v in space.recompute if v[0] in space.recompute_codes]
    return np.array(rows, dtype=np.float64).reshape(-1, 3)


def count_layouts(space: SearchSpace) -> int:
    base = model_parallel_grid(space)
    rows = _zero_for(base["pp"], space.zero_options)[0].size
    return rows * len(_variants(space)) * len(space.precision_codes)


def iter_layout_chunks(space: SearchSpace, chunk_rows: int = 262_144) -> Iterator[dict[str, np.ndarray]]:
    """Every candidate layout, in chunks of about `chunk_rows` rows (bounded memory)."""
    base = model_parallel_grid(space)
    idx, zero = _zero_for(base["pp"], space.zero_options)
    base = {k: a[idx] for k, a in base.items()}
    base["zero"] = zero
    variants = _variants(space)
    r, q = _grid(np.arange(len(variants)), np.array(space.precision_codes, dtype=np.int64))
    free = r.size
    n_base = base["tp"].size
    rows_per_base = max(1, chunk_rows // max(free, 1))
    for start in range(0, n_base, rows_per_base):
        stop = min(n_base, start + rows_per_base)
        reps = stop - start
        chunk = {k: np.repeat(a[start:stop], free) for k, a in base.items()}
        chunk["recompute"] = np.tile(variants[r, 0].astype(np.int64), reps)
        chunk["rc_modules"] = np.tile(variants[r, 1].astype(np.int64), reps)
        chunk["rc_layers"] = np.tile(variants[r, 2], reps)
        chunk["precision"] = np.tile(q, reps)
        yield chunk
