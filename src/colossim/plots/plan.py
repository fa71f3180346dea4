"""Figures of a plan search: step-time breakdown and memory breakdown of the top layouts."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

STEP_PARTS = (("compute_s", "compute"), ("tp_s", "TP comm"), ("cp_s", "CP comm"), ("ep_s", "EP all-to-all"),
              ("pp_s", "PP send/recv"), ("dp_s", "DP/ZeRO comm"), ("bubble_s", "pipeline bubble"),
              ("optimizer_s", "optimizer"))
MEMORY_PARTS = (("mem_weights_gb", "weights"), ("mem_grads_gb", "gradients"), ("mem_optimizer_gb", "optimizer"),
                ("mem_activations_gb", "activations"), ("mem_other_gb", "other"))


def layout_label(row: pd.Series) -> str:
    return (f"#{int(row['rank'])} tp{int(row['tp'])} pp{int(row['pp'])}x{int(row['vpp'])} dp{int(row['dp'])}"
            f" cp{int(row['cp'])} ep{int(row['ep'])} mb{int(row['mbs'])} z{int(row['zero'])} {row['recompute']}")


def plan_figure(top: pd.DataFrame, title: str) -> bytes:
    """PNG: left, where one step's time goes for each top layout; right, memory per GPU against usable HBM."""
    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(13, 0.6 * len(top) + 2.6), constrained_layout=True)
    labels = [layout_label(r) for _, r in top.iterrows()]
    y = range(len(top))
    left = [0.0] * len(top)
    for col, name in STEP_PARTS:
        vals = top[col].to_numpy()
        ax_t.barh(y, vals, left=left, label=name)
        left = [a + b for a, b in zip(left, vals, strict=True)]
    ax_t.set_yticks(list(y), labels, fontsize=8)
    ax_t.invert_yaxis()
    ax_t.set_xlabel("time per optimizer step (s)")
    ax_t.set_title("Step time breakdown (exposed parts)")
    ax_t.legend(fontsize=7, loc="lower right")
    left = [0.0] * len(top)
    for col, name in MEMORY_PARTS:
        vals = top[col].to_numpy()
        ax_m.barh(y, vals, left=left, label=name)
        left = [a + b for a, b in zip(left, vals, strict=True)]
    usable = float(top["mem_usable_gb"].iloc[0])
    ax_m.axvline(usable, color="black", linestyle="--", linewidth=1, label=f"usable HBM {usable:.0f} GB")
    ax_m.set_yticks(list(y), [f"#{int(r)}" for r in top["rank"]], fontsize=8)
    ax_m.invert_yaxis()
    ax_m.set_xlabel("memory per GPU (GB)")
    ax_m.set_title("Memory per GPU")
    ax_m.legend(fontsize=7, loc="lower right")
    fig.suptitle(title)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return buf.getvalue()
