"""What it can serve: the report's Grok-class model served by every partition of the final cluster at a stated
latency target (colossim.serve.serve_capacity), with the power it draws and the cost per million tokens.

Thin layer: serve_capacity does the search, the latency model and the power. The partitions are the cluster's
largest disjoint ones (H100 and H200 together, GB200 alone on Colossus), so their totals add up.
"""

from __future__ import annotations

import pandas as pd

from colossim.models import get_model
from colossim.report.context import Context
from colossim.report.document import Bullets, Paragraph, Section, Table
from colossim.report.figures.split import SplitLine, split_figure
from colossim.report.sections import AssumptionRow, SectionOutput
from colossim.serve.capacity import ServeCapacity, serve_capacity
from colossim.serve.constants import load_serve_calibration
from colossim.serve.latency import LatencyTarget
from colossim.serve.machine import partitions
from colossim.serve.workload import default_mix

TARGET = LatencyTarget(ttft_s=2.0, tpot_s=0.05)  # p99; the interactive end of common serving targets

LABELS = {
    "partition": "GPUs (type)",
    "gpus": "GPUs",
    "layout": "layout per replica",
    "gpus_per_replica": "GPUs per replica",
    "replicas": "replicas",
    "output_tokens_per_s_m": "output tokens/s (million)",
    "requests_per_s": "requests/s",
    "concurrent_users": "requests in flight",
    "ttft_p99_s": "TTFT p99 (s)",
    "tpot_p99_ms": "TPOT p99 (ms)",
    "power_mw": "facility power (MW)",
    "energy_kwh_per_mtok": "energy (kWh per million tokens)",
    "cost_usd_per_mtok": "cost (USD per million tokens)",
}
FORMATS = {"gpus_per_replica": ",.4g", "output_tokens_per_s_m": ",.2f", "requests_per_s": ",.0f",
           "concurrent_users": ",.0f", "ttft_p99_s": ",.2f", "tpot_p99_ms": ",.1f", "power_mw": ",.1f",
           "energy_kwh_per_mtok": ",.3f", "cost_usd_per_mtok": ",.3f"}


def _disjoint(parts):
    """Partitions that are not part of a bigger one (H100 and H200 alone are inside 'h100_sxm5+h200_sxm')."""
    sets = [set(p.gpu.split("+")) for p in parts]
    return [p for p, s in zip(parts, sets, strict=True) if not any(s < other for other in sets)]


def _row(c: ServeCapacity) -> dict:
    return {"partition": c.partition, "gpus": c.gpus, "layout": c.layout_label, "gpus_per_replica": c.gpus_per_replica,
            "replicas": c.replicas, "output_tokens_per_s_m": c.output_tokens_per_s / 1e6,
            "requests_per_s": c.requests_per_s, "concurrent_users": c.concurrent_users, "ttft_p99_s": c.ttft_p99_s,
            "tpot_p99_ms": 1e3 * c.tpot_p99_s, "power_mw": c.power_mw,
            "energy_kwh_per_mtok": c.energy_kwh_per_mtok, "cost_usd_per_mtok": c.cost_usd_per_mtok}


def _assumptions(results: list[ServeCapacity]) -> tuple[AssumptionRow, ...]:
    mix = default_mix()
    rows = [AssumptionRow("serving", "latency target", f"p99 TTFT {TARGET.ttft_s:g} s, TPOT {1e3 * TARGET.tpot_s:g} ms",
                          "-", "report choice (colossim.report.sections.serving.TARGET)", False),
            AssumptionRow("serving", "request mix", mix.describe(), "-", f"{mix.source} (NVIDIA NIM benchmarking "
                          "guide use cases; equal shares an estimate)", True)]
    for r in load_serve_calibration().rows():
        rows.append(AssumptionRow("serving", f"serve.{r['name']}", r["value"], "-", r["source"], r["estimate"]))
    seen = set()
    for c in results:
        for a in c.assumptions:
            if a["name"] not in seen:
                seen.add(a["name"])
                rows.append(AssumptionRow("serving", f"serving {a['name']}", a["value"], a["unit"], a["source"],
                                          None))
    return tuple(rows)


def build(ctx: Context) -> SectionOutput:
    model = get_model(ctx.options.model)
    results, skipped = [], []
    for p in _disjoint(partitions(ctx.spec)):
        try:
            results.append(serve_capacity(model, p, target=TARGET, simulate=not ctx.options.quick))
        except ValueError as exc:  # a partition too small for the model, or too slow for the target
            skipped.append(f"{p.gpu}: {exc.args[0] if exc.args else exc}")
    if not results:
        reason = "; ".join(skipped) or "the cluster has no GPUs"
        text = Paragraph(f"{model.name} cannot be served on this cluster at the target: {reason}")
        return SectionOutput(Section("serving", "What it can serve", (text,)),
                             {"serving": {"available": False, "reason": reason}})
    frame = pd.DataFrame([_row(c) for c in results])
    total_tps = sum(c.output_tokens_per_s for c in results)
    total_mw = sum(c.power_mw for c in results)
    total_users = sum(c.concurrent_users for c in results)
    gpus = sum(c.gpus for c in results)
    table = Table(
        "serving", f"Serving {model.name} at p99 TTFT {TARGET.ttft_s:g} s and TPOT {1e3 * TARGET.tpot_s:g} ms",
        "Each partition of the final cluster with its best replica layout (serving model of colossim.serve; "
        "request mix: the shipped default). Power is facility power at that load; cost is hardware amortised "
        "over its life plus electricity.", frame, LABELS, FORMATS, summary=True)
    best = max(results, key=lambda c: c.output_tokens_per_s_per_gpu)
    text = Paragraph(
        f"In May 2026 the whole of Colossus 1 was leased out for inference. Serving {model.name} with every "
        f"request's first token within {TARGET.ttft_s:g} s and each next token within {1e3 * TARGET.tpot_s:g} ms "
        f"(p99), its {gpus:,} GPUs would produce {total_tps / 1e6:,.1f} million output tokens per second "
        f"({total_tps * 86400 / 1e12:,.2f} trillion a day) for about {total_users:,.0f} requests in flight, drawing "
        f"{total_mw:,.0f} MW at the facility. Per GPU, {best.partition} serves the most "
        f"({best.output_tokens_per_s_per_gpu:,.0f} tokens/s).")
    facts = [f"{c.partition}: {c.layout_label}; the rate is set by the {c.binding}; "
             f"{c.weights_gb_per_gpu:,.0f} GB of weights and {c.kv_cache_gb_per_gpu:,.0f} GB of KV cache per GPU."
             for c in results]
    facts += [f"not served: {s}" for s in skipped]
    if model.estimate:
        facts.append(f"{model.name} is an estimated architecture; its reasoning is in the assumptions section.")
    if ctx.options.quick:
        facts.append("quick report: latency from the closed-form load curve (no event simulation).")
    numbers = {"serving": {
        "available": True, "model": model.id, "ttft_target_s": TARGET.ttft_s, "tpot_target_s": TARGET.tpot_s,
        "total_output_tokens_per_s": total_tps, "total_power_mw": total_mw, "total_concurrent_users": total_users,
        "partitions": [c.model_dump(mode="json", exclude={"assumptions"}) for c in results], "skipped": skipped,
    }}
    parts = [text, Bullets(tuple(facts)), table, *_split(ctx, model, numbers)]
    section = Section("serving", "What it can serve", tuple(parts))
    return SectionOutput(section, numbers, _assumptions(results))


SPLIT_LABELS = {"phase": "phase", "partition": "partition", "serving_share": "share serving",
                "serving_gpus": "GPUs serving", "requests_per_s": "requests/s", "serving_power_mw": "serving MW",
                "training_gpus": "GPUs training", "training_days": "days to train (Daly)",
                "tokens_per_day_bn": "tokens a day, with failures (billion)", "note": "how the job shrinks"}
SPLIT_FORMATS = {"serving_share": ".0%", "requests_per_s": ",.0f", "serving_power_mw": ",.1f",
                 "training_days": ",.1f", "tokens_per_day_bn": ",.1f"}


def _split(ctx: Context, model, numbers: dict) -> list:
    """The training/serving trade-off on each training phase's headline partition (train.split), when the training
    section ran."""
    from colossim.train.split import phase_splits

    phases = ctx.cache.get("training")
    if not phases:
        return []
    splits = phase_splits(model, phases, simulate=not ctx.options.quick)
    numbers["serving"]["fleet_split"] = [s.to_dict() for s in splits]
    rows = [{"phase": s.phase, "partition": s.partition, "serving_share": p.serving_share,
             "serving_gpus": p.serving_gpus, "requests_per_s": p.requests_per_s,
             "serving_power_mw": p.serving_power_mw, "training_gpus": p.training_gpus,
             "training_days": p.training_days, "tokens_per_day_bn": p.tokens_per_day / 1e9, "note": p.note}
            for s in splits for p in s.points]
    if not rows:
        return [Paragraph("No training/serving split: " + "; ".join(s.note for s in splits))]
    table = Table("fleet_split", "Training against serving, per phase",
                  "On each phase's headline partition: a share of its GPUs serving the model (the best serving "
                  "replica at the target above) and the training job on the rest (fewer data-parallel replicas of "
                  "its layout, re-planned where that no longer fits in memory).", pd.DataFrame(rows), SPLIT_LABELS,
                  SPLIT_FORMATS, summary=True)
    lines = [SplitLine(s.phase, tuple(c.best.gpu_types), s.phase, tuple(p.serving_share for p in s.points),
                       tuple(p.training_days for p in s.points), tuple(p.requests_per_s for p in s.points))
             for s, c in zip(splits, phases, strict=True) if s.points]
    return [split_figure(lines, model.name), table]
