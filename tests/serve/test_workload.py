"""Request mixes: the shipped default, CSV files and their moments."""

from importlib import resources

import numpy as np
import pytest

from colossim.inputs import InputError
from colossim.serve.workload import default_mix, fixed_mix, parse_mix_csv


def test_length_biased_moments_of_a_two_class_mix():
    # half the requests 100 -> 1000, half 1000 -> 100: a running request is the long-output one 10/11 of the
    # time, so it holds (0.5 x 1000 x (100 + 500) + 0.5 x 100 x (1000 + 50)) / 550 cached tokens
    mix = parse_mix_csv("prompt_tokens,output_tokens\n100,1000\n1000,100\n", "two.csv")
    w = mix.workload()
    assert w.prompt == pytest.approx(550) and w.output == pytest.approx(550)
    assert w.context == pytest.approx((0.5 * 1000 * 600 + 0.5 * 100 * 1050) / 550)
    assert w.reserve == pytest.approx((0.5 * 1000 * 1100 + 0.5 * 100 * 1100) / 550)


def test_shipped_mix_is_sourced_and_normalised():
    mix = default_mix()
    assert mix.share.sum() == pytest.approx(1.0) and len(mix.share) == 3
    text = (resources.files("colossim.serve") / "data" / "request_mix.csv").read_text()
    assert text.count("NIM LLM benchmarking guide") == 1 and text.count("same guide") == 2  # every row sourced


def test_sampling_follows_the_shares():
    mix = parse_mix_csv("prompt_tokens,output_tokens,share\n10,10,3\n20,20,1\n", "w.csv")
    p, _ = mix.sample(20000, np.random.default_rng(1))
    assert np.mean(p == 10) == pytest.approx(0.75, abs=0.02)


@pytest.mark.parametrize("text, what", [
    ("a,b\n1,2\n", "prompt_tokens"),
    ("prompt_tokens,output_tokens\n0,5\n", "line 2"),
    ("prompt_tokens,output_tokens\nx,5\n", "not a number"),
    ("prompt_tokens,output_tokens,share\n5,5,0\n", "positive share"),
])
def test_bad_csv_fails_cleanly(text, what):
    with pytest.raises(InputError) as err:
        parse_mix_csv(text, "bad.csv")
    assert what in str(err.value) and "bad.csv" in str(err.value)


def test_fixed_mix_rejects_zero_tokens():
    with pytest.raises(InputError):
        fixed_mix(0, 10)
