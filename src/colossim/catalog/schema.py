"""Typed catalog entries: GPUs, systems (servers and racks), network parts and sites.

Every entry carries a `source`; `estimate: true` marks an entry whose numbers are not all official,
and `estimated_fields` names which ones are estimates when the rest is official.
Units are in the field names (GB = 1e9 bytes, Gb/s = 1e9 bits/s, TFLOP/s = 1e12 FLOP/s).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Precision = Literal["fp64", "tf32", "bf16", "fp16", "fp8", "fp6", "fp4"]
PRECISIONS: tuple[Precision, ...] = ("fp64", "tf32", "bf16", "fp16", "fp8", "fp6", "fp4")
Confidence = Literal["high", "medium", "low"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sourced(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    name: str
    source: str = Field(min_length=3)
    estimate: bool = False
    estimated_fields: tuple[str, ...] = ()
    confidence: Confidence = "high"


class DenseTflops(Strict):
    """Peak dense (never 2:4-sparse) TFLOP/s per precision; null where the part has no such mode."""

    fp64: float | None = Field(default=None, ge=0)
    tf32: float | None = Field(default=None, ge=0)
    bf16: float | None = Field(default=None, ge=0)
    fp16: float | None = Field(default=None, ge=0)
    fp8: float | None = Field(default=None, ge=0)
    fp6: float | None = Field(default=None, ge=0)
    fp4: float | None = Field(default=None, ge=0)

    def at(self, precision: Precision) -> float | None:
        return getattr(self, precision)


class PriceRange(Strict):
    usd_low: float = Field(gt=0)
    usd_high: float = Field(gt=0)
    note: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> PriceRange:
        if self.usd_high < self.usd_low:
            raise ValueError("usd_high must be >= usd_low")
        return self

    @property
    def usd_mid(self) -> float:
        return 0.5 * (self.usd_low + self.usd_high)


class Gpu(Sourced):
    vendor: str
    aliases: tuple[str, ...] = ()
    architecture: str
    release_year: int = Field(ge=2015, le=2035)
    dense_tflops: DenseTflops
    hbm_gb: float = Field(gt=0)
    hbm_bw_tb_s: float = Field(gt=0)
    tdp_w: float = Field(gt=0)
    scale_up_interconnect: str
    scale_up_bw_gb_s: float = Field(gt=0, description="one direction, per GPU")
    scale_up_domain: int = Field(ge=1, description="GPUs that share the scale-up fabric (8 HGX, 72 NVL72)")
    price_per_gpu: PriceRange | None = None

    def peak_tflops(self, precision: Precision) -> float:
        value = self.dense_tflops.at(precision)
        if value is None:
            raise KeyError(f"{self.id} has no {precision} tensor mode")
        return value


class System(Sourced):
    """A unit you buy and count: an 8-GPU server or a rack-scale system such as an NVL72.

    `power_max_kw` is the nameplate maximum of one unit including its NICs and their NIC-side
    transceivers (they draw from the unit's power supplies).
    """

    vendor: str
    aliases: tuple[str, ...] = ()
    kind: Literal["server", "rack"]
    gpu: str
    gpus: int = Field(ge=1, description="GPUs in one system unit")
    systems_per_rack: int = Field(ge=1, description="system units per rack (1 for rack-scale systems)")
    rack_units: int | None = Field(default=None, ge=1, description="height of one system unit")
    power_max_kw: float = Field(gt=0, description="per system unit, all components")
    cooling: Literal["air", "liquid"]
    nic: str
    nics_per_gpu: float = Field(default=1.0, ge=0)
    extra_nics: int = Field(default=0, ge=0, description="front-end/storage NICs per system unit")
    extra_nic: str | None = Field(default=None, description="nic id of the front-end NICs (default: `nic`)")
    price: PriceRange | None = None

    @property
    def frontend_nic(self) -> str:
        return self.extra_nic or self.nic


class Nic(Sourced):
    speed_gb_s: float = Field(gt=0, description="line rate in Gb/s")
    power_w: float = Field(gt=0)
    optic: str | None = Field(default=None, description="optic id of the NIC-side transceiver it takes")


# what a scale-out fabric delivers to collectives: the kinds of perf/collectives.yaml `scale_out`
Transport = Literal["infiniband", "spectrum_x", "roce", "ethernet"]


class Switch(Sourced):
    protocol: Literal["ethernet", "infiniband"]
    transport: Transport | None = Field(
        default=None, description="what the fabric delivers to collectives (perf/collectives.yaml scale_out); "
        "None: infiniband for an InfiniBand switch, roce for an Ethernet one")
    in_network_reduction: bool = Field(default=False, description="SHARP: the switch can reduce all-reduces")
    radix: int = Field(ge=2, description="ports at port_speed_gbps")
    port_speed_gbps: float = Field(gt=0)
    power_w: float = Field(gt=0, description="switch without pluggable optics")
    hop_latency_us: float = Field(gt=0)
    rack_units: int | None = Field(default=None, ge=1)
    optic: str | None = Field(default=None, description="optic id of its usual switch-side transceiver")
    price: PriceRange | None = None

    @property
    def collective_transport(self) -> Transport:
        if self.transport is not None:
            return self.transport
        return "infiniband" if self.protocol == "infiniband" else "roce"


class Optic(Sourced):
    """A pluggable transceiver or cable end. `ports_per_module` logical switch/NIC ports share one
    module (2 for a twin-port 800G OSFP driving two 400G ports)."""

    speed_gbps: float = Field(gt=0, description="total line rate of the module")
    ports_per_module: int = Field(default=1, ge=1)
    power_w: float = Field(ge=0, description="per module")
    price: PriceRange | None = None

    @property
    def port_gbps(self) -> float:
        return self.speed_gbps / self.ports_per_module

    @property
    def power_w_per_port(self) -> float:
        return self.power_w / self.ports_per_module


class Site(Sourced):
    location: str
    grid_co2_g_per_kwh: float = Field(ge=0)
    grid_co2_year: int
    gas_turbine_co2_g_per_kwh: float = Field(ge=0)
    gas_turbine_co2_low_g_per_kwh: float | None = Field(default=None, ge=0)
    gas_turbine_co2_high_g_per_kwh: float | None = Field(default=None, ge=0)
    power_price_usd_per_kwh: float = Field(gt=0)
    pue_low: float = Field(ge=1.0)
    pue_high: float = Field(ge=1.0)
    pue_default: float = Field(ge=1.0)
    water_l_per_kwh: float = Field(ge=0, description="site water use per kWh of IT energy (WUE)")
    floor_m2_per_rack: float = Field(gt=0, description="white space per rack incl. aisles")

    @model_validator(mode="after")
    def _pue_range(self) -> Site:
        if not (self.pue_low <= self.pue_default <= self.pue_high):
            raise ValueError("need pue_low <= pue_default <= pue_high")
        low, high = self.gas_turbine_co2_low_g_per_kwh, self.gas_turbine_co2_high_g_per_kwh
        if low is not None and high is not None and not (low <= self.gas_turbine_co2_g_per_kwh <= high):
            raise ValueError("need gas_turbine_co2_low_g_per_kwh <= gas_turbine_co2_g_per_kwh <= ..._high")
        return self
