"""`colossim plan`: the best parallel layouts of a model on a cluster, with why the runner-up lost."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from colossim.cli.common import (
    check_output,
    cluster_spec,
    console,
    guarded,
    model_spec,
    parse_date,
    print_json,
    working,
    writing,
)
from colossim.inputs import validate
from colossim.perf.layout import Layout
from colossim.perf.stack import DEFAULT_FRAMEWORK, framework_stack
from colossim.plan.machine import choose_machines
from colossim.plan.search import OBJECTIVES, explain_gap, layout_row, search

ALIASES = {"zero": "zero_stage", "mbs": "micro_batch", "offload": "activation_offload"}


def _compare_layout(text: str, gpus: int, batch: int, template: Layout) -> Layout:
    """`tp=8,pp=16,vpp=4,zero=3` as a Layout on the plan's GPUs, batch and software stack."""
    fields: dict = {}
    for part in text.replace("+", "\x00").split(","):
        key, _, value = part.replace("\x00", "+").partition("=")
        key = ALIASES.get(key.strip(), key.strip())
        if not value or key not in Layout.model_fields:
            raise ValueError(f"--compare {text!r}: {part!r} is not field=value of a layout "
                             "(e.g. tp=8,pp=16,vpp=4,zero=3,recompute=selective)")
        value = value.strip()
        fields[key] = int(value) if value.isdigit() else value.split("+") if key == "recompute_modules" else value
    rest = int(fields.get("tp", 1)) * int(fields.get("pp", 1)) * int(fields.get("cp", 1))
    fields.setdefault("dp", gpus // rest)
    fields.setdefault("global_batch", batch)
    base = template.model_dump(exclude={"tp", "pp", "dp", "cp", "ep", "vpp", "global_batch"})
    return validate({**base, **fields}, Layout, "--compare")


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)


@guarded
def plan(
    model: str | None = typer.Option(None, "--model", help="model id from the zoo (e.g. llama3-405b, grok-3-class; "
                                     "`colossim models`)"),
    model_file: Path | None = typer.Option(None, "--model-file", help="a model of your own: a YAML of zoo fields "
                                           "(`colossim schema model`)"),
    where: str | None = typer.Argument(None, metavar="[SCENARIO|FILE]", help="built-in scenario (colossus, "
                                       "colossus-2) or a cluster YAML file; or use --scenario / --cluster"),
    scenario: str | None = typer.Option(None, "--scenario", help="built-in cluster (colossus, colossus-2)"),
    cluster: Path | None = typer.Option(None, "--cluster", help="cluster YAML file"),
    gpus: int | None = typer.Option(None, "--gpus", help="GPUs for the job (default: all of the partition); more "
                                    "than any partition holds plans one job across generations"),
    partition: str | None = typer.Option(None, "--partition", "--gpu", help="partition name (e.g. h100+h200), a "
                                         "GPU type in it, or 'all' (default: the largest that holds --gpus)"),
    at: str | None = typer.Option(None, "--at", help="cluster as of this date, YYYY-MM-DD (default: final)"),
    global_batch: int | None = typer.Option(None, "--global-batch",
                                            help="sequences per step, fixed (default: 1k tokens/GPU, 16M-64M)"),
    objective: str = typer.Option("time", "--objective", help="time | cost | energy"),
    precision: str = typer.Option("bf16", "--precision", help="bf16 | fp8 | fp4 (comma-separated to search several)"),
    top: int = typer.Option(5, "--top", help="how many layouts to show"),
    framework: str = typer.Option(DEFAULT_FRAMEWORK, "--framework",
                                  help="software stack the layouts run on (perf/software.yaml framework ids)"),
    release: str | None = typer.Option(None, "--release", help="that framework's release, YYYY-MM-DD [newest]"),
    compare: str | None = typer.Option(None, "--compare",
                                       help="also evaluate this layout, e.g. tp=8,pp=16,vpp=4,zero=3 (recompute_modules"
                                            " joined by +), and say why the best beats it"),
    json_out: bool = typer.Option(False, "--json", help="print JSON"),
    plot: Path | None = typer.Option(None, "--plot", help="write a PNG of step-time and memory breakdowns"),
) -> None:
    """Search every valid layout (tp, pp, vpp, dp, cp, ep, micro-batch, ZeRO, recompute, precision)."""
    if objective not in OBJECTIVES:
        raise ValueError(f"--objective {objective!r}: use one of {', '.join(OBJECTIVES)}")
    if top < 1 or (gpus is not None and gpus < 1) or (global_batch is not None and global_batch < 1):
        raise ValueError("--top, --gpus and --global-batch must be >= 1")
    check_output(plot, "--plot")
    spec = cluster_spec(where, scenario, cluster)
    spec_model = model_spec(model, model_file)
    precisions = tuple(p.strip() for p in precision.split(","))
    choice, machines = choose_machines(spec, partition, gpus, parse_date(at))
    stack = framework_stack(framework, parse_date(release, "--release"),  # type: ignore[arg-type]
                            machines[0].hardware.family == "blackwell")
    template = stack.template(moe=spec_model.moe is not None)
    if choice.cross_generation:
        if plot is not None or compare is not None:
            raise ValueError("--plot and --compare take the layouts of one partition: pick one with --partition "
                             "or fewer --gpus")
        _cross_generation(spec_model, spec.name, choice, machines, gpus, global_batch, objective, precisions,
                          json_out, template)
        return
    machine = machines[0]
    n = gpus or machine.gpus_available
    with working(f"searching the layouts of {spec_model.name} on {n:,} GPUs"):
        result = search(spec_model, machine.hardware, n, global_batch=global_batch, objective=objective,  # type: ignore[arg-type]
                        top_k=top, precisions=precisions, economics=machine.economics, template=template)
    if model_file is not None:  # the commands reproduce the plan from the same model file
        import shlex

        own = f"--model-file {shlex.quote(str(model_file))}"
        result.top["step_command"] = [c.replace(f"--model {spec_model.id}", own, 1) for c in result.top["step_command"]]
    compared = None
    if compare is not None:
        ref = _compare_layout(compare, n, int(result.best["gbs"]), template)
        row = layout_row(spec_model, machine.hardware, ref, objective, machine.economics)  # type: ignore[arg-type]
        compared = {"layout": ref.model_dump(mode="json"), "step_time_s": float(row["step_time_s"]),
                    "mfu": float(row["mfu"]), "fits": bool(row["fits"]), "step_command": row["step_command"],
                    "explanation": explain_gap(result.best, row, objective, "compared layout")}  # type: ignore[arg-type]
    if plot is not None:
        from colossim.plots.plan import plan_figure

        png = plan_figure(result.top, f"{spec_model.name} on {n:,} {machine.gpu} ({spec.name})")
        with writing(plot, "--plot"):
            plot.parent.mkdir(parents=True, exist_ok=True)
            plot.write_bytes(png)
    if json_out:
        print_json({
            "model": spec_model.id, "cluster": spec.name, "partition": machine.gpu,
            "partition_reason": choice.reason, "gpu": machine.hardware.gpu.id, "gpus": n,
            "objective": objective, "candidates": result.candidates, "valid": result.valid,
            "fitting": result.fitting, "search_time_s": result.elapsed_s,
            "runner_up_reason": result.runner_up_reason, "layouts": result.top.to_dict(orient="records"),
            "framework": framework, "compare": compared,
        })
        return
    table = Table(title=f"{spec_model.name} on up to {n:,} {machine.gpu} ({spec.name}), best by {objective}")
    from colossim.plots.plan import layout_label

    for label in ("layout", "batch seqs", "GPUs", "step s", "tokens/s", "MFU %", "mem GB", "USD/Mtok", "kWh/Mtok"):
        table.add_column(label, justify="left" if label == "layout" else "right")
    for _, r in result.top.iterrows():
        table.add_row(f"{layout_label(r)} {r['precision']}", f"{r['gbs']:,}", f"{r['gpus_used']:,}",
                      f"{r['step_time_s']:.3g}", f"{r['tokens_per_s']:,.0f}", f"{100 * r['mfu']:.1f}",
                      f"{r['mem_total_gb']:.1f}", f"{r['cost_usd_per_mtok']:.3g}", f"{r['energy_kwh_per_mtok']:.3g}")
    console.print(table)
    console.print(f"GPUs: {choice.reason}", highlight=False)
    console.print(f"{result.candidates:,} candidate layouts, {result.valid:,} valid, {result.fitting:,} fit in memory;"
                  f" searched in {result.elapsed_s:.2f} s")
    console.print(result.runner_up_reason)
    console.print(f"reproduce the best: {result.best['step_command']}", markup=False)
    if compared is not None:
        console.print(f"compared layout: {compared['step_time_s']:.3g} s per step, MFU {100 * compared['mfu']:.1f}%"
                      f"{'' if compared['fits'] else ' (does NOT fit in memory)'}; {compared['explanation']}",
                      markup=False)


def _cross_generation(model, cluster: str, choice, machines, gpus, global_batch, objective, precisions,
                      json_out: bool, template=None) -> None:
    """One job across partitions (plan.hetero), against separate jobs on each; `template` as the search's."""
    from colossim.plan.hetero import plan_cross_generation

    if objective != "time":
        raise ValueError(f"a job across partitions is planned for time only: drop --objective {objective} or "
                         "pick one partition with --partition")
    with working(f"planning one job of {model.name} across {len(machines)} partitions"):
        plan = plan_cross_generation(model, machines, gpus, global_batch, precisions, template=template)
    if json_out:
        print_json({"model": model.id, "cluster": cluster, "partition": "all", "partition_reason": choice.reason,
                    "gpus": plan.gpus, "cross_generation": plan.summary()})
        return
    lay = plan.layout
    table = Table(title=f"{model.name}: one job across {len(machines)} partitions of {cluster} ({plan.gpus:,} GPUs), "
                        f"tp{lay.tp} pp{lay.pp}x{lay.vpp} cp{lay.cp} ep{lay.ep} mb{lay.micro_batch} "
                        f"ZeRO-{lay.zero_stage} {lay.recompute} {lay.precision}")
    for label in ("partition", "GPU", "replicas", "GPUs", "micro-batches each", "sequences", "own step s",
                  "waits s", "mem GB / usable"):
        table.add_column(label, justify="left" if label in ("partition", "GPU") else "right")
    for g in plan.groups:
        table.add_row(g.partition, g.gpu, f"{g.replicas:,}", f"{g.gpus:,}", f"{g.microbatches:,}", f"{g.sequences:,}",
                      f"{g.step_time_s:.3g}", f"{g.wait_s:.3g}", f"{g.memory_gb:.1f} / {g.usable_gb:.1f}")
    console.print(table)
    console.print(f"GPUs: {choice.reason}", highlight=False)
    console.print(f"step {plan.step_time_s:.3g} s, {plan.tokens_per_s:,.0f} tokens/s, batch {plan.global_batch:,} "
                  f"sequences", highlight=False)
    separate = Table(title="separate jobs, each partition on its own")
    for label in ("partition", "GPUs", "tokens/s", "MFU %"):
        separate.add_column(label, justify="left" if label == "partition" else "right")
    for s in plan.separate:
        separate.add_row(s.partition, f"{s.gpus:,}", f"{s.tokens_per_s:,.0f}", f"{100 * s.mfu:.1f}")
    console.print(separate)
    for line in plan.costs():
        console.print(f"- {line}", highlight=False)
