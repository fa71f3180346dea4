"""Memory of one serving GPU: weights by precision, the activation workspace of the token budget, and the KV
cache that fills what is left; hence how many requests a replica holds. Vectorised over layouts.

KV cache per token (all layers of a pipeline stage, on one GPU):
  GQA/MHA: layers x 2 x kv_heads x head_dim x bytes / min(tp, kv_heads)  (TP splits heads; beyond kv_heads
           each GPU keeps one head, as TensorRT-LLM's `max(tp, num_kv_heads)` sizing does);
  MLA:     layers x (kv_lora_rank + rope_dim) x bytes  (one latent shared by all heads, so TP cannot split
           it: every TP rank holds it whole; with data-parallel attention each GPU holds only its requests').
A request reserves its prompt plus its whole output (TensorRT-LLM's default GUARANTEED_NO_EVICT scheduler
and trtllm-bench's sizing, tuning.py calc_engine_setting: kv_cache_max_requests = cache / (ISL + OSL)).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from colossim.perf.hardware import HardwareArrays
from colossim.serve.constants import ServeConstants
from colossim.serve.layout import ServeLayoutArrays
from colossim.serve.shapes import ServeModel


class ServeMemory(NamedTuple):
    weights_bytes: np.ndarray  # per GPU, busiest pipeline stage
    workspace_bytes: np.ndarray
    kv_budget_bytes: np.ndarray  # per GPU
    kv_bytes_per_token: np.ndarray  # one token of one request, on one GPU (its stage's layers)
    max_requests: np.ndarray  # requests whose whole prompt + output fit the replica's KV cache
    budget_tokens: np.ndarray  # tokens one iteration schedules per replica (decode + prefill chunk)
    fits: np.ndarray


def precision_bytes(codes, table):
    """Bytes per element at each row's precision code (a table lookup)."""
    return np.asarray(table, dtype=float)[np.asarray(codes).astype(np.intp)]


def stage_layers(model: ServeModel, lay: ServeLayoutArrays):
    """Layers on the busiest pipeline stage (uneven splits give one stage the extra layer)."""
    return np.ceil(model.layers / lay.pp)


def non_expert_shard(lay: ServeLayoutArrays):
    """GPUs that split the non-expert weights: the attention tensor-parallel size."""
    return lay.atp


def weights_per_gpu(model: ServeModel, lay: ServeLayoutArrays, c: ServeConstants):
    layers = stage_layers(model, lay)
    moe_layers = model.moe_layers * layers / model.layers
    wb = precision_bytes(lay.wprec, c.w_bytes)
    shard = non_expert_shard(lay)
    dense = layers * model.layer_weights * wb / shard
    embed = model.vocab * model.hidden * c.lm_head_bytes / shard  # BF16 lookup table, vocab-parallel
    head = (1.0 - model.tied) * model.vocab * model.hidden * c.lm_head_bytes / shard
    ends = np.where(lay.pp > 1, np.maximum(embed, head), embed + head)  # first and last stage differ
    experts = moe_layers * model.experts * model.expert_weights * wb / lay.tp  # ep x expert-tp = tp GPUs
    return dense + ends + experts


def kv_bytes_per_token(model: ServeModel, lay: ServeLayoutArrays, c: ServeConstants):
    kv_shard = np.minimum(lay.atp, model.kv_heads)
    return stage_layers(model, lay) * model.kv_elems * precision_bytes(lay.kvprec, c.kv_bytes) / kv_shard


def default_budget(requests, prompt, output, pp, c: ServeConstants):
    """trtllm-bench's max_num_tokens: batch x (1 + ISL/OSL), between 2,048 and 32,768 (tuning.py)."""
    return np.clip(requests / pp * (1.0 + prompt / output), c.budget_min, c.budget_max)


def serve_memory(model: ServeModel, lay: ServeLayoutArrays, hw: HardwareArrays, c: ServeConstants,
                 reserve, prompt, output) -> ServeMemory:
    """Memory per GPU and the requests a replica holds when each reserves `reserve` KV tokens (prompt + output
    for one shape); `prompt` and `output` (means) size the default token budget."""
    weights = weights_per_gpu(model, lay, c)
    per_token = kv_bytes_per_token(model, lay, c)
    ranks = lay.groups  # data-parallel attention groups of a stage: they hold different requests

    def requests(workspace):
        free = hw.hbm_bytes - weights - workspace - c.reserved_bytes
        budget = np.maximum(free, 0.0) * np.where(lay.kv_frac > 0, lay.kv_frac, c.kv_fraction)
        return budget, np.floor(budget / per_token / reserve) * ranks

    _, first = requests(0.0)
    cap = np.minimum(np.minimum(first, c.max_batch * ranks), lay.batch_cap)
    # the token budget is per GPU that schedules its own requests (TensorRT-LLM max_num_tokens is per rank)
    budget = np.where(lay.budget > 0, lay.budget, default_budget(cap / ranks, prompt, output, lay.pp, c)) * ranks
    workspace = budget / ranks * c.act_bytes_per_token * model.hidden
    kv_budget, held = requests(workspace)
    held = np.minimum(held, cap)
    return ServeMemory(weights, workspace, kv_budget, per_token, held, budget, held >= 1.0)


__all__ = ["ServeMemory", "default_budget", "kv_bytes_per_token", "non_expert_shard", "precision_bytes",
           "serve_memory", "stage_layers", "weights_per_gpu"]
