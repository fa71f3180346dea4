"""Time, energy, cost and CO2 to train a model on a cluster: best layout, the checkpoint and goodput chain,
footprint; per phase, the best single job, the best job per partition and the concurrent split."""

from colossim.train.chain import (
    CheckpointChain,
    JobReliability,
    JobStorage,
    MonteCarloSummary,
    ReliabilityOptions,
    checkpoint_chain,
    hot_spares,
    job_reliability,
)
from colossim.train.compare import ConcurrentSplit, PhaseComparison, compare_phases, with_headline, with_ranges
from colossim.train.plan import TrainingPlan, plan_training
from colossim.train.ranges import FIGURES as RANGE_FIGURES
from colossim.train.ranges import RangeOptions, training_inputs, training_ranges

__all__ = [
    "CheckpointChain",
    "ConcurrentSplit",
    "JobReliability",
    "JobStorage",
    "MonteCarloSummary",
    "PhaseComparison",
    "RANGE_FIGURES",
    "RangeOptions",
    "ReliabilityOptions",
    "TrainingPlan",
    "checkpoint_chain",
    "compare_phases",
    "hot_spares",
    "job_reliability",
    "plan_training",
    "training_inputs",
    "training_ranges",
    "with_headline",
    "with_ranges",
]
