"""What a partition serves: the best replica layout for a model, a request mix and a latency target, how many
replicas fit, the rate and tokens they serve, the users in flight, the power and the cost per million tokens.
`serve_capacity` is the one public answer (fleet splits, the simulator's serving share and the report call it);
`serve_frame` gives the ranked layouts as a DataFrame.

The search ranks every candidate by the closed-form load curve (serve/latency.py). The event simulation then
runs the best layout: its served rate is the largest point of a fixed grid (a 1/50 step of the replica's
maximum-load rate), at or below the closed-form rate, whose simulated p99 TTFT and TPOT meet the target; the
p50/p99 latencies reported are the simulation's at that rate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from colossim.models.schema import ModelSpec
from colossim.models.zoo import get_model
from colossim.plan.machine import JobMachine
from colossim.serve.latency import BINDING, LatencyTarget, load_curve
from colossim.serve.layout import ServeLayout, Speculative, layout_label, row_layout
from colossim.serve.power import serving_cost
from colossim.serve.search import ServeSearch, runner_up_index, search_serving, take_rows, why_lost
from colossim.serve.shapes import serve_model
from colossim.serve.simulate import SimResult, simulate_replica
from colossim.serve.throughput import lone_request_latency
from colossim.serve.workload import RequestMix, default_mix

RATE_GRID = 50


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RunnerUp(_Out):
    layout: str
    output_tokens_per_s: float
    reason: str


class ServeCapacity(_Out):
    model: str
    model_name: str
    cluster: str
    partition: str
    gpus_available: int
    gpus: int  # GPUs offered to serving
    mix: str
    ttft_target_s: float
    tpot_target_s: float
    layout: ServeLayout
    layout_label: str
    gpus_per_replica: float
    replicas: int
    gpus_serving: float
    decode_replicas_per_prefill: float
    requests_per_s: float
    output_tokens_per_s: float
    input_tokens_per_s: float
    output_tokens_per_s_per_gpu: float
    requests_per_s_per_gpu: float
    concurrent_users: float
    max_load_output_tokens_per_s: float  # the same replicas with requests always waiting (no latency target)
    closed_form_requests_per_s: float  # the load curve's rate before the simulation check
    binding: str
    ttft_p50_s: float
    ttft_p99_s: float
    tpot_p50_s: float
    tpot_p99_s: float
    weights_gb_per_gpu: float
    kv_cache_gb_per_gpu: float
    power_mw: float
    energy_kwh_per_mtok: float
    cost_usd_per_mtok: float
    usd_per_gpu_hour: float
    gpu_utilisation: float
    runner_up: RunnerUp | None
    candidates: int
    valid: int
    fitting: int
    search_time_s: float
    notes: list[str]
    assumptions: list[dict]


def _no_fit_message(model: ModelSpec, machine: JobMachine, gpus: int) -> str:
    hw = machine.hardware
    return (f"{model.id} fits no serving replica of up to {gpus:,} {machine.gpu} ({hw.gpu.hbm_gb:g} GB each, "
            f"NVLink domain {hw.nvlink_domain}) with room for one request's KV cache: use more GPUs (--gpus), "
            "lower-precision weights (--precision fp8 or fp4 where the GPU has it), shorter requests, or a "
            "partition with more HBM (--partition)")


def _no_target_message(model: ModelSpec, s: ServeSearch, target: LatencyTarget, mix: RequestMix) -> str:
    w = mix.workload()
    ttft, tpot = lone_request_latency(serve_model(model), s.layouts, s.machine_arrays, w.prompt, w.output)
    return (f"no layout meets p99 TTFT <= {target.ttft_s:g} s and TPOT <= {1e3 * target.tpot_s:g} ms "
            f"({s.fitting:,} layouts fit in memory): even a lone request gets at best "
            f"{1e3 * float(np.nanmin(tpot)):.1f} ms per output token and {float(np.nanmin(ttft)):.2f} s to its "
            "first token; relax --tpot-ms / --ttft-s, give more GPUs (--gpus), serve on a faster partition "
            "(--partition) or use FP8/FP4 weights")


def _simulated_rate(model, one, hw, res, mix, target, closed_rps, max_rps, seed=1) -> tuple[float, SimResult | None]:
    step = max_rps / RATE_GRID
    top = int(np.floor(closed_rps / step + 1e-9))
    k = top
    for _ in range(10):  # scan down from the closed-form rate: the largest grid point that meets the target
        if k < 1:
            return 0.0, None
        sim = simulate_replica(model, one, hw, res, mix, k * step, seed=seed)
        if sim.ttft_p99_s <= target.ttft_s and sim.tpot_p99_s <= target.tpot_s:
            return k * step, sim
        k -= 1
    lo, hi, found = 1, k, (0.0, None)
    while lo <= hi:  # rarely needed: bisect what is left below
        mid = (lo + hi) // 2
        sim = simulate_replica(model, one, hw, res, mix, mid * step, seed=seed)
        if sim.ttft_p99_s <= target.ttft_s and sim.tpot_p99_s <= target.tpot_s:
            found, lo = (mid * step, sim), mid + 1
        else:
            hi = mid - 1
    return found


def serve_capacity(model: ModelSpec | str, machine: JobMachine, gpus: int | None = None,
                   target: LatencyTarget | None = None, mix: RequestMix | None = None, precisions=None,
                   disaggregation: bool = True, speculative: Speculative | None = None,
                   simulate: bool = True) -> ServeCapacity:
    """Serve `model` on `gpus` GPUs (default: all) of `machine` (a JobMachine: colossim.serve.machine) for the
    request `mix` (default: the shipped mix) within `target` (default p99 TTFT 2 s, TPOT 50 ms)."""
    spec = get_model(model) if isinstance(model, str) else model
    target = target or LatencyTarget()
    mix = mix or default_mix()
    n = machine.gpus_available if gpus is None else gpus
    if n < 1 or n > machine.gpus_available:
        raise ValueError(f"--gpus {n:,}: the partition {machine.gpu} of '{machine.cluster.spec.name}' has "
                         f"{machine.gpus_available:,} GPUs: use 1 to {machine.gpus_available:,}")
    hw = machine.hardware
    s = search_serving(spec, hw, n, mix, target, precisions, None, disaggregation, speculative)
    if s.fitting == 0:
        raise ValueError(_no_fit_message(spec, machine, n))
    if s.order.size == 0:
        raise ValueError(_no_target_message(spec, s, target, mix))
    best = int(s.order[0])
    one = take_rows(s.layouts, np.array([best]), s.layouts.rows)
    res = take_rows(s.result, np.array([best]), s.layouts.rows)
    ratio = float(s.rate.decode_replicas[best])
    max_rps = float(res.requests_per_s[0])  # one replica with requests always waiting
    if one.disagg[0] > 0:  # the decode replicas provisioned for the target, not for full load
        decode_max = float(res.prefill_rps[0] / max(float(res.decode_replicas[0]), 1e-30))
        max_rps = min(float(res.prefill_rps[0]), ratio * decode_max)
        res = res._replace(decode_replicas=np.array([ratio]), gpus=one.gpus * (1.0 + ratio))
    m, hwa = serve_model(spec), hw.arrays()
    closed = float(s.rate.rate_rps[best])
    work = mix.workload()
    if simulate:
        rate, sim = _simulated_rate(m, one, hwa, res, mix, target, closed, max(max_rps, closed))
        if rate <= 0:
            raise ValueError(_no_target_message(spec, s, target, mix))
    else:
        rate, sim = closed, None
    curve = load_curve(m, one, hwa, work, res, mix.quantile_prompt(0.99))
    tpot_cf = float(np.interp(rate, curve.rate_rps[0], curve.tpot_s[0]))
    ttft_cf = float(np.interp(rate, curve.rate_rps[0], curve.ttft_p99_s[0]))
    replicas = int(s.replicas[best])
    gpr = float(s.rate.gpus[best])
    out_tps = replicas * rate * float(work.output)
    lat = (sim.ttft_p50_s, sim.ttft_p99_s, sim.tpot_p50_s, sim.tpot_p99_s) if sim else (
        float(np.interp(rate, curve.rate_rps[0], curve.ttft_p50_s[0])), ttft_cf, tpot_cf, tpot_cf)
    users = replicas * rate * (lat[0] + float(work.output) * lat[2])
    cost = serving_cost(machine, float(res.compute_fraction[0]), replicas * gpr, out_tps)
    ru = runner_up_index(s)
    runner = None if ru is None else RunnerUp(layout=layout_label(row_layout(s.layouts, ru)),
                                             output_tokens_per_s=float(s.partition_tokens_per_s[ru]),
                                             reason=why_lost(s, best, ru))
    notes = []
    if spec.estimate:
        notes.append(f"{spec.id} is an estimated architecture (see the model zoo)")
    if not hw.calibrated:
        notes.append(f"{hw.gpu.id} has no calibration of its own: the '{hw.family}' family's constants are used")
    if simulate and rate < closed:
        notes.append(f"the event simulation trims the closed-form rate {closed:.3g} to {rate:.3g} requests/s per "
                     "replica to meet the p99 targets")
    layout = row_layout(s.layouts, best)
    return ServeCapacity(
        model=spec.id, model_name=spec.name, cluster=machine.cluster.spec.name, partition=machine.gpu,
        gpus_available=machine.gpus_available, gpus=n, mix=mix.describe(), ttft_target_s=target.ttft_s,
        tpot_target_s=target.tpot_s, layout=layout, layout_label=layout_label(layout), gpus_per_replica=gpr,
        replicas=replicas, gpus_serving=replicas * gpr, decode_replicas_per_prefill=ratio,
        requests_per_s=replicas * rate, output_tokens_per_s=out_tps,
        input_tokens_per_s=replicas * rate * float(work.prompt), output_tokens_per_s_per_gpu=out_tps / n,
        requests_per_s_per_gpu=replicas * rate / n, concurrent_users=users,
        max_load_output_tokens_per_s=replicas * max_rps * float(work.output),
        closed_form_requests_per_s=replicas * closed,
        binding=BINDING[int(s.rate.binding[best])], ttft_p50_s=lat[0], ttft_p99_s=lat[1], tpot_p50_s=lat[2],
        tpot_p99_s=lat[3], weights_gb_per_gpu=float(res.memory.weights_bytes[0]) / 1e9,
        kv_cache_gb_per_gpu=float(res.memory.kv_budget_bytes[0]) / 1e9, power_mw=cost.facility_mw,
        energy_kwh_per_mtok=cost.energy_kwh_per_mtok, cost_usd_per_mtok=cost.cost_usd_per_mtok,
        usd_per_gpu_hour=cost.usd_per_gpu_hour, gpu_utilisation=cost.gpu_utilisation, runner_up=runner,
        candidates=s.candidates, valid=s.valid, fitting=s.fitting, search_time_s=s.elapsed_s, notes=notes,
        assumptions=list(cost.assumptions))


def serve_frame(model: ModelSpec | str, machine: JobMachine, gpus: int | None = None,
                target: LatencyTarget | None = None, mix: RequestMix | None = None, top: int = 10,
                precisions=None) -> pd.DataFrame:
    """The ranked serving layouts (best first) as a DataFrame, from the same search as serve_capacity."""
    spec = get_model(model) if isinstance(model, str) else model
    s = search_serving(spec, machine.hardware, machine.gpus_available if gpus is None else gpus,
                       mix or default_mix(), target or LatencyTarget(), precisions)
    return s.frame(top)


__all__ = ["RunnerUp", "ServeCapacity", "serve_capacity", "serve_frame"]
