"""BOHB: Hyperband's brackets of successive halving, with a density-ratio model proposing archs.

Hyperband (Li et al., JMLR 2018) trains many archs for few epochs and promotes the best
``1/eta`` to ``eta`` times more epochs, rung by rung; its brackets trade many cheap evaluations
against few long ones. BOHB (Falkner et al., ICML 2018) replaces Hyperband's random draws by a
TPE-like model: at the highest fidelity with enough results it splits them into the best
``top_fraction`` ("good") and the rest ("bad"), fits a kernel density to each, draws ``n_samples``
candidates from a widened good density and proposes the one maximising l(x)/g(x); a
``random_fraction`` of proposals stays uniformly random.

Choices made here, documented because the papers leave them open for categorical spaces: each
edge's op gets an Aitchison-Aitken kernel (match: 1 - bandwidth; any other op: bandwidth / (ops - 1))
with a fixed ``bandwidth`` (BOHB's Scott's-rule estimate has no meaning for unordered ops);
candidates are drawn with ``bandwidth * bandwidth_factor`` (capped at the uniform distribution);
archs already trained at the rung are not proposed again. The rungs are the Hyperband ladder
``max_epoch, max_epoch / eta, ...`` down to ``min_epoch``, each rounded down to an epoch count the
benchmark has (``fidelities``); NAS-Bench-201's tables have 12 and 200 epochs, so there BOHB
with ``min_epoch=12, max_epoch=200`` promotes from 12 to 200 epochs. The synchronous schedule
waits for a rung's results before promoting: ``propose()`` raises if they are missing.
"""
from __future__ import annotations

import math

import numpy as np

from .._checks import check_int, check_range
from ..space import Arch
from ._brackets import Brackets
from .base import Proposal

__all__ = ["BOHB", "hyperband_rungs"]

MAX_SAMPLES = 100_000  # candidates the model draws per proposal: past this a step takes minutes


def hyperband_rungs(min_epoch: int, max_epoch: int, eta: int = 3, fidelities=None) -> tuple[int, ...]:
    """Rung epochs, ascending: ``max_epoch / eta**k`` down to ``min_epoch``, snapped down to ``fidelities``."""
    min_epoch, max_epoch = check_int(min_epoch, "min_epoch"), check_int(max_epoch, "max_epoch")
    if min_epoch > max_epoch:
        raise ValueError(f"min_epoch={min_epoch} is above max_epoch={max_epoch}")
    eta = check_int(eta, "eta", 2)
    avail = sorted(f for f in (fidelities or range(min_epoch, max_epoch + 1))
                   if min_epoch <= f <= max_epoch)
    if not avail:
        raise ValueError(f"no fidelity between min_epoch={min_epoch} and max_epoch={max_epoch}; "
                         f"the benchmark has {sorted(fidelities)}")
    s_max = int(math.floor(math.log(max_epoch / min_epoch) / math.log(eta) + 1e-9))
    rungs = set()
    for k in range(s_max + 1):
        r = max_epoch / eta ** k
        below = [f for f in avail if f <= r + 1e-9]
        rungs.add(below[-1] if below else avail[0])
    return tuple(sorted(rungs))


class BOHB(Brackets):
    """Hyperband brackets over ``rungs`` with model-based proposals (see the module docstring).

    ``rungs`` are the epoch counts used; bracket ``b`` (cycling ``s = S, S-1, ..., 0`` with
    ``S = len(rungs) - 1``) starts ``ceil((S + 1) / (s + 1) * eta**s)`` archs at rung ``S - s`` and
    keeps the best ``1/eta`` at each later rung. Notes ``info={"bracket": b, "rung": i,
    "model": True/False/None}`` (None: promoted, not newly drawn).
    """

    def __init__(self, space, min_epoch: int = 12, max_epoch: int = 200, eta: int = 3,
                 fidelities=None, n_samples: int = 64, random_fraction: float = 1 / 3,
                 top_fraction: float = 0.15, bandwidth: float = 0.2, bandwidth_factor: float = 3.0,
                 seed: int | None = 0):
        super().__init__(space, seed)
        self.rungs = hyperband_rungs(min_epoch, max_epoch, eta, fidelities)
        self.min_epoch, self.max_epoch, self.eta = min_epoch, max_epoch, eta
        self.fidelities = None if fidelities is None else tuple(fidelities)
        n_samples = check_int(n_samples, "n_samples", maximum=MAX_SAMPLES)
        for name, v, lo, hi in (("random_fraction", random_fraction, 0, 1),
                                ("top_fraction", top_fraction, 0, 1),
                                ("bandwidth", bandwidth, 0, (len(space.ops) - 1) / len(space.ops))):
            check_range(v, name, lo, hi, low_open=name != "random_fraction")
        if not (isinstance(bandwidth_factor, (int, float)) and bandwidth_factor >= 1):
            raise ValueError(f"bandwidth_factor must be >= 1, got {bandwidth_factor!r}")
        self.n_samples, self.random_fraction = n_samples, float(random_fraction)
        self.top_fraction, self.bandwidth = float(top_fraction), float(bandwidth)
        self.bandwidth_factor = float(bandwidth_factor)
        self.min_points_in_model = space.n_edges + 1  # BOHB's default: dimensions + 1

    def _hyper(self):
        return dict(rungs=self.rungs, eta=self.eta, n_samples=self.n_samples,
                    random_fraction=round(self.random_fraction, 4), top_fraction=self.top_fraction,
                    bandwidth=self.bandwidth, bandwidth_factor=self.bandwidth_factor)

    def bracket_sizes(self, s: int) -> list[tuple[int, int]]:
        """``(n_archs, epoch)`` for each rung of a bracket with ``s`` halvings (Li et al., Alg. 1)."""
        S = len(self.rungs) - 1
        if not 0 <= s <= S:
            raise ValueError(f"s must be in 0..{S} for rungs {self.rungs}, got {s}")
        n = math.ceil((S + 1) * self.eta ** s / (s + 1))
        return [(n // self.eta ** i, self.rungs[S - s + i]) for i in range(s + 1)]

    def _reset(self):
        self.np_rng_ = np.random.default_rng(self.seed)
        self.observations_: dict[int, list[tuple[Arch, float]]] = {r: [] for r in self.rungs}
        self._codes = {r: [] for r in self.rungs}      # each observation's ops as op indices
        self._trained = {r: set() for r in self.rungs}  # the same, as a set of tuples
        self._op_index = {op: k for k, op in enumerate(self.space.ops)}
        self._reset_brackets()

    def _n_rungs(self) -> int:
        return len(self.rungs)

    def _propose(self) -> Proposal:
        arch, epoch = self._next()
        info = {"bracket": self.bracket_, "rung": self.rung_}
        if arch is not None:
            return Proposal(arch, epoch, {**info, "model": None})
        arch, model = self._draw(epoch)
        return Proposal(arch, epoch, {**info, "model": model})

    def _observe(self, arch, fitness, result, step):
        if result.epoch in self.observations_:
            code = tuple(self._op_index[op] for op in arch.ops)
            self.observations_[result.epoch].append((arch, fitness))
            self._codes[result.epoch].append(code)
            self._trained[result.epoch].add(code)
        if result.epoch == self._schedule()[self.rung_][1]:
            self._record(arch, fitness)

    # -- the model -----------------------------------------------------------------------------
    def _random(self, exclude) -> Arch:
        for _ in range(1000):
            code = tuple(int(k) for k in self.np_rng_.integers(len(self.space.ops), size=self.space.n_edges))
            if code not in exclude:
                break
        return self._arch(code)

    def _encode(self, archs) -> np.ndarray:
        return np.array([[self._op_index[op] for op in a.ops] for a in archs],
                        np.int64).reshape(-1, self.space.n_edges)

    def density(self, x: np.ndarray, data: np.ndarray, bandwidth: float | None = None) -> np.ndarray:
        """Product Aitchison-Aitken kernel density of encoded archs ``x`` given encoded ``data``."""
        lam = self.bandwidth if bandwidth is None else bandwidth
        c, d = len(self.space.ops), x.shape[1]
        matches = (x[:, None, :] == data[None, :, :]).sum(axis=2)
        m = np.arange(d + 1)  # the kernel product depends only on how many edges match
        kernel = (1 - lam) ** m * (lam / (c - 1)) ** (d - m)
        return kernel[matches].mean(axis=1)

    def _draw(self, epoch: int) -> tuple[Arch, bool]:
        exclude = self._trained[epoch]
        if self.np_rng_.random() < self.random_fraction:
            return self._random(exclude), False
        ready = [r for r in self.rungs if len(self.observations_[r]) >= self.min_points_in_model + 2]
        if not ready:
            return self._random(exclude), False
        fitness = np.array([f for _, f in self.observations_[ready[-1]]])
        codes = np.array(self._codes[ready[-1]], np.int64)[np.argsort(-fitness, kind="stable")]
        n_good = max(self.min_points_in_model, int(self.top_fraction * len(codes)))
        good, bad = codes[:n_good], codes[n_good:]
        c = len(self.space.ops)
        wide = min(self.bandwidth * self.bandwidth_factor, (c - 1) / c)
        rng = self.np_rng_
        centres = good[rng.integers(len(good), size=self.n_samples)]
        change = rng.random(centres.shape) < wide
        # a different op, uniformly: shift by 1..c-1 modulo c
        other = (centres + rng.integers(1, c, size=centres.shape)) % c
        cand = np.where(change, other, centres)
        score = self.density(cand, good) / np.maximum(self.density(cand, bad), 1e-300)
        for k in np.argsort(-score, kind="stable"):
            code = tuple(int(j) for j in cand[k])
            if code not in exclude:
                return self._arch(code), True
        return self._random(exclude), False
