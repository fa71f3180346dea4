"""Loading cluster files: the built-in scenarios, and bad input that must fail with the file, the
field path and what to change (never a traceback from deeper down)."""

from __future__ import annotations

import copy
import string
from datetime import date

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from colossim.cluster import list_scenarios, load_cluster, parse_cluster
from colossim.cluster.load import _scenario_files
from colossim.inputs import InputError


def _write(tmp_path, data, name="cluster.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


def _error(tmp_path, data) -> str:
    path = _write(tmp_path, data)
    with pytest.raises(InputError) as err:
        load_cluster(str(path))
    text = err.value.render()
    assert str(path) in text
    return text


def test_builtin_scenarios_load(catalog):
    assert {"colossus", "colossus-2"} <= set(list_scenarios())
    for name in list_scenarios():
        spec = load_cluster(name, catalog)
        assert spec.name == name
        assert all(len(p.source) > 10 for p in spec.phases)


def test_colossus_phases_follow_the_fact_sheet(catalog):
    spec = load_cluster("colossus", catalog)
    assert [p.start for p in spec.phases][0] == date(2024, 9, 2)  # Musk, 2 Sep 2024
    phase1 = {e.system: e.count for e in spec.phases[0].add}
    # ~50/50 Supermicro / Dell (Musk, Jun 2024), 100,000 H100 in 12,500 servers
    assert phase1 == {"supermicro_hgx_h100_lc": 6250, "dell_xe9680_h100": 6250}


def test_a_yaml_path_loads(tmp_path, minimal, catalog):
    spec = load_cluster(str(_write(tmp_path, minimal)), catalog)
    assert spec.phases[0].start == date(2024, 1, 1)


def test_unknown_system_names_the_field_and_the_choices(tmp_path, minimal):
    minimal["phases"][0]["add"][0]["system"] = "dgx_h900"
    text = _error(tmp_path, minimal)
    assert (
        "phases.0.add.0.system" in text and "dgx_h900" in text and "use one of" in text and "dgx_h100" in text
    )


def test_unknown_site_switch_and_nic(tmp_path, minimal):
    minimal["site"] = "mars"
    minimal["fabric"] = {"switch": "sw9000", "nic": "nic9000"}
    text = _error(tmp_path, minimal)
    assert "site: unknown site 'mars'" in text and "fabric.switch" in text and "fabric.nic" in text


def test_negative_count(tmp_path, minimal):
    minimal["phases"][0]["add"][0]["count"] = -4
    text = _error(tmp_path, minimal)
    assert "phases.0.add.0.count" in text and "ge 0" in text


def test_missing_field(tmp_path, minimal):
    del minimal["site"]
    text = _error(tmp_path, minimal)
    assert "site" in text and "add this field" in text


def test_unknown_field_is_rejected(tmp_path, minimal):
    minimal["fabric"]["radix"] = 64
    text = _error(tmp_path, minimal)
    assert "fabric.radix" in text and "remove it or check its spelling" in text


def test_malformed_yaml_names_the_line(tmp_path):
    text = _error(tmp_path, "name: x\nphases: [\n  - {name: p1\n")
    assert "malformed YAML" in text and "line" in text


@pytest.mark.parametrize(
    "bad", ["2024/09/02", "02-09-2024", "2024-9-2", "20240902", "2024-02-30", "2024-09-02T10:00:00"]
)
def test_dates_in_the_wrong_format(tmp_path, minimal, bad):
    text = (
        f"name: x\nsite: memphis\nfabric: {{switch: spectrum4_sn5600}}\nphases:\n"
        f"  - {{name: p1, start: {bad}, source: test, add: [{{system: dgx_h100, count: 1}}]}}\n"
    )
    out = _error(tmp_path, text)
    assert "phases.0.start" in out and "YYYY-MM-DD" in out


def test_phases_out_of_order(tmp_path, minimal):
    later = copy.deepcopy(minimal["phases"][0])
    later.update(name="p0", start="2023-01-01")
    minimal["phases"].append(later)
    assert "order of their start dates" in _error(tmp_path, minimal)


def test_retiring_more_than_installed(tmp_path, minimal):
    minimal["phases"].append(
        {
            "name": "p2",
            "start": "2025-01-01",
            "source": "test",
            "retire": [{"system": "dgx_h100", "count": 17}],
        }
    )
    text = _error(tmp_path, minimal)
    assert "phases.1.retire.0.count" in text and "only 16" in text


def test_fabric_too_small_says_how_many_tiers(tmp_path, minimal):
    minimal["fabric"]["tiers"] = 1
    minimal["phases"][0]["add"][0]["count"] = 100  # 800 GPUs on 128-port switches
    text = _error(tmp_path, minimal)
    assert "fabric" in text and "use tiers: 2" in text


def test_rail_optimized_needs_pods(tmp_path, minimal):
    minimal["fabric"]["kind"] = "rail_optimized"
    assert "gpus_per_pod" in _error(tmp_path, minimal)


def test_unknown_scenario_lists_the_builtins():
    with pytest.raises(InputError) as err:
        load_cluster("colosus")
    assert "colossus-2" in err.value.render()


def test_empty_file(tmp_path):
    assert "empty" in _error(tmp_path, "")


# ------------------------------------------------------------------ fuzzing: nothing may crash the loader

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.dates(),
    st.sampled_from(["2024-09-02", "dgx_h100", "memphis", "spectrum4_sn5600"]),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


def _colossus_data():
    return yaml.safe_load(_scenario_files()["colossus"].read_text(encoding="utf-8"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_scenarios_fail_only_with_input_errors(data, catalog):
    doc = _colossus_data()
    for _ in range(data.draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        path = data.draw(st.sampled_from(paths))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        if data.draw(st.booleans()):
            parent[path[-1]] = data.draw(_values)
        elif isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent.pop(path[-1])
    try:
        parse_cluster(doc, "fuzz.yaml", catalog)
    except InputError as err:
        assert err.render().startswith("error in fuzz.yaml")


@settings(max_examples=150, deadline=None)
@given(doc=_values)
def test_arbitrary_documents_fail_only_with_input_errors(doc, catalog):
    try:
        parse_cluster(doc, "fuzz.yaml", catalog)
    except InputError:
        pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=string.printable + "\x00é", max_size=200))
def test_arbitrary_files_and_refs_fail_only_with_input_errors(tmp_path, text, catalog):
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    for ref in (str(path), text):
        try:
            load_cluster(ref, catalog)
        except InputError:
            pass
