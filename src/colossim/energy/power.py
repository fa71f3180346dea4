"""GPU and IT power as a function of GPU utilisation.

GPU: P = TDP x (idle + (1 - idle) x u), u in [0, 1] from idle to full power: linear between an idle
floor (~10-15 % of TDP, estimate) and TDP, which a GPU reaches under dense training (Latif et al.,
arXiv 2412.08602: an 8x H100 node peaked at 8.4 kW of its 10.2 kW rating with GPUs near full load).
IT power per GPU adds the host share (CPUs, DRAM, NICs, fans; held constant) and the network share
(switches and optics). Facility power = IT power x PUE.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from colossim.energy.assumptions import Assumption
from colossim.energy.defaults import load_defaults


def gpu_power_w(tdp_w, utilisation, idle_fraction):
    """P_gpu = TDP (idle + (1 - idle) u) (linear idle-to-TDP model; defaults.yaml)."""
    tdp, u, idle = (np.asarray(x, dtype=float) for x in (tdp_w, utilisation, idle_fraction))
    if np.any(tdp <= 0) or np.any((u < 0) | (u > 1)) or np.any((idle < 0) | (idle > 1)):
        raise ValueError("need tdp_w > 0, utilisation in [0, 1] and idle_fraction in [0, 1]")
    return tdp * (idle + (1.0 - idle) * u)


@dataclass(frozen=True)
class PowerModel:
    """Per-GPU power model. Build with `default_power_model()` or give your own measured values."""

    gpu_idle_fraction: float
    host_w_per_gpu: float
    network_w_per_gpu: float
    train_utilisation: float
    sources: dict[str, str] = field(default_factory=dict, compare=False)  # field name -> source

    def __post_init__(self) -> None:
        if not (0 <= self.gpu_idle_fraction <= 1 and 0 <= self.train_utilisation <= 1):
            raise ValueError("gpu_idle_fraction and train_utilisation must be in [0, 1]")
        if self.host_w_per_gpu < 0 or self.network_w_per_gpu < 0:
            raise ValueError("host and network power must be >= 0")

    def gpu_w(self, tdp_w, utilisation):
        return gpu_power_w(tdp_w, utilisation, self.gpu_idle_fraction)

    def it_w_per_gpu(self, tdp_w, utilisation):
        """GPU + host + network share, per GPU."""
        return self.gpu_w(tdp_w, utilisation) + self.host_w_per_gpu + self.network_w_per_gpu

    def node_w(self, tdp_w, utilisation, gpus_per_node: int):
        """A server's own power (GPUs + host; the network is outside the node)."""
        return gpus_per_node * (self.gpu_w(tdp_w, utilisation) + self.host_w_per_gpu)

    def source_of(self, name: str) -> str:
        return self.sources.get(name, "user input")

    def assumptions(
        self, tdp_w: float, tdp_source: str = "catalog GPU tdp_w (vendor maximum)"
    ) -> list[Assumption]:
        return [
            Assumption(
                "power_model",
                "P_gpu = TDP x (idle + (1 - idle) x utilisation)",
                "-",
                "linear idle-to-TDP model (docs/reliability.md, energy section)",
            ),
            Assumption("gpu_tdp", tdp_w, "W", tdp_source),
            Assumption(
                "gpu_idle_fraction",
                self.gpu_idle_fraction,
                "fraction of TDP",
                self.source_of("gpu_idle_fraction"),
            ),
            Assumption(
                "train_utilisation",
                self.train_utilisation,
                "fraction (0 idle .. 1 TDP)",
                self.source_of("train_utilisation"),
            ),
            Assumption("host_power", self.host_w_per_gpu, "W per GPU", self.source_of("host_w_per_gpu")),
            Assumption(
                "network_power", self.network_w_per_gpu, "W per GPU", self.source_of("network_w_per_gpu")
            ),
        ]


def default_power_model(**overrides: float) -> PowerModel:
    """The sourced defaults of defaults.yaml, with any field overridden by keyword."""
    p = load_defaults().power
    values = {
        name: getattr(p, name).value
        for name in ("gpu_idle_fraction", "host_w_per_gpu", "network_w_per_gpu", "train_utilisation")
    }
    unknown = set(overrides) - set(values)
    if unknown:
        raise TypeError(f"unknown power model field(s): {', '.join(sorted(unknown))}")
    sources = {name: getattr(p, name).source for name in values if name not in overrides}
    values.update(overrides)
    return PowerModel(**values, sources=sources)
