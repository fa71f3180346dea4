"""A fuzzer over the flag values of every command: finite, non-finite, huge, negative and wrong-type values.

Every run must end cleanly: exit 0, or exit 2 with a message and no traceback. A value outside a flag's
domain (non-finite, out of range, not a number, not a date, an unknown id) must fail with exit 2 and a
message naming the flag (or, for an id, the value). Commands that do real work get only values outside the
domain, which must fail before the work starts, so the fuzzer stays fast; `simulate` is checked for its exit
code only (its bounds are its own)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from colossim.cli.common import MAX_BUDGET_USD, MAX_TOKENS
from colossim.cli.main import app
from colossim.cli.train_cmd import MAX_RUNS
from colossim.inputs import MAX_EXACT_INT

runner = CliRunner()

TEXT_JUNK = ["abc", "", "[/bold]", "[link=https://example.com]x", "1,5", "0x10", "--", "☃", "12abc", " "]
NON_FINITE = ["nan", "NaN", "inf", "-inf", "Infinity", "1e999"]


@dataclass(frozen=True)
class Num:
    """A number flag with an inclusive domain [lo, hi] (hi None: up to the generic 2**53 bound)."""

    integer: bool
    lo: float
    hi: float | None = None

    def invalid(self) -> st.SearchStrategy[str]:
        hi = self.hi if self.hi is not None else MAX_EXACT_INT
        if self.integer:
            numbers = st.integers(max_value=int(math.ceil(self.lo)) - 1) | st.integers(min_value=int(hi) + 1)
            junk = st.sampled_from([*NON_FINITE, *TEXT_JUNK, "1.5", "1e3"])
        else:  # a float flag without an upper bound takes any finite number above lo
            numbers = st.floats(max_value=self.lo, exclude_max=True, allow_nan=False)
            if self.hi is not None:
                numbers |= st.floats(min_value=self.hi, exclude_min=True, allow_nan=False)
            junk = st.sampled_from([*NON_FINITE, *TEXT_JUNK])
        return numbers.map(_text) | junk

    def valid(self) -> st.SearchStrategy[str]:
        if self.integer:
            hi = int(min(self.hi if self.hi is not None else 10**6, 10**6))
            huge = [h for h in (2**40, MAX_EXACT_INT) if self.hi is None or h <= self.hi]
            return (st.integers(int(math.ceil(self.lo)), hi) | st.sampled_from(huge or [hi])).map(str)
        hi = self.hi if self.hi is not None else 1e300
        return st.floats(self.lo, hi, allow_nan=False, allow_infinity=False).map(_text)


@dataclass(frozen=True)
class Date:
    def invalid(self) -> st.SearchStrategy[str]:
        return st.sampled_from(["2025-02-30", "2024-13-01", "2024-00-10", "yesterday", "02/09/2024", "20240902",
                                *TEXT_JUNK])

    def valid(self) -> st.SearchStrategy[str]:
        return st.dates().map(lambda d: d.isoformat())


@dataclass(frozen=True)
class Id:
    """A name looked up in the catalog, the zoo or a fixed list: an unknown one names the flag or itself."""

    def invalid(self) -> st.SearchStrategy[str]:
        return st.sampled_from(["[/bold]", "no-such-thing", "x" * 300, "[link=https://example.com]x"])

    def valid(self) -> st.SearchStrategy[str]:
        return self.invalid()


@dataclass(frozen=True)
class Cmd:
    base: dict[str, str | None]  # flag -> value (None: a switch); a key without "-" is a positional argument
    flags: dict[str, Num | Date | Id]
    cheap: bool = False  # in-domain values too (the command's work takes milliseconds)
    exit_only: bool = False
    extra: list[str] = field(default_factory=list)


def _text(x: float | int) -> str:
    return repr(x) if isinstance(x, float) else str(x)


POS_INT, SEED = Num(True, 1), Num(True, 0)
TOKENS = Num(False, 1, MAX_TOKENS)
LLAMA = {"--model": "llama3-8b", "--scenario": "colossus"}

COMMANDS: dict[str, Cmd] = {
    "cluster": Cmd({"scenario": "colossus"}, {"--at": Date()}, cheap=True),
    "buy": Cmd({"--budget": "5e9", "--system": "gb200_nvl72"},
               {"--budget": Num(False, 1, MAX_BUDGET_USD), "--at": Date(), "--system": Id()}, cheap=True),
    "catalog": Cmd({}, {"--json": Id()}, cheap=True),
    "step": Cmd({"--model": "llama3-8b", "--gpu": "h100_sxm5", "--gpus": "64", "--gbs": "256"},
                {"--gpus": POS_INT, "--tp": POS_INT, "--pp": POS_INT, "--dp": POS_INT, "--cp": POS_INT,
                 "--ep": POS_INT, "--vpp": POS_INT, "--mbs": POS_INT, "--gbs": POS_INT, "--zero": Num(True, 0, 3),
                 "--seq-len": POS_INT, "--nvlink-domain": POS_INT, "--offload": Num(False, 0, 1),
                 "--oversubscription": Num(False, 1, 64), "--scale-out-gbps": Num(False, 1, 100_000),
                 "--model": Id(), "--gpu": Id()}, cheap=True),
    "validate": Cmd({}, {"file": Id()}),
    "plan": Cmd(LLAMA, {"--gpus": POS_INT, "--global-batch": POS_INT, "--top": POS_INT, "--at": Date(),
                        "--objective": Id(), "--model": Id()}),
    "sweep": Cmd({"spec": "SWEEP", "--engine": "serial", "--no-progress": None},
                 {"--workers": POS_INT, "--engine": Id()}),
    "train": Cmd({**LLAMA, "--tokens": "1e12"},
                 {"--tokens": TOKENS, "--gpus": POS_INT, "--runs": Num(True, 1, MAX_RUNS), "--seed": SEED,
                  "--at": Date(), "--failures": Id(), "--checkpoint": Id(), "--model": Id()}),
    "compare": Cmd({**LLAMA, "--tokens": "1e12"},
                   {"--tokens": TOKENS, "--runs": Num(True, 1, MAX_RUNS), "--failures": Id(), "--checkpoint": Id(),
                    "--model": Id()}),
    "report": Cmd({"scenario": "colossus"},
                  {"--budget": Num(False, 1, MAX_BUDGET_USD), "--tokens": TOKENS, "--ops-days": Num(False, 0.01),
                   "--ops-jobs": POS_INT, "--seed": SEED, "--model": Id()}),
    "simulate": Cmd({"--scenario": "colossus", "--days": "1", "--jobs": "20", "--no-flagship": None},
                    {"--days": Num(False, 1e-3), "--jobs": POS_INT, "--load": Num(False, 1e-3),
                     "--spares": Num(False, 0, 1), "--seed": SEED}, exit_only=True),
}


def _args(name: str, cmd: Cmd, flag: str, value: str, sweep_file: Path) -> list[str]:
    args = [name]
    for key, base in cmd.base.items():
        if key == flag:
            continue
        if not key.startswith("-"):
            args.append(str(sweep_file) if base == "SWEEP" else str(base))
        else:
            args += [key] if base is None else [f"{key}={base}"]
    return args + ([value] if not flag.startswith("-") else [f"{flag}={value}"])


def _check(res, flag: str, value: str, must_fail: bool, cmd: Cmd) -> None:
    where = f"{flag}={value[:60]!r}"
    assert res.exception is None or isinstance(res.exception, SystemExit), f"{where}: {res.exception!r}"
    assert "Traceback" not in res.output, where
    assert res.exit_code in (0, 2), f"{where}: exit {res.exit_code}\n{res.output[-2000:]}"
    if cmd.exit_only:
        return
    if res.exit_code == 2:
        assert res.stderr.strip(), f"{where}: exit 2 without a message"
    if must_fail:
        assert res.exit_code == 2, f"{where} was accepted"
        named = flag in res.stderr or (isinstance(cmd.flags[flag], Id) and value[:40] in res.stderr)
        assert named, f"{where}: the message does not name the flag:\n{res.stderr[-1500:]}"


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("fuzz") / "sweep.yaml"
    path.write_text("models: [llama3-8b]\nclusters: [colossus]\ngpu_counts: [64]\nglobal_batch_sizes: [256]\n")
    return path


@pytest.mark.parametrize("name", list(COMMANDS))
def test_fuzzed_flag_values_fail_cleanly(name, sweep_file, tmp_path_factory, monkeypatch):
    cmd = COMMANDS[name]
    monkeypatch.chdir(tmp_path_factory.mktemp(f"cwd-{name}"))  # whatever a run writes stays out of the tree

    @settings(max_examples=30 if cmd.cheap else 20, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(data=st.data())
    def run(data):
        flag = data.draw(st.sampled_from(sorted(cmd.flags)), label="flag")
        spec = cmd.flags[flag]
        must_fail = not cmd.cheap or isinstance(spec, Id) or data.draw(st.booleans(), label="invalid")
        value = data.draw(spec.invalid() if must_fail else spec.valid(), label="value")
        res = runner.invoke(app, _args(name, cmd, flag, value, sweep_file))
        _check(res, flag, value, must_fail, cmd)

    run()
