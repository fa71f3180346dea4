"""The Chrome/Perfetto trace export: valid JSON trace events that mirror the simulated timeline."""

from __future__ import annotations

import json

import pytest

from colossim.ops import OpsConfig, build_workload, simulate
from colossim.ops.exports.perfetto import perfetto_trace, write_perfetto_trace


@pytest.fixture
def result(make_pool, make_cluster):
    cl = make_cluster(make_pool("a", 64, pod=16, rate=0.05), make_pool("b", 32, pod=16, gpu="h200_sxm", rate=0.05))
    cfg = OpsConfig.model_validate({"days": 10, "record_timeline": True, "sample_every_s": 3600,
                                    "workload": {"jobs": 800, "target_load": 0.8}})
    return simulate(cl, build_workload(cl, cfg), cfg)


def test_trace_events_mirror_the_timeline(result, tmp_path):
    path = write_perfetto_trace(result, tmp_path / "ops.json")
    doc = json.loads(path.read_text())
    events = doc["traceEvents"]
    spans = [e for e in events if e["ph"] == "X"]
    assert len(spans) == len(result.timeline.segments) > 0
    failures = [e for e in events if e["ph"] == "i" and e["cat"] == "failure"]
    assert len(failures) == result.summary.failures > 0
    counters = [e for e in events if e["ph"] == "C" and e["name"] == "GPUs"]
    assert len(counters) == len(result.series.t_s)
    names = {e["args"]["name"] for e in events if e["ph"] == "M"}
    assert names == {"pool a", "pool b", "cluster"}
    for e in spans:
        assert e["dur"] >= 0 and e["ts"] >= 0 and e["args"]["gpus"] > 0
    # spans on one lane never overlap (Perfetto would nest or hide them)
    lanes: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for e in spans:
        lanes.setdefault((e["pid"], e["tid"]), []).append((e["ts"], e["ts"] + e["dur"]))
    for spans_on_lane in lanes.values():
        spans_on_lane.sort()
        for (_, end), (start, _) in zip(spans_on_lane, spans_on_lane[1:], strict=False):
            assert start >= end


def test_keeps_the_biggest_segments_when_capped(result):
    doc = perfetto_trace(result, max_segments=10)
    assert sum(e["ph"] == "X" for e in doc["traceEvents"]) == 10
    assert doc["otherData"]["segments_dropped"] == len(result.timeline.segments) - 10


def test_needs_a_recorded_timeline(make_pool, make_cluster):
    cl = make_cluster(make_pool())
    res = simulate(cl, build_workload(cl, OpsConfig(days=1)), OpsConfig(days=1))
    with pytest.raises(ValueError, match="record_timeline"):
        perfetto_trace(res)
