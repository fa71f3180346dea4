"""The report on a user's cluster file: one phase, no storage, no H100 pool for the flagship default."""

from __future__ import annotations

import dataclasses

from colossim.report.build import build_report
from colossim.report.context import ReportOptions

CLUSTER = """
name: small-b200
description: 256 B200 in 32 DGX B200
site: us_average
fabric: {kind: fat_tree, switch: quantum2_qm9700, source: test}
phases:
  - name: only
    start: 2025-03-01
    add: [{system: dgx_b200, count: 32}]
    source: test
"""


def test_single_phase_cluster_without_storage(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(CLUSTER, encoding="utf-8")
    options = dataclasses.replace(ReportOptions(scenario=str(path)).quicker(), ops_days=10.0, ops_jobs=200,
                                  model="llama3-8b")
    report = build_report(options)
    assert report.numbers["figures"]["gpus"] == 256
    assert report.numbers["buy"]["at"] == "2025-03-01" and report.numbers["buy"]["option"]["system"] == "dgx_b200"
    failures = report.numbers["failures"]["phases"]
    assert len(failures) == 1 and 0 < failures[0]["goodput"] <= 1
    assert any(r["name"] == "storage (meta_tectonic)" for r in report.numbers["assumptions"]), \
        "the storage the failures section falls back on is listed"
    assert "flagship" not in report.numbers["operations"]["summary"]
    training = report.numbers["training"]
    assert not training["available"] and "storage" in training["reason"], "says what to add to the file"
