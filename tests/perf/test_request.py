"""A step request (YAML or flags) resolves to model, layout and hardware, or fails naming what to change."""

from __future__ import annotations

import pytest

from colossim.inputs import InputError, validate
from colossim.perf.request import StepRequest, resolve_request


def _req(**kw) -> StepRequest:
    data = {
        "model": "llama3-70b",
        "gpu": "h100_sxm5",
        "gpus": 64,
        "layout": {"tp": 8, "pp": 4, "global_batch": 128},
    }
    return validate({**data, **kw}, StepRequest, "req")


def test_dp_is_derived_from_the_gpu_count():
    model, layout, hw = resolve_request(_req())
    assert (layout.dp, model.id, hw.gpu.id) == (2, "llama3-70b", "h100_sxm5")


def test_inline_model_and_sequence_override():
    spec = dict(
        id="tiny",
        name="tiny",
        source="test",
        layers=4,
        hidden=256,
        heads=4,
        kv_heads=4,
        attention="mha",
        ffn=1024,
        mlp="plain",
        vocab=1000,
        seq_len=512,
    )
    model, layout, _ = resolve_request(_req(model=spec, seq_len=1024, gpus=8, layout={"global_batch": 8}))
    assert model.seq_len == 1024 and layout.dp == 8


@pytest.mark.parametrize(
    "change, where",
    [
        ({"model": "gpt-5"}, "model"),
        ({"layout": {"tp": 3, "global_batch": 8}}, "layout"),
        ({"layout": {"tp": 8, "recompute": "sometimes", "global_batch": 8}}, "layout.recompute"),
        ({"gpu": "tpu_v5"}, "gpu"),
        ({"layout": {"tp": 8, "pp": 4, "dp": 4, "global_batch": 128}}, "dp"),
    ],
)
def test_bad_requests_name_the_field(change, where):
    with pytest.raises(InputError) as err:
        resolve_request(_req(**change))
    assert any(p.location.startswith(where) for p in err.value.problems), err.value.render()
