"""Serving shapes of zoo models against their published architectures."""

import pytest

from colossim.models import get_model
from colossim.serve.shapes import serve_model


def test_gqa_kv_cache_per_token_per_layer():
    # Llama 3 70B: 8 KV heads of 128 -> keys + values = 2 x 8 x 128 = 2,048 elements per token per layer
    assert serve_model(get_model("llama3-70b")).kv_elems == 2 * 8 * 128


def test_mla_caches_one_latent_per_token():
    # DeepSeek-V3: compressed KV of 512 plus a decoupled rotary key of 64 (DeepSeek-V2 sec. 2.1.2: (d_c + d_h^R))
    m = serve_model(get_model("deepseek-v3"))
    assert m.kv_elems == 512 + 64 and m.kv_heads == 1 and m.mla == 1.0


def test_mla_decode_attention_is_absorbed_into_the_latent():
    # per head: scores over 512 + 64, values over 512 -> 2 x (2 x 512 + 64) FLOPs per cached position
    assert serve_model(get_model("deepseek-v3")).decode_attn_flops == pytest.approx(2 * 128 * (2 * 512 + 64))


def test_moe_expert_is_a_gated_mlp():
    m = serve_model(get_model("mixtral-8x22b"))
    assert m.expert_weights == 3 * 6144 * 16384 and m.experts == 8 and m.top_k == 2
