"""`colossim serve`: what a partition of a cluster serves for a model at a latency target, with power and cost;
and the `--serving` part of `colossim validate` (published serving results vs the serving model)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from colossim.cli.common import cluster_spec, console, guarded, model_spec, parse_date, print_json, working
from colossim.serve.capacity import ServeCapacity, serve_capacity, serve_frame
from colossim.serve.latency import LatencyTarget
from colossim.serve.layout import Speculative
from colossim.serve.machine import serving_partition
from colossim.serve.published import load_published
from colossim.serve.validation import ServeValidationReport, validate_serving
from colossim.serve.workload import default_mix, fixed_mix, read_mix_csv


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def _mix(prompt: int | None, output: int | None, mix_csv: Path | None):
    if mix_csv is not None and (prompt is not None or output is not None):
        raise ValueError("give either --mix FILE or --prompt-tokens/--output-tokens, not both")
    if (prompt is None) != (output is None):
        raise ValueError("give both --prompt-tokens and --output-tokens (or neither, for the shipped mix)")
    if mix_csv is not None:
        return read_mix_csv(mix_csv)
    return default_mix() if prompt is None else fixed_mix(prompt, output)


def _print(c: ServeCapacity) -> None:
    t = Table(title=f"{c.model_name} served on {c.gpus:,} {c.partition} ({c.cluster}), p99 TTFT <= "
                    f"{c.ttft_target_s:g} s, TPOT <= {1e3 * c.tpot_target_s:g} ms")
    t.add_column("quantity")
    t.add_column("value", justify="right")
    rows = [
        ("best layout per replica", c.layout_label),
        ("GPUs per replica" + (" (prefill + decode)" if c.layout.disaggregated else ""), f"{c.gpus_per_replica:,.4g}"),
        ("replicas that fit", f"{c.replicas:,}"),
        ("requests/s (partition)", f"{c.requests_per_s:,.0f}"),
        ("output tokens/s (partition)", f"{c.output_tokens_per_s:,.0f}"),
        ("output tokens/s per GPU", f"{c.output_tokens_per_s_per_gpu:,.1f}"),
        ("requests/s per GPU", f"{c.requests_per_s_per_gpu:,.3f}"),
        ("concurrent users (requests in flight)", f"{c.concurrent_users:,.0f}"),
        ("TTFT p50 / p99 (s)", f"{c.ttft_p50_s:.3f} / {c.ttft_p99_s:.3f}"),
        ("TPOT p50 / p99 (ms)", f"{1e3 * c.tpot_p50_s:.1f} / {1e3 * c.tpot_p99_s:.1f}"),
        ("what limits the rate", c.binding),
        ("max-load output tokens/s (no latency target)", f"{c.max_load_output_tokens_per_s:,.0f}"),
        ("weights / KV cache per GPU (GB)", f"{c.weights_gb_per_gpu:,.1f} / {c.kv_cache_gb_per_gpu:,.1f}"),
        ("facility power (MW)", f"{c.power_mw:,.2f}"),
        ("energy (kWh per million output tokens)", f"{c.energy_kwh_per_mtok:,.3f}"),
        ("cost (USD per million output tokens)", f"{c.cost_usd_per_mtok:,.3f}"),
    ]
    for k, v in rows:
        t.add_row(k, v)
    console.print(t)
    console.print(f"request mix: {c.mix}", markup=False)
    if c.runner_up:
        console.print(c.runner_up.reason, markup=False)
    for n in c.notes:
        console.print(f"note: {n}", markup=False)
    console.print(f"{c.candidates:,} candidate layouts, {c.fitting:,} fit in memory; searched in "
                  f"{c.search_time_s:.2f} s", markup=False)


@guarded
def serve(
    model: str | None = typer.Option(None, "--model", help="model id from the zoo (e.g. llama3-70b, grok-3-class)"),
    model_file: Path | None = typer.Option(None, "--model-file", help="a model of your own: a YAML of zoo fields"),
    where: str | None = typer.Argument(None, metavar="[SCENARIO|FILE]", help="built-in scenario (colossus, "
                                       "colossus-2) or a cluster YAML file; or use --scenario / --cluster"),
    scenario: str | None = typer.Option(None, "--scenario", help="built-in cluster (colossus, colossus-2)"),
    cluster: Path | None = typer.Option(None, "--cluster", help="cluster YAML file"),
    partition: str | None = typer.Option(None, "--partition",
                                         help="GPU type (id or alias, e.g. h100, gb200) or types joined by '+' "
                                         "(default: the most numerous)"),
    gpus: int | None = typer.Option(None, "--gpus", help="GPUs of the partition to serve with (default: all)"),
    at: str | None = typer.Option(None, "--at", help="cluster as of this date, YYYY-MM-DD (default: final)"),
    ttft_s: float = typer.Option(2.0, "--ttft-s", help="p99 time-to-first-token target, seconds"),
    tpot_ms: float = typer.Option(50.0, "--tpot-ms", help="p99 time-per-output-token target, milliseconds"),
    prompt_tokens: int | None = typer.Option(None, "--prompt-tokens", help="prompt tokens of every request"),
    output_tokens: int | None = typer.Option(None, "--output-tokens", help="output tokens of every request"),
    mix_csv: Path | None = typer.Option(None, "--mix", help="CSV of prompt_tokens,output_tokens[,share]"),
    precision: str | None = typer.Option(None, "--precision",
                                         help="weight precisions to consider, comma-separated (default: all the "
                                         "GPU runs)"),
    no_disaggregation: bool = typer.Option(False, "--no-disaggregation", help="colocated replicas only"),
    draft_tokens: int | None = typer.Option(None, "--draft-tokens", help="speculative decoding: tokens drafted"),
    acceptance: float | None = typer.Option(None, "--acceptance", help="speculative decoding: acceptance rate"),
    fast: bool = typer.Option(False, "--fast", help="closed-form latency only (skip the event simulation)"),
    top: int = typer.Option(0, "--top", help="also list the best N layouts"),
    json_out: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Serve a model on a cluster partition: best layout, replicas, tokens/s, users, MW, kWh and USD per Mtok."""
    if ttft_s <= 0 or tpot_ms <= 0:
        raise ValueError("--ttft-s and --tpot-ms must be > 0")
    if top < 0 or (gpus is not None and gpus < 1):
        raise ValueError("--top must be >= 0 and --gpus >= 1")
    if (draft_tokens is None) != (acceptance is None):
        raise ValueError("speculative decoding needs both --draft-tokens and --acceptance")
    spec = Speculative(draft_tokens=draft_tokens, acceptance=acceptance) if draft_tokens is not None else None
    mix = _mix(prompt_tokens, output_tokens, mix_csv)
    machine = serving_partition(cluster_spec(where, scenario, cluster), partition, parse_date(at))
    precisions = None
    if precision:
        precisions = [p.strip() for p in precision.split(",") if p.strip()]
        bad = [p for p in precisions if p not in ("bf16", "fp8", "fp4")]
        if bad:
            raise ValueError(f"--precision {','.join(bad)}: use bf16, fp8 or fp4")
    target = LatencyTarget(ttft_s=ttft_s, tpot_s=tpot_ms / 1e3)
    chosen = model_spec(model, model_file)
    with working(f"searching the serving layouts of {chosen.name}"):
        result = serve_capacity(chosen, machine, gpus, target, mix, precisions, not no_disaggregation, spec,
                                simulate=not fast)
        frame = serve_frame(chosen, machine, gpus, target, mix, top, precisions) if top else None
    if json_out:
        payload = result.model_dump(mode="json")
        if frame is not None:
            payload["layouts"] = frame.to_dict(orient="records")
        print_json(payload)
        return
    _print(result)
    if frame is not None:
        table = Table(title="best layouts (closed-form latency)")
        for col in ("layout", "gpus_per_replica", "replicas", "partition_output_tokens_per_s", "tpot_s", "binding"):
            table.add_column(col, justify="left" if col in ("layout", "binding") else "right")
        for _, r in frame.iterrows():
            table.add_row(r["layout"], f"{r['gpus_per_replica']:.4g}", f"{r['replicas']:,}",
                          f"{r['partition_output_tokens_per_s']:,.0f}", f"{1e3 * r['tpot_s']:.1f} ms", r["binding"])
        console.print(table)


def _validation_table(rep: ServeValidationReport) -> Table:
    table = Table(title="published serving results: predicted vs measured")
    for col in ("row", "gpu", "metric", "measured", "predicted", "error %", "reliability"):
        table.add_column(col, justify="left" if col in ("row", "gpu", "metric", "reliability") else "right")
    for r in rep.rows:
        pred = "-" if r.predicted is None else f"{r.predicted:,.4g}"
        err = r.status if r.error_pct is None else f"{r.error_pct:+.1f}"
        table.add_row(r.id, r.gpu, r.metric, f"{r.measured:,.4g}", pred, err, r.reliability)
    return table


def _stats_table(title: str, groups) -> Table:
    table = Table(title=title)
    for col in ("group", "rows", "MAPE %", "bias %", "max |error| %"):
        table.add_column(col, justify="left" if col == "group" else "right")
    for name, g in groups.items():
        table.add_row(name, str(g.rows), f"{g.mape_pct:.1f}", f"{g.bias_pct:+.1f}", f"{g.max_abs_pct:.1f}")
    return table


def serving_validation(file: Path | None, json_out: bool) -> None:
    """`colossim validate --serving`: every published serving row predicted, with its error."""
    rep = validate_serving(load_published(file))
    if json_out:
        print_json(rep.model_dump(mode="json"))
        return
    console.print(_validation_table(rep))
    console.print(_stats_table("throughput error by GPU (headline rows)", rep.by_gpu))
    console.print(_stats_table("throughput error by source (all rows)", rep.by_source))
    console.print(_stats_table("throughput error, dense vs MoE (all rows)", rep.by_kind))
    console.print(_stats_table("throughput error by reliability", rep.by_reliability))
    h = rep.headline
    if h:
        console.print(f"headline (throughput rows, reliability high/medium): MAPE {h.mape_pct:.1f}%, mean signed "
                      f"error {h.bias_pct:+.1f}%, worst {rep.worst_row} ({h.max_abs_pct:.1f}%) over {h.rows} rows "
                      f"on {', '.join(rep.gpu_generations)}", markup=False)
    if rep.latency:
        console.print(f"latency rows (TTFT, TPOT of a lone request): MAPE {rep.latency.mape_pct:.1f}%, bias "
                      f"{rep.latency.bias_pct:+.1f}%", markup=False)
    if rep.kv_bf16_sensitivity:
        s = rep.kv_bf16_sensitivity
        console.print(f"if the rows whose KV precision is assumed FP8 ran a BF16 KV cache: MAPE {s.mape_pct:.1f}%, "
                      f"bias {s.bias_pct:+.1f}% ({s.rows} rows)", markup=False)
