"""One-shot NAS: searches that share the weights of one supernet among all candidates.

``DARTS`` (first and second order) learns a continuous relaxation; the single-path methods of
NAS-Bench-201's weight-sharing table train one path at a time and judge candidates by their
inherited weights. Every search has ``step()``, ``run(steps)``, ``derive()``, ``trace_`` and
``seconds_``, so a widget can drive it and a lesson can compare them.
"""
from .base import PARAMETER_FREE, OneShotSearch, Step, parameter_free_share
from .darts import DARTS, hessian_vector_product
from .remedies import Decision, early_stop, perturbation_select

__all__ = ["OneShotSearch", "Step", "DARTS", "hessian_vector_product", "parameter_free_share",
           "PARAMETER_FREE", "perturbation_select", "early_stop", "Decision"]
