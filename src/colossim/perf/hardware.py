"""What the step model knows of the machine: a catalog GPU and its sustained throughput, its NVLink domain,
the scale-out fabric (kind, bandwidth per GPU, oversubscription, in-network reduction), and the calibration
constants (perf/calibration.yaml), collective constants (perf/collectives.yaml) and host costs
(perf/software.yaml).

`Hardware` is the typed value for one machine; `HardwareArrays` is its numeric form (SI units: FLOP/s,
bytes, bytes/s, seconds) that the vectorised step model broadcasts against layouts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal, NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from colossim.catalog import Gpu, load_catalog
from colossim.catalog.schema import Transport
from colossim.inputs import input_error, parse_yaml_text, validate
from colossim.perf.comm import load_collectives
from colossim.perf.software import load_software_defaults

CALIBRATION_FILE = "colossim/perf/calibration.yaml"
GIB = 2.0**30  # vendor "GB" of HBM are binary: an "80 GB" H100 shows 81,559 MiB (79.6 GiB) in nvidia-smi
NVLinkGeneration = Literal["nvlink3", "nvlink4", "nvlink5"]
FabricKind = Transport  # the scale_out kinds of collectives.yaml (defined once, with the catalog switches)
FABRIC_KINDS: tuple[FabricKind, ...] = ("infiniband", "spectrum_x", "roce", "ethernet")
SIMPLE_NET_STEP_US = 6.6  # NCCL's network per-step latency of the Simple protocol (collectives.yaml), the
#                           reference a user's `latency_us` replaces


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class GemmEfficiency(_Strict):
    """Fraction of the dense peak (at the sustained clock) that large GEMMs reach at each precision."""

    bf16: float = Field(gt=0, le=1)
    fp8: float | None = Field(default=None, gt=0, le=1)
    fp4: float | None = Field(default=None, gt=0, le=1)


class Chip(_Strict):
    sustained_clock: float = Field(gt=0, le=1, description="sustained / quoted clock under dense tensor work")
    exp_tera_per_s: float = Field(gt=0, description="special-function exponentials, 1e12 per second")


class DefaultChip(_Strict):
    sustained_clock: float = Field(gt=0, le=1)
    exp_tera_per_s_per_bf16_pflops: float = Field(gt=0)


class FamilyCalibration(_Strict):
    nvlink: NVLinkGeneration
    gemm_half_dim: float = Field(gt=0, description="narrowest GEMM dimension at which GEMMs run at half rate")
    fa2_attention: float = Field(gt=0, le=1, description="FlashAttention-2's matmul rate / the family's best "
                                                         "fused attention kernel's")
    fabric: FabricKind
    scale_out_gbps_per_gpu: dict[str, float] = Field(
        description="catalog GPU id -> its system's NIC Gb/s per GPU"
    )
    chips: dict[str, Chip]
    chips_source: str = Field(min_length=3)
    host_link_gb_s: dict[str, float] = Field(
        description="catalog GPU id -> achievable GPU<->host-memory bandwidth per GPU, one direction, GB/s "
        "(PCIe, or NVLink-C2C to a Grace CPU)"
    )
    host_memory_gb: dict[str, float] = Field(description="catalog GPU id -> host (CPU) memory per GPU, GB")
    source: str = Field(min_length=3)

    @model_validator(mode="after")
    def _every_gpu(self) -> FamilyCalibration:
        for name in ("host_link_gb_s", "host_memory_gb", "chips"):
            missing = sorted(set(self.scale_out_gbps_per_gpu) - set(getattr(self, name)))
            if missing:
                raise ValueError(f"{name} lacks {', '.join(missing)}: give a value for every GPU of the family")
        for name in ("host_link_gb_s", "host_memory_gb"):
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
    gemm_eff: GemmEfficiency
    gemm_tail_us: float = Field(ge=0, description="fixed time per GEMM call that its size cannot hide")
    attention_eff: float = Field(gt=0, le=1, description="fused attention matmuls, fraction of BF16 peak")
    exp_exposed: float = Field(ge=0, le=1, description="share of the softmax exponentials' time not hidden")
    hbm_eff: float = Field(gt=0, le=1, description="fraction of HBM bandwidth element-wise kernels reach")
    blockwise_fp8_gemm: float = Field(gt=0, le=1, description="block-scaled FP8 GEMM rate / per-tensor FP8")
    overlap: Overlaps
    comm_contention: float = Field(ge=0, lt=1, description="compute slowdown while overlapped comm runs")
    attention_bwd_factor: float = Field(gt=0, description="fused attention backward matmuls / forward")
    moe_imbalance: float = Field(ge=1, description="busiest expert rank's tokens / the mean")
    memory_usable_fraction: float = Field(gt=0, le=1)
    memory_reserved_gb: float = Field(ge=0)
    host_memory_usable_fraction: float = Field(
        gt=0, le=1, description="share of host memory that offloaded activations may use"
    )
    fit_priors: dict[str, float] = Field(
        default={}, description="sourced values the fitted constants started from and are pulled toward"
    )
    source: str = Field(min_length=3)


class Calibration(_Strict):
    families: dict[str, FamilyCalibration]
    default_family: str
    default_chip: DefaultChip
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

    peak_bf16: np.ndarray | float  # FLOP/s, dense, at the quoted clock
    peak_fp8: np.ndarray | float  # FLOP/s, NaN when the GPU has no FP8 mode
    peak_fp4: np.ndarray | float
    clock: np.ndarray | float  # sustained / quoted clock (power limit, power cap)
    eff_bf16: np.ndarray | float
    eff_fp8: np.ndarray | float
    eff_fp4: np.ndarray | float
    gemm_half_dim: np.ndarray | float
    gemm_tail: np.ndarray | float  # s per GEMM call
    attention_eff: np.ndarray | float
    exp_rate: np.ndarray | float  # exponentials per second at the quoted clock
    exp_exposed: np.ndarray | float
    fa2_attention: np.ndarray | float
    blockwise_fp8: np.ndarray | float
    hbm_bytes: np.ndarray | float
    hbm_bw: np.ndarray | float  # bytes/s, peak
    hbm_eff: np.ndarray | float  # fraction of it that element-wise kernels reach
    nvlink_bw: np.ndarray | float  # bytes/s per GPU, one direction, ring bus bandwidth
    nvls_gain: np.ndarray | float
    net_bw: np.ndarray | float  # bytes/s per GPU over scale-out, achievable, after oversubscription
    net_lat_scale: np.ndarray | float
    sharp_gain: np.ndarray | float
    nvlink_domain: np.ndarray | float
    ovl_tp: np.ndarray | float
    ovl_cp: np.ndarray | float
    ovl_ep: np.ndarray | float
    ovl_pp: np.ndarray | float
    ovl_dp: np.ndarray | float
    contention: np.ndarray | float
    attention_bwd_factor: np.ndarray | float
    moe_imbalance: np.ndarray | float
    host_kernel: np.ndarray | float  # s of host time per kernel launched eagerly
    graph_launch: np.ndarray | float  # s of host time per CUDA-graph replay
    gpu_kernel: np.ndarray | float  # s of GPU idle gap per kernel
    host_sync: np.ndarray | float  # s per device-to-host synchronisation
    step_host: np.ndarray | float  # s per optimizer step outside the layers
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
    network_latency_us: float | None = None  # None: NCCL's latency model for the fabric
    fabric: FabricKind = "infiniband"
    sharp: bool = False  # in-network reduction (InfiniBand SHARP) enabled
    power_cap_w: float | None = None  # None: the GPU's TDP

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

    def supports(self, precision: str) -> bool:
        """Whether the GPU has a dense `precision` mode that the calibration covers."""
        return (self.gpu.dense_tflops.at(precision) is not None
                and getattr(self.globals.gemm_eff, precision, None) is not None)

    @property
    def chip(self) -> Chip:
        chip = self.calibration.chips.get(self.gpu.id)
        if chip is not None:
            return chip
        d = load_calibration().default_chip
        bf16 = float(self.gpu.dense_tflops.bf16 or 1.0) / 1e3
        return Chip(sustained_clock=d.sustained_clock, exp_tera_per_s=d.exp_tera_per_s_per_bf16_pflops * bf16)

    @property
    def sustained_clock(self) -> float:
        """Sustained clock share; a power cap below the TDP lowers it as P ~ f^3 (dynamic power f V^2 with
        the voltage following the frequency near the top of the DVFS curve)."""
        clock = self.chip.sustained_clock
        if self.power_cap_w is not None and self.power_cap_w < self.gpu.tdp_w:
            clock *= (self.power_cap_w / self.gpu.tdp_w) ** (1.0 / 3.0)
        return clock

    def arrays(self) -> HardwareArrays:
        g, c, k = self.gpu, self.calibration, self.globals
        col = load_collectives()
        up, out = col.scale_up[c.nvlink], col.scale_out[self.fabric]
        sw = load_software_defaults()
        nan = float("nan")
        tf = g.dense_tflops
        lat_scale = out.latency_scale if self.network_latency_us is None else (
            self.network_latency_us / SIMPLE_NET_STEP_US)
        return HardwareArrays(
            peak_bf16=float(tf.bf16 or nan) * 1e12,
            peak_fp8=float(tf.fp8 or nan) * 1e12,
            peak_fp4=float(tf.fp4 or nan) * 1e12,
            clock=self.sustained_clock,
            eff_bf16=k.gemm_eff.bf16,
            eff_fp8=k.gemm_eff.fp8 or nan,
            eff_fp4=k.gemm_eff.fp4 or nan,
            gemm_half_dim=c.gemm_half_dim,
            gemm_tail=k.gemm_tail_us * 1e-6,
            attention_eff=k.attention_eff,
            exp_rate=self.chip.exp_tera_per_s * 1e12,
            exp_exposed=k.exp_exposed,
            fa2_attention=c.fa2_attention,
            blockwise_fp8=k.blockwise_fp8_gemm,
            hbm_bytes=g.hbm_gb * GIB,
            hbm_bw=g.hbm_bw_tb_s * 1e12,
            hbm_eff=k.hbm_eff,
            nvlink_bw=g.scale_up_bw_gb_s * 1e9 * up.ring_busbw_fraction,
            nvls_gain=up.nvls_allreduce_gain,
            net_bw=self.scale_out_gbps_per_gpu / 8 * 1e9 * out.efficiency / self.oversubscription,
            net_lat_scale=lat_scale,
            sharp_gain=out.sharp_allreduce_gain if self.sharp else 1.0,
            nvlink_domain=float(self.nvlink_domain),
            ovl_tp=k.overlap.tp,
            ovl_cp=k.overlap.cp,
            ovl_ep=k.overlap.ep,
            ovl_pp=k.overlap.pp,
            ovl_dp=k.overlap.dp,
            contention=k.comm_contention,
            attention_bwd_factor=k.attention_bwd_factor,
            moe_imbalance=k.moe_imbalance,
            host_kernel=sw.host_us_per_kernel * 1e-6,
            graph_launch=sw.graph_launch_us * 1e-6,
            gpu_kernel=sw.gpu_us_per_kernel * 1e-6,
            host_sync=sw.host_sync_us * 1e-6,
            step_host=sw.step_host_s,
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
    fabric: FabricKind | None = None,
    sharp: bool = False,
    power_cap_w: float | None = None,
    calibration: Calibration | None = None,
) -> Hardware:
    """Build the Hardware of a catalog GPU (id or alias). Unset fields default to the GPU's scale-up
    domain, its family's usual NIC and fabric (calibration.yaml), and its TDP."""
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
    finite = all(np.isfinite(v) for v in (scale_out_gbps_per_gpu, oversubscription))
    if not finite or scale_out_gbps_per_gpu <= 0 or oversubscription < 1:
        raise input_error(
            "hardware",
            "scale-out bandwidth must be a finite number > 0 and oversubscription a finite number >= 1",
            "e.g. scale_out_gbps_per_gpu: 400, oversubscription: 1",
        )
    if power_cap_w is not None and not (np.isfinite(power_cap_w) and power_cap_w > 0):
        raise input_error("hardware", f"power_cap_w={power_cap_w} must be a finite number > 0",
                          f"e.g. power_cap_w: {g.tdp_w:g} (the TDP)")
    if network_latency_us is not None and not (np.isfinite(network_latency_us) and network_latency_us >= 0):
        raise input_error("hardware", f"latency_us={network_latency_us} must be a finite number >= 0",
                          "e.g. latency_us: 6.6")
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
        fabric or fam.fabric,
        bool(sharp),
        power_cap_w,
    )


def stack_hardware(rows: list[HardwareArrays]) -> HardwareArrays:
    """Many machines as one HardwareArrays (one row each), e.g. to evaluate a set of validation runs."""
    return HardwareArrays(
        *(np.array([getattr(r, f) for r in rows], dtype=float) for f in HardwareArrays._fields)
    )


__all__ = [
    "Calibration",
    "Chip",
    "FABRIC_KINDS",
    "FabricKind",
    "FamilyCalibration",
    "GlobalCalibration",
    "Hardware",
    "HardwareArrays",
    "hardware_for",
    "load_calibration",
    "parse_calibration",
    "stack_hardware",
]
