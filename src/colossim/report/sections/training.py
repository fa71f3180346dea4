"""What it can train: the report's Grok-class model on each phase (colossim.train.compare_phases): the
best single job (partition and layout the plan search finds, its step-time and memory breakdowns, the days
to train, ideal and with failures, the run's energy, CO2 and cost), the best job on every partition, and
every partition training at once (the flagship on the largest partition, a second run on each other) with
the tokens a day they train together.

Thin layer: compare_phases does the search, the checkpoint and goodput chain and the footprint; the failures
section shows the same jobs' chain. The best run of the first phase becomes the operations section's flagship.
"""

from __future__ import annotations

import pandas as pd

from colossim.cluster.use import training_snapshots
from colossim.models import get_model
from colossim.report.context import GROK_CLASS_TOKENS, Context
from colossim.report.document import Bullets, Paragraph, Section, Table
from colossim.report.figures import PartitionRate, TrainingBar, training_figure
from colossim.report.figures.uncertainty import TornadoInput, TornadoPanel, tornado_figure
from colossim.report.names import gpus_name
from colossim.report.palette import Quantity
from colossim.report.sections import AssumptionRow, SectionOutput
from colossim.train import PhaseComparison, RangeOptions, compare_phases, with_headline, with_ranges

# the step model's fields -> the figure's parts (colossim.report.figures.training names and colours them)
STEP_PARTS = {"compute_s": "compute", "tp_s": "tensor_parallel", "cp_s": "context_parallel",
              "ep_s": "expert_parallel", "pp_s": "pipeline_sends", "dp_s": "data_parallel",
              "bubble_s": "pipeline_bubble", "optimizer_s": "optimizer"}
MEMORY_PARTS = {"weights_gb": "weights", "grads_gb": "gradients", "optimizer_gb": "optimizer_state",
                "activations_gb": "activations", "other_gb": "memory_other"}

LABELS = {
    "phase": "phase",
    "partition": "partition",
    "gpus": "GPUs in the job",
    "gpus_available": "GPUs in the partition",
    "layout": "layout (parallelism)",
    "global_batch_tokens_m": "tokens per step (million)",
    "step_time_s": "step time (s)",
    "tokens_per_s_m": "throughput (million tokens/s)",
    "tokens_per_day_bn": "tokens a day, with failures (billion)",
    "all_partitions_tokens_per_day_bn": "every partition at once: tokens a day (billion)",
    "mfu": "model FLOPs utilisation",
    "memory_per_gpu_gb": "memory per GPU (GB)",
    "ideal_days": "days to train, ideal",
    "expected_days": "days, with failures (expected)",
    "wall_days_p10": "days, with failures (p10)",
    "wall_days_p50": "days, with failures (median)",
    "wall_days_p90": "days, with failures (p90)",
    "wall_days_range": "days, with failures: likely range (p10-p90 over the estimates and the step model's error)",
    "goodput_p50": "goodput (median)",
    "interruptions_p50": "interruptions (median)",
    "checkpoint_interval_min": "checkpoint interval (min)",
    "energy_gwh": "facility energy (GWh)",
    "energy_range": "facility energy: likely range (GWh)",
    "co2_kt": "CO2 (kt)",
    "co2_range": "CO2: likely range (kt)",
    "water_million_m3": "water (million m3)",
    "total_cost_musd": "cost: electricity + hardware (million USD)",
    "cost_range": "cost: likely range (million USD)",
    "cost_per_million_tokens_usd": "cost per million tokens (USD)",
}
FORMATS = {"tokens_per_day_bn": ",.0f", "all_partitions_tokens_per_day_bn": ",.0f",
           "global_batch_tokens_m": ",.1f", "step_time_s": ",.2f", "tokens_per_s_m": ",.2f", "mfu": ".1%",
           "memory_per_gpu_gb": ",.1f", "ideal_days": ",.1f", "expected_days": ",.1f", "wall_days_p10": ",.1f",
           "wall_days_p50": ",.1f", "wall_days_p90": ",.1f", "goodput_p50": ".1%", "interruptions_p50": ",.0f",
           "checkpoint_interval_min": ",.1f", "energy_gwh": ",.1f", "co2_kt": ",.1f", "water_million_m3": ",.2f",
           "total_cost_musd": ",.0f", "cost_per_million_tokens_usd": ",.2f"}


def layout_text(layout: dict) -> str:
    parts = [f"{k.upper()} {layout[k]}" for k in ("tp", "pp", "dp", "cp", "ep") if int(layout[k]) > 1]
    if int(layout["vpp"]) > 1:
        parts.append(f"VPP {layout['vpp']}")
    return (f"{' x '.join(parts) or 'one GPU'}; micro-batch {layout['mbs']}, ZeRO-{layout['zero']}, "
            f"recompute {layout['recompute']}, {layout['precision']}")


def _range(s: dict, name: str, scale: float, fmt: str) -> str:
    low, high = s.get(f"{name}_low"), s.get(f"{name}_high")
    return "-" if low is None or high is None else f"{fmt.format(low * scale)}-{fmt.format(high * scale)}"


TORNADO: dict[str, tuple[str, str, Quantity, float, str]] = {  # summary figure -> panel
    "wall_days_p50": ("days to train, with failures", "days", "with_failures", 1.0, "{:,.0f}"),
    "co2_t": ("CO2 of the run", "kt CO2", "co2", 1e-3, "{:,.1f}"),
    "total_cost_usd": ("cost of the run", "million USD", "capex", 1e-6, "{:,.0f}"),
}


def _short(x: float) -> str:
    """An input's value at a bar's end: 0.762, 1.4, 58k."""
    return f"{x / 1e3:,.0f}k" if abs(x) >= 1e4 else f"{x:,.3g}"


def _tornado(c: PhaseComparison, ctx: Context):
    """The tornado of the last phase's headline job (train.ranges)."""
    plan = c.best
    spread = plan.ranges
    panels = []
    for name, (title, unit, quantity, scale, fmt) in TORNADO.items():
        s = spread.spreads[name]
        bars = tuple(TornadoInput(b.label, _short(b.input_low), _short(b.input_high), b.at_low * scale,
                                  b.at_high * scale) for b in spread.tornado[name])
        panels.append(TornadoPanel(f"uncertainty-{name.split('_')[0]}", title, unit, quantity, s.mid * scale,
                                   s.low * scale, s.high * scale, bars, fmt))
    job = f"{plan.gpus:,}-GPU job on {c.phase} ({gpus_name(ctx.catalog, plan.gpu_types)})"
    return tornado_figure(panels, job)


def _row(c: PhaseComparison, model_seq_len: int) -> dict:
    plan = c.best
    s = plan.summary()
    fp = plan.footprint
    return {
        "phase": c.phase,
        "partition": plan.partition,
        "gpus": s["gpus"],
        "gpus_available": s["gpus_available"],
        "layout": layout_text(s["layout"]),
        "global_batch_tokens_m": s["layout"]["gbs"] * model_seq_len / 1e6,
        "step_time_s": s["step_time_s"],
        "tokens_per_s_m": s["tokens_per_s"] / 1e6,
        "tokens_per_day_bn": s["effective_tokens_per_day"] / 1e9,
        "all_partitions_tokens_per_day_bn": c.concurrent.effective_tokens_per_day / 1e9,
        "mfu": s["mfu"],
        "memory_per_gpu_gb": s["memory_per_gpu_gb"],
        "ideal_days": s["ideal_days"],
        "expected_days": s["expected_days"],
        "wall_days_p10": s["wall_days_p10"],
        "wall_days_p50": s["wall_days_p50"],
        "wall_days_p90": s["wall_days_p90"],
        "wall_days_range": _range(s, "wall_days_p50", 1.0, "{:,.0f}"),
        "goodput_p50": s["goodput_p50"],
        "interruptions_p50": s["interruptions_p50"],
        "checkpoint_interval_min": s["checkpoint_interval_min"],
        "energy_gwh": fp.facility_energy_mwh / 1e3,
        "energy_range": _range(s, "energy_mwh", 1e-3, "{:,.0f}"),
        "co2_kt": fp.co2_t / 1e3,
        "co2_range": _range(s, "co2_t", 1e-3, "{:,.0f}"),
        "water_million_m3": fp.water_m3 / 1e6,
        "total_cost_musd": fp.total_cost_usd / 1e6,
        "cost_range": _range(s, "total_cost_usd", 1e-6, "{:,.0f}"),
        "cost_per_million_tokens_usd": fp.cost_per_million_tokens_usd,
    }


def _bar(ctx: Context, c: PhaseComparison) -> TrainingBar:
    step, mem = c.best.step, c.best.step.memory
    catalog = ctx.catalog
    return TrainingBar(
        phase=c.phase,
        label=f"{c.phase}\n{c.best.gpus:,} GPUs\n{gpus_name(catalog, c.best.gpu_types)}".replace(" + ", " +\n"),
        ideal_days=c.best.ideal_days,
        with_failures_days=c.best.wall_days,
        step_parts_s={part: getattr(step, key) for key, part in STEP_PARTS.items()},
        memory_parts_gb={part: getattr(mem, key) for key, part in MEMORY_PARTS.items()},
        usable_gb=mem.usable_gb,
        partitions=tuple(PartitionRate(gpus_name(catalog, j.gpu_types), tuple(j.gpu_types),
                                       j.effective_tokens_per_day / 1e9) for j in c.concurrent.jobs),
    )


def _partition_rows(results: list[PhaseComparison]) -> pd.DataFrame:
    rows = []
    for c in results:
        for p in c.by_partition:
            rows.append({"phase": c.phase, "job": p.partition + (" (fastest single job)" if p is c.fastest else ""),
                         "gpus": p.gpus, "tokens_per_day_bn": p.effective_tokens_per_day / 1e9,
                         "ideal_days": p.ideal_days, "wall_days_p50": p.wall_days, "mfu": p.step.mfu})
        split = c.concurrent
        rows.append({"phase": c.phase, "job": "every partition at once", "gpus": split.gpus,
                     "tokens_per_day_bn": split.effective_tokens_per_day / 1e9, "ideal_days": None,
                     "wall_days_p50": None, "mfu": None})
        cross = c.cross_generation
        if cross is not None:  # with Daly's expected goodput of its own checkpoint chain
            rows.append({"phase": c.phase, "job": "one job across generations", "gpus": cross.gpus,
                         "tokens_per_day_bn": c.cross_generation_tokens_per_day / 1e9,
                         "ideal_days": c.best.tokens / cross.tokens_per_s / 86_400,
                         "wall_days_p50": c.best.tokens / c.cross_generation_tokens_per_day, "mfu": None})
    return pd.DataFrame(rows)


def _more_or_fewer(gain: float) -> str:
    return f"{abs(gain):.0%} {'more' if gain >= 0 else 'fewer'}"


def _value_text(results: list[PhaseComparison]) -> str:
    """What the phases add, in tokens a day: the later partitions' own jobs made visible."""
    last = results[-1]
    now = last.concurrent.effective_tokens_per_day / 1e9
    text = f"Every partition training at once, {last.phase} trains {now:,.0f} billion tokens a day"
    if len(results) > 1:
        before = results[-2]
        text += (f", against {before.concurrent.effective_tokens_per_day / 1e9:,.0f} billion on {before.phase}")
    text += "."
    flagship = last.concurrent.jobs[0]
    for job in last.concurrent.jobs[1:]:
        share = job.effective_tokens_per_day / flagship.effective_tokens_per_day
        daily = job.effective_tokens_per_day / 1e9
        text += (f" The {job.gpus:,} GPUs of partition {job.partition} alone train {daily:,.0f}"
                 f" billion tokens a day ({share:.0%} of the {flagship.gpus:,}-GPU flagship on {flagship.partition}) "
                 f"and would finish the run in {job.wall_days:,.0f} days.")
    cross = last.cross_generation
    if cross is not None:
        text += (f" One job over {cross.gpus:,} GPUs of every partition (replicas of one layout, the faster GPUs "
                 f"taking more micro-batches) would process {_more_or_fewer(cross.gain_vs_best_partition)} tokens a "
                 f"second than the fastest partition alone and {_more_or_fewer(cross.gain_vs_separate)} than every "
                 "partition on its own run; its costs: " + "; ".join(cross.costs()[:-1]) + ".")
    return text


def _assumptions(ctx: Context, results: list[PhaseComparison]) -> tuple[AssumptionRow, ...]:
    model = get_model(ctx.options.model)
    rows = [AssumptionRow("training", "tokens", ctx.options.tokens, "tokens",
                          "grok-3-class estimate_reasoning in the model zoo (~60e12 tokens)"
                          if ctx.options.tokens == GROK_CLASS_TOKENS else "report option --tokens", True),
            AssumptionRow("training", f"model {model.id}", model.name, "-", model.source,
                          bool(getattr(model, "estimate", False)))]
    seen: set[str] = set()
    for c in results:
        for a in c.best.assumptions:
            if a.name in seen or a.name in ("busy_hours", "idle_hours"):  # per run, not inputs
                continue
            seen.add(a.name)
            rows.append(AssumptionRow("training", a.name, a.value, a.unit, a.source, None))
    return tuple(rows)


def _unavailable(ctx: Context, reason: str) -> SectionOutput:
    text = Paragraph(f"The time to train {ctx.options.model} could not be planned on this cluster: {reason}")
    return SectionOutput(Section("training", "What it can train", (text,)),
                         {"training": {"available": False, "reason": reason}})


def build(ctx: Context) -> SectionOutput:
    o = ctx.options
    model = get_model(o.model)
    try:
        results = compare_phases(model, ctx.spec, o.tokens, precisions=(o.precision,), options=o.reliability)
    except ValueError as exc:  # e.g. a cluster file without storage, or a model that fits nowhere
        return _unavailable(ctx, str(exc.args[0] if exc.args else exc))
    results = with_headline(results, o.partition)  # a partition no phase has: exit 2 (the user's choice)
    results = with_ranges(results, RangeOptions(seed=o.ops_seed))  # low / high of each headline
    ctx.cache["training"] = results  # the failures section shows these jobs' checkpoint chain
    first = results[0].best
    ctx.cache["flagship_run"] = {  # the operations section simulates this run
        "gpus": first.gpus, "gpu_type": first.gpu_types[0], "ideal_days": first.ideal_days,
        "checkpoint_interval": first.checkpoint.interval_s, "checkpoint_write_s": first.checkpoint.blocking_s,
        "restart_s": first.checkpoint.restart_s,
    }
    frame = pd.DataFrame([_row(c, model.seq_len) for c in results])
    table = Table(
        "training", f"Training {model.name} on {o.tokens / 1e12:,.0f} trillion tokens",
        "For each phase, the fastest single job: the partition (one GPU type, or H100 and H200 together), the "
        "layout the plan search finds on it; days with failures come from a Monte Carlo of the run. The last "
        "rows add every partition training at once.",
        frame, LABELS, FORMATS, summary=True, transpose=True,
    )
    options_table = Table(
        "training_partitions", "Every partition's own job, and all of them at once",
        "The same run on each partition of each phase (the fastest single job marked), and every partition "
        "training its own copy at once: the tokens a day add up.", _partition_rows(results),
        {"phase": "phase", "job": "job (partition)", "gpus": "GPUs in the job",
         "tokens_per_day_bn": "tokens a day, with failures (billion)", "ideal_days": "days, ideal",
         "wall_days_p50": "days, with failures (median)", "mfu": "model FLOPs utilisation"},
        {"tokens_per_day_bn": ",.0f", "ideal_days": ",.1f", "wall_days_p50": ",.1f", "mfu": ".1%"},
        summary=True,
    )
    figure = training_figure([_bar(ctx, c) for c in results], model.name, o.tokens)
    tornado = _tornado(results[-1], ctx)
    last = results[-1].best
    text = Paragraph(
        f"Training {model.name} on {o.tokens / 1e12:,.0f} trillion tokens would take "
        f"{first.wall_days:,.0f} days on {results[0].phase} ({first.gpus:,} GPUs of partition {first.partition}) and "
        f"{last.wall_days:,.0f} days on {results[-1].phase} ({last.gpus:,} of {last.partition}), failures and "
        f"restarts included ({last.ideal_days:,.0f} days if nothing ever failed; likely "
        f"{_range(last.summary(), 'wall_days_p50', 1.0, '{:,.0f}')} days over the estimates' ranges and the step "
        "model's error on runs it was not fitted on). The GPUs do useful model "
        f"arithmetic {last.step.mfu:.0%} of the time (MFU); the rest is communication and pipeline bubbles the "
        f"layout cannot hide. {_value_text(results)}"
    )
    facts = [
        f"{c.phase}: best layout {layout_text(c.best.summary()['layout'])}, a step of "
        f"{c.best.step.step_time_s:,.1f} s, {c.best.step.memory.total_gb:,.0f} of "
        f"{c.best.step.memory.usable_gb:,.0f} GB usable per GPU." for c in results
    ]
    facts += [f"{c.phase}: partition {why}" for c in results for why in c.skipped]
    facts += [f"Not trained on: {line}." for line in training_snapshots(ctx.spec, ctx.catalog)[1]]
    if getattr(model, "estimate", False):
        facts.append(f"{model.name} is an estimated architecture; its reasoning is in the assumptions section.")
    numbers = {"training": {
        "available": True, "model": model.id, "tokens": o.tokens,
        "phases": [c.summary() for c in results],
        "partitions": _partition_rows(results).to_dict(orient="records"),
        "uncertainty": results[-1].best.ranges.describe(),
    }}
    section = Section("training", "What it can train",
                      (text, Bullets(tuple(facts)), table, figure, tornado, options_table))
    return SectionOutput(section, numbers, _assumptions(ctx, results))
