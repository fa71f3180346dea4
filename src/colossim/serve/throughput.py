"""A replica under maximum load (requests always waiting): output tokens/s, the batch it holds, the time per
output token at that batch and the time to first token of a lone request. Vectorised over layouts.

Colocated replicas run continuous batching with chunked prefill: in steady state each iteration advances
every running request by one step and takes the prompt tokens of the requests that replace the finished
ones, B x accepted x ISL/OSL tokens (the mix trtllm-bench sizes max_num_tokens for: batch x (1 + ISL/OSL)).
With pp stages, pp micro-batches of B/pp requests are in flight; a request gets a token every pp stage times.

Disaggregated serving pairs one prefill replica with r decode replicas of the same layout, r = prefill
request rate / decode request rate, so neither waits on the other; the KV cache of each prompt crosses from
one to the other over NVLink (both in one NVLink domain) or the NICs, which can cap the prefill rate.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from colossim.perf.hardware import HardwareArrays
from colossim.serve.comm import kv_transfer_time
from colossim.serve.constants import ServeConstants, constants
from colossim.serve.layout import ServeLayoutArrays
from colossim.serve.memory import ServeMemory, serve_memory
from colossim.serve.shapes import ServeModel
from colossim.serve.step import StageSetup, StageTime, accepted_tokens, stage_setup, stage_time
from colossim.serve.workload import ServeWorkload


class ServeArrays(NamedTuple):
    """Per-row results at maximum load. A 'replica' of a disaggregated layout is one prefill replica plus its
    `decode_replicas` decode replicas (so `gpus` can be fractional)."""

    tokens_per_s: np.ndarray  # output tokens per second of one replica
    tokens_per_s_per_gpu: np.ndarray
    requests_per_s: np.ndarray
    gpus: np.ndarray  # GPUs of one replica (prefill + decode replicas when disaggregated)
    batch: np.ndarray  # requests decoding at once in one (decode) replica
    tpot_s: np.ndarray  # time per output token at that batch
    ttft_s: np.ndarray  # time to first token of a request on an idle replica
    decode_replicas: np.ndarray  # decode replicas per prefill replica (0: colocated)
    compute_fraction: np.ndarray  # share of GPU time limited by compute (for power)
    prefill_rps: np.ndarray  # requests/s one prefill replica admits (disaggregated; colocated: = requests_per_s)
    kv_transfer_s: np.ndarray  # one prompt's KV cache from prefill to decode replica (0: colocated)
    memory: ServeMemory
    stage: StageTime  # one (decode) iteration at maximum load, busiest stage
    valid: np.ndarray


def busiest_prefill(lay: ServeLayoutArrays, mem: ServeMemory, decode_seqs, prefill_tokens, prompt):
    """Prompt tokens on the busiest GPU of a stage. With TP every GPU works on every token (an even share);
    with data-parallel attention each GPU admits whole prompts into its own token budget, so in an iteration
    one GPU can take a whole chunk while the others only decode: min(all prompt tokens of the iteration, one
    GPU's budget left after its decode tokens, one prompt rounded up to that budget)."""
    ranks = lay.groups
    per_rank_budget = np.maximum(mem.budget_tokens / ranks - decode_seqs * (1.0 + lay.spec_k) / ranks, 0.0)
    concentrated = np.minimum(prefill_tokens, np.maximum(per_rank_budget, np.minimum(prompt, per_rank_budget)))
    return np.where(ranks > 1, np.maximum(concentrated, prefill_tokens / ranks), prefill_tokens / ranks)


def _burst_over_quiet(burst, quiet):
    """A burst iteration's input stacked over a quiet one's (axis 0), so one stage_time call evaluates both and
    the terms that depend only on the decode batch (decode attention, the LM head) broadcast, computed once."""
    shape = np.shape(burst) or (1,)
    out = np.empty((2, *shape))
    out[0], out[1] = burst, quiet
    return out


def mixed_iteration(model: ServeModel, lay: ServeLayoutArrays, hw: HardwareArrays, c: ServeConstants,
                    mem: ServeMemory, decode_seqs, context, prefill_mean, prompt,
                    setup: StageSetup | None = None) -> StageTime:
    """Expected iteration of `decode_seqs` running requests that admit `prefill_mean` prompt tokens per iteration
    on average. Prompts arrive whole: when fewer than one finishes per iteration (prefill_mean < prompt) an
    iteration carries either one chunk (a prompt, at most the budget left after decoding) or none, with the
    probability that keeps the mean; when several do, every iteration carries their tokens. The two-point
    average matters because an iteration costs the slower of its compute and its weight reads (convex)."""
    room = np.maximum(mem.budget_tokens - decode_seqs * (1.0 + lay.spec_k), c.tile_rows)
    chunk = np.minimum(room, np.maximum(prefill_mean, prompt))
    q = np.clip(np.where(chunk > 0, prefill_mean / np.maximum(chunk, 1e-30), 0.0), 0.0, 1.0)
    setup = setup or stage_setup(model, lay, hw, c)
    busiest = busiest_prefill(lay, mem, decode_seqs, chunk, prompt)
    if np.all(q >= 1.0):
        return stage_time(model, lay, hw, c, decode_seqs, context, chunk, prompt / 2.0, busiest, setup)
    both = stage_time(model, lay, hw, c, decode_seqs, context, _burst_over_quiet(chunk, 0.0),
                      _burst_over_quiet(prompt / 2.0, 0.0), _burst_over_quiet(busiest, 0.0), setup)
    return StageTime(*(q * part[0] + (1.0 - q) * part[1] for part in both))


def _chunked_prefill_s(model, lay, hw, c, prompt, chunk, setup: StageSetup | None = None):
    """A lone prompt through all stages in chunks of `chunk` tokens (each chunk attends half the prompt on
    average): pp x ceil(P / chunk) stage times."""
    piece = np.minimum(prompt, chunk)
    one = stage_time(model, lay, hw, c, 0.0, 0.0, piece, prompt / 2.0, setup=setup)
    return lay.pp * np.ceil(prompt / piece) * one.total_s, one


def evaluate_serving(model: ServeModel, lay: ServeLayoutArrays, hw: HardwareArrays, work: ServeWorkload,
                     valid=None, c: ServeConstants | None = None) -> ServeArrays:
    """Maximum-load figures of every layout row for requests of the workload `work` (scalars or one per row)."""
    c = c or constants()
    prompt = np.asarray(work.prompt, dtype=float)
    output = np.asarray(work.output, dtype=float)
    mem = serve_memory(model, lay, hw, c, work.reserve, prompt, output)
    acc = accepted_tokens(lay.spec_k, lay.spec_a)
    ctx = np.asarray(work.context, dtype=float)  # cached tokens of a running request, on average
    per_step = 1.0 + lay.spec_k
    dis = lay.disagg > 0
    setup = stage_setup(model, lay, hw, c)

    # ---- colocated: decode and prefill chunks share each iteration
    mb = mem.max_requests / lay.pp
    pf_per_req = acc * prompt / output  # prompt tokens admitted per running request per iteration
    mb = np.minimum(mb, mem.budget_tokens / (per_step + np.where(dis, 0.0, pf_per_req)))
    mb = np.where(mem.max_requests >= 1.0, np.maximum(np.floor(mb), 1.0), 0.0)  # a micro-batch holds >= 1
    pf = np.where(dis, 0.0, mb * pf_per_req)
    st = mixed_iteration(model, lay, hw, c, mem, mb, ctx, pf, prompt, setup)
    tok_replica = mb * acc / st.total_s
    tpot = lay.pp * st.total_s / acc

    # ---- disaggregated: prefill replicas feed decode replicas
    chunk = np.where(lay.budget > 0, lay.budget, c.prefill_chunk)
    ttft_pf, pf_stage = _chunked_prefill_s(model, lay, hw, c, prompt, chunk, setup)
    piece = np.minimum(prompt, chunk)
    prefill_rps = piece / pf_stage.total_s / prompt
    same_domain = 2.0 * lay.gpus <= hw.nvlink_domain
    kv_request = prompt * mem.kv_bytes_per_token * lay.gpus  # the prompt's cache, over the replica's GPUs
    t_kv = kv_transfer_time(kv_request, lay.gpus, same_domain, hw)
    prefill_rps = np.minimum(prefill_rps, 1.0 / np.maximum(t_kv, 1e-12))
    decode_rps = tok_replica / output
    ratio = np.where(dis, prefill_rps / np.maximum(decode_rps, 1e-30), 0.0)
    rps = np.where(dis, prefill_rps, tok_replica / output)
    gpus = lay.gpus * (1.0 + ratio)
    tokens = rps * output
    ttft = np.where(dis, ttft_pf + t_kv, ttft_pf)

    busy = st.compute_bound_s / st.total_s
    compute_fraction = np.where(dis, (busy * ratio + 1.0) / (1.0 + ratio), busy)  # prefill: compute-bound
    ok = (mem.fits & (mb >= 1.0) & np.isfinite(tokens) & (tokens > 0))
    if valid is not None:
        ok = ok & valid
    return ServeArrays(tokens, tokens / gpus, rps, gpus, mb * lay.pp, tpot, ttft, ratio,
                       np.clip(compute_fraction, 0.0, 1.0), np.where(dis, prefill_rps, rps), np.where(dis, t_kv, 0.0),
                       mem, st, ok)


def lone_request_latency(model: ServeModel, lay: ServeLayoutArrays, hw: HardwareArrays, prompt, output,
                         c: ServeConstants | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(TTFT, TPOT) in seconds of one request alone on a replica: its prompt in chunks of the token budget,
    then one decode step per token over a cache of, on average, prompt + output / 2 tokens."""
    c = c or constants()
    prompt = np.asarray(prompt, dtype=float)
    output = np.asarray(output, dtype=float)
    chunk = np.where(lay.budget > 0, lay.budget, c.budget_max)
    setup = stage_setup(model, lay, hw, c)
    ttft, _ = _chunked_prefill_s(model, lay, hw, c, prompt, chunk, setup)
    step = stage_time(model, lay, hw, c, 1.0, prompt + output / 2.0, 0.0, 0.0, setup=setup)
    return ttft, lay.pp * step.total_s / accepted_tokens(lay.spec_k, lay.spec_a)

__all__ = ["ServeArrays", "busiest_prefill", "evaluate_serving", "lone_request_latency", "mixed_iteration"]
