"""What a site is used for, by date: training (the default) or leased out for inference. A leased site still
draws its power and water (the supply ledger counts it), but it is no training capacity: `train`, `compare`,
`plan` and the report plan only on dates the site trains, and say so."""

from __future__ import annotations

from datetime import date, timedelta

from colossim.catalog import Catalog
from colossim.cluster.inventory import PhaseSnapshot, phase_snapshots
from colossim.cluster.spec import ClusterSpec, Phase, SiteUse


class SiteLeasedError(ValueError):
    """A training question on a date the site is leased out."""


def use_at(spec: ClusterSpec, at: date | None = None) -> SiteUse:
    """The site's use on `at` (None: after the last phase): the latest phase that sets one, else training."""
    use: SiteUse = "training"
    for phase in spec.phases:
        if (at is None or phase.start <= at) and phase.use is not None:
            use = phase.use
    return use


def use_phase_at(spec: ClusterSpec, at: date | None = None) -> Phase | None:
    """The phase that set the site's current use on `at` (None when no phase ever set one)."""
    found = None
    for phase in spec.phases:
        if (at is None or phase.start <= at) and phase.use is not None:
            found = phase
    return found


def lease_note(spec: ClusterSpec, at: date | None = None) -> str:
    """One line on the lease in force on `at` (None: after the last phase), empty when the site trains."""
    phase = use_phase_at(spec, at)
    if phase is None or phase.use == "training":
        return ""
    return (f"{spec.name} is leased out for inference from {phase.start} (phase '{phase.name}'): no training "
            "capacity from that date (the site still draws its power and water)")


def training_date(spec: ClusterSpec, at: date | None) -> tuple[date | None, str]:
    """The date a training question is asked on, and a note when it differs from `at`.

    `at` given and the site leased then: SiteLeasedError. `at` None and the site leased after its last phase:
    the day before that lease, the last day it trained, with a note saying so."""
    if at is not None:
        if use_at(spec, at) != "training":
            raise SiteLeasedError(f"{lease_note(spec, at)}: ask about a date before {use_phase_at(spec, at).start}, "
                                  "or another cluster")
        return at, ""
    if use_at(spec, None) == "training":
        return None, ""
    phase = use_phase_at(spec, None)
    last = (phase.start if phase else spec.phases[0].start) - timedelta(days=1)
    if use_at(spec, last) != "training" or last < spec.phases[0].start:
        raise SiteLeasedError(lease_note(spec, None) + " It never trained before the lease.")
    return last, f"{lease_note(spec, None)}; planned on the cluster as it trained on {last}"


def training_snapshots(spec: ClusterSpec, catalog: Catalog | None = None) -> tuple[list[PhaseSnapshot], list[str]]:
    """The phase snapshots on dates the site trains, and one line per phase left out because it is leased."""
    kept, left_out = [], []
    for snap in phase_snapshots(spec, catalog):
        if use_at(spec, snap.start) == "training":
            kept.append(snap)
        else:
            left_out.append(f"phase '{snap.phase}' ({snap.start}): {lease_note(spec, snap.start)}")
    return kept, left_out


__all__ = ["SiteLeasedError", "lease_note", "training_date", "training_snapshots", "use_at", "use_phase_at"]
