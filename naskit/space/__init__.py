"""Search spaces: cells (NAS-Bench-201), DARTS genotypes, global and combined spaces."""
from .cell import NB201_OP_NAMES, Arch, CellSpace, NB201Space, rng_from
from .darts import DARTS_OP_NAMES, DARTS_V1, DARTS_V2, DartsSpace, Genotype
from .macro import ENAS_MACRO_OPS, CombinedSpace, GlobalArch, GlobalSpace, MacroArch

__all__ = ["Arch", "CellSpace", "NB201Space", "NB201_OP_NAMES", "rng_from",
           "DARTS_OP_NAMES", "DARTS_V1", "DARTS_V2", "DartsSpace", "Genotype",
           "ENAS_MACRO_OPS", "CombinedSpace", "GlobalArch", "GlobalSpace", "MacroArch"]
