"""BOHB as its reference implementation HpBandSter runs it, and as NAS-Bench-201 ran HpBandSter.

BOHB (Falkner et al., ICML 2018) was published with HpBandSter, and NAS-Bench-201 (Dong & Yang,
ICLR 2020, Table 5) ran HpBandSter on its table (AutoDL-Projects, ``exps/algos/BOHB.py`` and
``scripts-search/algos/BOHB.sh`` of January 2020): eta 3, budgets 12 to 200 epochs, 4 samples,
random fraction 0, bandwidth factor 3, minimum bandwidth 0.3. Its worker answered *every*
evaluation, promotions included, with the 12-epoch result and charged 12 epochs of training each
time, so the budgets only steer the schedule and the incumbent, which HpBandSter chooses among the
configurations evaluated at the top budget. ``query_epoch=12`` reproduces that; the trial's
``info["budget"]`` carries the nominal budget, by which ``History.best()`` ranks it.

Where HpBandSter differs from naskit's ``BOHB`` (the differences this class keeps):
budgets are ``max_budget * eta**-k``, ``k = K-1, ..., 0``, ``K = 1 + int(log(max/min) / log eta)``
(12..200 with eta 3 gives 22.2, 66.7 and 200), and bracket ``s`` starts
``floor(K / (s + 1)) * eta**s`` configurations (9 -> 3 -> 1, 3 -> 1, 3); promoted configurations
run in the order they were drawn. A budget's results are recorded until a model exists at a higher
budget; the model (largest budget) is fitted once the best ``max(d + 1, 15%)`` ("good") and the next
``max(d + 1, 85%)`` ("bad") results each hold more than ``d`` rows (``d`` edges). Each density is
statsmodels' product Aitchison-Aitken kernel (match ``1 - h``, other ``h / (levels - 1)``, levels =
the ops present in that edge's data) with Scott's normal-reference bandwidth on the op indices
(``1.06 * std * n**(-1 / (4 + d))``) raised to ``min_bandwidth``. A candidate is a good result
whose every op is kept with probability ``1 - h``, else redrawn uniformly (``bandwidth_factor``
widens continuous parameters only, so it has no effect here); of ``n_samples`` candidates the one
minimising ``g(x) / l(x)`` wins, with HpBandSter's rule for non-finite ratios. Draws before any
model, and a ``random_fraction`` of the others, are uniform; trained archs are not excluded.
"""
from __future__ import annotations

import math

import numpy as np

from .._checks import check_int, check_positive, check_range
from ._brackets import Brackets
from .bohb import MAX_SAMPLES
from .base import Proposal

__all__ = ["HpBandSterBOHB"]


class HpBandSterBOHB(Brackets):
    """HpBandSter's BOHB, by default with NAS-Bench-201's settings (see the module docstring).

    ``query_epoch``: epochs every evaluation is trained (and charged) for, whatever its budget
    (NB201: 12); ``None`` trains each for its budget, which must then be a whole number of epochs.
    Notes ``info={"bracket": b, "stage": i, "budget": epochs, "model": True/False/None}``
    (None: promoted, not newly drawn); ``rung_`` is HpBandSter's stage.
    """

    _promote_in_drawn_order = True  # HpBandSter runs promoted configurations in the order drawn

    def __init__(self, space, min_budget: float = 12, max_budget: float = 200, eta: int = 3,
                 query_epoch: int | None = 12, n_samples: int = 4, random_fraction: float = 0.0,
                 top_fraction: float = 0.15, bandwidth_factor: float = 3.0,
                 min_bandwidth: float = 0.3, seed: int | None = 0):
        super().__init__(space, seed)
        check_positive(min_budget, "min_budget (epochs)")
        check_positive(max_budget, "max_budget (epochs)")
        if min_budget > max_budget:
            raise ValueError(f"min_budget={min_budget} is above max_budget={max_budget}")
        eta = check_int(eta, "eta", 2)
        if query_epoch is not None:
            query_epoch = check_int(query_epoch, "query_epoch")
        n_samples = check_int(n_samples, "n_samples", maximum=MAX_SAMPLES)
        check_range(random_fraction, "random_fraction", 0, 1)
        check_range(top_fraction, "top_fraction", 0, 1, low_open=True, high_open=True)
        check_positive(bandwidth_factor, "bandwidth_factor")
        check_positive(min_bandwidth, "min_bandwidth")
        k = -int(np.log(min_budget / max_budget) / np.log(eta)) + 1  # HpBandSter's max_SH_iter
        self.budgets = tuple(float(b) for b in max_budget * np.power(float(eta), -np.linspace(k - 1, 0, k)))
        if query_epoch is None:
            bad = [b for b in self.budgets if abs(b - round(b)) > 1e-6]
            if bad:
                raise ValueError(f"budgets {[round(b, 2) for b in bad]} are not whole epochs; "
                                 "give query_epoch, or budgets that are powers of eta apart")
        self.min_budget, self.max_budget, self.eta = min_budget, max_budget, eta
        self.query_epoch, self.n_samples = query_epoch, n_samples
        self.random_fraction, self.top_fraction = float(random_fraction), float(top_fraction)
        self.bandwidth_factor, self.min_bandwidth = float(bandwidth_factor), float(min_bandwidth)
        self.min_points_in_model = space.n_edges + 1  # HpBandSter's default: dimensions + 1

    def _hyper(self):
        return dict(budgets=tuple(round(b, 1) for b in self.budgets), eta=self.eta,
                    query_epoch=self.query_epoch, n_samples=self.n_samples,
                    random_fraction=self.random_fraction, min_bandwidth=self.min_bandwidth)

    def bracket_sizes(self, s: int) -> list[tuple[int, float]]:
        """``(n_configs, budget)`` of each stage of the bracket with ``s`` halvings (HpBandSter)."""
        k = len(self.budgets)
        if not 0 <= s < k:
            raise ValueError(f"s must be in 0..{k - 1} for budgets {self.budgets}, got {s}")
        n0 = math.ceil(math.floor(k / (s + 1)) * self.eta ** s)
        return [(max(int(n0 * self.eta ** (-i)), 1), self.budgets[k - 1 - s + i])
                for i in range(s + 1)]

    def _reset(self):
        self.np_rng_ = np.random.default_rng(self.seed)
        self._op_index = {op: k for k, op in enumerate(self.space.ops)}
        self.results_: dict[float, list[tuple[tuple[int, ...], float]]] = {}  # budget -> (ops, loss)
        self.models_: dict[float, tuple] = {}  # budget -> (good, good bw, bad, bad bw)
        self._reset_brackets()

    def _n_rungs(self) -> int:
        return len(self.budgets)

    def _propose(self) -> Proposal:
        code, budget = self._next()
        epoch = self.query_epoch if self.query_epoch is not None else int(round(budget))
        info = {"bracket": self.bracket_, "stage": self.rung_, "budget": budget}
        model = None
        if code is None:
            code, model = self._draw()
        return Proposal(self._arch(code), epoch, {**info, "model": model})

    def _observe(self, arch, fitness, result, step):
        code = tuple(self._op_index[op] for op in arch.ops)
        budget = self._schedule()[self.rung_][1]
        self._record(code, fitness)
        self._new_result(budget, code, 100.0 - fitness)  # HpBandSter minimises NB201's loss

    # -- the model -----------------------------------------------------------------------------
    def _new_result(self, budget, code, loss):
        if self.models_ and max(self.models_) > budget:
            return  # HpBandSter stops recording a budget once a higher one has a model
        data = self.results_.setdefault(budget, [])
        data.append((code, loss))
        n, d, m = len(data), self.space.n_edges, self.min_points_in_model
        if n < m:
            return
        pct = round(100 * self.top_fraction)  # HpBandSter's top_n_percent
        n_good, n_bad = max(m, pct * n // 100), max(m, (100 - pct) * n // 100)
        order = np.argsort([loss for _, loss in data], kind="stable")
        codes = np.array([c for c, _ in data], np.int64)
        good, bad = codes[order[:n_good]], codes[order[n_good:n_good + n_bad]]
        if len(good) <= d or len(bad) <= d:
            return
        self.models_[budget] = (good, self.bandwidths(good), bad, self.bandwidths(bad))

    def bandwidths(self, data: np.ndarray) -> np.ndarray:
        """Per-edge bandwidth: Scott's normal-reference rule on op indices, at least ``min_bandwidth``."""
        n, d = data.shape
        return np.maximum(1.06 * data.std(axis=0) * n ** (-1.0 / (4 + d)), self.min_bandwidth)

    @staticmethod
    def density(x, data: np.ndarray, bw: np.ndarray) -> float:
        """statsmodels' product Aitchison-Aitken density of encoded arch ``x`` (levels from ``data``)."""
        levels = np.array([len(np.unique(col)) for col in data.T])
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            kernel = np.where(data == np.asarray(x)[None, :], 1 - bw, bw / (levels - 1))
            return float(kernel.prod(axis=1).mean())

    def _uniform(self):
        return tuple(int(k) for k in self.np_rng_.integers(len(self.space.ops), size=self.space.n_edges))

    def _draw(self):
        rng = self.np_rng_
        if not self.models_ or rng.random() < self.random_fraction:
            return self._uniform(), False
        good, bw_good, bad, bw_bad = self.models_[max(self.models_)]
        c = len(self.space.ops)
        best, best_code = math.inf, None
        for _ in range(self.n_samples):
            datum = good[rng.integers(len(good))]
            keep = rng.random(len(datum)) < 1 - bw_good
            code = tuple(int(k) for k in np.where(keep, datum, rng.integers(c, size=len(datum))))
            lx, gx = self.density(code, good, bw_good), self.density(code, bad, bw_bad)
            # Python's max, as HpBandSter writes it: max(1e-32, nan) is 1e-32, max(nan, 1e-32) nan
            val = max(1e-32, gx) / max(lx, 1e-32)
            if not math.isfinite(val):
                if math.isfinite(lx):  # HpBandSter takes such a candidate at once
                    return code, True
                continue
            if val < best:
                best, best_code = val, code
        if best_code is None:
            return self._uniform(), False
        return best_code, True
