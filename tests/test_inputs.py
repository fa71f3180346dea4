"""colossim.inputs: every reader refuses non-finite numbers, non-regular and oversized files, and quotes
user values as short excerpts; flags override fields with the changes said."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field

from colossim.inputs import (
    MAX_EXACT_INT,
    SHOWN_PROBLEMS,
    InputError,
    InputProblem,
    excerpt,
    load_yaml,
    override_fields,
    read_text,
    read_yaml,
    validate,
)


class Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rate: float = Field(default=1.0, ge=0)


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")
    interval_s: float = Field(default=60.0, gt=0)
    count: int = 1
    inner: Inner = Inner()
    values: list[float] = []
    unlimited: float = math.inf  # a default the code chose is the code's business, never refused


def _problems(data) -> str:
    with pytest.raises(InputError) as info:
        validate(data, Config, "c.yaml")
    return info.value.render()


@pytest.mark.parametrize("text,where", [
    ("interval_s: .nan", "interval_s"),
    ("interval_s: .inf", "interval_s"),
    ("interval_s: -.inf", "interval_s"),
    ("interval_s: 'nan'", "interval_s"),      # text pydantic would read as NaN
    ("interval_s: '1e999'", "interval_s"),    # text that overflows to infinity
    ("interval_s: 1.0e+999", "interval_s"),   # YAML's own float overflow
    ("inner: {rate: .nan}", "inner.rate"),
    ("values: [1.0, .inf]", "values.1"),
])
def test_non_finite_numbers_are_refused_with_their_path(tmp_path, text, where):
    path = tmp_path / "c.yaml"
    path.write_text(text + "\n")
    with pytest.raises(InputError) as info:
        load_yaml(path, Config)
    rendered = info.value.render()
    assert f"{where}: not a finite number" in rendered and "give a finite number" in rendered
    assert "c.yaml" in rendered


def test_defaults_are_not_checked_and_finite_values_pass():
    cfg = validate({"interval_s": 5, "values": [1.5, -2.0]}, Config, "c.yaml")
    assert cfg.interval_s == 5 and cfg.unlimited == math.inf


def test_integers_beyond_exact_float64_are_refused():
    assert "count: out of range" in _problems({"count": MAX_EXACT_INT + 1})
    assert validate({"count": MAX_EXACT_INT}, Config, "c.yaml").count == MAX_EXACT_INT


@settings(max_examples=60, deadline=None)
@given(field=st.sampled_from(["interval_s", "inner.rate", "values.0"]),
       value=st.sampled_from([math.nan, math.inf, -math.inf, "nan", "NaN", "inf", "-Infinity", "1e400"]))
def test_fuzzed_non_finite_values_always_fail_cleanly(field, value):
    data: dict = {}
    if field == "inner.rate":
        data["inner"] = {"rate": value}
    elif field == "values.0":
        data["values"] = [value]
    else:
        data[field] = value
    rendered = _problems(data)
    assert f"{field}:" in rendered and ("finite" in rendered or "number" in rendered)


def test_a_huge_unknown_key_prints_as_a_short_excerpt(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("interval_s: 1\n? " + "k" * 1_000_000 + "\n: 1\n")
    started = time.perf_counter()
    with pytest.raises(InputError) as info:
        load_yaml(path, Config)
    rendered = info.value.render()
    assert time.perf_counter() - started < 10
    assert len(rendered) < 1000 and "(1,000,000 characters)" in rendered and "Extra inputs" in rendered


def test_huge_values_are_cut_in_messages():
    rendered = _problems({"count": "x" * 100_000})
    assert len(rendered) < 1000 and "(100,002 characters)" in rendered  # repr adds the quotes
    assert excerpt(10**5000).startswith("an integer of")  # repr of it would be refused by Python


def test_many_problems_are_summarised():
    err = InputError("f.yaml", [InputProblem(f"x.{i}", "bad") for i in range(SHOWN_PROBLEMS + 7)])
    assert err.render().count("\n  - ") == SHOWN_PROBLEMS and "... and 7 more problems" in err.render()


def test_directories_devices_and_missing_files_are_refused(tmp_path):
    for path, words in ((tmp_path, "the path is a directory"), (Path("/dev/zero"), "not a regular file"),
                        (tmp_path / "none.yaml", "file not found")):
        with pytest.raises(InputError, match=words):
            read_yaml(path)


def test_a_fifo_is_refused_at_once_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    code = f"from colossim.inputs import read_text\nread_text({str(fifo)!r})"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "not a regular file (a FIFO, socket or device)" in done.stderr


def test_files_over_the_limit_are_refused_after_reading_at_most_the_limit(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: 1\n" * 1000)
    assert read_text(path, max_bytes=5000).startswith("a: 1")
    with pytest.raises(InputError, match="larger than the"):
        read_text(path, max_bytes=4999)


def test_non_utf8_text_is_refused(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"cannot read the file: it is not UTF-8 text \(byte 9\)"):
        read_yaml(path)


def test_override_fields_sets_dotted_fields_and_says_what_changed():
    data = {"gpus": 64, "layout": {"tp": 8, "global_batch": 512}}
    out, changes = override_fields(data, {"layout.tp": 4, "gpus": 64, "network.oversubscription": 2.0,
                                          "seq_len": None})
    assert out == {"gpus": 64, "layout": {"tp": 4, "global_batch": 512}, "network": {"oversubscription": 2.0}}
    assert changes == ["layout.tp: 8 -> 4", "network.oversubscription: (unset) -> 2.0"]
    assert data["layout"]["tp"] == 8  # the input is not modified
