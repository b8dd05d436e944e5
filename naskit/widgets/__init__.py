"""Thin ipywidgets views over naskit's objects: every value they show is an attribute too.

Widgets take library objects, keep their state in traits and attributes, redraw through
``naskit.plot`` into image widgets, and never call ``display()`` themselves.
"""
from .bilevel import BilevelExplorer
from .cell_builder import CellBuilder
from .controller import ControllerInspector
from .evolution import EvolutionStepper
from .latency import LatencyExplorer
from .ofa import OFAEvolutionStepper, SubnetPicker
from .oneshot import AlphaWatcher
from .predict import Predict
from .ranking import RankingComparer
from .solution import Solution

__all__ = ["CellBuilder", "EvolutionStepper", "ControllerInspector", "RankingComparer",
           "AlphaWatcher", "LatencyExplorer", "SubnetPicker", "OFAEvolutionStepper",
           "Solution", "BilevelExplorer", "Predict"]
