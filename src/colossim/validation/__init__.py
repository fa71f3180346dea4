"""Validation as a feature: predict published, measured training runs and report the error."""

from colossim.validation.load import load_runs
from colossim.validation.predict import ValidationReport, predict_runs
from colossim.validation.schema import ValidationRun

__all__ = ["ValidationReport", "ValidationRun", "load_runs", "predict_runs"]
