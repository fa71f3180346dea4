"""FLOPs of a transformer per token, vectorised over ModelArrays (2 FLOPs per multiply-add).

Convention for MFU/HFU (stated in docs/perf_model.md): model FLOPs = 3 x forward FLOPs (backward = 2 x
forward), attention counted over the full sequence (non-causal), as PaLM Appendix B (6N + 12*L*H*Q*T)
and Megatron (Narayanan et al. 2021 eq. 3; Megatron-Core `num_floating_point_operations`) count it.
The step-time model instead executes causal attention, which fused kernels run at half that count.
"""

from __future__ import annotations

import numpy as np

from colossim.perf.layout import MODULE_BIT, RECOMPUTE_CODE
from colossim.perf.shapes import ModelArrays

FULL, SELECTIVE = RECOMPUTE_CODE["full"], RECOMPUTE_CODE["selective"]


def attention_proj_flops(m: ModelArrays):
    """Q/K/V/output projections (MLA: the down- and up-projections), per token per layer."""
    return 2.0 * m.attn_params


def attention_core_flops(m: ModelArrays, context):
    """Scores Q.K^T and the weighted sum over `context` key positions, per token per layer."""
    return 2.0 * context * m.heads * (m.qk_head_dim + m.v_head_dim)


def dense_mlp_flops(m: ModelArrays):
    return 2.0 * m.mlp_params


def moe_mlp_flops(m: ModelArrays):
    """Router plus the top-k routed and the shared experts a token visits."""
    return 2.0 * (m.top_k + m.shared) * m.expert_params + 2.0 * m.router_params


def lm_head_flops(m: ModelArrays):
    return 2.0 * m.vocab * m.hidden


def layers_forward_flops_per_token(m: ModelArrays, context):
    dense_layers = m.layers - m.moe_layers
    return (
        m.layers * (attention_proj_flops(m) + attention_core_flops(m, context))
        + dense_layers * dense_mlp_flops(m)
        + m.moe_layers * moe_mlp_flops(m)
    )


def forward_flops_per_token(m: ModelArrays, causal: bool = False):
    """One forward pass per token; causal=True counts only the attended (lower-triangle) half."""
    context = m.seq / 2.0 if causal else m.seq
    return layers_forward_flops_per_token(m, context) + lm_head_flops(m)


def model_flops_per_token(m: ModelArrays):
    """Training FLOPs per token without recomputation: forward + backward (2 x forward)."""
    return 3.0 * forward_flops_per_token(m)


def module_recompute_flops_per_token(m: ModelArrays, modules):
    """Forward FLOPs re-run by Megatron-Core recompute_modules (MODULE_BIT mask), all layers: core_attn the
    attention core (Korthikanti et al. 2022 section 5), mla_up_proj the MLA up-projections, mlp the dense
    MLPs; layernorm and moe_act are element-wise (no matrix FLOPs)."""
    def has(name):
        return (np.asarray(modules) & MODULE_BIT[name]) > 0

    return (
        has("core_attn") * m.layers * attention_core_flops(m, m.seq)
        + has("mla_up_proj") * m.layers * 2.0 * m.mla_up_params
        + has("mlp") * (m.layers - m.moe_layers) * dense_mlp_flops(m)
    )


def recompute_flops_per_token(m: ModelArrays, recompute, modules=MODULE_BIT["core_attn"], fraction=1.0):
    """Extra forward work of activation recomputation: full = every layer again (not the LM head), or the
    `fraction` of layers that partial full recompute re-runs; selective = the `modules` re-run (default the
    attention core, Korthikanti et al. 2022 section 5)."""
    full = fraction * layers_forward_flops_per_token(m, m.seq)
    selective = module_recompute_flops_per_token(m, modules)
    return np.where(recompute == FULL, full, np.where(recompute == SELECTIVE, selective, 0.0))


def hardware_flops_per_token(m: ModelArrays, recompute, modules=MODULE_BIT["core_attn"], fraction=1.0):
    return model_flops_per_token(m) + recompute_flops_per_token(m, recompute, modules, fraction)


__all__ = [
    "attention_core_flops",
    "attention_proj_flops",
    "dense_mlp_flops",
    "forward_flops_per_token",
    "hardware_flops_per_token",
    "layers_forward_flops_per_token",
    "lm_head_flops",
    "model_flops_per_token",
    "module_recompute_flops_per_token",
    "moe_mlp_flops",
    "recompute_flops_per_token",
]
