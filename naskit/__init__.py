"""naskit: a hands-on toolkit for learning Neural Architecture Search.

``import naskit as nk`` gives the spaces and builders at the top level and every module by name:
``nk.space``, ``nk.ops``, ``nk.datasets``, ``nk.bench``, ``nk.estimators``, ``nk.hardware``,
``nk.search``, ``nk.history``, ``nk.exercises``, ``nk.supernet``, ``nk.oneshot``, ``nk.ofa``, ``nk.plot``, ``nk.widgets``
(``nk.train`` is the training function).
"""
from . import (bench, datasets, estimators, exercises, hardware, history, ofa, oneshot, ops, plot, search,
               space, supernet, widgets)
from ._config import data_dir, fast_mode
from .model import build, build_darts
from .space import (DARTS_V1, DARTS_V2, Arch, CellSpace, CombinedSpace, DartsSpace, Genotype,
                    GlobalSpace, NB201Space)
from .train import TrainLog, train

__version__ = "0.1.0"
__all__ = ["Arch", "CellSpace", "NB201Space", "DartsSpace", "Genotype", "DARTS_V1", "DARTS_V2",
           "GlobalSpace", "CombinedSpace", "build", "build_darts", "train", "TrainLog",
           "bench", "datasets", "estimators", "exercises", "hardware", "history", "ofa", "oneshot", "ops", "plot",
           "search", "supernet",
           "space", "widgets", "fast_mode", "data_dir"]
