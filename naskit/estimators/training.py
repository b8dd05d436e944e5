"""Estimators that train a little: training speed, early stopping, curve extrapolation, subsets.

Ru et al., "Speedy Performance Estimation for Neural Architecture Search" (NeurIPS 2021) estimate
final performance by how fast a net trains. With L_t the mean over the minibatches of epoch t of
the training loss each minibatch had when it was trained on,

- TSE     = sum_{t=1..T} L_t          (the whole first T epochs)
- TSE-E   = sum_{t=T-E+1..T} L_t      (only the last E of them; the paper finds E = 1 works well)
- TSE-EMA = sum_{t=1..T} gamma^(T-t) L_t   (later epochs weigh more; naskit's default gamma 0.9)

negated here so that bigger is better. The authors' public code (github.com/rubinxin/TSE,
rank_correlation_comparison.py) computes TSE-EMA as a running average that gives the newest epoch
weight 0.9 (ema = 0.1 ema + 0.9 L_t), which ranks like gamma = 1/9 in the sum above; pass
``gamma`` to choose. The paper's baselines are here too: early stopping (the
validation accuracy after the same T epochs) and learning-curve extrapolation (Domhan et al.
2015, see ``curves``); so is training on a subset of the data (the lecture's subset selection;
Na et al., "Accelerating Neural Architecture Search via Proxy Data", IJCAI 2021). The functions
take a ``TrainLog`` (a lesson that trains live) or per-epoch losses. The estimators read a
benchmark's per-epoch columns (``train_loss``, ``valid_acc_curve``: arrays of shape
(archs, epochs)) and are charged the benchmark's training time; ``SubsetTraining`` really trains.
"""
from __future__ import annotations

import numpy as np

from .._checks import check_int, check_positive, check_range, check_seed
from ..bench import Benchmark
from ..datasets import Dataset
from ..model import build
from ..train import TrainLog, train
from ._net import check_net_args
from .base import Estimator
from .curves import CURVES, MIN_POINTS, CurveFit, fit_curve

__all__ = ["epoch_losses", "tse", "tse_e", "tse_ema", "TSE", "TSEE", "TSEEMA", "EarlyStopping",
           "CurveExtrapolation", "SubsetTraining"]


def epoch_losses(log: TrainLog) -> np.ndarray:
    """L_t: per epoch, the mean of its minibatches' training losses (``log.step_loss``)."""
    epochs = len(log.epoch_train_loss)
    steps = len(log.step_loss)
    if not epochs or steps % epochs:
        raise ValueError(f"the TrainLog has {steps} step losses for {epochs} epochs; need a "
                         "whole number of steps per epoch")
    return np.asarray(log.step_loss, dtype=float).reshape(epochs, -1).mean(1)


def _losses(losses, epochs) -> np.ndarray:
    if isinstance(losses, TrainLog):
        values = epoch_losses(losses)
    else:
        values = np.asarray(losses, dtype=float)
        if values.ndim != 1 or not len(values):
            raise ValueError(f"losses must be a TrainLog or one mean loss per epoch, got shape "
                             f"{values.shape}")
    if epochs is None:
        return values
    if not isinstance(epochs, (int, np.integer)) or not 1 <= epochs <= len(values):
        raise ValueError(f"epochs must be an int in 1..{len(values)} (the epochs recorded), "
                         f"got {epochs!r}")
    return values[:epochs]


def tse(losses, epochs: int | None = None) -> float:
    """-TSE: minus the sum of the per-epoch mean training losses of the first ``epochs`` epochs."""
    return -float(np.sum(_losses(losses, epochs)))


def tse_e(losses, epochs: int | None = None, last: int = 1) -> float:
    """-TSE-E: minus the sum over the ``last`` epochs among the first ``epochs``."""
    values = _losses(losses, epochs)
    if not isinstance(last, (int, np.integer)) or not 1 <= last <= len(values):
        raise ValueError(f"last must be an int in 1..{len(values)}, got {last!r}")
    return -float(np.sum(values[-last:]))


def tse_ema(losses, epochs: int | None = None, gamma: float = 0.9) -> float:
    """-TSE-EMA: minus sum_t gamma^(T-t) L_t over the first ``epochs`` epochs."""
    check_range(gamma, "gamma", 0, 1, low_open=True)
    values = _losses(losses, epochs)
    weights = gamma ** np.arange(len(values) - 1, -1, -1, dtype=float)
    return -float(np.sum(weights * values))


# -- estimators over a benchmark's curves ---------------------------------------------------
class _BenchEstimator(Estimator):
    simulated = True
    needs = ("bench",)
    #: the per-epoch column (archs, epochs) it reads
    column = ""
    #: the fewest epochs of ``column`` it can read
    min_epochs = 1

    @classmethod
    def why_unsupported(cls, bench=None, data=None):
        reason = super().why_unsupported(bench, data)
        return reason if reason is not None else cls._why_bench(bench)

    @classmethod
    def _why_bench(cls, bench) -> str | None:
        if cls.column not in bench.columns:
            return (f"needs a benchmark with a per-epoch {cls.column!r} column of shape (archs, "
                    f"epochs); {bench.name} has {sorted(bench.columns)}")
        curves = bench.columns[cls.column]
        if curves.ndim != 2:
            return (f"needs a {cls.column!r} column of shape (archs, epochs); {bench.name}'s has "
                    f"shape {curves.shape}")
        if curves.shape[1] < cls.min_epochs:
            return (f"needs at least {cls.min_epochs} epochs of {cls.column!r}{cls._why_min()}; "
                    f"{bench.name} records {curves.shape[1]}")
        return None

    @classmethod
    def _why_min(cls) -> str:
        return ""

    @classmethod
    def epochs_for(cls, bench) -> tuple[int, ...]:
        """The values of ``epochs`` this estimator accepts on ``bench`` (empty: it cannot run)."""
        if cls.why_unsupported(bench) is not None:
            return ()
        return tuple(range(cls.min_epochs, bench.columns[cls.column].shape[1] + 1))

    @classmethod
    def make(cls, bench=None, data=None, *, epochs=None, batch_size=64, channels=8,
             cells_per_stage=1, seed=0, device="cpu"):
        cls._require(bench, data)
        return cls(bench, epochs=cls.epochs_for(bench)[0] if epochs is None else epochs)

    def __init__(self, bench: Benchmark, epochs: int = 1):
        super().__init__()
        if not isinstance(bench, Benchmark):
            raise TypeError(f"{type(self).__name__} needs a naskit Benchmark (nk.bench.load()), "
                            f"got {type(bench).__name__}")
        self._require(bench)
        allowed = self.epochs_for(bench)
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) \
                or epochs not in allowed:
            raise ValueError(self._bad_epochs(bench, epochs, allowed))
        self.bench, self.epochs = bench, int(epochs)

    def _bad_epochs(self, bench, epochs, allowed) -> str:
        need = "" if self.min_epochs == 1 else \
            f"{type(self).__name__} needs at least {self.min_epochs} epochs{self._why_min()}; "
        return (f"epochs must be an int in {allowed[0]}..{allowed[-1]}, got {epochs!r} ({need}"
                f"{bench.name} records {allowed[-1]} epochs of {self.column!r})")

    def _curve(self, i: int) -> np.ndarray:
        return self.bench.columns[self.column][i, :self.epochs].astype(float)

    def _train_seconds(self, i: int) -> float:
        # reading training losses needs no evaluation: the bench's clock without one
        return self.bench.cost(i, self.epochs, evaluations=0)

    def _settings(self):
        return dict(bench=self.bench.name, epochs=self.epochs)


class TSE(_BenchEstimator):
    """-TSE after ``epochs`` epochs, from the benchmark's ``train_loss`` curves.

    A benchmark stores each epoch's mean loss over its training images, which equals the mean
    over minibatches when they all have the same size (the last one may be smaller).
    """

    name = "tse"
    column = "train_loss"

    def _score(self, arch):
        i = self.bench.index(arch)
        return tse(self._curve(i)), self._train_seconds(i)


class TSEE(TSE):
    """-TSE-E: the training losses of the ``last`` of the first ``epochs`` epochs."""

    name = "tse_e"

    def __init__(self, bench: Benchmark, epochs: int = 1, last: int = 1):
        super().__init__(bench, epochs)
        if not isinstance(last, (int, np.integer)) or not 1 <= last <= self.epochs:
            raise ValueError(f"last must be an int in 1..{self.epochs} (epochs), got {last!r}")
        self.last = int(last)

    def _score(self, arch):
        i = self.bench.index(arch)
        return tse_e(self._curve(i), last=self.last), self._train_seconds(i)

    def _settings(self):
        return {**super()._settings(), "last": self.last}


class TSEEMA(TSE):
    """-TSE-EMA: training losses weighted by gamma^(T-t)."""

    name = "tse_ema"

    def __init__(self, bench: Benchmark, epochs: int = 1, gamma: float = 0.9):
        super().__init__(bench, epochs)
        check_range(gamma, "gamma", 0, 1, low_open=True)
        self.gamma = float(gamma)

    def _score(self, arch):
        i = self.bench.index(arch)
        return tse_ema(self._curve(i), gamma=self.gamma), self._train_seconds(i)

    def _settings(self):
        return {**super()._settings(), "gamma": self.gamma}


class EarlyStopping(_BenchEstimator):
    """Validation accuracy (percent) after ``epochs`` epochs; cost as the benchmark charges it."""

    name = "early_stopping"

    @classmethod
    def _why_bench(cls, bench):
        if not bench.fidelities:
            return f"needs validation accuracies after some epochs; {bench.name} has none"
        return None

    @classmethod
    def epochs_for(cls, bench):
        return tuple(bench.fidelities) if cls.why_unsupported(bench) is None else ()

    def _bad_epochs(self, bench, epochs, allowed):
        return (f"{bench.name} has no validation accuracy after {epochs!r} epochs; choose epochs "
                f"from {list(allowed)}")

    def _score(self, arch):
        record = self.bench.query(arch, self.epochs)
        return record.valid_acc, record.cost


class CurveExtrapolation(_BenchEstimator):
    """Validation accuracy at epoch ``at`` predicted from the first ``epochs`` epochs' curve.

    Every curve model has three parameters, so it needs ``epochs`` >= 3 (``min_epochs``) and a
    benchmark that records at least that many epochs of ``valid_acc_curve``; with fewer it refuses
    (a ValueError) rather than return the last observed value. ``last_fit_`` is the CurveFit of the
    last call (``ok`` False: the fit itself failed and the last observed accuracy was returned);
    ``failures_`` counts such calls. Each observed epoch is charged its training and one
    evaluation.
    """

    name = "curve_extrapolation"
    column = "valid_acc_curve"
    min_epochs = MIN_POINTS

    @classmethod
    def _why_min(cls):
        return f" to fit a curve of {cls.min_epochs} parameters (one point per epoch)"

    def __init__(self, bench: Benchmark, epochs: int = 3, model: str = "pow3",
                 at: int | None = None):
        super().__init__(bench, epochs)
        if model not in CURVES:
            raise ValueError(f"unknown curve model {model!r}; choose from {sorted(CURVES)}")
        self.model = model
        self.at = bench.columns[self.column].shape[1] if at is None else at
        self.last_fit_: CurveFit | None = None
        self.failures_ = 0

    def _score(self, arch):
        i = self.bench.index(arch)
        fit = fit_curve(self._curve(i), at=self.at, model=self.model)
        self.last_fit_ = fit
        self.failures_ += not fit.ok
        value = float(np.clip(fit.value, 0.0, 100.0))  # accuracies are percentages
        return value, self.bench.cost(i, self.epochs, evaluations=self.epochs)

    def _settings(self):
        return {**super()._settings(), "model": self.model, "at": self.at}


# -- really training ------------------------------------------------------------------------
class SubsetTraining(Estimator):
    """Validation accuracy (percent) after training on a random ``fraction`` of the training set.

    The net is built as the zero-cost estimators build it and trained with ``nk.train`` for
    ``epochs`` epochs; the cost is the measured wall-clock time. ``last_log_`` is the TrainLog of
    the last call.
    """

    name = "subset_training"
    needs = ("data",)
    #: the share of the training images ``make`` trains on
    default_fraction = 0.1

    @classmethod
    def why_unsupported(cls, bench=None, data=None):
        reason = super().why_unsupported(bench, data)
        if reason is None and round(cls.default_fraction * len(data.y_train)) < 1:
            reason = (f"trains on {cls.default_fraction:.0%} of the training images; "
                      f"{data.name!r} has {len(data.y_train)}, too few")
        return reason

    @classmethod
    def make(cls, bench=None, data=None, *, epochs=None, batch_size=64, channels=8,
             cells_per_stage=1, seed=0, device="cpu"):
        cls._require(bench, data)
        return cls(data, fraction=cls.default_fraction, epochs=1 if epochs is None else epochs,
                   channels=channels, cells_per_stage=cells_per_stage, batch_size=batch_size,
                   seed=seed, device=device)

    def __init__(self, data: Dataset, fraction: float = 0.1, epochs: int = 1, channels: int = 8,
                 cells_per_stage: int = 1, batch_size: int = 64, lr: float = 0.2, seed: int = 0,
                 device="cpu"):
        super().__init__()
        if not isinstance(data, Dataset):
            raise TypeError(f"SubsetTraining needs a naskit Dataset, got {type(data).__name__}")
        check_range(fraction, "fraction", 0, 1, low_open=True)
        if round(fraction * len(data.y_train)) < 1:
            raise ValueError(f"fraction {fraction} of {len(data.y_train)} training images is "
                             "no image at all")
        epochs = check_int(epochs, "epochs")
        check_net_args(channels, cells_per_stage, seed)
        batch_size, lr = check_int(batch_size, "batch_size"), check_positive(lr, "lr")
        self.data, self.fraction, self.epochs = data, fraction, epochs
        self.channels, self.cells_per_stage = channels, cells_per_stage
        self.batch_size, self.lr, self.seed, self.device = batch_size, lr, check_seed(seed), device
        self.last_log_: TrainLog | None = None

    def _score(self, arch):
        subset = self.data.subset(n_train=round(self.fraction * len(self.data.y_train)),
                                  seed=self.seed)
        net = build(arch, channels=self.channels, cells_per_stage=self.cells_per_stage,
                    num_classes=self.data.num_classes, in_channels=self.data.input_shape[0],
                    seed=self.seed)
        log = train(net, subset, self.epochs, seed=self.seed, device=self.device,
                    batch_size=self.batch_size, lr=self.lr, evaluate_test=False)
        self.last_log_ = log
        return 100.0 * log.epoch_val_acc[-1], None

    def _settings(self):
        return dict(data=self.data.name, fraction=self.fraction, epochs=self.epochs,
                    channels=self.channels, cells_per_stage=self.cells_per_stage,
                    batch_size=self.batch_size, lr=self.lr, seed=self.seed)
