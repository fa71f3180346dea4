"""`colossim step`: time, throughput, MFU and memory of one training step for one layout."""

from __future__ import annotations

import math
from pathlib import Path

import typer
from rich.table import Table

from colossim.cli.common import console, err_console, guarded, naming_flags, print_json
from colossim.inputs import input_error, override_fields, read_yaml, validate
from colossim.perf.request import StepRequest, resolve_request
from colossim.perf.step import StepBreakdown, step_breakdown


def register(app: typer.Typer) -> None:
    app.command("step")(step)


# Each flag and the request field it sets (docs/perf_model.md: flags override a --file's fields).
FLAG_FIELDS = {
    "--model": "model", "--gpu": "gpu", "--gpus": "gpus", "--seq-len": "seq_len",
    "--nvlink-domain": "network.nvlink_domain", "--scale-out-gbps": "network.scale_out_gbps_per_gpu",
    "--oversubscription": "network.oversubscription",
    "--tp": "layout.tp", "--pp": "layout.pp", "--dp": "layout.dp", "--cp": "layout.cp", "--ep": "layout.ep",
    "--etp": "layout.etp", "--vpp": "layout.vpp", "--pp-split": "layout.pp_split", "--sp": "layout.sp",
    "--zero": "layout.zero_stage", "--mbs": "layout.micro_batch", "--gbs": "layout.global_batch",
    "--recompute": "layout.recompute", "--recompute-modules": "layout.recompute_modules",
    "--recompute-layers": "layout.recompute_layers", "--offload": "layout.activation_offload",
    "--fp8-params": "layout.fp8_params", "--precision": "layout.precision", "--dispatcher": "layout.moe_dispatcher",
    "--grad-fp32": "layout.grad_reduce_fp32", "--overlap": "layout.overlap",
    "--framework": "framework", "--release": "release",
    "--cuda-graphs": "layout.software.cuda_graphs", "--fused": "layout.software.fused_kernels",
    "--flash": "layout.software.flash_attention", "--attention-kernel": "layout.software.attention_kernel",
    "--fp8-recipe": "layout.software.fp8_recipe", "--grouped-gemm": "layout.software.moe_grouped_gemm",
    "--moe-host-sync": "layout.software.moe_host_sync", "--fsdp-reshard": "layout.software.fsdp_reshard",
    "--fsdp-prefetch": "layout.software.fsdp_prefetch",
    "--grad-sync-every-microbatch": "layout.software.grad_sync_every_microbatch",
    "--cp-comm": "layout.software.cp_comm",
    "--fabric": "network.fabric", "--sharp": "network.sharp", "--power-cap": "network.power_cap_w",
}
REQUIRED_FLAGS = ("--model", "--gpu", "--gpus", "--gbs")  # without --file


def _request(file: Path | None, flags: dict[str, object]) -> tuple[StepRequest, str]:
    """The step request: the --file's fields (if any) with every flag given set on top, validated. Problems
    about a field a flag set name the flag. Which fields the flags changed in the file is printed."""
    given = {flag: value for flag, value in flags.items() if value is not None}
    if file is None:
        missing = [flag for flag in REQUIRED_FLAGS if flag not in given]
        if missing:
            raise input_error("command line", f"missing {', '.join(missing)}", "give them, or use --file run.yaml")
        data: dict = {}
        source = "command line"
    else:
        data = read_yaml(file)
        if not isinstance(data, dict):
            raise input_error(str(file), "a step request must be a mapping (model, gpu, gpus, layout...)",
                              "see docs/perf_model.md")
        source = f"{file} with {', '.join(given)} from the command line" if given else str(file)
    data, changes = override_fields(data, {FLAG_FIELDS[flag]: value for flag, value in given.items()})
    if file is not None:
        by_field = {FLAG_FIELDS[flag]: flag for flag in given}
        for change in changes:
            field = change.split(":", 1)[0]
            err_console.print(f"note: {by_field[field]} overrides {file}: {change}", highlight=False)
    with naming_flags({FLAG_FIELDS[flag]: flag for flag in given}):
        req = validate(data, StepRequest, source)
        return req, source


def _table(r: StepBreakdown) -> Table:
    table = Table(title=f"{r.model} on {r.gpus:,} x {r.gpu}: one optimizer step")
    table.add_column("part")
    table.add_column("seconds", justify="right")
    table.add_column("share", justify="right")
    for name, value in (
        ("compute (fwd + bwd + recompute)", r.compute_s),
        ("tensor-parallel comm (exposed)", r.tp_s),
        ("context-parallel comm (exposed)", r.cp_s),
        ("expert-parallel comm (exposed)", r.ep_s),
        ("pipeline send/recv (exposed)", r.pp_s),
        ("pipeline bubble", r.bubble_s),
        ("data-parallel comm (exposed)", r.dp_s),
        ("optimizer step", r.optimizer_s),
        ("activation offload copies (exposed)", r.offload_s),
        ("host: launch-bound waits, syncs, per-step work", r.host_s),
    ):
        table.add_row(name, f"{value:.3f}", f"{value / r.step_time_s:.1%}")
    table.add_row("step time", f"{r.step_time_s:.3f}", "100%", style="bold")
    return table


def _memory_table(r: StepBreakdown) -> Table:
    m = r.memory
    table = Table(title=f"memory per GPU (busiest pipeline rank): {'fits' if m.fits else 'DOES NOT FIT'}")
    table.add_column("part")
    table.add_column("GB", justify="right")
    for name, value in (
        ("weights", m.weights_gb),
        ("gradients", m.grads_gb),
        ("optimizer states", m.optimizer_gb),
        ("activations", m.activations_gb),
        ("buffers, logits", m.other_gb),
        ("total", m.total_gb),
        (f"usable of {m.hbm_gb:g} GB HBM (read as GiB)", m.usable_gb),
        ("activations offloaded to host memory", m.host_gb),
    ):
        table.add_row(name, f"{value:,.1f}")
    return table


OVERLAPS = ("tp", "cp", "ep", "pp", "dp")


def _overlap(text: str) -> dict[str, bool]:
    names = [] if text.strip() == "none" else [t.strip() for t in text.split(",") if t.strip()]
    bad = [n for n in names if n not in OVERLAPS]
    if bad:
        raise input_error("command line", f"--overlap {text!r}: unknown {', '.join(bad)}",
                          f"use a comma-separated subset of {','.join(OVERLAPS)}, or none", "overlap")
    return {k: k in names for k in OVERLAPS}


@guarded
def step(
    file: Path | None = typer.Option(
        None, "--file", "-f", help="a YAML step request (see docs/perf_model.md); flags given too override its fields"
    ),
    model: str | None = typer.Option(None, help="zoo model id, e.g. llama3-405b (see `colossim models`)"),
    model_file: Path | None = typer.Option(None, "--model-file", help="a model of your own: a YAML of zoo fields"),
    gpu: str | None = typer.Option(None, help="catalog GPU id, e.g. h100_sxm5"),
    gpus: int | None = typer.Option(None, help="GPUs in the job"),
    tp: int | None = typer.Option(None, help="tensor parallel size [1]"),
    pp: int | None = typer.Option(None, help="pipeline parallel size [1]"),
    dp: int | None = typer.Option(None, help="data parallel size [gpus / (tp*pp*cp)]"),
    cp: int | None = typer.Option(None, help="context parallel size [1]"),
    ep: int | None = typer.Option(None, help="expert parallel size [1]"),
    etp: int | None = typer.Option(None, help="expert tensor parallel size [1]"),
    vpp: int | None = typer.Option(None, help="virtual pipeline stages per rank (interleaved 1F1B) [1]"),
    pp_split: str | None = typer.Option(None, help="even or uneven layers per stage [even]"),
    sp: bool | None = typer.Option(None, "--sp/--no-sp", help="sequence parallelism with TP [on]"),
    zero: int | None = typer.Option(None, help="ZeRO stage 0-3 (3 = FSDP) [1]"),
    mbs: int | None = typer.Option(None, help="micro-batch size in sequences [1]"),
    gbs: int | None = typer.Option(None, help="global batch in sequences"),
    recompute: str | None = typer.Option(None, help="none, selective or full [none]"),
    recompute_modules: str | None = typer.Option(
        None, help="with selective: comma-separated core_attn,layernorm,mla_up_proj,mlp,moe_act [core_attn]"
    ),
    recompute_layers: int | None = typer.Option(None, help="with full: layers recomputed per model chunk [all]"),
    offload: float | None = typer.Option(None, help="share of layers whose activations go to host memory [0]"),
    fp8_params: bool | None = typer.Option(None, "--fp8-params/--no-fp8-params", help="FP8 primary weights [off]"),
    precision: str | None = typer.Option(None, help="bf16, fp8 or fp4 [bf16]"),
    dispatcher: str | None = typer.Option(None, help="MoE dispatcher: alltoall or deepep [alltoall]"),
    grad_fp32: bool | None = typer.Option(None, "--grad-fp32/--no-grad-fp32", help="reduce gradients in FP32 [on]"),
    overlap: str | None = typer.Option(
        None, help="communications overlapped with compute, comma-separated tp,cp,ep,pp,dp, or none [tp,cp,pp,dp]"),
    framework: str | None = typer.Option(
        None, help="start the software stack from this framework's defaults: megatron_lm, nemo, megatron_bridge, "
        "megascale, torchtitan, pytorch_fsdp, llm_foundry, deepspeed, meta_llama3, generic [Software() defaults]"),
    release: str | None = typer.Option(None, help="that framework's release date, YYYY-MM-DD [newest]"),
    cuda_graphs: str | None = typer.Option(None, help="none, layer or full [none]"),
    fused: bool | None = typer.Option(None, "--fused/--no-fused", help="fused element-wise kernels [on]"),
    flash: bool | None = typer.Option(None, "--flash/--no-flash", help="fused (flash) attention [on]"),
    attention_kernel: str | None = typer.Option(None, help="fused attention kernel: fa3 or fa2 [fa3]"),
    fp8_recipe: str | None = typer.Option(None, help="delayed, current, blockwise or mxfp8 [delayed]"),
    grouped_gemm: bool | None = typer.Option(None, "--grouped-gemm/--no-grouped-gemm", help="MoE grouped GEMM [on]"),
    moe_host_sync: bool | None = typer.Option(None, "--moe-host-sync/--no-moe-host-sync",
                                              help="MoE layers read token counts on the host [on]"),
    fsdp_reshard: str | None = typer.Option(None, help="ZeRO-3: always, never or auto [auto]"),
    fsdp_prefetch: int | None = typer.Option(None, help="ZeRO-3 layers gathered ahead [1]"),
    grad_sync_every_microbatch: bool | None = typer.Option(
        None, "--grad-sync-every-microbatch/--no-grad-sync-every-microbatch",
        help="ZeRO-2/3 reduce gradients on every micro-batch [off]"),
    cp_comm: str | None = typer.Option(None, help="context parallelism: ring or all_gather [ring]"),
    seq_len: int | None = typer.Option(None, help="training sequence length [the model's]"),
    nvlink_domain: int | None = typer.Option(None, help="GPUs per NVLink domain [the GPU's]"),
    scale_out_gbps: float | None = typer.Option(None, help="scale-out Gb/s per GPU [the system's NIC]"),
    oversubscription: float | None = typer.Option(None, help="scale-out oversubscription [1]"),
    fabric: str | None = typer.Option(None, help="infiniband, spectrum_x, roce or ethernet [the family's]"),
    sharp: bool | None = typer.Option(None, "--sharp/--no-sharp", help="InfiniBand SHARP for all-reduces [off]"),
    power_cap: float | None = typer.Option(None, help="GPU power cap in W [the TDP]"),
    json_out: bool = typer.Option(False, "--json", help="print JSON instead of tables"),
) -> None:
    """Predict one optimizer step: time by part, tokens/s, MFU/HFU and memory per GPU."""
    if model_file is not None:
        if model is not None:
            raise input_error("command line", "give --model or --model-file, not both", "drop one", "--model")
        from colossim.models.zoo import load_model_file

        model = load_model_file(model_file).model_dump(mode="json")
    flags = {
        "--model": model, "--gpu": gpu, "--gpus": gpus, "--seq-len": seq_len, "--nvlink-domain": nvlink_domain,
        "--scale-out-gbps": scale_out_gbps, "--oversubscription": oversubscription, "--tp": tp, "--pp": pp,
        "--dp": dp, "--cp": cp, "--ep": ep, "--etp": etp, "--vpp": vpp, "--pp-split": pp_split, "--sp": sp,
        "--zero": zero, "--mbs": mbs, "--gbs": gbs, "--recompute": recompute,
        "--recompute-modules": None if recompute_modules is None else recompute_modules.split(","),
        "--recompute-layers": recompute_layers, "--offload": offload, "--fp8-params": fp8_params,
        "--precision": precision, "--dispatcher": dispatcher, "--grad-fp32": grad_fp32,
        "--overlap": None if overlap is None else _overlap(overlap), "--framework": framework, "--release": release,
        "--cuda-graphs": cuda_graphs, "--fused": fused, "--flash": flash, "--attention-kernel": attention_kernel,
        "--fp8-recipe": fp8_recipe, "--grouped-gemm": grouped_gemm, "--moe-host-sync": moe_host_sync,
        "--fsdp-reshard": fsdp_reshard, "--fsdp-prefetch": fsdp_prefetch,
        "--grad-sync-every-microbatch": grad_sync_every_microbatch, "--cp-comm": cp_comm,
        "--fabric": fabric, "--sharp": sharp, "--power-cap": power_cap,
    }
    req, source = _request(file, flags)
    with naming_flags({FLAG_FIELDS[flag]: flag for flag, value in flags.items() if value is not None}):
        spec, lay, hw = resolve_request(req, source)
    result = step_breakdown(spec, lay, hw)
    if not math.isfinite(result.step_time_s):  # never a silent null in the JSON
        raise input_error(source, "the step time is not a finite number: the request is beyond what the model "
                          "computes", "check sizes near their limits (batch, sequence length, GPU count)", "step")
    if json_out:
        print_json(
            {
                "step": result,
                "layout": lay,
                "network": {
                    "nvlink_domain": hw.nvlink_domain,
                    "scale_out_gbps_per_gpu": hw.scale_out_gbps_per_gpu,
                    "oversubscription": hw.oversubscription,
                },
            }
        )
        return
    console.print(_table(result))
    console.print(
        f"tokens/s: {result.tokens_per_s:,.0f}   MFU {result.mfu:.1%}   HFU {result.hfu:.1%}   "
        f"model TFLOP/s per GPU {result.model_tflops_per_gpu:,.0f}   micro-batches {result.microbatches}"
    )
    console.print(_memory_table(result))
    for note in result.notes:
        console.print(f"note: {note}")
