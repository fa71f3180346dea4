"""Read a cluster description (a built-in scenario name or a YAML file) into a checked ClusterSpec.

Every failure is an InputError naming the file, the field path and what to change: YAML syntax,
schema (pydantic), catalog ids that do not exist, retirements of hardware never installed, and
fabrics the GPUs do not fit.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from colossim.catalog import Catalog, load_catalog
from colossim.cluster.fabric import FabricError, fabric_figures
from colossim.cluster.inventory import RetireError, phase_snapshots
from colossim.cluster.spec import ClusterSpec
from colossim.inputs import (
    FAST_SAFE_LOADER,
    InputError,
    InputProblem,
    input_error,
    parse_yaml_text,
    read_text,
    validate,
)

SCENARIO_PACKAGE = "colossim.cluster"
SCENARIO_DIR = "scenarios"


class _DatesAsText(FAST_SAFE_LOADER):  # libyaml's parser where PyYAML has it (~10x faster than pure Python)
    """Leaves dates as text so the schema reports a bad date (2024-02-30) with its field path."""


_DatesAsText.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in FAST_SAFE_LOADER.yaml_implicit_resolvers.items()
}


def _parse_yaml(text: str, source: str) -> Any:
    return parse_yaml_text(text, source, loader=_DatesAsText)


def _scenario_files() -> dict[str, Any]:
    base = resources.files(SCENARIO_PACKAGE) / SCENARIO_DIR
    return {entry.name[: -len(".yaml")]: entry for entry in base.iterdir() if entry.name.endswith(".yaml")}


def list_scenarios() -> list[str]:
    """Names of the scenarios shipped with colossim (`colossus`, `colossus-2`, ...)."""
    return sorted(_scenario_files())


def _choices(ids: list[str]) -> str:
    return f"use one of {', '.join(ids)}"


def _reference_problems(spec: ClusterSpec, catalog: Catalog) -> Iterator[InputProblem]:
    if spec.site not in catalog.sites:
        yield InputProblem("site", f"unknown site '{spec.site}'", _choices(catalog.sites.ids()))
    fabric = spec.fabric
    if fabric.switch not in catalog.switches:
        yield InputProblem(
            "fabric.switch", f"unknown switch '{fabric.switch}'", _choices(catalog.switches.ids())
        )
    elif fabric.sharp and not catalog.switches[fabric.switch].in_network_reduction:
        yield InputProblem("fabric.sharp", f"switch '{fabric.switch}' has no in-network reduction (SHARP)",
                           "set sharp: false, or use an InfiniBand switch that offers it (e.g. quantum2_qm9700)")
    if fabric.nic is not None and fabric.nic not in catalog.nics:
        yield InputProblem("fabric.nic", f"unknown nic '{fabric.nic}'", _choices(catalog.nics.ids()))
    if fabric.switch_optic is not None:
        if fabric.switch_optic not in catalog.optics:
            yield InputProblem(
                "fabric.switch_optic",
                f"unknown optic '{fabric.switch_optic}'",
                _choices(catalog.optics.ids()),
            )
        elif fabric.switch in catalog.switches:
            optic, switch = catalog.optics[fabric.switch_optic], catalog.switches[fabric.switch]
            if optic.port_gbps != switch.port_speed_gbps:
                yield InputProblem(
                    "fabric.switch_optic",
                    f"optic '{optic.id}' drives {optic.port_gbps:g}G ports "
                    f"but switch '{switch.id}' has {switch.port_speed_gbps:g}G ports",
                    "pick an optic of the switch's port speed or leave it empty",
                )
    yield from _plant_problems(spec, catalog)
    for p, phase in enumerate(spec.phases):
        if phase.cooling is not None and phase.cooling not in catalog.cooling:
            yield InputProblem(f"phases.{p}.cooling", f"unknown cooling design '{phase.cooling}'",
                               _choices(catalog.cooling.ids()))
        for kind in ("add", "retire"):
            for e, entry in enumerate(getattr(phase, kind)):
                if entry.system not in catalog.systems:
                    yield InputProblem(
                        f"phases.{p}.{kind}.{e}.system",
                        f"unknown system '{entry.system}'",
                        _choices(catalog.systems.ids()),
                    )


def _plant_problems(spec: ClusterSpec, catalog: Catalog) -> Iterator[InputProblem]:
    """Catalog ids of the cooling design and of the supply timeline's turbines, batteries and permits."""
    if spec.cooling is not None and spec.cooling not in catalog.cooling:
        yield InputProblem("cooling", f"unknown cooling design '{spec.cooling}'", _choices(catalog.cooling.ids()))
    supply = spec.supply
    if supply is None:
        return
    for kind, section, entries in (("turbines", catalog.turbines, supply.turbines),
                                   ("batteries", catalog.batteries, supply.batteries),
                                   ("permits", catalog.turbines, supply.permits)):
        for i, entry in enumerate(entries):
            if entry.model not in section:
                yield InputProblem(f"supply.{kind}.{i}.model", f"unknown {section.kind} '{entry.model}'",
                                   _choices(section.ids()))


def _with_supply_from(spec: ClusterSpec, catalog: Catalog, source: str) -> ClusterSpec:
    """A variant that takes another built-in scenario's supply timeline (`supply_from`)."""
    if spec.supply_from is None:
        return spec
    scenarios = _scenario_files()
    if spec.supply_from not in scenarios or spec.supply_from == spec.name:
        raise input_error(source, f"supply_from '{spec.supply_from}' is not another built-in scenario",
                          f"use one of {', '.join(sorted(n for n in scenarios if n != spec.name))}", "supply_from")
    other = load_cluster(spec.supply_from, catalog)
    if other.supply is None:
        raise input_error(source, f"scenario '{spec.supply_from}' has no supply timeline to take",
                          "name a scenario with a `supply:` section", "supply_from")
    if spec.gas_turbine_share or any(p.gas_turbine_share is not None for p in spec.phases):
        raise input_error(source, "supply_from gives a supply timeline: gas_turbine_share cannot be given too",
                          "remove gas_turbine_share", "supply_from")
    return spec.model_copy(update={"supply": other.supply})


def check_cluster(spec: ClusterSpec, catalog: Catalog, source: str) -> ClusterSpec:
    """Check catalog references, retirements and fabric fit of a schema-valid spec."""
    problems = list(_reference_problems(spec, catalog))
    if problems:
        raise InputError(source, problems)
    spec = _with_supply_from(spec, catalog, source)
    try:
        snapshots = phase_snapshots(spec, catalog)
    except RetireError as err:
        raise input_error(
            source,
            str(err),
            "retire at most what earlier phases added",
            f"phases.{err.phase_index}.retire.{err.entry_index}.count",
        ) from None
    for snap in snapshots:
        try:
            fabric_figures(spec.fabric, catalog, snap.pools)
        except FabricError as err:
            raise input_error(source, f"after phase '{snap.phase}': {err}", "", "fabric") from None
    return spec


def parse_cluster(data: Any, source: str, catalog: Catalog | None = None) -> ClusterSpec:
    """Validate already-parsed YAML data into a checked ClusterSpec."""
    if not isinstance(data, dict):
        raise input_error(
            source,
            "a cluster file must be a mapping (name, site, fabric, phases, ...)",
            "see colossim/cluster/scenarios/colossus.yaml for an example",
        )
    spec = validate(data, ClusterSpec, source)
    return check_cluster(spec, catalog or load_catalog(), source)


def _is_file(ref: str) -> bool:
    try:
        return Path(ref).is_file()
    except (OSError, ValueError):  # e.g. a name too long, or an embedded NUL
        return False


def load_cluster(ref: str, catalog: Catalog | None = None) -> ClusterSpec:
    """A built-in scenario by name (see list_scenarios) or a cluster YAML file by path."""
    scenarios = _scenario_files()
    if ref in scenarios:
        source = f"colossim/cluster/{SCENARIO_DIR}/{ref}.yaml"
        data = _parse_yaml(scenarios[ref].read_text(encoding="utf-8"), source)
    elif _is_file(ref):
        data = _parse_yaml(read_text(ref), ref)
        source = ref
    else:
        raise input_error(
            str(ref)[:200],
            "no built-in scenario or file of that name",
            f"use one of {', '.join(sorted(scenarios))} or the path of a cluster YAML file",
        )
    if data is None:
        raise input_error(source, "the file is empty", "write a cluster mapping (name, site, fabric, phases)")
    return parse_cluster(data, source, catalog)
