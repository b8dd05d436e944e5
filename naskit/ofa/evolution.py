"""Hardware-aware evolutionary search over the subnets of a trained supernet (OFA, Sec. 3.4).

Once-for-All's search (Cai et al., ICLR 2020; its ``EvolutionFinder``) is a generational genetic
algorithm whose fitness is the *predicted* accuracy, under a hard constraint on the *predicted*
latency: **initialise** a population of random subnets that meet the constraint and evaluate them;
each generation **select** the best ``parent_ratio`` as parents, breed children by **mutation** of a
random parent (each kernel, expansion and depth redrawn with probability ``mutation_prob``) and
**crossover** of two (every gene from either), evaluate them, and **replace** the population by the
parents and their children. OFA's defaults: population 100, parent ratio 0.25, mutation ratio 0.5,
mutation probability 0.1. A candidate that breaks the constraint is redrawn (OFA's tutorial asks
with ``input()`` when it cannot find one; here the redraws are counted and, after ``max_tries``,
a mutant or crossover falls back to a copy of its parent).
"""
from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from .._checks import check_int, check_range, check_seed
from .._progress import progress_bar
from .space import OFAArch, OFASpace

__all__ = ["Candidate", "Generation", "OFAEvolution"]


@dataclass(frozen=True)
class Candidate:
    """A scored subnet: predicted ``accuracy`` and ``latency`` (ms), how it was bred, from which parents."""

    arch: OFAArch
    accuracy: float
    latency: float
    origin: str = "random"                 # 'random', 'mutation', 'crossover' or 'copy'
    parents: tuple[OFAArch, ...] = ()

    def __repr__(self):
        return (f"Candidate({self.arch}, accuracy={self.accuracy:.4g}, latency={self.latency:.3g} ms, "
                f"{self.origin})")


@dataclass(frozen=True)
class Generation:
    """One generation: its ``population`` (best first), the ``parents`` selected from the previous
    one, the ``children`` bred from them, and how many candidates broke the constraint (``redrawn``)."""

    index: int
    population: tuple[Candidate, ...]
    parents: tuple[Candidate, ...] = ()
    children: tuple[Candidate, ...] = ()
    redrawn: int = 0

    @property
    def best(self) -> Candidate:
        return self.population[0]

    def __repr__(self):
        return (f"Generation({self.index}, {len(self.population)} members, best {self.best.accuracy:.4g} "
                f"at {self.best.latency:.3g} ms, {self.redrawn} redrawn)")


class OFAEvolution:
    """OFA's evolution over ``space`` under ``latency(arch) <= constraint`` (ms), maximising ``accuracy``.

    ``accuracy``: an ``AccuracyPredictor`` (anything with ``predict(archs)``) or a callable arch ->
    float; ``latency``: a callable arch -> ms (a ``LatencyTable``). ``step()`` makes one generation
    (the first call initialises) and returns it; ``run(generations)`` repeats; ``generations_``
    records them all, ``best_`` is the best candidate found. Seeded by ``seed``; global RNGs untouched.
    """

    def __init__(self, space: OFASpace, accuracy, latency, constraint: float,
                 population_size: int = 100, parent_ratio: float = 0.25, mutation_ratio: float = 0.5,
                 mutation_prob: float = 0.1, max_tries: int = 500, seed: int = 0):
        if not isinstance(space, OFASpace):
            raise TypeError(f"space must be an OFASpace, got {type(space).__name__}")
        if not (callable(accuracy) or callable(getattr(accuracy, "predict", None))):
            raise TypeError("accuracy must be a callable arch -> float or have predict(archs)")
        if not callable(latency):
            raise TypeError("latency must be a callable arch -> milliseconds (e.g. a LatencyTable)")
        if isinstance(constraint, bool) or not isinstance(constraint, (int, float)) or not constraint > 0:
            raise ValueError(f"constraint must be a positive latency in ms, got {constraint!r}")
        population_size = check_int(population_size, "population_size", minimum=2)
        max_tries = check_int(max_tries, "max_tries")
        self.space, self.accuracy, self.latency = space, accuracy, latency
        self.constraint, self.population_size = float(constraint), population_size
        self.parent_ratio = check_range(parent_ratio, "parent_ratio", 0, 1, low_open=True)
        self.mutation_ratio = check_range(mutation_ratio, "mutation_ratio", 0, 1)
        self.mutation_prob = check_range(mutation_prob, "mutation_prob", 0, 1, low_open=True)
        self.max_tries, self.seed = max_tries, check_seed(seed)
        self.generations_: list[Generation] = []
        self.rng_: random.Random | None = None

    def __repr__(self):
        best = f", best {self.best_!r}" if self.generations_ else ""
        return (f"OFAEvolution(constraint={self.constraint:g} ms, population_size={self.population_size}, "
                f"parent_ratio={self.parent_ratio}, mutation_prob={self.mutation_prob}, seed={self.seed})"
                f" # {len(self.generations_)} generations{best}")

    @property
    def n_parents(self) -> int:
        return max(1, round(self.parent_ratio * self.population_size))

    @property
    def best_(self) -> Candidate:
        """The best candidate of all generations (the population keeps its parents, so the last's best)."""
        if not self.generations_:
            raise RuntimeError("no generation yet: call step() or run()")
        return self.generations_[-1].best

    def reset(self) -> None:
        self.rng_ = random.Random(self.seed)
        self.generations_ = []

    def _score(self, archs) -> np.ndarray:
        predict = getattr(self.accuracy, "predict", None)
        if callable(predict):
            return np.asarray(predict(archs), dtype=float)
        return np.array([self.accuracy(a) for a in archs], dtype=float)

    def _valid(self, draw, fallback=None):
        """(arch, latency, redraws): ``draw()`` until it meets the constraint, at most ``max_tries`` times."""
        lowest = float("inf")
        for tries in range(self.max_tries):
            arch = draw()
            ms = float(self.latency(arch))
            if ms <= self.constraint:
                return arch, ms, tries
            lowest = min(lowest, ms)
        if fallback is not None:
            return fallback, float(self.latency(fallback)), self.max_tries
        raise ValueError(f"no random subnet met the constraint of {self.constraint:g} ms in "
                         f"{self.max_tries} draws (the lowest latency drawn: {lowest:.3g} ms; the "
                         f"smallest subnet's: {float(self.latency(self.space.smallest())):.3g} ms); "
                         "raise the constraint")

    def _generation(self, index, bred, parents=()) -> Generation:
        """Score the children ``bred`` [(arch, latency, origin, parents, redraws)], join, rank."""
        accs = self._score([b[0] for b in bred])
        children = tuple(Candidate(a, float(acc), ms, origin, ps)
                         for (a, ms, origin, ps, _), acc in zip(bred, accs))
        # stable sort: among equals, parents (older) first, as OFA's sorted() keeps them
        population = tuple(sorted(parents + children, key=lambda c: -c.accuracy))
        return Generation(index, population, parents, children, sum(b[4] for b in bred))

    def step(self) -> Generation:
        """Make (and record) the next generation: the random first one, then select-breed-replace."""
        if self.rng_ is None:
            self.reset()
        rng, space = self.rng_, self.space
        if not self.generations_:  # initialise
            bred = []
            for _ in range(self.population_size):
                arch, ms, tries = self._valid(lambda: space.sample(seed=rng))
                bred.append((arch, ms, "random", (), tries))
            gen = self._generation(0, bred)
        else:
            parents = self.generations_[-1].population[:self.n_parents]  # select
            n_mutants = round(self.mutation_ratio * self.population_size)
            bred = []
            for k in range(self.population_size):
                if k < n_mutants or len(parents) < 2:  # mutate a random parent
                    p = parents[rng.randrange(len(parents))]
                    arch, ms, tries = self._valid(
                        lambda: space.mutate(p.arch, self.mutation_prob, seed=rng), p.arch)
                    bred.append((arch, ms, "mutation" if tries < self.max_tries else "copy",
                                 (p.arch,), tries))
                else:  # crossover of two random parents
                    p, q = (parents[rng.randrange(len(parents))] for _ in range(2))
                    arch, ms, tries = self._valid(lambda: space.crossover(p.arch, q.arch, seed=rng), p.arch)
                    bred.append((arch, ms, "crossover" if tries < self.max_tries else "copy",
                                 (p.arch, q.arch), tries))
            gen = self._generation(len(self.generations_), bred, tuple(parents))  # replace
        self.generations_.append(gen)
        return gen

    def run(self, generations: int, progress: bool = False) -> "OFAEvolution":
        """Make ``generations`` more generations (the first call's first one initialises); returns self."""
        it = range(check_int(generations, "generations"))
        it = progress_bar(progress, it, desc=f"evolution under {self.constraint:g} ms",
                          unit="generation") or it
        for _ in it:
            self.step()
        return self

    def best_so_far(self) -> np.ndarray:
        """Best predicted accuracy after each generation."""
        return np.maximum.accumulate([g.best.accuracy for g in self.generations_])
