"""FLOP counts against published closed forms: Narayanan et al. 2021 eq. (3), PaLM's 6N + 12LHQT and the
Megatron-Core formula for GQA and gated MLPs."""

from __future__ import annotations

import numpy as np
import pytest

from colossim.models import ModelSpec, get_model, param_counts
from colossim.perf.flops import hardware_flops_per_token, model_flops_per_token
from colossim.perf.shapes import model_arrays

# (layers, hidden, heads) of the GPT models of Narayanan et al. 2021 Table 1 (V = 51200, s = 2048)
TABLE1 = [(24, 2304, 24), (48, 8192, 64), (96, 12288, 96), (128, 25600, 160)]


def _gpt(layers, hidden, heads, vocab=51200, seq=2048) -> ModelSpec:
    return ModelSpec(
        id="gpt",
        name="gpt",
        source="test",
        layers=layers,
        hidden=hidden,
        heads=heads,
        kv_heads=heads,
        attention="mha",
        ffn=4 * hidden,
        mlp="plain",
        vocab=vocab,
        seq_len=seq,
    )


@pytest.mark.parametrize("layers, hidden, heads", TABLE1)
def test_full_recompute_matches_narayanan_eq3(layers, hidden, heads):
    B, s, V, n_layers, h = 512, 2048, 51200, layers, hidden
    # arXiv 2104.04473 eq. (3)
    eq3 = 96 * B * s * n_layers * h**2 * (1 + s / (6 * h) + V / (16 * n_layers * h))
    ours = B * s * hardware_flops_per_token(model_arrays(_gpt(layers, hidden, heads)), np.array(2))
    assert float(ours) == pytest.approx(eq3, rel=1e-12)


@pytest.mark.parametrize("layers, hidden, heads", TABLE1)
def test_no_recompute_matches_72_bslh2(layers, hidden, heads):
    B, s, V, n_layers, h = 64, 2048, 51200, layers, hidden
    closed = 72 * B * s * n_layers * h**2 * (1 + s / (6 * h) + V / (12 * n_layers * h))
    ours = B * s * model_flops_per_token(model_arrays(_gpt(layers, hidden, heads)))
    assert float(ours) == pytest.approx(closed, rel=1e-12)


def test_model_flops_are_6n_plus_palm_attention_term():
    m = get_model("gpt3-175b")
    n = param_counts(m).total  # tied: embedding matrix counted once, used as the LM head GEMM
    palm = 6 * n + 12 * m.layers * m.hidden * m.seq_len  # PaLM (Chowdhery et al. 2022) appendix B
    assert float(model_flops_per_token(model_arrays(m))) == pytest.approx(palm, rel=1e-12)


def test_gqa_gated_matches_megatron_core_formula():
    m = get_model("llama3-70b")
    L, h, a, g, s, f, V = m.layers, m.hidden, m.heads, m.kv_heads, m.seq_len, m.ffn, m.vocab
    # Megatron-Core num_floating_point_operations per token, dense GQA with SwiGLU (gated factor 1.5)
    mcore = 12 * L * h**2 * (1 + g / a + s / h + 1.5 * f / h + V / (2 * L * h))
    assert float(model_flops_per_token(model_arrays(m))) == pytest.approx(mcore, rel=1e-12)


def test_moe_counts_active_experts_only():
    m = get_model("mixtral-8x22b")
    counts = param_counts(m)
    attention = 12 * m.layers * m.heads * 128 * m.seq_len  # 6 x 2 x L x heads x head_dim x s (non-causal)
    expected = 6 * (counts.active - counts.embedding / 2) + attention  # the input embedding is a lookup
    assert float(model_flops_per_token(model_arrays(m))) == pytest.approx(expected, rel=1e-12)


def test_selective_recompute_adds_only_attention_core():
    ma = model_arrays(_gpt(24, 2304, 24))
    extra = hardware_flops_per_token(ma, np.array(1)) - model_flops_per_token(ma)
    assert float(extra) == pytest.approx(24 * 4 * 2048 * 2304)  # forward QK^T and AV of every layer
