"""What-ifs as files: a cluster written back as the YAML its loader reads (a built-in scenario to edit), and
a cluster with what a budget buys added as a dated phase (`colossim buy --write`), so a what-if chains into
every other command (`colossim train after.yaml ...`)."""

from __future__ import annotations

import bisect

import yaml

from colossim.cluster.buy import BuyResult
from colossim.cluster.spec import ClusterSpec, Phase, SystemCount


def cluster_yaml(spec: ClusterSpec, note: str = "") -> str:
    """The cluster as YAML: every field that differs from its default, in the schema's order (a file
    `colossim.cluster.load_cluster` reads back to the same cluster)."""
    data = spec.model_dump(mode="json", exclude_defaults=True)
    head = f"# {note}\n" if note else ""
    return head + "# schema: `colossim schema cluster`\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True,
                                                                            width=110)


def with_purchase(spec: ClusterSpec, bought: BuyResult) -> ClusterSpec:
    """`spec` with the units `bought` as a new phase on the purchase's date (after the phases of that date)."""
    option = bought.option
    if option.units < 1:
        raise ValueError(f"USD {bought.budget_usd:,.0f} buys no {option.system}: nothing to add")
    names = {p.name for p in spec.phases}
    name, k = f"buy-{option.system}", 2
    while name in names:
        name, k = f"buy-{option.system}-{k}", k + 1
    phase = Phase(name=name, start=bought.at, add=[SystemCount(system=option.system, count=option.units)],
                  confidence="low", note=f"what-if: USD {bought.budget_usd / 1e9:,.2f} billion of {option.name}",
                  source=(f"colossim buy: USD {bought.budget_usd:,.0f} at the catalog's mid price of USD "
                          f"{(option.unit_price_usd_low + option.unit_price_usd_high) / 2:,.0f} per unit plus USD "
                          f"{option.network_usd_per_unit:,.0f} of network per unit ({option.units_low:,}-"
                          f"{option.units_high:,} units over the price range)"))
    phases = list(spec.phases)
    at = bisect.bisect_right([p.start for p in phases], bought.at)
    phases.insert(at, phase)
    data = spec.model_dump(exclude_defaults=True)
    data.update(name=f"{spec.name}+{name}", phases=[p.model_dump(exclude_defaults=True) for p in phases],
                description=(spec.description + " " if spec.description else "")
                + f"With {option.units:,} {option.system} bought on {bought.at} (colossim buy).")
    return ClusterSpec.model_validate(data)


__all__ = ["cluster_yaml", "with_purchase"]
