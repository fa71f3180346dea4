"""`validate_serving` on the shipped published rows: the issue's quality bar where it holds today."""

import pytest

from colossim.serve.published import parse_published
from colossim.serve.validation import error_stats, validate_serving

REPORT = validate_serving()


def test_headline_throughput_mape_is_within_15_percent():
    assert REPORT.headline is not None and REPORT.headline.rows >= 100
    assert REPORT.headline.mape_pct <= 15.0


def test_headline_spans_three_gpu_types_of_two_generations_and_includes_moe():
    assert len(REPORT.gpu_generations) >= 3
    assert {g.split()[0] for g in REPORT.gpu_generations} == {"Blackwell", "Hopper"}
    assert any(r.moe and r.headline and r.error_pct is not None for r in REPORT.rows)


def test_hopper_rows_are_unbiased():
    for gpu in ("h100_sxm5", "h200_sxm"):
        g = REPORT.by_gpu[gpu]
        assert g.mape_pct <= 10.0 and abs(g.bias_pct) <= 5.0


def test_lone_request_latency_rows_within_15_percent():
    assert REPORT.latency is not None and REPORT.latency.max_abs_pct <= 15.0


def test_error_stats_closed_form():
    s = error_stats([10.0, -20.0, 30.0])
    assert s.mape_pct == pytest.approx(20.0) and s.bias_pct == pytest.approx(20.0 / 3) and s.max_abs_pct == 30.0


def test_unknown_model_row_is_reported_not_fatal():
    text = """
sources: {s: {title: abc, url: https://example.org/x, measured: something measured}}
series:
  - {id: a, source: s, model: llama3-8b, gpu: h100_sxm5, layout: {tp: 1}, reliability: high,
     metric: output_tokens_per_s, points: [[128, 128, 20000]]}
  - {id: b, source: s, model: gpt-9, gpu: h100_sxm5, layout: {tp: 1}, reliability: high,
     metric: output_tokens_per_s, points: [[128, 128, 20000]]}
"""
    rep = validate_serving(parse_published(text, "mine.yaml"))
    assert rep.rows[1].status.startswith("unsupported") and rep.rows[0].error_pct is not None
