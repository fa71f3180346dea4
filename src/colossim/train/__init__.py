"""Time, energy, cost and CO2 to train a model on a cluster: best layout, failures, checkpoints, footprint."""

from colossim.train.compare import PhaseComparison, compare_phases
from colossim.train.plan import ReliabilityOptions, TrainingPlan, plan_training

__all__ = ["PhaseComparison", "ReliabilityOptions", "TrainingPlan", "compare_phases", "plan_training"]
