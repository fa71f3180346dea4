"""Claimed and observed variants of one site or campus (scenarios that share a `variant.family`), and their
figures side by side on the dates that matter to either (each variant's phase starts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from colossim.catalog import Catalog, load_catalog
from colossim.cluster.campus import CampusFigures, campus_figures, is_campus, list_campuses, load_campus
from colossim.cluster.figures import ClusterFigures, cluster_figures
from colossim.cluster.load import list_scenarios, load_cluster


@dataclass(frozen=True)
class Member:
    name: str
    kind: str  # claimed / observed
    campus: bool


def _variant(name: str, catalog: Catalog):
    return (load_campus(name) if is_campus(name) else load_cluster(name, catalog)).variant


def family(ref: str, catalog: Catalog | None = None) -> tuple[str, list[Member]]:
    """The family of a built-in scenario or campus and its members, claimed first. ValueError when `ref` has
    no variants."""
    catalog = catalog or load_catalog()
    mine = _variant(ref, catalog)
    if mine is None:
        raise ValueError(f"'{ref}' has no claimed/observed variants: use one of {', '.join(sorted(families(catalog)))}")
    members = []
    for name in (*list_scenarios(), *list_campuses()):
        v = _variant(name, catalog)
        if v is not None and v.family == mine.family:
            members.append(Member(name, v.kind, is_campus(name)))
    members.sort(key=lambda m: (m.kind != "claimed", m.name))
    return mine.family, members


def has_variants(ref: str, catalog: Catalog | None = None) -> bool:
    return _variant(ref, catalog or load_catalog()) is not None


def families(catalog: Catalog | None = None) -> set[str]:
    catalog = catalog or load_catalog()
    return {v.family for n in (*list_scenarios(), *list_campuses()) if (v := _variant(n, catalog)) is not None}


def _starts(member: Member, catalog: Catalog) -> list[date]:
    if member.campus:
        return [p.start for m in load_campus(member.name).members for p in load_cluster(m, catalog).phases]
    return [p.start for p in load_cluster(member.name, catalog).phases]


def family_dates(members: list[Member], catalog: Catalog) -> list[date]:
    return sorted({d for m in members for d in _starts(m, catalog)})


def variant_figures(member: Member, at: date, catalog: Catalog) -> ClusterFigures | CampusFigures | None:
    """The member's figures on `at` (None before a cluster's first phase)."""
    if member.campus:
        return campus_figures(load_campus(member.name), catalog, at)
    spec = load_cluster(member.name, catalog)
    return cluster_figures(spec, catalog, at) if spec.phases[0].start <= at else None


__all__ = ["Member", "families", "family", "family_dates", "has_variants", "variant_figures"]
