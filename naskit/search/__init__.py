"""Search strategies as ask/tell objects, and ``run``, the one loop that pays for their queries.

``nk.search.run(nk.search.RegularizedEvolution(space, seed=0), bench, budget=12_000, epoch=12)``
returns a ``History``. Strategies: RandomSearch, RegularizedEvolution, GeneticEvolution,
Reinforce, LocalSearch, BOHB, HpBandSterBOHB (BOHB as HpBandSter and NAS-Bench-201 ran it;
see each module for its paper); ``HardwareAware`` wraps any of them to search accuracy against
latency (``LatencyConstraint``, ``LatencyWeighted``). ``Searcher`` pays for one query per
``step()``; ``race`` runs several strategies over many seeds and summarises them (``Race``);
``NB201_SEARCH_TABLE`` is NAS-Bench-201's published search table; ``EvolutionFrame.of`` reads an
evolution's own notes back cycle by cycle.
"""
from .base import Proposal, Searcher, Strategy, run
from .bohb import BOHB, hyperband_rungs
from .bohb_hpbandster import HpBandSterBOHB
from .evolution import EvolutionFrame, GeneticEvolution, RegularizedEvolution
from .hardware_aware import HardwareAware, LatencyConstraint, LatencyWeighted
from .local import LocalSearch
from .race import NB201_SEARCH_TABLE, Race, race
from .random_search import RandomSearch
from .reinforce import Reinforce

__all__ = ["Proposal", "Strategy", "Searcher", "run", "RandomSearch", "RegularizedEvolution",
           "GeneticEvolution", "EvolutionFrame", "Reinforce", "LocalSearch",
           "BOHB", "HpBandSterBOHB", "hyperband_rungs", "HardwareAware", "LatencyConstraint",
           "LatencyWeighted", "race", "Race", "NB201_SEARCH_TABLE"]
