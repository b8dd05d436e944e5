"""naskit: a hands-on toolkit for learning Neural Architecture Search.

``import naskit as nk`` gives the spaces and builders at the top level and every module by name:
``nk.space``, ``nk.ops``, ``nk.datasets``, ``nk.bench``, ``nk.estimators``, ``nk.hardware``,
``nk.search``, ``nk.history``, ``nk.exercises``, ``nk.supernet``, ``nk.oneshot``, ``nk.ofa``, ``nk.plot``, ``nk.widgets``
(``nk.train`` is the training function). Modules load on first use (PEP 562), so ``import naskit``
is quick and pulls in neither torch nor matplotlib until a name that needs them is touched.
"""
import importlib
import sys
import types

from ._config import fast_mode, shipped_data_dir, user_data_dir
from .space import (DARTS_V1, DARTS_V2, Arch, CellSpace, CombinedSpace, DartsSpace, Genotype,
                    GlobalSpace, NB201Space)

__version__ = "0.1.0"
__all__ = ["Arch", "CellSpace", "NB201Space", "DartsSpace", "Genotype", "DARTS_V1", "DARTS_V2",
           "GlobalSpace", "CombinedSpace", "build", "build_darts", "train", "TrainLog",
           "bench", "datasets", "estimators", "exercises", "hardware", "history", "ofa", "oneshot", "ops", "plot",
           "search", "supernet",
           "space", "widgets", "fast_mode", "user_data_dir", "shipped_data_dir"]

# subpackages loaded on first attribute access
_MODULES = ("bench", "datasets", "estimators", "exercises", "hardware", "history", "ofa", "oneshot",
            "ops", "plot", "search", "supernet", "widgets", "model")
# public names defined in a submodule (module, name); ``train`` is the function, not the module
_NAMES = {"build": ("model", "build"), "build_darts": ("model", "build_darts"),
          "train": ("train", "train"), "TrainLog": ("train", "TrainLog")}


def __getattr__(name: str):
    if name in _NAMES:
        module, attr = _NAMES[name]
        value = getattr(importlib.import_module(f".{module}", __name__), attr)
    elif name in _MODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module 'naskit' has no attribute {name!r}")
    # importing naskit.train binds the module to the package; the public name is the function
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__) | set(_MODULES))


class _Package(types.ModuleType):
    """The naskit module, keeping ``nk.train`` the function when ``naskit.train`` is imported."""

    def __setattr__(self, name, value):
        # the import system binds each imported submodule to its package; for ``train`` the
        # public name is the function (as it was before imports were lazy), so skip that binding
        if name in _NAMES and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
