"""Default modelling constants of the cluster model, each with its source or the word assumption."""

from __future__ import annotations

# The sustained draw of GPU systems while training comes from the fleet power chain (colossim.energy.fleet:
# GPUs at the training utilisation, host at its load fraction), not from a constant here.

# CPU nodes, management network and other non-GPU IT gear, as a fraction of GPU-system nameplate.
# Assumption (Colossus has 1U air-cooled CPU servers; their count is not published).
CPU_OTHER_FRACTION = 0.02

# All-flash storage power per PB of capacity. Estimate: a 1U server with 16 x 30.72 TB E3.S NVMe
# drives holds ~0.5 PB and draws ~1 kW -> ~2 kW per PB.
STORAGE_KW_PER_PB = 2.0

# Meta Llama 3 training storage (Tectonic): 240 PB, 2 TB/s sustained, 7 TB/s peak for 16,384 H100
# (Llama 3 Herd paper via https://ai-papers.xuzou.cn/papers/llama3_2024). Used to scale storage
# estimates per GPU where an operator publishes none.
TECTONIC_GPUS = 16_384
TECTONIC_SUSTAINED_GB_S = 2_000.0
TECTONIC_PEAK_GB_S = 7_000.0
TECTONIC_CAPACITY_PB = 240.0

# Rack units usable for switches in one network rack (assumption: 42U racks).
NETWORK_RACK_UNITS = 42

HOURS_PER_YEAR = 8_760.0
LITRES_PER_US_GALLON = 3.785411784
