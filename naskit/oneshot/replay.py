"""A recorded one-shot search, step by step: what a learner watches when replaying a long run.

A long run under NAS-Bench-201's protocol (``run_checkpointed``; Dong & Yang, ICLR 2020) keeps
softmax(alpha) at every step of DARTS (Liu et al., ICLR 2019) and GDAS in float16, and one record
per epoch. ``AlphaReplay`` reads such a trace and gives each step's ``Frame``: the weights, the cell
``derive`` reads off them, that cell's ground truth in a benchmark, its share of parameter-free ops
and the newest epoch record. The share is compared with ``random_share(space)``, what a uniformly
drawn cell has on average (0.6 in NB201: 3 of its 5 ops hold no parameters), not with 0: DARTS'
collapse (Zela et al., ICLR 2020) is the share rising past chance. float16 keeps about 4 digits, so
two ops of an early step can tie; ``Frame.ties`` names those edges (``derive`` takes the first op).
"""
from __future__ import annotations

import math
import pathlib
from dataclasses import dataclass

import numpy as np

from .._checks import check_int
from .._config import shipped_data_dir
from ..space import Arch, DartsSpace, NB201Space
from .base import PARAMETER_FREE
from .runner import STEP_WEIGHTS, read_trace

__all__ = ["AlphaReplay", "Frame", "EpochRecord", "random_share", "trace_file", "shipped_traces",
           "TRACE_DIR_NAME"]

TRACE_DIR_NAME = "nb201-mini-oneshot"  # data/<this>/<method>-seed<seed>-nb201.npz
_HOW = ("make it with `python benchmarks/precompute_oneshot.py --protocol nb201 --methods {method} "
        "--seeds {seed}`")


def random_share(space) -> float:
    """Expected parameter-free share of a cell drawn uniformly from ``space`` (NB201: 3/5 = 0.6).

    A DARTS cell never keeps ``none`` (Sec. 2.4), so its ops are drawn from the others (3/7).
    """
    if isinstance(space, DartsSpace):
        ops = [op for op in space.ops if op != "none"]
    elif hasattr(space, "ops"):
        ops = list(space.ops)
    else:
        raise TypeError(f"random_share needs a cell space or a DARTS space, got {type(space).__name__}")
    return sum(op in PARAMETER_FREE for op in ops) / len(ops)


def trace_file(method: str, seed: int = 0) -> pathlib.Path:
    """Where the shipped NB201-protocol trace of (``method``, ``seed``) lies (it may be missing)."""
    if method not in STEP_WEIGHTS:
        raise ValueError(f"method must be one of {list(STEP_WEIGHTS)} (the searches whose trace keeps "
                         f"alpha at every step), got {method!r}")
    seed = check_int(seed, "seed", minimum=0)
    return shipped_data_dir() / TRACE_DIR_NAME / f"{method}-seed{seed}-nb201.npz"


def shipped_traces() -> list[str]:
    """The file names of the step-by-step traces that ship (an empty list when none does)."""
    folder = shipped_data_dir() / TRACE_DIR_NAME
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.glob("*-nb201.npz")
                  if p.name.split("-seed")[0] in STEP_WEIGHTS)


@dataclass(frozen=True)
class EpochRecord:
    """What the run recorded at the end of an epoch (accuracies on validation images, 0..1)."""

    epoch: int
    step: int                 # index of the epoch's last step
    arch: Arch                # the cell derived from float32 alpha then
    supernet_acc: float       # the softmax mixture's accuracy
    derived_acc: float        # the derived cell's accuracy with the supernet's weights
    train_loss: float
    val_loss: float


@dataclass(frozen=True)
class Frame:
    """One recorded step: softmax(alpha), the cell derived from it, its truth and the collapse signal."""

    step: int                 # index into the trace: the weights after step + 1 updates
    epoch: int                # the epoch the step belongs to (1-based)
    weights: np.ndarray       # softmax(alpha), edges x ops, as recorded (float16 -> float32)
    arch: Arch                # derive(weights): the op of largest weight on each edge
    ties: tuple               # edges whose largest weight is shared at float16 precision
    share: float              # parameter-free share of arch
    baseline: float           # the share of a uniformly drawn cell
    truth: object             # the bench's Record of arch, or None
    accuracy: float | None    # its test accuracy (%), or None
    train_loss: float
    val_loss: float | None
    record: EpochRecord | None  # the newest epoch record at or before this step


class AlphaReplay:
    """A recorded search (a ``read_trace`` dict) frame by frame; ``bench`` gives the cells' truth."""

    def __init__(self, trace: dict, bench=None, name: str | None = None):
        if not isinstance(trace, dict):
            raise TypeError(f"trace must be the dict read_trace returns, got {type(trace).__name__}")
        missing = [k for k in ("settings", "step_weights", "step_train_loss", "epoch_step",
                               "epoch_arch") if k not in trace]
        if "step_weights" in missing and "epoch_step" in trace:
            method = trace.get("settings", {}).get("method", "this method")
            raise ValueError(f"trace keeps alpha per epoch only ({method}); a step-by-step replay "
                             f"needs step_weights, which runs of {list(STEP_WEIGHTS)} record")
        if missing:
            raise ValueError(f"trace lacks {missing}; give what read_trace returns")
        w = np.asarray(trace["step_weights"])
        space = NB201Space()
        if w.ndim != 3 or len(w) < 1 or w.shape[1:] != (space.n_edges, len(space.ops)):
            raise ValueError(f"trace's step_weights must be steps x {space.n_edges} edges x "
                             f"{len(space.ops)} ops with at least one step, got shape {w.shape}")
        if len(trace["step_train_loss"]) != len(w):
            raise ValueError(f"trace has {len(w)} steps of weights but {len(trace['step_train_loss'])} "
                             f"of train loss")
        steps = np.asarray(trace["epoch_step"])
        if len(steps) != len(trace["epoch_arch"]) or np.any(np.diff(steps) <= 0) or \
                (len(steps) and (steps[0] < 1 or steps[-1] > len(w))):
            raise ValueError(f"trace's epoch_step must rise within 1..{len(w)}, one per epoch_arch, "
                             f"got {steps.tolist()}")
        if bench is not None and not hasattr(bench, "query"):
            raise TypeError(f"bench must be a naskit Benchmark or None, got {type(bench).__name__}")
        self.trace, self.bench, self.name = trace, bench, name
        self.space = space
        self.op_names = tuple(space.ops)
        self._cache = None

    @classmethod
    def read(cls, path, bench=None) -> "AlphaReplay":
        """The replay of the trace file at ``path`` (``run_checkpointed`` wrote it)."""
        path = pathlib.Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing; a trace is written by "
                                    f"`python benchmarks/precompute_oneshot.py --protocol nb201`")
        return cls(read_trace(path), bench=bench, name=path.name)

    @classmethod
    def shipped(cls, method: str = "DARTS-V1", seed: int = 0, bench=None) -> "AlphaReplay":
        """The shipped trace of (``method``, ``seed``); a FileNotFoundError saying how to make it."""
        path = trace_file(method, seed)
        if not path.is_file():
            have = shipped_traces()
            raise FileNotFoundError(
                f"no recorded {method} run (seed {seed}) ships yet: {path} is missing; "
                f"{_HOW.format(method=method, seed=seed)}"
                + (f" (shipped: {', '.join(have)})" if have else ""))
        return cls.read(path, bench=bench)

    def __repr__(self):
        return (f"AlphaReplay({self.method}, seed {self.seed}, {self.n_steps} steps, "
                f"{len(self.epochs_)} epoch records{'' if self.bench is None else ', with truth'})")

    def __len__(self):
        return self.n_steps

    # -- what the trace says ----------------------------------------------------------------------
    @property
    def settings(self) -> dict:
        """The run's recorded settings (method, seed, protocol, the search's arguments)."""
        return self.trace["settings"]

    @property
    def method(self) -> str:
        """The search method ('DARTS-V1', ...)."""
        return str(self.settings.get("method", "?"))

    @property
    def seed(self):
        """The run's seed."""
        return self.settings.get("seed")

    @property
    def arch_lr(self) -> float | None:
        """The run's learning rate of alpha, if it has one."""
        return self.settings.get("search", {}).get("arch_lr")

    @property
    def n_steps(self) -> int:
        """Recorded steps."""
        return len(self.trace["step_weights"])

    @property
    def baseline(self) -> float:
        """The parameter-free share of a uniformly drawn cell of the space (0.6)."""
        return random_share(self.space)

    @property
    def epoch_steps(self) -> np.ndarray:
        """Index of the last step of each recorded epoch."""
        return np.asarray(self.trace["epoch_step"], int) - 1

    @property
    def weights(self) -> np.ndarray:
        """softmax(alpha) at every step, steps x edges x ops (float32 of the float16 record)."""
        return self._data()["weights"]

    @property
    def shares(self) -> np.ndarray:
        """Parameter-free share of the cell derived at every step."""
        return self._data()["shares"]

    @property
    def accuracies(self) -> np.ndarray:
        """Test accuracy (%) of the cell derived at every step (NaN without a bench or truth)."""
        return self._data()["accuracy"]

    @property
    def crossing(self) -> int | None:
        """The step from which the derived cell's parameter-free share stays above ``baseline`` to
        the end of the run, or None (it ends at or below it)."""
        below = np.flatnonzero(self.shares <= self.baseline + 1e-9)
        if len(below) and below[-1] == self.n_steps - 1:
            return None
        return int(below[-1]) + 1 if len(below) else 0

    @property
    def first_above(self) -> int | None:
        """The first step whose derived cell's parameter-free share exceeds ``baseline``, or None."""
        above = np.flatnonzero(self.shares > self.baseline + 1e-9)
        return int(above[0]) if len(above) else None

    @property
    def epochs_(self) -> list[EpochRecord]:
        """The epoch records, in order."""
        return self._data()["records"]

    def arch(self, step: int) -> Arch:
        """The cell derived at ``step`` (an int in 0..n_steps-1)."""
        step = self._check_step(step)
        d = self._data()
        return d["archs"][d["which"][step]]

    def frame(self, step: int) -> Frame:
        """Everything shown at ``step`` (an int in 0..n_steps-1)."""
        step = self._check_step(step)
        d = self._data()
        arch = d["archs"][d["which"][step]]
        truth = d["truths"][d["which"][step]]
        n_done = int(np.searchsorted(self.epoch_steps, step, side="right"))
        epoch = min(int(np.searchsorted(self.epoch_steps, step, side="left")) + 1,
                    max(len(self.epochs_), 1))
        val = float(self.trace["step_val_loss"][step]) if "step_val_loss" in self.trace else math.nan
        acc = d["accuracy"][step]
        return Frame(step=step, epoch=epoch, weights=d["weights"][step], arch=arch,
                     ties=tuple(int(e) for e in np.flatnonzero(d["ties"][step])),
                     share=float(d["shares"][step]), baseline=self.baseline, truth=truth,
                     accuracy=None if math.isnan(acc) else float(acc),
                     train_loss=float(self.trace["step_train_loss"][step]),
                     val_loss=None if math.isnan(val) else val,
                     record=self.epochs_[n_done - 1] if n_done else None)

    def _check_step(self, step) -> int:
        return check_int(step, "step", minimum=0, maximum=self.n_steps - 1)

    def _data(self) -> dict:
        """Derived cells, shares, ties and truths of every step, computed once on first use."""
        if self._cache is not None:
            return self._cache
        w = np.asarray(self.trace["step_weights"]).astype(np.float32)
        top = w.argmax(axis=2)                  # the first of equal maxima, as derive's argmax
        ordered = np.sort(w, axis=2)
        ties = ordered[..., -1] == ordered[..., -2]
        free = np.array([op in PARAMETER_FREE for op in self.op_names])
        rows, which = np.unique(top, axis=0, return_inverse=True)
        archs = [Arch.from_ops([self.op_names[i] for i in row], self.space.n_nodes) for row in rows]
        truths = [self._truth(a) for a in archs]
        acc = np.array([np.nan if t is None or t.test_acc is None else t.test_acc for t in truths],
                       float)
        which = np.asarray(which).reshape(-1)
        records = []
        n = len(self.trace["epoch_step"])
        columns = {name: np.asarray(self.trace.get(f"epoch_{name}", np.full(n, np.nan)), float)
                   for name in ("supernet_acc", "derived_acc", "train_loss", "val_loss")}
        for e, (s, a) in enumerate(zip(self.trace["epoch_step"], self.trace["epoch_arch"])):
            records.append(EpochRecord(epoch=e + 1, step=int(s) - 1,
                                       arch=Arch.from_string(str(a), space=self.space),
                                       **{name: float(c[e]) for name, c in columns.items()}))
        self._cache = dict(weights=w, ties=ties, shares=free[top].mean(axis=1), archs=archs,
                           which=which, truths=truths, accuracy=acc[which], records=records)
        return self._cache

    def _truth(self, arch):
        if self.bench is None:
            return None
        try:
            return self.bench.query(arch)
        except (ValueError, KeyError, IndexError, TypeError):
            return None

