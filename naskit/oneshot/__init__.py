"""One-shot NAS: searches that share the weights of one supernet among all candidates.

``DARTS`` (first and second order) learns a continuous relaxation; ``GDAS`` samples one op per
edge by a Gumbel-softmax; the single-path methods of NAS-Bench-201's weight-sharing table
(``RSPS``, ``SETN``, ``ENAS``) train one path at a time and judge candidates by their inherited
weights. Every search has ``step()``, ``run(steps)``, ``derive()``, ``trace_`` and ``seconds_``,
so a widget can drive it and a lesson can compare them; ``AlphaReplay`` replays a recorded
run step by step.
"""
from .alpha import AlphaSearch
from .base import PARAMETER_FREE, OneShotSearch, Step, parameter_free_share
from .candidates import Candidate, CandidateRanking, sample_archs
from .darts import DARTS, hessian_vector_product
from .enas import ENAS
from .gdas import GDAS, gumbel_hard, gumbel_noise
from .protocol import NB201_CONFIGS, Protocol
from .remedies import Decision, early_stop, perturbation_select
from .rsps import RSPS
from .setn import SETN
from .runner import FlopModel, read_trace, run_checkpointed
from .replay import AlphaReplay, EpochRecord, Frame, random_share, shipped_traces, trace_file
from .table import METHODS, NB201_WEIGHT_SHARING, load_runs, read_runs
from . import table

__all__ = ["OneShotSearch", "AlphaSearch", "CandidateRanking", "Step", "Candidate", "DARTS",
           "RSPS", "GDAS", "SETN", "ENAS", "hessian_vector_product", "gumbel_hard",
           "gumbel_noise", "sample_archs", "parameter_free_share", "PARAMETER_FREE",
           "perturbation_select", "early_stop", "Decision", "table", "load_runs", "read_runs",
           "METHODS", "NB201_WEIGHT_SHARING", "Protocol", "NB201_CONFIGS", "FlopModel",
           "run_checkpointed", "read_trace", "AlphaReplay", "Frame", "EpochRecord",
           "random_share", "trace_file", "shipped_traces"]
