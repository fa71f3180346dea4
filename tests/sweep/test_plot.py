"""The throughput plot: rank-1 rows per series, sorted by GPU count, written as a PNG."""

import pandas as pd
import pytest

from colossim.sweep.plot import plot_throughput, throughput_series


def _frame():
    rows = []
    for model, scale in (("a", 1.0), ("b", 3.0)):
        for gpus in (64, 8, 16):  # out of order on purpose
            for rank in (1, 2):
                rows.append({"model": model, "cluster": "c", "gpus": gpus, "global_batch": 256,
                             "objective": "throughput", "point_key": f"{model}{gpus}", "rank": rank,
                             "tokens_per_s": scale * gpus / rank})
    return pd.DataFrame(rows)


def test_series_hold_the_best_row_per_gpu_count_in_order():
    series = throughput_series(_frame())
    assert set(series) == {"a c 256 throughput", "b c 256 throughput"}
    b = series["b c 256 throughput"]
    assert list(b["gpus"]) == [8, 16, 64] and list(b["tokens_per_s"]) == [24.0, 48.0, 192.0]


def test_missing_metric_is_a_clear_error():
    with pytest.raises(ValueError, match=r"no column\(s\) \['mfu'\]"):
        throughput_series(_frame(), metric="mfu")


def test_plot_writes_a_png(tmp_path):
    path = plot_throughput(_frame(), tmp_path / "sub" / "t.png")
    assert path.read_bytes()[:4] == b"\x89PNG" and path.stat().st_size > 5000
