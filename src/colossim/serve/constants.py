"""The serving model's constants (serve/calibration.yaml), validated with pydantic, and their numeric form.

Only serving-specific numbers live here; GPU rates, bandwidths, GEMM and attention efficiencies and
collective latencies come from the catalog and colossim.perf's calibration (one place to add a GPU).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from colossim.inputs import parse_yaml_text, validate

CALIBRATION_FILE = "colossim/serve/calibration.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sourced(_Strict):
    value: float = Field(ge=0)
    source: str = Field(min_length=3)
    estimate: bool = False


class ByPrecision(_Strict):
    bf16: Sourced
    fp8: Sourced
    fp4: Sourced | None = None


class TokenBudget(_Strict):
    min: Sourced
    max: Sourced


class ServeCalibration(_Strict):
    weight_bytes: ByPrecision
    kv_bytes: ByPrecision
    lm_head_bytes: Sourced
    kv_cache_fraction: Sourced
    reserved_gb: Sourced
    activation_bytes_per_token: Sourced
    max_batch: Sourced
    token_budget: TokenBudget
    prefill_chunk_tokens: Sourced
    gemm_tile_rows: Sourced
    weight_stream_efficiency: Sourced
    layer_overhead_us: Sourced
    iteration_overhead_ms: Sourced
    oneshot_allreduce_latency_us: Sourced
    decode_power_utilisation: Sourced
    source: str = Field(min_length=3)

    def rows(self) -> list[dict]:
        """Every constant as {name, value, source, estimate} (for docs and the report's assumptions)."""
        out = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, Sourced):
                out.append({"name": name, "value": value.value, "source": value.source, "estimate": value.estimate})
            elif isinstance(value, ByPrecision | TokenBudget):
                for sub in type(value).model_fields:
                    v = getattr(value, sub)
                    if v is not None:
                        out.append({"name": f"{name}.{sub}", "value": v.value, "source": v.source,
                                    "estimate": v.estimate})
        return out


class ServeConstants(NamedTuple):
    """Numbers of ServeCalibration in SI units, for the vectorised model."""

    w_bytes: tuple[float, float, float]  # by precision code 0 bf16, 1 fp8, 2 fp4
    kv_bytes: tuple[float, float]  # by KV code 0 bf16, 1 fp8
    lm_head_bytes: float
    kv_fraction: float
    reserved_bytes: float
    act_bytes_per_token: float
    max_batch: float
    budget_min: float
    budget_max: float
    prefill_chunk: float
    tile_rows: float
    stream_eff: float
    layer_overhead_s: float
    iteration_overhead_s: float
    oneshot_lat_s: float
    decode_power_util: float


def parse_serve_calibration(text: str, source: str) -> ServeCalibration:
    return validate(parse_yaml_text(text, source), ServeCalibration, source)


@lru_cache(maxsize=1)
def load_serve_calibration() -> ServeCalibration:
    text = (resources.files("colossim.serve") / "calibration.yaml").read_text(encoding="utf-8")
    return parse_serve_calibration(text, CALIBRATION_FILE)


def constants(cal: ServeCalibration | None = None) -> ServeConstants:
    c = cal or load_serve_calibration()
    fp4 = c.weight_bytes.fp4.value if c.weight_bytes.fp4 else float("nan")
    return ServeConstants(
        w_bytes=(c.weight_bytes.bf16.value, c.weight_bytes.fp8.value, fp4),
        kv_bytes=(c.kv_bytes.bf16.value, c.kv_bytes.fp8.value),
        lm_head_bytes=c.lm_head_bytes.value,
        kv_fraction=c.kv_cache_fraction.value,
        reserved_bytes=c.reserved_gb.value * 1e9,
        act_bytes_per_token=c.activation_bytes_per_token.value,
        max_batch=c.max_batch.value,
        budget_min=c.token_budget.min.value,
        budget_max=c.token_budget.max.value,
        prefill_chunk=c.prefill_chunk_tokens.value,
        tile_rows=c.gemm_tile_rows.value,
        stream_eff=c.weight_stream_efficiency.value,
        layer_overhead_s=c.layer_overhead_us.value * 1e-6,
        iteration_overhead_s=c.iteration_overhead_ms.value * 1e-3,
        oneshot_lat_s=c.oneshot_allreduce_latency_us.value * 1e-6,
        decode_power_util=c.decode_power_utilisation.value,
    )


__all__ = ["ServeCalibration", "ServeConstants", "constants", "load_serve_calibration", "parse_serve_calibration"]
