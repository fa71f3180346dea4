"""The step model's error on runs it was not fitted on, as a distribution: the measured / predicted step-time
ratios of every held-out run of the grouped cross-validation (leave one GPU generation, one framework family,
one source out; each run once per grouping), summarised by quantiles. This is what the uncertainty ranges
(colossim.uncertainty) draw the step model's own error from; `colossim validate --cv` prints it."""

from __future__ import annotations

import numpy as np

from colossim.validation.fit import GROUPINGS, batch, leave_one_group_out
from colossim.validation.predict import prepare
from colossim.validation.schema import ValidationRun

PROBABILITIES = (0.0, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 1.0)


def held_out_ratios(runs: list[ValidationRun]) -> np.ndarray:
    """measured / predicted = 1 / (1 + error) for every held-out prediction of every grouping."""
    b = batch(prepare(runs))
    errors = [np.concatenate(list(leave_one_group_out(b, g).values())) for g in GROUPINGS]
    return 1.0 / (1.0 + np.concatenate(errors) / 100.0)


def ratio_quantiles(ratios: np.ndarray) -> list[tuple[float, float]]:
    return [(p, float(np.quantile(ratios, p))) for p in PROBABILITIES]


__all__ = ["PROBABILITIES", "held_out_ratios", "ratio_quantiles"]
