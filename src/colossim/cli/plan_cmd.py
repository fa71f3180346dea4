"""`colossim plan`: the best parallel layouts of a model on a cluster, with why the runner-up lost."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from colossim.cli.common import check_output, console, guarded, parse_date, print_json, writing
from colossim.cluster import load_cluster
from colossim.models.zoo import get_model
from colossim.plan.machine import job_machine
from colossim.plan.search import OBJECTIVES, search


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)


@guarded
def plan(
    model: str = typer.Option(..., "--model", help="model id from the zoo (e.g. llama3-405b, grok-3-class)"),
    scenario: str | None = typer.Option(None, "--scenario", help="built-in cluster (colossus, colossus-2)"),
    cluster: Path | None = typer.Option(None, "--cluster", help="cluster YAML file"),
    gpus: int | None = typer.Option(None, "--gpus", help="GPUs for the job (default: all of that type)"),
    gpu: str | None = typer.Option(None, "--gpu", help="GPU type of the partition (default: most numerous)"),
    at: str | None = typer.Option(None, "--at", help="cluster as of this date, YYYY-MM-DD (default: final)"),
    global_batch: int | None = typer.Option(None, "--global-batch",
                                            help="sequences per step, fixed (default: 1k tokens/GPU, 16M-64M)"),
    objective: str = typer.Option("time", "--objective", help="time | cost | energy"),
    precision: str = typer.Option("bf16", "--precision", help="bf16 | fp8 | fp4 (comma-separated to search several)"),
    top: int = typer.Option(5, "--top", help="how many layouts to show"),
    json_out: bool = typer.Option(False, "--json", help="print JSON"),
    plot: Path | None = typer.Option(None, "--plot", help="write a PNG of step-time and memory breakdowns"),
) -> None:
    """Search every valid layout (tp, pp, vpp, dp, cp, ep, micro-batch, ZeRO, recompute, precision)."""
    if (scenario is None) == (cluster is None):
        raise ValueError("give exactly one of --scenario NAME or --cluster FILE")
    if objective not in OBJECTIVES:
        raise ValueError(f"--objective {objective!r}: use one of {', '.join(OBJECTIVES)}")
    if top < 1 or (gpus is not None and gpus < 1) or (global_batch is not None and global_batch < 1):
        raise ValueError("--top, --gpus and --global-batch must be >= 1")
    check_output(plot, "--plot")
    spec = load_cluster(str(cluster) if cluster else scenario)
    machine = job_machine(spec, gpu, parse_date(at))
    n = gpus or machine.gpus_available
    if n > machine.gpus_available:
        raise ValueError(f"--gpus {n:,} exceeds the {machine.gpus_available:,} {machine.gpu} of "
                         f"'{spec.name}': use at most that")
    spec_model = get_model(model)
    result = search(spec_model, machine.hardware, n, global_batch=global_batch, objective=objective,  # type: ignore[arg-type]
                    top_k=top, precisions=tuple(p.strip() for p in precision.split(",")),
                    economics=machine.economics)
    if plot is not None:
        from colossim.plots.plan import plan_figure

        png = plan_figure(result.top, f"{spec_model.name} on {n:,} {machine.gpu} ({spec.name})")
        with writing(plot, "--plot"):
            plot.parent.mkdir(parents=True, exist_ok=True)
            plot.write_bytes(png)
    if json_out:
        print_json({
            "model": spec_model.id, "cluster": spec.name, "gpu": machine.gpu, "gpus": n,
            "objective": objective, "candidates": result.candidates, "valid": result.valid,
            "fitting": result.fitting, "search_time_s": result.elapsed_s,
            "runner_up_reason": result.runner_up_reason, "layouts": result.top.to_dict(orient="records"),
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
    console.print(f"{result.candidates:,} candidate layouts, {result.valid:,} valid, {result.fitting:,} fit in memory;"
                  f" searched in {result.elapsed_s:.2f} s")
    console.print(result.runner_up_reason)
