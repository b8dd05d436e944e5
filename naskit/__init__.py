"""naskit: a hands-on toolkit for learning Neural Architecture Search."""
from . import ops, space
from ._config import data_dir, fast_mode
from .model import build, build_darts
from .space import (DARTS_V1, DARTS_V2, Arch, CellSpace, CombinedSpace, DartsSpace, Genotype,
                    GlobalSpace, NB201Space)

__version__ = "0.1.0"
__all__ = ["Arch", "CellSpace", "NB201Space", "DartsSpace", "Genotype", "DARTS_V1", "DARTS_V2",
           "GlobalSpace", "CombinedSpace", "build", "build_darts", "ops", "space",
           "fast_mode", "data_dir"]
