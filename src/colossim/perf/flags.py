"""The `colossim step` flag of every field of a step request, in one table: the step command parses them and
the plan search prints, for each layout it proposes, the exact `colossim step` command that reproduces it.

A flag is a name (`--tp`, value follows) or an on/off pair (`--sp`/`--no-sp`). `step_command` writes only
what differs from the defaults, so the command is short and means the same layout.
"""

from __future__ import annotations

import shlex

from colossim.perf.hardware import Hardware
from colossim.perf.layout import DEFAULT_MODULES, Layout, Overlap
from colossim.perf.software import Software, software_defaults

Flag = str | tuple[str, str]

LAYOUT_FLAGS: dict[str, Flag] = {
    "tp": "--tp", "pp": "--pp", "dp": "--dp", "cp": "--cp", "ep": "--ep", "etp": "--etp", "vpp": "--vpp",
    "pp_split": "--pp-split", "sp": ("--sp", "--no-sp"), "zero_stage": "--zero", "micro_batch": "--mbs",
    "global_batch": "--gbs", "recompute": "--recompute", "recompute_modules": "--recompute-modules",
    "recompute_layers": "--recompute-layers", "activation_offload": "--offload", "precision": "--precision",
    "fp8_params": ("--fp8-params", "--no-fp8-params"), "moe_dispatcher": "--dispatcher",
    "grad_reduce_fp32": ("--grad-fp32", "--no-grad-fp32"),
}
OVERLAP_FLAG = "--overlap"  # the overlaps switched on, comma-separated (tp,cp,ep,pp,dp), or "none"
SOFTWARE_FLAGS: dict[str, Flag] = {
    "framework": "--framework", "cuda_graphs": "--cuda-graphs", "fused_kernels": ("--fused", "--no-fused"),
    "flash_attention": ("--flash", "--no-flash"), "attention_kernel": "--attention-kernel",
    "fp8_recipe": "--fp8-recipe",
    "moe_grouped_gemm": ("--grouped-gemm", "--no-grouped-gemm"),
    "moe_host_sync": ("--moe-host-sync", "--no-moe-host-sync"), "fsdp_reshard": "--fsdp-reshard",
    "fsdp_prefetch": "--fsdp-prefetch",
    "grad_sync_every_microbatch": ("--grad-sync-every-microbatch", "--no-grad-sync-every-microbatch"),
    "cp_comm": "--cp-comm",
}
NETWORK_FLAGS: dict[str, Flag] = {
    "nvlink_domain": "--nvlink-domain", "scale_out_gbps_per_gpu": "--scale-out-gbps",
    "oversubscription": "--oversubscription", "fabric": "--fabric", "sharp": ("--sharp", "--no-sharp"),
    "power_cap_w": "--power-cap",
}


def _value(v) -> str:
    if isinstance(v, tuple | list):
        return ",".join(str(x) for x in v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _emit(out: list[str], flag: Flag, value) -> None:
    if isinstance(flag, tuple):
        out.append(flag[0] if value else flag[1])
    else:
        out += [flag, _value(value)]


def overlap_value(o: Overlap) -> str:
    on = [k for k in ("tp", "cp", "ep", "pp", "dp") if getattr(o, k)]
    return ",".join(on) or "none"


def step_command(model: str, layout: Layout, hardware: Hardware, seq_len: int | None = None) -> str:
    """The `colossim step` command line that evaluates `layout` of `model` (a zoo id) on `hardware`."""
    out = ["colossim", "step", "--model", model, "--gpu", hardware.gpu.id, "--gpus", str(layout.gpus)]
    if seq_len is not None:
        out += ["--seq-len", str(seq_len)]
    default = Layout(global_batch=layout.global_batch)
    for field, flag in LAYOUT_FLAGS.items():
        value = getattr(layout, field)
        if field in ("dp", "global_batch") or value != getattr(default, field):
            if field == "recompute_modules" and tuple(value) == DEFAULT_MODULES:
                continue
            _emit(out, flag, value)
    if layout.overlap != default.overlap:
        out += [OVERLAP_FLAG, overlap_value(layout.overlap)]
    sw = layout.software
    base = Software()
    if sw.framework != base.framework:  # `--framework F` starts from F's newest documented stack
        out += [SOFTWARE_FLAGS["framework"], sw.framework]
        base = software_defaults(sw.framework, None, hardware.family == "blackwell")[0]
    for field, flag in SOFTWARE_FLAGS.items():
        value = getattr(sw, field)
        if field != "framework" and value != getattr(base, field):
            _emit(out, flag, value)
    net = {"nvlink_domain": hardware.nvlink_domain, "scale_out_gbps_per_gpu": hardware.scale_out_gbps_per_gpu,
           "oversubscription": hardware.oversubscription, "fabric": hardware.fabric, "sharp": hardware.sharp,
           "power_cap_w": hardware.power_cap_w}
    from colossim.perf.hardware import hardware_for  # the GPU's own defaults, to print only what differs

    plain = hardware_for(hardware.gpu)
    defaults = {"nvlink_domain": plain.nvlink_domain, "scale_out_gbps_per_gpu": plain.scale_out_gbps_per_gpu,
                "oversubscription": 1.0, "fabric": plain.fabric, "sharp": False, "power_cap_w": None}
    for field, flag in NETWORK_FLAGS.items():
        if net[field] != defaults[field] and net[field] is not None:
            _emit(out, flag, net[field])
    return shlex.join(out)


__all__ = ["LAYOUT_FLAGS", "NETWORK_FLAGS", "OVERLAP_FLAG", "SOFTWARE_FLAGS", "overlap_value", "step_command"]
