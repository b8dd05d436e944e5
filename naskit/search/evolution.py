"""Evolutionary search: regularized (ageing) evolution and an OFA-style genetic algorithm.

``RegularizedEvolution`` is Algorithm 1 of Real et al. (AAAI 2019): a population of
``population_size`` archs, each cycle a tournament of ``sample_size`` members drawn at random (with
replacement, as in the paper's pseudo-code and NB201's code), the winner's child (one edge's op
changed) joins the population and the *oldest* member leaves, whatever its fitness. NAS-Bench-201
(Dong & Yang, ICLR 2020) ran it with a population of 10 and tournaments of 3. ``removal="worst"``
is the non-ageing control the paper compares against: the worst member leaves instead (here the
worst of the members other than the child, so every child is sampled at least once).

``GeneticEvolution`` is the generational evolution of Once-for-All (Cai et al., ICLR 2020): keep the
best ``parent_ratio`` of the population, then fill a new generation with mutants of random parents
(each edge's op resampled with probability ``mutation_prob``) and uniform crossovers of two random
parents (each edge's op taken from either).

Both record what they do in the trial they propose (``info``): the members bred from
(``"population"``), the tournament or the parents, and who leaves when the child joins
(``"removed"``). ``EvolutionFrame.of(history, step)`` only reads those notes back, cycle by cycle,
for an evolution stepper; it knows no population rule of its own.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from .._checks import check_int, check_range
from ..history import History, Trial
from ..space import Arch
from .base import Proposal, Strategy

__all__ = ["RegularizedEvolution", "GeneticEvolution", "EvolutionFrame"]

_REMOVALS = ("oldest", "worst")


class RegularizedEvolution(Strategy):
    """Ageing evolution: tournament selection, one-edge mutation, the oldest member dies.

    ``population_`` holds ``(arch, fitness, step)`` from oldest to youngest. Each proposal notes
    ``info={"parent": step, "sample": (steps...), "population": (steps...), "removed": (steps...)}``:
    the parent's history step, the tournament's draws in order, the living members it was bred
    from (oldest first) and the member that leaves when it joins (none while the first population
    fills; the initial random ones have ``"parent": None, "sample": ()``). Who leaves does not
    depend on the child's fitness, so it is decided when the child is proposed, by ``_leaving()``,
    the rule ``observe`` then applies. ``removal``: 'oldest' (ageing, the paper's method) or
    'worst' (its non-ageing control; ties: the oldest).
    """

    def __init__(self, space, population_size: int = 10, sample_size: int = 3,
                 removal: str = "oldest", seed: int | None = 0):
        super().__init__(space, seed)
        self.population_size = check_int(population_size, "population_size")
        # tournaments draw with replacement; more than the population adds nothing
        self.sample_size = check_int(sample_size, "sample_size (at most population_size)",
                                     maximum=self.population_size)
        if removal not in _REMOVALS:
            raise ValueError(f"unknown removal {removal!r}; choose from {list(_REMOVALS)}")
        self.removal = removal

    def _hyper(self):
        hyper = dict(population_size=self.population_size, sample_size=self.sample_size)
        if self.removal != "oldest":
            hyper["removal"] = self.removal
        return hyper

    def _reset(self):
        self.population_: deque = deque()

    def _leaving(self) -> int | None:
        """The position in ``population_`` of the member that leaves when the next one joins."""
        members = self.population_
        if len(members) < self.population_size:
            return None
        if self.removal == "oldest":
            return 0  # ageing: remove the oldest, not the worst
        return min(range(len(members)), key=lambda i: members[i][1])  # the oldest of the worst

    def _propose(self) -> Proposal:
        members, gone = self.population_, self._leaving()
        notes = {"population": tuple(m[2] for m in members),
                 "removed": () if gone is None else (members[gone][2],)}
        if self.n_observed_ < self.population_size:
            return Proposal(self.space.sample(seed=self.rng_),
                            info={"parent": None, "sample": (), **notes})
        sample = [members[self.rng_.randrange(len(members))] for _ in range(self.sample_size)]
        parent = max(sample, key=lambda m: m[1])  # the first of equals wins, as max() keeps it
        return Proposal(self.space.mutate(parent[0], seed=self.rng_),
                        info={"parent": parent[2], "sample": tuple(m[2] for m in sample), **notes})

    def _observe(self, arch, fitness, result, step):
        gone = self._leaving()
        if gone is not None:
            del self.population_[gone]
        self.population_.append((arch, fitness, step))


class GeneticEvolution(Strategy):
    """OFA-style generations: top ``parent_ratio`` survive, children by mutation and crossover.

    Generation 0 is ``population_size`` random archs. Each later generation proposes
    ``population_size`` children: ``round(mutation_ratio * population_size)`` mutants of a random
    parent, the rest uniform crossovers of two random parents. The next parents are the best
    ``round(parent_ratio * population_size)`` of the parents and the children. One change from
    OFA, which scored children with a free accuracy predictor: a mutant identical to its parent is
    redrawn, since here every evaluation is paid for. Notes ``info={"generation": g, "parents":
    (steps...), "population": (steps...), "removed": (steps...)}``: the members bred from
    (generation 0: its members observed so far; later: the generation's parents, best first, and on
    its first child the whole pool the parents were selected from) and, on a generation's first
    child, the members the selection dropped.
    """

    def __init__(self, space, population_size: int = 20, parent_ratio: float = 0.25,
                 mutation_ratio: float = 0.5, mutation_prob: float = 0.1, seed: int | None = 0):
        super().__init__(space, seed)
        self.population_size = check_int(population_size, "population_size", 2)
        self.parent_ratio = check_range(parent_ratio, "parent_ratio", 0, 1, low_open=True)
        self.mutation_ratio = check_range(mutation_ratio, "mutation_ratio", 0, 1)
        self.mutation_prob = check_range(mutation_prob, "mutation_prob", 0, 1, low_open=True)

    def _hyper(self):
        return dict(population_size=self.population_size, parent_ratio=self.parent_ratio,
                    mutation_ratio=self.mutation_ratio, mutation_prob=self.mutation_prob)

    @property
    def n_parents(self) -> int:
        """How many of the best survive each generation (at least one)."""
        return max(1, round(self.parent_ratio * self.population_size))

    def _reset(self):
        self.generation_ = 0
        self.parents_: list = []      # (arch, fitness, step), best first
        self.children_: list = []     # observed members of the current generation
        self.queue_: deque = deque()  # proposals of the current generation not yet made
        self._selection = None        # (pool, dropped) steps of the last selection, to note once

    def _mutant(self, arch: Arch) -> Arch:
        rng, ops = self.rng_, self.space.ops
        while True:
            child = [rng.choice(ops) if rng.random() < self.mutation_prob else op for op in arch.ops]
            if tuple(child) != arch.ops:
                return Arch.from_ops(child, self.space.n_nodes)

    def _crossover(self, a: Arch, b: Arch) -> Arch:
        return Arch.from_ops([x if self.rng_.random() < 0.5 else y for x, y in zip(a.ops, b.ops)],
                             self.space.n_nodes)

    def _breed(self) -> None:
        pool = sorted(self.parents_ + self.children_, key=lambda m: -m[1])  # stable: older first
        if not pool:  # generation 0 (or nothing observed yet): random archs
            self.queue_.extend(Proposal(self.space.sample(seed=self.rng_),
                                        info={"generation": 0, "parents": ()})
                               for _ in range(self.population_size))
            return
        self.parents_, self.children_ = pool[:self.n_parents], []
        self._selection = (tuple(m[2] for m in pool), tuple(m[2] for m in pool[self.n_parents:]))
        self.generation_ += 1
        rng, parents, g = self.rng_, self.parents_, self.generation_
        n_mutants = round(self.mutation_ratio * self.population_size)
        for k in range(self.population_size):
            if k < n_mutants or len(parents) < 2:
                p = parents[rng.randrange(len(parents))]
                self.queue_.append(Proposal(self._mutant(p[0]), info={"generation": g,
                                                                       "parents": (p[2],)}))
            else:
                p, q = (parents[rng.randrange(len(parents))] for _ in range(2))
                self.queue_.append(Proposal(self._crossover(p[0], q[0]),
                                            info={"generation": g, "parents": (p[2], q[2])}))

    def _propose(self) -> Proposal:
        if not self.queue_:
            self._breed()
        p = self.queue_.popleft()
        if self._selection is not None:  # a generation's first child: the selection just made
            (population, removed), self._selection = self._selection, None
        else:
            members = self.parents_ if self.generation_ else self.children_
            population, removed = tuple(m[2] for m in members), ()
        return Proposal(p.arch, info={**p.info, "population": population, "removed": removed})

    def _observe(self, arch, fitness, result, step):
        self.children_.append((arch, fitness, step))


@dataclass(frozen=True)
class EvolutionFrame:
    """One cycle of an evolution, as the strategy noted it: the members bred from, the picks, the
    child, who left.

    ``population``: the members alive when the child is bred, before this cycle's removals (REA:
    the living population, oldest first; genetic: generation 0 so far, then the generation's
    parents, best first, preceded on its first child by the selection they survived).
    ``sample``, ``parents``, ``removed``: history steps (the tournament's draws, with repeats; the
    parent(s); the members that leave when the child joins). ``mutated``: the edges (string
    order) where the child's op differs from its first parent's.
    """

    child: Trial
    population: tuple[Trial, ...]
    sample: tuple[int, ...] = ()
    parents: tuple[int, ...] = ()
    mutated: tuple[int, ...] = ()
    removed: tuple[int, ...] = ()
    generation: int | None = None

    @classmethod
    def of(cls, history: History, step: int) -> "EvolutionFrame":
        """The frame of ``history[step]``, read from the notes its strategy left in the trial."""
        if not isinstance(history, History):
            raise TypeError(f"expected a History, got {type(history).__name__}")
        if not 0 <= step < len(history):
            raise IndexError(f"step {step} is outside the history: choose 0..{len(history) - 1}")
        t = history[step]
        missing = [k for k in ("population", "removed") if k not in t.info]
        if not ("parent" in t.info or "parents" in t.info):
            missing.append("parent")
        if missing:
            raise ValueError(f"trial {t.step} has no {' or '.join(map(repr, missing))} note: the history was "
                             f"not made by RegularizedEvolution or GeneticEvolution (its strategy: "
                             f"{history.strategy or '?'})")
        if "parents" in t.info:
            parents, sample, generation = tuple(t.info["parents"]), (), t.info.get("generation")
        else:
            parents = () if t.info["parent"] is None else (t.info["parent"],)
            sample, generation = tuple(t.info.get("sample", ())), None
        changed = ()
        if parents:
            ops = history[parents[0]].arch.ops
            changed = tuple(e for e, (a, b) in enumerate(zip(ops, t.arch.ops)) if a != b)
        return cls(t, tuple(history[s] for s in t.info["population"]), sample, parents, changed,
                   tuple(t.info["removed"]), generation)

    @property
    def step(self) -> int:
        """The history step of the child."""
        return self.child.step

    @property
    def ages(self) -> tuple[int, ...]:
        """How many trials ago each population member was born, when the child is."""
        return tuple(self.step - m.step for m in self.population)

    @property
    def survivors(self) -> tuple[int, ...]:
        """The steps alive once the child has joined, the child last (regularized evolution's
        population after this cycle; a genetic generation's parents and this child)."""
        gone = set(self.removed)
        return tuple(m.step for m in self.population if m.step not in gone) + (self.step,)

    def __repr__(self):
        gen = "" if self.generation is None else f", generation={self.generation}"
        return (f"EvolutionFrame(step={self.step}{gen}, {len(self.population)} members, "
                f"sample={self.sample}, parents={self.parents}, mutated={self.mutated}, "
                f"removed={self.removed}, child fitness={self.child.fitness:.2f})")
