"""What the step model knows of the machine: a catalog GPU, its NVLink domain, the scale-out network
per GPU, and the calibration constants of its GPU family (perf/calibration.yaml).

`Hardware` is the typed value for one machine; `HardwareArrays` is its numeric form (SI units:
FLOP/s, bytes, bytes/s, seconds) that the vectorised step model broadcasts against layouts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from colossim.catalog import Gpu, load_catalog
from colossim.inputs import input_error, parse_yaml_text, validate

CALIBRATION_FILE = "colossim/perf/calibration.yaml"
GIB = 2.0**30  # vendor "GB" of HBM are binary: an "80 GB" H100 shows 81,559 MiB (79.6 GiB) in nvidia-smi


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GemmEfficiency(_Strict):
    """Fraction of the dense peak at each precision that large GEMMs reach (null: no such mode)."""

    bf16: float = Field(gt=0, le=1)
    fp8: float | None = Field(default=None, gt=0, le=1)
    fp4: float | None = Field(default=None, gt=0, le=1)


class FamilyCalibration(_Strict):
    scale_out_gbps_per_gpu: dict[str, float] = Field(
        description="catalog GPU id -> its system's NIC Gb/s per GPU"
    )
    gemm_eff: GemmEfficiency
    gemm_half_dim: float = Field(gt=0, description="narrowest GEMM dimension at which GEMMs run at half rate")
    gemm_tail_us: float = Field(ge=0, description="fixed time per GEMM call that its size cannot hide")
    attention_eff: float = Field(gt=0, le=1, description="fused attention forward, fraction of BF16 peak")
    hbm_eff: float = Field(gt=0, le=1, description="fraction of HBM bandwidth element-wise kernels reach")
    nvlink_eff: float = Field(gt=0, le=1, description="NCCL bus bandwidth / NVLink one-direction bandwidth")
    nic_eff: float = Field(gt=0, le=1, description="NCCL bus bandwidth / NIC line rate")
    kernel_overhead_us: float = Field(
        ge=0, description="launch and framework dispatch gap per kernel (eager mode)"
    )
    nvlink_latency_us: float = Field(ge=0, description="per step of a collective inside the NVLink domain")
    network_latency_us: float = Field(ge=0, description="per step of a collective over the scale-out network")
    fit_priors: dict[str, float] = Field(
        default={}, description="sourced values the fitted constants started from and are pulled toward"
    )
    host_link_gb_s: dict[str, float] = Field(
        description="catalog GPU id -> achievable GPU<->host-memory bandwidth per GPU, one direction, GB/s "
        "(PCIe, or NVLink-C2C to a Grace CPU)"
    )
    host_memory_gb: dict[str, float] = Field(description="catalog GPU id -> host (CPU) memory per GPU, GB")
    source: str = Field(min_length=3)

    @model_validator(mode="after")
    def _host_for_every_gpu(self) -> FamilyCalibration:
        for name in ("host_link_gb_s", "host_memory_gb"):
            missing = sorted(set(self.scale_out_gbps_per_gpu) - set(getattr(self, name)))
            if missing:
                raise ValueError(f"{name} lacks {', '.join(missing)}: give a value for every GPU of the family")
            if any(v <= 0 for v in getattr(self, name).values()):
                raise ValueError(f"{name} values must be > 0")
        return self


class Overlaps(_Strict):
    """Fraction of each communication that frameworks hide behind compute when overlap is on."""

    tp: float = Field(ge=0, le=1)
    cp: float = Field(ge=0, le=1)
    ep: float = Field(ge=0, le=1)
    pp: float = Field(ge=0, le=1)
    dp: float = Field(ge=0, le=1)


class GlobalCalibration(_Strict):
    overlap: Overlaps
    attention_bwd_factor: float = Field(gt=0, description="fused attention backward time / forward time")
    moe_imbalance: float = Field(ge=1, description="busiest expert rank's tokens / the mean")
    memory_usable_fraction: float = Field(gt=0, le=1)
    memory_reserved_gb: float = Field(ge=0)
    host_memory_usable_fraction: float = Field(
        gt=0, le=1, description="share of host memory that offloaded activations may use"
    )
    source: str = Field(min_length=3)


class Calibration(_Strict):
    families: dict[str, FamilyCalibration]
    default_family: str
    globals: GlobalCalibration

    @model_validator(mode="after")
    def _check(self) -> Calibration:
        if self.default_family not in self.families:
            raise ValueError(f"default_family '{self.default_family}' is not one of {sorted(self.families)}")
        seen: dict[str, str] = {}
        for name, fam in self.families.items():
            for gpu in fam.scale_out_gbps_per_gpu:
                if gpu in seen:
                    raise ValueError(f"gpu '{gpu}' is in both families '{seen[gpu]}' and '{name}'")
                seen[gpu] = name
        return self

    def family_of(self, gpu_id: str) -> tuple[str, bool]:
        """(family name, calibrated?) for a catalog GPU id; uncalibrated GPUs get the default family."""
        for name, fam in self.families.items():
            if gpu_id in fam.scale_out_gbps_per_gpu:
                return name, True
        return self.default_family, False


def parse_calibration(text: str, source: str) -> Calibration:
    return validate(parse_yaml_text(text, source), Calibration, source)


@lru_cache(maxsize=1)
def load_calibration() -> Calibration:
    """The shipped calibration (parsed once)."""
    text = (resources.files("colossim.perf") / "calibration.yaml").read_text(encoding="utf-8")
    return parse_calibration(text, CALIBRATION_FILE)


class HardwareArrays(NamedTuple):
    """Numeric hardware for the vectorised model; every field is a float or a numpy array (one per row)."""

    peak_bf16: np.ndarray | float  # FLOP/s, dense
    peak_fp8: np.ndarray | float  # FLOP/s, NaN when the GPU has no FP8 mode
    peak_fp4: np.ndarray | float
    eff_bf16: np.ndarray | float
    eff_fp8: np.ndarray | float
    eff_fp4: np.ndarray | float
    gemm_half_dim: np.ndarray | float
    gemm_tail: np.ndarray | float  # s per GEMM call
    attention_eff: np.ndarray | float
    hbm_bytes: np.ndarray | float
    hbm_bw: np.ndarray | float  # bytes/s, peak
    hbm_eff: np.ndarray | float  # fraction of it that element-wise kernels reach
    nvlink_bw: np.ndarray | float  # bytes/s per GPU, one direction, achievable
    net_bw: np.ndarray | float  # bytes/s per GPU over scale-out, achievable, after oversubscription
    nvlink_domain: np.ndarray | float
    nvlink_lat: np.ndarray | float  # s
    net_lat: np.ndarray | float  # s
    ovl_tp: np.ndarray | float
    ovl_cp: np.ndarray | float
    ovl_ep: np.ndarray | float
    ovl_pp: np.ndarray | float
    ovl_dp: np.ndarray | float
    attention_bwd_factor: np.ndarray | float
    moe_imbalance: np.ndarray | float
    kernel_launch: np.ndarray | float  # s per kernel
    mem_usable_bytes: np.ndarray | float
    host_bw: np.ndarray | float  # bytes/s per GPU to host memory, one direction, achievable
    host_mem_usable_bytes: np.ndarray | float  # host memory per GPU that offloaded activations may use


@dataclass(frozen=True)
class Hardware:
    """One machine as the step model sees it."""

    gpu: Gpu
    family: str
    calibrated: bool
    calibration: FamilyCalibration
    globals: GlobalCalibration
    nvlink_domain: int
    scale_out_gbps_per_gpu: float
    oversubscription: float = 1.0
    network_latency_us: float | None = None  # None: the family's calibrated value
    nvlink_latency_us: float | None = None

    @property
    def host_link_gb_s(self) -> float:
        """Achievable bandwidth to host memory per GPU, one direction (GB/s); GPUs the family does not list
        get its slowest link."""
        links = self.calibration.host_link_gb_s
        return links.get(self.gpu.id, min(links.values()))

    @property
    def host_memory_gb(self) -> float:
        mem = self.calibration.host_memory_gb
        return mem.get(self.gpu.id, min(mem.values()))

    def arrays(self) -> HardwareArrays:
        g, c, k = self.gpu, self.calibration, self.globals
        nan = float("nan")
        tf = g.dense_tflops
        net_lat = c.network_latency_us if self.network_latency_us is None else self.network_latency_us
        nv_lat = c.nvlink_latency_us if self.nvlink_latency_us is None else self.nvlink_latency_us
        return HardwareArrays(
            peak_bf16=float(tf.bf16 or nan) * 1e12,
            peak_fp8=float(tf.fp8 or nan) * 1e12,
            peak_fp4=float(tf.fp4 or nan) * 1e12,
            eff_bf16=c.gemm_eff.bf16,
            eff_fp8=c.gemm_eff.fp8 or nan,
            eff_fp4=c.gemm_eff.fp4 or nan,
            gemm_half_dim=c.gemm_half_dim,
            gemm_tail=c.gemm_tail_us * 1e-6,
            attention_eff=c.attention_eff,
            hbm_bytes=g.hbm_gb * GIB,
            hbm_bw=g.hbm_bw_tb_s * 1e12,
            hbm_eff=c.hbm_eff,
            nvlink_bw=g.scale_up_bw_gb_s * 1e9 * c.nvlink_eff,
            net_bw=self.scale_out_gbps_per_gpu / 8 * 1e9 * c.nic_eff / self.oversubscription,
            nvlink_domain=float(self.nvlink_domain),
            nvlink_lat=nv_lat * 1e-6,
            net_lat=net_lat * 1e-6,
            ovl_tp=k.overlap.tp,
            ovl_cp=k.overlap.cp,
            ovl_ep=k.overlap.ep,
            ovl_pp=k.overlap.pp,
            ovl_dp=k.overlap.dp,
            attention_bwd_factor=k.attention_bwd_factor,
            moe_imbalance=k.moe_imbalance,
            kernel_launch=c.kernel_overhead_us * 1e-6,
            mem_usable_bytes=g.hbm_gb * GIB * k.memory_usable_fraction - k.memory_reserved_gb * 1e9,
            host_bw=self.host_link_gb_s * 1e9,
            host_mem_usable_bytes=self.host_memory_gb * 1e9 * k.host_memory_usable_fraction,
        )


def hardware_for(
    gpu: str | Gpu,
    *,
    nvlink_domain: int | None = None,
    scale_out_gbps_per_gpu: float | None = None,
    oversubscription: float = 1.0,
    network_latency_us: float | None = None,
    calibration: Calibration | None = None,
) -> Hardware:
    """Build the Hardware of a catalog GPU (id or alias). Unset fields default to the GPU's scale-up
    domain and its family's usual NIC (calibration.yaml `scale_out_gbps_per_gpu`)."""
    g = gpu if isinstance(gpu, Gpu) else load_catalog().gpus[gpu]
    cal = calibration or load_calibration()
    family, calibrated = cal.family_of(g.id)
    fam = cal.families[family]
    domain = g.scale_up_domain if nvlink_domain is None else nvlink_domain
    if domain < 1:
        raise input_error(
            "hardware", f"nvlink_domain={domain} must be >= 1", "use 8 for HGX servers, 72 for NVL72"
        )
    if scale_out_gbps_per_gpu is None:
        scale_out_gbps_per_gpu = fam.scale_out_gbps_per_gpu.get(
            g.id, max(fam.scale_out_gbps_per_gpu.values())
        )
    if scale_out_gbps_per_gpu <= 0 or oversubscription < 1:
        raise input_error(
            "hardware",
            "scale-out bandwidth must be > 0 and oversubscription >= 1",
            "e.g. scale_out_gbps_per_gpu: 400, oversubscription: 1",
        )
    return Hardware(
        g,
        family,
        calibrated,
        fam,
        cal.globals,
        int(domain),
        float(scale_out_gbps_per_gpu),
        float(oversubscription),
        network_latency_us,
    )


def stack_hardware(rows: list[HardwareArrays]) -> HardwareArrays:
    """Many machines as one HardwareArrays (one row each), e.g. to evaluate a set of validation runs."""
    return HardwareArrays(
        *(np.array([getattr(r, f) for r in rows], dtype=float) for f in HardwareArrays._fields)
    )


__all__ = [
    "Calibration",
    "FamilyCalibration",
    "GlobalCalibration",
    "Hardware",
    "HardwareArrays",
    "hardware_for",
    "load_calibration",
    "parse_calibration",
    "stack_hardware",
]
