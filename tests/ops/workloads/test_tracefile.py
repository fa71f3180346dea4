"""Trace CSV: round trip, clear errors naming file/line/column, and fuzzed input that fails cleanly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from colossim.inputs import InputError
from colossim.ops import KINDS, OUTCOMES, Workload, parse_trace_csv, read_trace_csv, trace_csv_text, write_trace_csv

GOOD = """job_id,submit_s,gpus,duration_s,gpu_hours,kind,outcome,gpu_type,priority
a,0,8,3600,,pretrain,completed,h100_sxm5,
b,10.5,16,,32,eval,failed,,7
c,5,1,60,,,cancelled,,
"""


def test_reads_a_good_trace():
    w = parse_trace_csv(GOOD, "good.csv")
    assert w.job_id == ("a", "c", "b")  # sorted by submit time
    assert w.gpus.tolist() == [8, 1, 16]
    assert w.duration_s.tolist() == [3600.0, 60.0, 32 * 3600 / 16]
    assert [KINDS[k] for k in w.kind] == ["pretrain", "other", "eval"]
    assert [OUTCOMES[o] for o in w.outcome] == ["completed", "cancelled", "failed"]
    assert w.priority.tolist() == [3, 1, 7]  # default by kind, explicit 7
    assert w.gpu_types == ("h100_sxm5",) and w.gpu_type.tolist() == [0, -1, -1]


def test_round_trip(tmp_path):
    w = Workload.build([3.0, 1.0], [8, 2], [10.0, 0.1], kind=[1, 2], outcome=[2, 1], gpu_type=[0, -1],
                       gpu_types=("h200_sxm",), checkpoint_interval_s=[600.0, np.nan], job_id=["x", "y"])
    path = tmp_path / "t.csv"
    write_trace_csv(w, path)
    back = read_trace_csv(path)
    for col in ("submit_s", "gpus", "duration_s", "kind", "outcome", "priority", "gpu_type"):
        assert np.array_equal(getattr(back, col), getattr(w, col)), col
    assert back.job_id == w.job_id and back.gpu_types == w.gpu_types
    assert np.array_equal(back.checkpoint_interval_s, w.checkpoint_interval_s, equal_nan=True)
    assert trace_csv_text(back) == trace_csv_text(w)


@pytest.mark.parametrize(
    "text,where,what",
    [
        ("submit_s,gpus\n0,8\n", "line 1, column duration_s", "missing column"),
        ("submit_s,gpus,duration_s,colour\n0,8,1,red\n", "line 1, column colour", "unknown column"),
        ("submit_s,gpus,duration_s\n0,8,1\n5,x,1\n", "line 3, column gpus", "not a number"),
        ("submit_s,gpus,duration_s\n0,8,1\n5,2.5,1\n", "line 3, column gpus", "whole number"),
        ("submit_s,gpus,duration_s\n-1,8,1\n", "line 2, column submit_s", ">= 0"),
        ("submit_s,gpus,duration_s\n0,8,0\n", "line 2, column duration_s", "> 0"),
        ("submit_s,gpus,duration_s\n0,8,nan\n", "line 2, column duration_s", "finite"),
        ("submit_s,gpus,duration_s,gpu_hours\n0,8,1,2\n", "line 2, column duration_s", "exactly one"),
        ("submit_s,gpus,duration_s,kind\n0,8,1,training\n", "line 2, column kind", "unknown kind"),
        ("submit_s,gpus,duration_s\n0,8\n", "line 2, column (row)", "fields"),
        ("job_id,submit_s,gpus,duration_s\nx,0,8,1\nx,1,8,1\n", "line 3, column job_id", "duplicate"),
    ],
)
def test_bad_traces_name_file_line_and_column(text, where, what):
    with pytest.raises(InputError) as err:
        parse_trace_csv(text, "jobs.csv")
    message = err.value.render()
    assert "jobs.csv" in message and where in message and what in message


@pytest.mark.parametrize(
    "text,where,what",
    [
        ("submit_s,gpus,duration_s\n0,8,1\n1,8,1,9\n", "line 3, column (row)", "has 4 fields, the header has 3"),
        ("submit_s,gpus,duration_s\n0,8,1\n1,8,1,9,9,9,9\n", "line 3, column (row)", "has 7 fields"),
        ("submit_s,gpus,duration_s\n0,8\n", "line 2, column (row)", "has 2 fields, the header has 3"),
        ("submit_s,gpus,duration_s\n0,8,1\n1,eight,1\n", "line 3, column gpus", "not a number (got 'eight')"),
        ("submit_s,gpus,duration_s\n0,8,1\n1,8,1h\n", "line 3, column duration_s", "not a number (got '1h')"),
        ('submit_s,gpus,duration_s\n0,8,1\n1,"8,1\n2,8,1\n', "line 3, column (row)", "never closes"),
        ('submit_s,gpus,duration_s\n"0,8,1\n', "line 2, column (row)", "never closes"),
        ('"submit_s,gpus,duration_s\n0,8,1\n', "line 1, column (row)", "never closes"),
        # blank lines are skipped but still counted: the bad row is the file's line 5
        ("submit_s,gpus,duration_s\n\n0,8,1\n   \n1,x,1\n", "line 5, column gpus", "not a number"),
        ("\ufeffsubmit_s,gpus,duration_s\n0,-8,1\n", "line 2, column gpus", ">= 1"),
        # a quoted cell over two lines: the next row starts on line 4
        ('job_id,submit_s,gpus,duration_s\n"a\nb",0,8,1\nc,1,8,1,2\n', "line 4, column (row)", "fields"),
        ('job_id,submit_s,gpus,duration_s\n"a\nb",0,8,1\nc,1,8,1,2,3,4,5,6\n', "line 4, column (row)", "fields"),
        ('job_id,submit_s,gpus,duration_s\n"a\nb",0,8,1\n"c,1,8,1\n', "line 4, column (row)", "never closes"),
    ],
)
def test_bad_rows_name_their_line(text, where, what):
    with pytest.raises(InputError) as err:
        parse_trace_csv(text, "rows.csv")
    message = err.value.render()
    assert "rows.csv" in message and where in message and what in message, message


def test_blank_lines_bom_and_crlf_read_as_plain_rows():
    plain = parse_trace_csv("submit_s,gpus,duration_s\n0,8,1\n5,2,60\n", "a.csv")
    bom_crlf = "\ufeffsubmit_s,gpus,duration_s\r\n0,8,1\r\n\r\n5,2,60"
    blank_lines_and_spaces = "submit_s,gpus,duration_s\n\n0,8,1\n,,\n 5 , 2 ,60\n\n"
    for text in (bom_crlf, blank_lines_and_spaces):
        w = parse_trace_csv(text, "b.csv")
        assert w.submit_s.tolist() == plain.submit_s.tolist() == [0.0, 5.0]
        assert w.gpus.tolist() == [8, 2] and w.duration_s.tolist() == [1.0, 60.0]
        assert w.job_id == ("row1", "row2")


def test_quoted_cells_keep_commas_and_line_breaks():
    w = parse_trace_csv('job_id,submit_s,gpus,duration_s\n"a,1",0,8,1\n"b\nc",1,8,1\n', "q.csv")
    assert w.job_id == ("a,1", "b\nc")


def test_problems_come_in_file_order_and_stop_at_twenty():
    rows = [f"{i},x,-1" for i in range(30)]
    with pytest.raises(InputError) as err:
        parse_trace_csv("submit_s,gpus,duration_s\n" + "\n".join(rows) + "\n", "many.csv")
    where = [p.location for p in err.value.problems]
    expected = [f"line {2 + i // 2}, column {'gpus' if i % 2 == 0 else 'duration_s'}" for i in range(20)]
    assert where == expected


def test_empty_and_missing_files(tmp_path):
    with pytest.raises(InputError, match="no header"):
        parse_trace_csv("", "e.csv")
    with pytest.raises(InputError, match="no jobs"):
        parse_trace_csv("submit_s,gpus,duration_s\n", "e.csv")
    with pytest.raises(InputError, match="file not found"):
        read_trace_csv(tmp_path / "nope.csv")
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("submit_s,gpus,duration_s\n0,8,1\n\xe9".encode("latin-1"))
    with pytest.raises(InputError, match="cannot read"):
        read_trace_csv(bad)


cells = st.one_of(st.text(max_size=8), st.sampled_from(["0", "1", "8", "-3", "1e400", "nan", "inf", "2.5", "",
                                                         "pretrain", "failed", "h100_sxm5", "1e308", '"']))
rows = st.lists(st.lists(cells, min_size=0, max_size=7), max_size=6)
headers = st.lists(st.sampled_from(["submit_s", "gpus", "duration_s", "gpu_hours", "job_id", "kind", "priority",
                                    "outcome", "gpu_type", "restart_s", "x"]), min_size=0, max_size=7)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(headers, rows)
def test_fuzzed_traces_parse_or_fail_cleanly(header, body):
    text = "\n".join([",".join(header)] + [",".join(r) for r in body]) + "\n"
    try:
        w = parse_trace_csv(text, "fuzz.csv")
    except InputError as exc:
        assert exc.render().startswith("error in fuzz.csv")
        return
    assert len(w) >= 1 and np.all(w.gpus >= 1) and np.all(w.duration_s > 0) and np.all(np.isfinite(w.duration_s))


@settings(max_examples=200)
@given(st.text(max_size=300))
def test_arbitrary_text_parses_or_fails_cleanly(text):
    try:
        w = parse_trace_csv(text, "any.csv")
    except InputError as exc:
        assert "any.csv" in exc.render()
        return
    assert len(w) >= 1 and np.all(np.diff(w.submit_s) >= 0)
