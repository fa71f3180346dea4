"""Default reliability numbers for the operations simulator, taken from colossim.reliability's sourced
presets (presets.yaml: every number carries its source). Nothing is read at import time."""

from __future__ import annotations

from dataclasses import dataclass

from colossim.reliability import failure_model, load_presets
from colossim.reliability.presets import FailurePresetName, RestartPresetName

REFERENCE_GPUS_PER_NODE = 8  # the failure presets count 8-GPU nodes


@dataclass(frozen=True)
class Sourced:
    value: float
    source: str
    estimate: bool = False


def failures_per_1000_node_days(preset: FailurePresetName = "llama3_h100") -> Sourced:
    model = failure_model(preset)
    return Sourced(
        model.failures_per_1000_node_days,
        f"colossim.reliability preset {preset}: {model.source}",
        model.estimate,
    )


def node_repair_share(preset: FailurePresetName = "llama3_h100") -> Sourced:
    """Share of failures that need the node repaired (hardware/network classes of the preset's cause mix);
    software and unknown causes are cured by a restart on the same nodes."""
    model = failure_model(preset)
    return Sourced(model.repair_share, f"colossim.reliability preset {preset} cause mix", True)


# The escalation share is not in the presets: AIReSim illustrative default (reliability.md sec. 3).
ESCALATE_SHARE = Sourced(
    0.8,
    "AIReSim illustrative default: 80 % of automated repairs escalate to manual "
    "(shared/reference/reliability.md sec. 3)",
    estimate=True,
)


def repair_hours() -> tuple[Sourced, Sourced, Sourced]:
    """(automated repair mean h, manual repair mean h, share escalated to manual)."""
    rt = load_presets().repair_times
    return (
        Sourced(rt["automated"].mean_h, rt["automated"].source, rt["automated"].estimate),
        Sourced(rt["manual"].mean_h, rt["manual"].source, rt["manual"].estimate),
        ESCALATE_SHARE,
    )


def restart_s(preset: RestartPresetName = "lablup_auto_retry") -> Sourced:
    p = load_presets().restart_times[preset]
    return Sourced(p.seconds, p.source, p.estimate)
