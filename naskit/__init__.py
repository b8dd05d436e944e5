"""naskit: a hands-on toolkit for learning Neural Architecture Search."""
from . import ops, space
from .model import build
from .space import Arch, CellSpace, NB201Space

__version__ = "0.1.0"
__all__ = ["Arch", "CellSpace", "NB201Space", "build", "ops", "space"]
