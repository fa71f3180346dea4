"""One step-model question as a typed input (`colossim step --file run.yaml` or the same from flags):
which model, on how many of which GPU, over which network, laid out how."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from colossim.inputs import InputError, input_error, validate
from colossim.models.schema import ModelSpec
from colossim.models.zoo import load_zoo
from colossim.perf.hardware import FabricKind, Hardware, hardware_for, load_calibration
from colossim.perf.layout import Layout, check_layout
from colossim.perf.software import Framework, software_defaults


class Network(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    nvlink_domain: int | None = Field(
        default=None, ge=1, description="GPUs per NVLink domain (default: the GPU's)"
    )
    # bounds: 1 Gb/s per GPU is far below any real scale-out NIC, 100 Tb/s far above (the cluster files'
    # own limit); the taper is the cluster fabric's 1..64
    scale_out_gbps_per_gpu: float | None = Field(default=None, ge=1.0, le=100_000,
                                                 description="default: the system's NIC")
    oversubscription: float = Field(
        default=1.0, ge=1.0, le=64.0, description="scale-out taper above the leaf switches"
    )
    latency_us: float | None = Field(
        default=None, ge=0, description="network latency per collective step; default: NCCL's for the fabric"
    )
    fabric: FabricKind | None = Field(default=None, description="infiniband, spectrum_x, roce or ethernet")
    sharp: bool = Field(default=False, description="in-network reduction (InfiniBand SHARP) for all-reduces")
    power_cap_w: float | None = Field(default=None, gt=0, description="GPU power cap; default: the TDP")


class StepRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    model: str | ModelSpec = Field(description="zoo id or alias, or a full model mapping")
    seq_len: int | None = Field(
        default=None, ge=1, description="override the model's training sequence length"
    )
    gpu: str = Field(description="catalog GPU id or alias")
    gpus: int = Field(ge=1)
    network: Network = Network()
    framework: Framework | None = Field(
        default=None, description="start the layout's software stack from this framework's documented defaults "
        "(perf/software.yaml); layout.software fields override them")
    release: date | None = Field(default=None, description="the framework release date (default: newest)")
    layout: dict[str, Any] = Field(description="Layout fields; dp defaults to gpus / (tp * pp * cp)")


def resolve_request(req: StepRequest, source: str = "step request") -> tuple[ModelSpec, Layout, Hardware]:
    """The request as (model, layout, hardware), raising InputError with what to change."""
    model = req.model if isinstance(req.model, ModelSpec) else _zoo_model(req.model, source)
    if req.seq_len is not None:
        model = model.model_copy(update={"seq_len": req.seq_len})
    fields = dict(req.layout)
    if "dp" not in fields:
        rest = int(fields.get("tp", 1)) * int(fields.get("pp", 1)) * int(fields.get("cp", 1))
        if rest < 1 or req.gpus % rest:
            raise input_error(
                source,
                f"tp*pp*cp = {rest} does not divide {req.gpus} GPUs",
                "choose tp, pp and cp whose product divides the GPU count",
                "layout",
            )
        fields["dp"] = req.gpus // rest
    if req.framework is not None:
        family = load_calibration().family_of(_gpu_id(req.gpu, source))[0]
        stack = software_defaults(req.framework, req.release, family == "blackwell")[0].model_dump()
        given = fields.get("software") or {}
        if not isinstance(given, dict):
            raise input_error(source, "layout.software must be a mapping of Software fields",
                              "e.g. software: {cuda_graphs: layer}", "layout.software")
        fields["software"] = {**stack, **given}
    try:
        layout = validate(fields, Layout, source)
    except InputError as exc:
        raise InputError(
            source, [p.__class__(f"layout.{p.location}", p.message, p.hint) for p in exc.problems]
        ) from None
    check_layout(model, layout, req.gpus, source)
    try:
        hw = hardware_for(
            req.gpu,
            nvlink_domain=req.network.nvlink_domain,
            scale_out_gbps_per_gpu=req.network.scale_out_gbps_per_gpu,
            oversubscription=req.network.oversubscription,
            network_latency_us=req.network.latency_us,
            fabric=req.network.fabric,
            sharp=req.network.sharp,
            power_cap_w=req.network.power_cap_w,
        )
    except KeyError as exc:
        raise input_error(source, str(exc.args[0]), "see `colossim catalog`", "gpu") from None
    return model, layout, hw


def _gpu_id(name: str, source: str) -> str:
    from colossim.catalog import load_catalog

    try:
        return load_catalog().gpus[name].id
    except KeyError as exc:
        raise input_error(source, str(exc.args[0]), "see `colossim catalog`", "gpu") from None


def _zoo_model(name: str, source: str) -> ModelSpec:
    zoo = load_zoo()
    if name not in zoo:
        raise input_error(source, f"unknown model '{name}'", f"use one of {', '.join(zoo.ids())}", "model")
    return zoo[name]


__all__ = ["Network", "StepRequest", "resolve_request"]
