"""The report's figures: plain data in, a Figure out (SVG panels, title, one-line takeaway, alt text, caption).
One module per section's figures; drawing helpers in base, colours in colossim.report.palette."""

from colossim.report.figures.buy import BuyBar, buy_figure
from colossim.report.figures.environment import SupplySeries, supply_figure
from colossim.report.figures.growth import GrowthPoint, growth_figure
from colossim.report.figures.operations import OpsSeries, QueueWaits, operations_figure, queue_figure
from colossim.report.figures.reliability import GoodputCurve, RateLine, goodput_figure, interruptions_figure
from colossim.report.figures.training import PartitionRate, TrainingBar, training_figure

__all__ = ["BuyBar", "GoodputCurve", "GrowthPoint", "OpsSeries", "PartitionRate", "QueueWaits", "RateLine",
           "SupplySeries", "TrainingBar", "buy_figure", "goodput_figure", "growth_figure", "interruptions_figure",
           "operations_figure", "queue_figure", "supply_figure", "training_figure"]
