"""Networks built from architectures: NB201-topology nets (and DARTS-cell nets)."""
from .nb201 import NB201Net, build

__all__ = ["NB201Net", "build"]
