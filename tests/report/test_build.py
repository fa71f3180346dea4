"""The built report: its sections, figures and tables, and numbers that agree with the CLI's JSON and
with published facts."""

from __future__ import annotations

import json
import math
import re

import pytest
from typer.testing import CliRunner

from colossim.cli.main import app
from colossim.report.build import ORDER
from colossim.report.document import Figure, Table

runner = CliRunner()

# Llama 3 405B pre-training: 419 unexpected interruptions on 16,384 H100 (2,048 nodes) in 54 days
LLAMA3_PER_NODE_DAY = 419 / (2_048 * 54)


def _cli_json(*args: str) -> dict:
    out = runner.invoke(app, list(args))
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def test_sections_in_order_each_with_content(report):
    assert [s.id for s in report.sections] == list(ORDER)
    for s in report.sections:
        assert s.title and s.blocks, s.id
        assert any(isinstance(b, Table | Figure) for b in s.blocks), f"section {s.id} has no table or figure"


CATALOG_IDS = ("dell_xe9712_gb200", "h100_sxm5", "h200_sxm", "gb200_nvl72_gpu", "supermicro_hgx", "h100+h200",
               "h100_sxm5+h200_sxm")


def _svg_text(svg: str) -> str:
    return " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))


def test_every_figure_has_title_takeaway_caption_and_svg_panels_with_text(report):
    names = {f.name for f in report.figures()}
    assert names == {"growth", "supply_emissions", "buy", "training", "uncertainty", "fleet_split", "interruptions",
                     "goodput", "operations", "queue"}
    panels = [p.name for f in report.figures() for p in f.panels]
    assert len(panels) == len(set(panels)), "panel names (their files and SVG ids) are unique"
    for f in report.figures():
        assert f.title and f.caption.endswith(".") and f.takeaway.endswith("."), f.name
        assert len(f.caption) < 400 and len(f.takeaway) < 400, f"{f.name}: caption and takeaway are one line each"
        for p in f.panels:
            assert p.svg.startswith("<svg") and "viewBox" in p.svg, p.name
            assert "<text" in p.svg and "<title>" in p.svg, f"{p.name}: text kept as text, with a title"
            assert len(p.alt) > 60 and any(c.isdigit() for c in p.alt), f"{p.name}: alt text says what it shows"


def test_figures_use_catalog_names_and_numbers_in_words(report):
    for f in report.figures():
        words = " ".join([f.title, f.takeaway, f.caption, *(_svg_text(p.svg) + p.alt for p in f.panels)])
        for cid in CATALOG_IDS:
            assert cid not in words, f"{f.name} shows the catalog id {cid}"
        assert not re.search(r"\de[+-]\d", f.title + f.takeaway), f"{f.name}: a number in e-notation"
    training = next(f for f in report.figures() if f.name == "training")
    assert training.title.endswith("on 60 trillion tokens")
    growth = " ".join(_svg_text(p.svg) for p in next(f for f in report.figures() if f.name == "growth").panels)
    assert "H100 SXM5 80GB" in growth and "B200 GPU in a GB200 NVL72 rack" in growth


def test_takeaways_come_from_the_numbers(report):
    growth = report.numbers["growth"]
    first, last = growth[0], growth[-1]
    takeaway = next(f for f in report.figures() if f.name == "growth").takeaway
    assert f"{last['peak_bf16_eflops'] / first['peak_bf16_eflops']:.1f}x the BF16 compute" in takeaway
    assert f"{last['facility_power_mw']:,.0f} MW" in takeaway
    phases = report.numbers["failures"]["phases"]
    goodput = next(f for f in report.figures() if f.name == "goodput").takeaway
    assert f"{phases[0]['goodput']:.0%}" in goodput and f"{phases[-1]['goodput']:.0%}" in goodput


def test_the_operations_figure_draws_no_goodput_series(report):
    ops = next(f for f in report.figures() if f.name == "operations")
    for p in ops.panels:  # the simulator gives goodput over the whole period only: it is said in words
        assert "goodput" not in _svg_text(p.svg).lower(), p.name


def test_table_columns_are_labelled_and_unique(report):
    names = [t.name for t in report.tables()]
    assert len(names) == len(set(names))
    for t in report.tables():
        header, rows = t.display()
        assert all(header) and rows, t.name


def test_growth_matches_cluster_cli_json(report):
    cli = _cli_json("cluster", "colossus", "--json")
    table = next(t for t in report.tables() if t.name == "growth").frame
    assert len(cli["growth"]) == len(report.numbers["growth"]) == len(table)
    for row, phase, (_, trow) in zip(cli["growth"], report.numbers["growth"], table.iterrows(), strict=True):
        assert phase["phases"][-1] == row["phase"] == trow["phase"]
        assert phase["at"] == row["start"] == trow["start"]
        for key in ("gpus", "gpus_by_type", "peak_bf16_eflops", "peak_fp8_eflops", "peak_fp4_eflops",
                    "it_power_max_mw", "facility_power_max_mw", "facility_power_mw", "racks", "capex_usd_low",
                    "capex_usd_high", "gas_turbine_share", "co2_t_per_year"):
            assert phase[key] == row[key], key
        assert trow["gpus"] == row["gpus"]
        assert trow["capex_usd_bn_low"] * 1e9 == pytest.approx(row["capex_usd_low"], rel=1e-12)
        assert trow["co2_kt_per_year"] * 1e3 == pytest.approx(row["co2_t_per_year"], rel=1e-12)
    assert report.numbers["figures"] == cli["figures"]


def test_buy_matches_buy_cli_json(report):
    at = report.numbers["buy"]["at"]
    # the order's product: GB200 NVL72 racks; no source names their vendor (colossus_record_2026.md sec. 5a)
    assert report.numbers["buy"]["option"]["system"] == "gb200_nvl72"
    cli = _cli_json("buy", "--budget", "5e9", "--system", "gb200_nvl72", "--at", at, "--json")
    for key in ("colossim_version", "schema_version"):  # the stamp of every --json (colossim.stamp)
        cli.pop(key)
    assert report.numbers["buy"] == cli
    assert at == "2025-02-17", "the purchase meets the cluster as it stood before the GB200 phase"


def test_failures_follow_the_published_llama3_rate(report):
    phases = report.numbers["failures"]["phases"]
    for p in phases:
        expected = p["gpus"] / 8 * LLAMA3_PER_NODE_DAY
        assert p["failures_per_day"] == pytest.approx(expected, rel=2e-3)  # preset stores 3.79 / 1,000 node-days
        assert 0 < p["goodput"] <= 1 and p["interval_s"] > 0
        assert p["saving_share"] + p["rework_share"] + p["restart_share"] == pytest.approx(1 - p["goodput"],
                                                                                          abs=2e-3)
    gpus = [p["gpus"] for p in phases]
    goodput = [p["goodput"] for p in phases]
    assert gpus == sorted(gpus) and goodput == sorted(goodput, reverse=True), "bigger jobs lose more"


def test_faster_restarts_never_lower_goodput(report):
    rows = report.numbers["failures"]["restart_sensitivity"]
    for key in (k for k in rows[0] if k.startswith("goodput_")):
        values = [r[key] for r in rows]  # rows ordered by restart time
        assert all(a >= b for a, b in zip(values, values[1:], strict=False)), key


def test_training_on_each_phase(report, quick_options):
    training = report.numbers["training"]
    assert training["available"] and training["model"] == "grok-3-class"
    phases = training["phases"]
    # the phases the site trains in: the May 2026 lease (colossus_record_2026.md sec. 1a) is no training capacity
    trains = [g for g in report.numbers["growth"] if g["site_use"] == "training"]
    assert [g["site_use"] for g in report.numbers["growth"]][-1] == "inference_lease"
    assert [p["phase"] for p in phases] == [g["phases"][-1] for g in trains]
    for p, g in zip(phases, trains, strict=True):
        assert p["gpus"] <= p["gpus_available"] <= g["gpus"]
        # ideal time is the tokens at the layout's throughput
        assert p["ideal_days"] == pytest.approx(training["tokens"] / p["tokens_per_s"] / 86_400, rel=1e-9)
        assert p["ideal_days"] < p["wall_days_p10"] <= p["wall_days_p50"] <= p["wall_days_p90"]
        assert p["memory_per_gpu_gb"] > 0 and 0 < p["mfu"] < 1
    for p in phases:  # the headline job is the fastest of its phase's partitions
        assert all(p["wall_days_p50"] <= row["wall_days_p50"] for row in p["partitions"])
        assert p["partition"] in {row["partition"] for row in p["partitions"]}


def test_the_gb200_phase_trains_more_tokens_a_day(report):
    # issue 11: the phase with GB200 shows more trainable tokens a day than the phase before, with the GB200
    # partition's own best job listed
    phases = {p["phase"]: p for p in report.numbers["training"]["phases"]}
    before, after = phases["phase-2"], phases["phase-3"]
    assert "gb200" in {row["partition"] for row in after["partitions"]}
    assert after["concurrent"]["effective_tokens_per_day"] > before["concurrent"]["effective_tokens_per_day"]
    assert {j["partition"] for j in after["concurrent"]["jobs"]} == {"h100+h200", "gb200"}
    rows = [r for r in report.numbers["training"]["partitions"] if r["phase"] == "phase-3"]
    assert any(r["job"] == "gb200" for r in rows) and any(r["job"] == "every partition at once" for r in rows)


def test_failures_section_shows_the_training_jobs_chain(report):
    # one checkpoint and goodput chain: the failures section's numbers are the training jobs' own
    training = {p["phase"]: p for p in report.numbers["training"]["phases"]}
    assert report.numbers["failures"]["job"] == "training"
    for f in report.numbers["failures"]["phases"]:
        t = training[f["phase"]]
        assert f["gpus"] == t["gpus"]
        assert f["goodput"] == pytest.approx(t["ettr_expected"], rel=1e-12)
        assert f["interval_s"] == pytest.approx(t["checkpoint_interval_min"] * 60, rel=1e-12)
        assert f["restart_s"] == pytest.approx(t["restart_s"], rel=1e-12)
        assert f["spare_nodes"] == t["spare_nodes"]


def test_the_flagship_is_the_first_phase_training_run(report):
    flagship = report.numbers["operations"]["config"]["flagship"]
    first = report.numbers["training"]["phases"][0]
    assert flagship["gpus"] == first["gpus"]
    assert flagship["ideal_days"] == pytest.approx(first["ideal_days"], rel=1e-12)
    assert flagship["restart_s"] == pytest.approx(first["restart_s"], rel=1e-12)


def test_operations_period_and_accounting(report, quick_options):
    summary = report.numbers["operations"]["summary"]
    assert summary["days"] == quick_options.ops_days
    assert 0 <= summary["goodput"] <= summary["utilisation"] <= 1
    assert summary["useful_gpu_h"] <= summary["busy_gpu_h"] <= summary["capacity_gpu_h"]


def test_assumptions_name_a_source_for_every_input(report):
    rows = report.numbers["assumptions"]
    assert all(r["source"] and r["source"] != "-" for r in rows), [r for r in rows if r["source"] in ("", "-")]
    names = {r["name"] for r in rows}
    for system in {"supermicro_hgx_h100_lc", "dell_xe9680_h100", "gb200_nvl72", "supermicro_hgx_h200_lc"}:
        assert system in names
    assert {"h100_sxm5", "h200_sxm", "gb200_nvl72_gpu", "spectrum4_sn5600", "pue", "grid_co2"} <= names
    assert any(r["name"].startswith("failure rate (llama3_h100)") for r in rows)


def test_numbers_are_plain_json(report):
    text = json.dumps(report.numbers, allow_nan=False, sort_keys=True)
    back = json.loads(text)
    assert {"scenario", "options", "figures", "growth", "buy", "training", "failures", "operations",
            "assumptions", "sections", "build_s", "section_build_s"} <= set(back)
    assert math.isfinite(back["build_s"]) and back["build_s"] > 0


def test_assumptions_are_listed_once(report):
    rows = report.numbers["assumptions"]
    said = [(r["name"], repr(r["value"]), r["unit"], r["source"]) for r in rows]
    assert len(said) == len(set(said)), "an input said twice"
    assert len({(r["area"], r["name"]) for r in rows}) == len(rows)
