"""GPU and IT power per GPU as a function of GPU utilisation: the per-GPU view of the fleet power chain.

GPU: P = TDP x (idle + (1 - idle) x u), u in [0, 1] from idle to full power: linear between an idle
floor (~10-15 % of TDP, estimate) and TDP, which a GPU reaches under dense training (Latif et al.,
arXiv 2412.08602: an 8x H100 node peaked at 8.4 kW of its 10.2 kW rating with GPUs near full load).
Host (CPUs, DRAM, NICs, fans, PSU losses): `host_load_fraction` of the system's nameplate beyond its
GPUs' TDP, held constant (350 W per GPU on an HGX H100). Overhead: the IT outside the GPU systems
(network, storage, CPU nodes) per GPU. Facility power = IT power x PUE. `colossim.energy.fleet` sums
this over the pools of a cluster; one model for every command.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from colossim.energy.assumptions import Assumption
from colossim.energy.defaults import load_defaults

POWER_FIELDS = ("gpu_idle_fraction", "host_w_per_gpu", "overhead_w_per_gpu", "train_utilisation",
                "host_load_fraction")


def gpu_power_w(tdp_w, utilisation, idle_fraction):
    """P_gpu = TDP (idle + (1 - idle) u) (linear idle-to-TDP model; defaults.yaml)."""
    tdp, u, idle = (np.asarray(x, dtype=float) for x in (tdp_w, utilisation, idle_fraction))
    if np.any(tdp <= 0) or np.any((u < 0) | (u > 1)) or np.any((idle < 0) | (idle > 1)):
        raise ValueError("need tdp_w > 0, utilisation in [0, 1] and idle_fraction in [0, 1]")
    return tdp * (idle + (1.0 - idle) * u)


def host_power_w(system_max_w_per_gpu, tdp_w, host_load_fraction):
    """Host share per GPU = load fraction x (system nameplate per GPU - GPU TDP) (Latif et al. node, derived)."""
    rest = np.asarray(system_max_w_per_gpu, dtype=float) - np.asarray(tdp_w, dtype=float)
    if np.any(rest < 0):
        raise ValueError("a system's nameplate per GPU must be at least its GPU's TDP")
    return host_load_fraction * rest


@dataclass(frozen=True)
class PowerModel:
    """Per-GPU power model. Build with `default_power_model()` or give your own measured values.
    `host_w_per_gpu` and `overhead_w_per_gpu` are the per-GPU figures of one machine (`for_system` sets
    them from a system's nameplate and a cluster's network, storage and CPU nodes)."""

    gpu_idle_fraction: float
    host_w_per_gpu: float
    overhead_w_per_gpu: float
    train_utilisation: float
    host_load_fraction: float = 0.6087
    sources: dict[str, str] = field(default_factory=dict, compare=False)  # field name -> source

    def __post_init__(self) -> None:
        if not (0 <= self.gpu_idle_fraction <= 1 and 0 <= self.train_utilisation <= 1
                and 0 <= self.host_load_fraction <= 1):
            raise ValueError("gpu_idle_fraction, train_utilisation and host_load_fraction must be in [0, 1]")
        if self.host_w_per_gpu < 0 or self.overhead_w_per_gpu < 0:
            raise ValueError("host and overhead power must be >= 0")

    def gpu_w(self, tdp_w, utilisation):
        return gpu_power_w(tdp_w, utilisation, self.gpu_idle_fraction)

    def it_w_per_gpu(self, tdp_w, utilisation):
        """GPU + host + overhead share, per GPU."""
        return self.gpu_w(tdp_w, utilisation) + self.host_w_per_gpu + self.overhead_w_per_gpu

    def node_w(self, tdp_w, utilisation, gpus_per_node: int):
        """A server's own power (GPUs + host; the network is outside the node)."""
        return gpus_per_node * (self.gpu_w(tdp_w, utilisation) + self.host_w_per_gpu)

    def host_w_for(self, system_max_w_per_gpu, tdp_w):
        return host_power_w(system_max_w_per_gpu, tdp_w, self.host_load_fraction)

    def for_system(self, system_max_w_per_gpu: float, tdp_w: float, overhead_w_per_gpu: float,
                   source: str = "") -> PowerModel:
        """The same model for one machine: host share from its nameplate, overhead from its cluster."""
        sources = {**self.sources, "host_w_per_gpu": f"derived: host_load_fraction x (system nameplate per GPU "
                   f"{system_max_w_per_gpu:,.0f} W - TDP {tdp_w:,.0f} W)",
                   "overhead_w_per_gpu": source or "cluster network, storage and CPU nodes per GPU"}
        return replace(self, host_w_per_gpu=float(self.host_w_for(system_max_w_per_gpu, tdp_w)),
                       overhead_w_per_gpu=float(overhead_w_per_gpu), sources=sources)

    def source_of(self, name: str) -> str:
        return self.sources.get(name, "user input")

    def assumptions(self) -> list[Assumption]:
        return [
            Assumption("power_model", "P_gpu = TDP x (idle + (1 - idle) x utilisation); host = load fraction x "
                       "(system nameplate - GPU TDP)", "-", "linear idle-to-TDP model (docs/train.md, energy)"),
            Assumption("gpu_idle_fraction", self.gpu_idle_fraction, "fraction of TDP",
                       self.source_of("gpu_idle_fraction")),
            Assumption("train_utilisation", self.train_utilisation, "fraction (0 idle .. 1 TDP)",
                       self.source_of("train_utilisation")),
            Assumption("host_load_fraction", self.host_load_fraction, "of a system's non-GPU nameplate",
                       self.source_of("host_load_fraction")),
        ]


def default_power_model(**overrides: float) -> PowerModel:
    """The sourced defaults of defaults.yaml, with any field overridden by keyword."""
    p = load_defaults().power
    values = {name: getattr(p, name).value for name in POWER_FIELDS}
    unknown = set(overrides) - set(values)
    if unknown:
        raise TypeError(f"unknown power model field(s): {', '.join(sorted(unknown))}")
    sources = {name: getattr(p, name).source for name in values if name not in overrides}
    values.update(overrides)
    return PowerModel(**values, sources=sources)
