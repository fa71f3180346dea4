"""Figure functions on made-up data: SVG panels with text, alt text and a takeaway, whatever the numbers; the
queue-wait bins keep every zero wait; the palette gives every GPU type and quantity one colour."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from colossim.report.figures import (
    BuyBar,
    GoodputCurve,
    GrowthPoint,
    OpsSeries,
    PartitionRate,
    QueueWaits,
    RateLine,
    SupplySeries,
    TrainingBar,
    buy_figure,
    goodput_figure,
    growth_figure,
    interruptions_figure,
    operations_figure,
    queue_figure,
    supply_figure,
    training_figure,
)
from colossim.report.figures.operations import ZERO_WAIT_S, bin_stat, wait_counts
from colossim.report.figures.split import SplitLine, split_figure
from colossim.report.figures.uncertainty import TornadoInput, TornadoPanel, tornado_figure
from colossim.report.format import fmt_value, in_words
from colossim.report.palette import GPU_COLOURS, QUANTITY_COLOURS, gpu_colour, mix_colour

NAMES = {"h100_sxm5": "H100 SXM5 80GB", "gb200_nvl72_gpu": "B200 GPU in a GB200 NVL72 rack"}


def _point(name: str, scale: float, gb200: int = 0) -> GrowthPoint:
    return GrowthPoint(name, "2026-01-01", {"h100_sxm5": int(1000 * scale), "gb200_nvl72_gpu": gb200}, 1.0 * scale,
                       2.0 * scale, 10 * scale, 12 * scale, 80 * scale, 30 * scale, 25 * scale, 35 * scale, 5 * scale,
                       1 * scale, 2 * scale, 6 * scale)


def _ops(days: int = 2) -> OpsSeries:
    n = 24 * days
    return OpsSeries(np.arange(n) / 24, np.full(n, 100.0), np.full(n, 50.0), np.zeros(n), np.full(n, 0.5),
                     np.full(n, 1.0), np.full(n, 2.0), 0.4, (0.5, 1.5))


def _training() -> list[TrainingBar]:
    def bar(phase: str, days: float) -> TrainingBar:
        return TrainingBar(phase, f"{phase}\n1,000 GPUs", days, days * 1.2, {"compute": 1.0, "tensor_parallel": 0.2},
                           {"weights": 10.0, "activations": 20.0}, 75.0,
                           (PartitionRate("H100 SXM5 80GB", ("h100_sxm5",), 100.0),))

    return [bar("a", 100.0), bar("b", 50.0)]


def _supply() -> SupplySeries:
    months = np.array(["2025-01-01", "2025-02-01", "2025-03-01"], dtype="datetime64[D]")
    return SupplySeries("test (site)", months, np.array([150.0, 150.0, 300.0]), np.array([0.0, 5.0, 0.0]),
                        np.array([100.0, 120.0, 0.0]), np.array([0.0, 20.0, 0.0]), np.array([5.0, 6.0, 0.0]),
                        np.array([50.0, 60.0, 40.0]))


def _all_figures():
    return [
        growth_figure([_point("a", 1), _point("b", 2, 500)], "test", NAMES),
        buy_figure([BuyBar("Some system", 1000, 1.0, 2.0, 0.0, 3.0, 300.0, "h100_sxm5")], 1e9),
        goodput_figure([GoodputCurve("a: 1,000 GPUs", np.array([1.0, 10.0, 100.0]), np.array([0.5, 0.9, 0.7]), 10.0,
                                     0.9, 100.0, 0.7)], "m", "async"),
        supply_figure([_supply()], ["test"]),
        split_figure([SplitLine("a", ("h100_sxm5",), "a", (0.0, 0.5, 0.9), (100.0, 100.0, None), (0.0, 50.0, 90.0)),
                      SplitLine("b", ("gb200_nvl72_gpu",), "b", (0.0, 0.5), (50.0, 80.0), (0.0, 70.0))], "a model"),
        tornado_figure([TornadoPanel("t-days", "days to train", "days", "with_failures", 100.0, 90.0, 130.0,
                                     (TornadoInput("PUE", "1.1", "1.4", 100.0, 100.0),
                                      TornadoInput("failure rate", "0.8", "1.7", 95.0, 140.0)))], "a job"),
        interruptions_figure([RateLine("r", 0.01)], [("a", 1000), ("b", 5000)], "r"),
        operations_figure(_ops(), "test", 2, date(2026, 1, 1)),
        queue_figure(QueueWaits(np.array([0.0, 0.0, 30.0, 7200.0]))),
        training_figure(_training(), "a model", 60e12),
    ]


def test_each_figure_function_gives_svg_panels_with_words():
    for f in _all_figures():
        assert f.title and f.caption and f.takeaway.endswith("."), f.name
        for p in f.panels:
            root = ET.fromstring(p.svg)  # well-formed SVG
            assert root.tag.endswith("svg") and root.find("{http://www.w3.org/2000/svg}title").text == p.alt
            assert root.iter("{http://www.w3.org/2000/svg}text"), f"{p.name}: text kept as text"
            assert "<metadata" not in p.svg and "width=" not in p.svg[:200].split(">")[0], p.name


def test_svg_ids_are_unique_across_the_panels_of_a_page():
    ids = [i for f in _all_figures() for p in f.panels for i in re.findall(r'\sid="([^"]+)"', p.svg)]
    assert len(ids) == len(set(ids))


def test_a_gpu_type_has_the_same_colour_in_every_figure():
    growth = growth_figure([_point("a", 1), _point("b", 2, 500)], "test", NAMES)
    buy = buy_figure([BuyBar("Some system", 1000, 1.0, 2.0, 0.0, 3.0, 300.0, "h100_sxm5")], 1e9)
    colour = GPU_COLOURS["h100_sxm5"]
    assert colour in growth.panels[0].svg and colour in buy.panels[0].svg


def test_the_palette_gives_each_quantity_and_gpu_its_own_colour():
    quantities = list(QUANTITY_COLOURS.values())
    assert len(quantities) == len(set(quantities)), "two quantities share a colour"
    assert not set(quantities) & set(GPU_COLOURS.values()), "a quantity looks like a GPU type"
    assert len(set(GPU_COLOURS.values())) == len(GPU_COLOURS)
    unknown = [gpu_colour(g, ["x_gpu", "y_gpu"]) for g in ("x_gpu", "y_gpu")]
    assert unknown[0] != unknown[1], "GPU types missing from the palette still differ"
    assert mix_colour(["h100_sxm5"]) == GPU_COLOURS["h100_sxm5"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.just(0.0), st.floats(0, 1e7)), max_size=200))
def test_wait_counts_keep_every_zero_wait(waits):
    w = np.array(waits, dtype=float)
    labels, counts = wait_counts(w)
    assert labels[0] == "no wait" and len(labels) == len(counts)
    assert counts.sum() == w.size, "every job in one bin"
    assert counts[0] == np.sum(w <= ZERO_WAIT_S), "the zero bin counts the jobs that did not wait"
    assert counts[1] == np.sum((w > ZERO_WAIT_S) & (w <= 60.0))


def test_queue_takeaway_states_the_zero_share():
    fig = queue_figure(QueueWaits(np.array([0.0, 0.0, 0.0, 120.0])))
    assert fig.takeaway.startswith("3 of the 4 jobs that started (75.0 %) did not wait at all")
    assert fig.takeaway.endswith("the longest wait was 2.0 minutes.")
    everyone = queue_figure(QueueWaits(np.zeros(10)))
    assert "nobody queued" in everyone.takeaway


def test_operations_takeaway_reconciles_power_with_the_headline_chain():
    fig = operations_figure(_ops(), "test", 2, date(2026, 1, 1))
    # made-up series: power 1 MW, every GPU in service busy 2 MW -> 50 %
    assert "peaked at 1 MW, 50% of the 2 MW" in fig.takeaway


@settings(max_examples=3, deadline=None)
@given(st.lists(st.floats(0, 1e6), min_size=1, max_size=4))
def test_growth_figure_takes_any_nonnegative_numbers(scales):
    fig = growth_figure([_point(f"p{i}", s) for i, s in enumerate(scales)], "fuzz", NAMES)
    assert all(p.svg.startswith("<svg") for p in fig.panels)


@given(st.one_of(st.none(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(), st.booleans()))
def test_fmt_value_always_gives_text(value):
    assert isinstance(fmt_value(value), str)


def test_fmt_value_reads_well():
    assert fmt_value(230024) == "230,024"
    assert fmt_value(1234567.8) == "1,234,568"
    assert fmt_value(0.4321) == "0.432"
    assert fmt_value(float("nan")) == "-" and fmt_value(None) == "-"
    assert fmt_value(0.5, ".0%") == "50%"


def test_in_words_says_large_numbers_as_a_reader_would():
    assert in_words(60e12, "tokens") == "60 trillion tokens"
    assert in_words(5e9) == "5 billion"
    assert in_words(2.5e6, "GPUs", digits=1) == "2.5 million GPUs"
    assert in_words(230_024, "GPUs") == "230,024 GPUs"
    assert in_words(float("inf")) == "-"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1e6), min_size=1, max_size=300), st.sampled_from([1.0, 1 / 24]))
def test_bins_hold_each_sample_once(values, width):
    days = np.arange(len(values)) / 48  # samples every half hour
    v = np.array(values)
    start, mean = bin_stat(days, v, width)
    _, top = bin_stat(days, v, width, "max")
    index = np.floor(days / width).astype(int)
    expected = [v[index == i].mean() for i in np.unique(index)]
    assert np.allclose(mean, expected) and np.all(top >= mean - 1e-9)
    assert np.allclose(start, np.unique(index) * width)


def test_identical_series_are_drawn_once_and_named_together():
    # two phases whose best job is the same would draw the same line twice, one hiding the other
    x, g = np.array([1.0, 10.0, 100.0]), np.array([0.5, 0.9, 0.7])
    same = [GoodputCurve(f"{p}: 131,072 GPUs", x, g, 10.0, 0.9, 100.0, 0.7) for p in ("phase-2", "phase-3")]
    other = GoodputCurve("phase-1: 65,536 GPUs", x, g * 0.9, 10.0, 0.81, 100.0, 0.63)
    fig = goodput_figure([other, *same], "m", "blocking")
    alt = fig.panels[0].alt
    assert "phase-2 and phase-3: 131,072 GPUs best" in alt and alt.count("131,072 GPUs") == 1
    assert "on phase-1 and 70% on phase-3" in fig.takeaway
    line = SplitLine("phase-2", ("h100_sxm5",), "l", (0.0, 0.5), (100.0, 150.0), (0.0, 10.0))
    split = split_figure([line, SplitLine("phase-3", *list(line.__dict__.values())[1:])], "m")
    assert all("phase-2 and phase-3 " in p.alt for p in split.panels)


def test_series_that_differ_beyond_what_a_figure_shows_are_drawn_once():
    x, g = np.array([1.0, 10.0, 100.0]), np.array([0.5, 0.9, 0.7])
    a = GoodputCurve("phase-2: 131,072 GPUs", x, g, 10.0, 0.9, 100.0, 0.7)
    b = GoodputCurve("phase-3: 131,072 GPUs", x, g * (1 + 1e-9), 10.0, 0.9 * (1 + 1e-9), 100.0, 0.7)
    c = GoodputCurve("phase-4: 131,072 GPUs", x, g * 0.99, 10.0, 0.891, 100.0, 0.693)  # visibly different
    alt = goodput_figure([a, b, c], "m", "blocking").panels[0].alt
    assert "phase-2 and phase-3: 131,072 GPUs best" in alt and "phase-4: 131,072 GPUs best" in alt
