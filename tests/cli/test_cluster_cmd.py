"""`colossim cluster` and `colossim buy`: tables, stable JSON documented in README.md, and
clean exit code 2 on bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from colossim.cli.main import app

runner = CliRunner()
DOCS = Path(__file__).parents[2] / "README.md"  # the JSON fields of cluster and buy are documented there


def _run(*args: str):
    return runner.invoke(app, list(args))


def _keys(value, prefix=""):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _keys(inner, key)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner, prefix)


def test_cluster_table_shows_units():
    out = _run("cluster", "colossus", "--at", "2024-09-02")
    assert out.exit_code == 0, out.output
    assert "EFLOP/s" in out.output and "MW" in out.output and "98.9" in out.output


def test_cluster_json_fields_are_documented():
    out = _run("cluster", "colossus", "--json")
    assert out.exit_code == 0
    data = json.loads(out.output)
    assert set(data) == {"figures", "growth", "colossim_version", "schema_version"}  # every --json is stamped
    assert data["figures"]["gpus"] == 230_024
    doc = DOCS.read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z0-9_]+)`", doc))
    dynamic = set(data["figures"]["gpus_by_type"]) | set(data["figures"]["systems_by_id"])
    missing = {k for k in _keys(data) if k not in dynamic} - documented
    assert not missing, f"document these JSON fields in README.md: {sorted(missing)}"


def test_buy_json_fields_are_documented():
    out = _run("buy", "--budget", "5e9", "--system", "gb200_nvl72", "--json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["option"]["system"] == "gb200_nvl72" and len(data["comparisons"]) == 2
    documented = set(re.findall(r"`([a-z0-9_]+)`", DOCS.read_text(encoding="utf-8")))
    missing = set(_keys(data)) - documented
    assert not missing, f"document these JSON fields in README.md: {sorted(missing)}"


def test_buy_table():
    out = _run("buy", "--budget", "5e9", "--system", "gb200_nvl72", "--scenario", "colossus")
    assert out.exit_code == 0, out.output
    assert "gb200_nvl72" in out.output and "supermicro_hgx" in out.output and "BF16 EFLOP/s" in out.output


def test_list_scenarios():
    out = _run("cluster", "--list")
    assert out.exit_code == 0 and "colossus-2" in out.output


@pytest.mark.parametrize(
    "args",
    [
        ("cluster", "nowhere.yaml"),
        ("cluster", "colossus", "--at", "02/09/2024"),
        ("cluster", "colossus", "--at", "2020-01-01"),
        ("buy", "--budget", "5e9", "--system", "gb900"),
        ("buy", "--budget", "-5", "--system", "gb200_nvl72"),
        ("cluster", "colossus", "--methane-leak", "lots"),
        ("cluster", "colossus", "--gwp", "gwp50"),
        ("cluster", "dgx-cluster.yaml", "--compare-variants"),
    ],
)
def test_bad_input_exits_2_without_traceback(args):
    out = _run(*args)
    assert out.exit_code == 2, out.output
    assert "Traceback" not in out.output and out.exception is None or isinstance(out.exception, SystemExit)


def test_bad_cluster_file_names_file_and_field(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: x\nsite: memphis\nfabric: {switch: spectrum4_sn5600}\nphases:\n"
        "  - {name: p1, start: 2024-09-02, source: test, add: [{system: dgx_h100, count: -1}]}\n"
    )
    out = _run("cluster", str(path))
    assert out.exit_code == 2
    assert "bad.yaml" in out.output and "phases.0.add.0.count" in out.output and "Traceback" not in out.output


def test_the_turbine_share_on_2025_09_01_is_consistent_with_150_mw_of_grid():
    # issue 14 quality bar: `colossim cluster colossus --at 2025-09-01 --json`; colossus_record_2026.md sec. 3a/3e
    out = _run("cluster", "colossus", "--at", "2025-09-01", "--json")
    assert out.exit_code == 0, out.output
    fig = json.loads(out.output)["figures"]
    supply = fig["supply"]
    assert supply["grid_capacity_mw"] == 150
    assert fig["gas_turbine_share"] == pytest.approx(1 - 150 / supply["demand_mw"], abs=0.005)
    permits = [c for p in supply["permits"] for c in p["caps"]]
    assert permits and all(c["within_cap"] for c in permits)


def test_the_table_shows_the_supply_turbines_and_permits():
    out = _run("cluster", "colossus", "--at", "2025-03-01")
    assert out.exit_code == 0, out.output
    for text in ("supply on 2025-03-01", "generic_mobile", "NOx", "turbine emissions a year"):
        assert text in out.output
    leased = _run("cluster", "colossus", "--at", "2026-06-01")
    assert "leased out for inference" in leased.output


def test_methane_leakage_raises_co2e_only():
    plain = json.loads(_run("cluster", "colossus", "--at", "2025-03-01", "--json").output)["figures"]
    leaky = json.loads(_run("cluster", "colossus", "--at", "2025-03-01", "--json", "--methane-leak",
                            "alvarez2018").output)["figures"]
    assert leaky["co2_t_per_year"] == plain["co2_t_per_year"] == plain["co2e_t_per_year"]
    assert leaky["co2e_t_per_year"] > 1.1 * plain["co2_t_per_year"]


def test_compare_variants_and_campus():
    out = _run("cluster", "colossus-2", "--compare-variants", "--json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["family"] == "colossus-2" and [v["kind"] for v in data["variants"]] == ["claimed", "observed"]
    assert {c["id"] for c in data["claims"]} >= {"c2-power-online", "c2-gpus"}
    table = _run("cluster", "colossus-2", "--compare-variants")
    assert "claimed and observed side by side" in table.output and "Epoch" in table.output
    c1 = _run("cluster", "colossus", "--compare-variants")
    assert c1.exit_code == 0 and "no claimed/observed variant" in c1.output and "SELC" in c1.output
    campus = _run("cluster", "colossus-campus", "--at", "2026-02-15", "--json")
    assert campus.exit_code == 0 and json.loads(campus.output)["campus"]["gpus"] > 1_000_000
    assert "(campus)" in _run("cluster", "--list").output


def test_export_writes_a_file_that_loads_back_to_the_same_cluster(tmp_path):
    from colossim.cluster import load_cluster

    out = tmp_path / "sub" / "mine.yaml"
    res = runner.invoke(app, ["cluster", "colossus", "--export", str(out)])
    assert res.exit_code == 0, res.output
    assert load_cluster(str(out)) == load_cluster("colossus")


def test_buy_write_then_train_on_the_result(tmp_path):
    from colossim.cluster import load_cluster

    out = tmp_path / "after.yaml"
    res = runner.invoke(app, ["buy", "--budget", "5e9", "--system", "gb200_nvl72", "--at", "2025-09-01",
                              "--write", str(out), "--json"])
    assert res.exit_code == 0, res.output
    bought = json.loads(res.stdout)["option"]
    after = load_cluster(str(out))
    added = [p for p in after.phases if p.name.startswith("buy-")]
    assert len(added) == 1 and added[0].add[0].count == bought["units"] and str(added[0].start) == "2025-09-01"
    train = runner.invoke(app, ["train", str(out), "--model", "llama3-8b", "--tokens", "1e12", "--gpus", "1024",
                                "--partition", "gb200", "--at", "2025-09-01", "--range-runs", "0", "--json"])
    assert train.exit_code == 0, train.output
    assert json.loads(train.stdout)["gpus_available"] == 30_024 + bought["gpus"]


def test_export_to_an_unwritable_place_exits_2(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = runner.invoke(app, ["cluster", "colossus", "--export", str(blocker / "x.yaml")])
    assert res.exit_code == 2 and "Traceback" not in res.output and "--export" in res.stderr
