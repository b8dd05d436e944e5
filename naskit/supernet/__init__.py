"""Weight-sharing supernets: every candidate of a space is a path through one network.

One-shot NAS (Pham et al. 2018, ENAS; Liu et al. ICLR 2019, DARTS) trains a single network that
contains every candidate op on every edge of the cell, so that a candidate's weights are inherited
instead of trained from scratch. DARTS relaxes the choice of op on an edge to a softmax-weighted sum
(``MixedOp``) over learnable architecture weights alpha; single-path methods (RSPS, GDAS, SETN,
ENAS) run one op per edge. ``SuperNet(space, ...)`` builds the supernet of an NB201-style cell
space (alpha of shape edges x ops, the ``nk.build`` topology) or of the DARTS space (alpha for the
normal and the reduction cell, 14 x 8 each); ``derive`` turns alpha into an architecture.
"""
from .base import SuperNet, derive
from .darts import DartsSuperNet
from .mixed import MixedOp
from .nb201 import NB201SuperNet

__all__ = ["MixedOp", "SuperNet", "NB201SuperNet", "DartsSuperNet", "derive"]
