"""Networks built from architectures: NB201-topology nets (and DARTS-cell nets)."""
from .darts import DartsNetwork, build_darts
from .nb201 import NB201Net, build

__all__ = ["NB201Net", "build", "DartsNetwork", "build_darts"]
