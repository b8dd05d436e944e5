"""Progressive shrinking: train the elastic supernet so that every subnet works (OFA, Sec. 3.3).

Once-for-All (Cai et al., ICLR 2020) trains the full network first, then opens the elastic
dimensions one after another, from the one that disturbs the shared weights least: **kernel** size,
then **depth** (first the two largest depths, then all), then **width** (expansion ratio, same two
steps; the middle channels are sorted by importance first). Each step samples a random subnet of
the dimensions opened so far for every minibatch and trains it with knowledge distillation from the
full network (loss = cross-entropy + ``kd_ratio`` x soft cross-entropy to the teacher's outputs;
OFA's kd_ratio is 1). Our images are not augmented, so the teacher's outputs are computed once per
training image after the first phase and reused, which saves a forward pass of the full network per
step. Every epoch ends with the accuracy of a few probe subnets (BatchNorm recalibrated), the record
the lesson shows; ``run(checkpoint=...)`` saves after each epoch (atomically) with the run's
settings, and resumes only under the same settings (seed, schedule, hyperparameters, supernet and
data), so that a checkpoint is never continued as if it were another run.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from .._checks import check_int, check_seed
from .._files import damaged, read_torch
from ..datasets import Dataset
from .._progress import progress_bar
from ..train import evaluate
from .space import OFAArch, OFASpace
from .supernet import OFASuperNet, recalibrate_bn

__all__ = ["Phase", "shrinking_schedule", "ProgressiveShrinking", "probe_archs", "subnet_accuracy",
           "PHASES"]

PHASES = ("full", "kernel", "depth", "expand")


@dataclass(frozen=True)
class Phase:
    """One step of progressive shrinking: the choices it samples from, its epochs and learning rate."""

    name: str
    epochs: int
    lr: float
    kernels: tuple[int, ...]
    expands: tuple[int, ...]
    depths: tuple[int, ...]
    sort_channels: bool = False   # sort the middle channels by importance before this phase

    def __post_init__(self):
        if self.name not in PHASES:
            raise ValueError(f"unknown phase {self.name!r}; choose from {list(PHASES)}")
        object.__setattr__(self, "epochs", check_int(self.epochs, f"epochs of phase {self.name!r}", minimum=0))
        if not (isinstance(self.lr, (int, float)) and math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"lr of phase {self.name!r} must be a positive number, got {self.lr!r}")


def shrinking_schedule(space: OFASpace, epochs=(10, 6, 3, 4, 3, 4), lr=(0.1, 0.03, 0.01, 0.01, 0.01, 0.01)
                       ) -> tuple[Phase, ...]:
    """OFA's order: full network, elastic kernel, depth (two steps), expansion (two steps).

    ``epochs`` and ``lr``: one per step, in that order (OFA trained 180, 120, 25 + 120, 25 + 120
    epochs on ImageNet; these defaults fit a few CPU minutes).
    """
    if len(epochs) != 6 or len(lr) != 6:
        raise ValueError(f"give 6 epochs and 6 learning rates (full, kernel, depth x2, expand x2), "
                         f"got {len(epochs)} and {len(lr)}")
    k, e, d = space.kernels, space.expands, space.depths
    steps = [("full", k[-1:], e[-1:], d[-1:], False), ("kernel", k, e[-1:], d[-1:], False),
             ("depth", k, e[-1:], d[-2:], False), ("depth", k, e[-1:], d, False),
             ("expand", k, e[-2:], d, True), ("expand", k, e, d, False)]
    return tuple(Phase(name, n, float(rate), ks, es, ds, sort) for (name, ks, es, ds, sort), n, rate
                 in zip(steps, epochs, lr))


def probe_archs(space: OFASpace) -> dict[str, OFAArch]:
    """The subnets whose accuracy the record follows: the largest, each dimension at its minimum, the smallest."""
    big = space.largest()
    depth = [space.max_depth] * space.n_stages
    return {"largest": big,
            f"kernel {space.kernels[0]}": OFAArch.uniform(depth, space.kernels[0], space.expands[-1]),
            f"depth {space.depths[0]}": OFAArch.uniform([space.depths[0]] * space.n_stages,
                                                        space.kernels[-1], space.expands[-1]),
            f"expand {space.expands[0]}": OFAArch.uniform(depth, space.kernels[-1], space.expands[0]),
            "smallest": space.smallest()}


def subnet_accuracy(supernet: OFASuperNet, arch: OFAArch, data: Dataset, n_calib: int = 500,
                    n_val: int | None = 1000, split: str = "val") -> float:
    """Accuracy of ``arch`` with inherited weights: extracted, BatchNorm recalibrated on the first
    ``n_calib`` training images, evaluated on the first ``n_val`` images of ``split``."""
    if split not in ("val", "test"):
        raise ValueError(f"split must be 'val' or 'test', got {split!r}")
    net = supernet.extract(arch)
    fmt = torch.channels_last
    device = next(supernet.parameters()).device
    recalibrate_bn(net, data.x_train[:n_calib].to(device, memory_format=fmt))
    x, y = getattr(data, f"x_{split}"), getattr(data, f"y_{split}")
    return evaluate(net, x[:n_val], y[:n_val], device=device, channels_last=True)[1]


def _short(value, width: int = 60) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= width else text[:width] + "..."


def _seed_of(seed: int, step: int, epoch: int) -> int:
    """A seed for one (run seed, phase, epoch): every epoch reproducible, so a resumed run continues exactly."""
    return (seed * 1_000_003 + step * 1_009 + epoch) % 2 ** 62


@dataclass
class EpochRecord:
    """What one epoch of progressive shrinking did."""

    phase: str
    step: int            # index of the phase step (0 = full, 1 = kernel, ...)
    epoch: int           # epoch within that step
    train_loss: float
    seconds: float       # wall-clock seconds of the epoch's training (a shared CPU stretches them)
    cpu_seconds: float   # CPU time of this process in that training
    probes: dict = field(default_factory=dict)   # probe name -> validation accuracy


class ProgressiveShrinking:
    """Train ``supernet`` on ``data`` through ``phases`` (default ``shrinking_schedule``).

    ``batch_size``, ``momentum``, ``weight_decay`` (OFA: 3e-5, none on BatchNorm), ``kd_ratio``
    (0 turns distillation off), ``n_calib`` / ``n_val`` (images for the probes' BatchNorm statistics
    and accuracy). ``run()`` trains; ``record_`` lists an ``EpochRecord`` per epoch.
    """

    def __init__(self, supernet: OFASuperNet, data: Dataset, phases=None, batch_size: int = 64,
                 momentum: float = 0.9, weight_decay: float = 3e-5, kd_ratio: float = 1.0,
                 n_calib: int = 500, n_val: int = 1000, seed: int = 0, device="cpu"):
        if not isinstance(supernet, OFASuperNet):
            raise TypeError(f"supernet must be an OFASuperNet, got {type(supernet).__name__}")
        if not isinstance(data, Dataset):
            raise TypeError(f"data must be a naskit Dataset, got {type(data).__name__}")
        self.supernet, self.data = supernet, data
        self.phases = tuple(shrinking_schedule(supernet.space) if phases is None else phases)
        if not self.phases or self.phases[0].name != "full":
            raise ValueError("progressive shrinking starts with the 'full' phase (the teacher)")
        for p in self.phases:
            supernet.space.check(OFAArch.uniform([max(p.depths)] * supernet.space.n_stages,
                                                 max(p.kernels), max(p.expands)))
        if kd_ratio < 0:
            raise ValueError(f"kd_ratio must be >= 0, got {kd_ratio!r}")
        self.batch_size, self.momentum, self.weight_decay = batch_size, momentum, weight_decay
        self.kd_ratio, self.n_calib, self.n_val, self.seed = kd_ratio, n_calib, n_val, check_seed(seed)
        self.device = torch.device(device)
        self.record_: list[EpochRecord] = []
        self.teacher_logits_: torch.Tensor | None = None

    def __repr__(self):
        names = "-".join(p.name for p in self.phases)
        return (f"ProgressiveShrinking({names}, {self.total_epochs} epochs, kd_ratio={self.kd_ratio}, "
                f"seed={self.seed}) # {len(self.record_)} epochs done")

    @property
    def total_epochs(self) -> int:
        return sum(p.epochs for p in self.phases)

    @property
    def done_(self) -> bool:
        return len(self.record_) >= self.total_epochs

    def _position(self, n_done: int) -> tuple[int, int]:
        """(phase step, epoch within it) of epoch number ``n_done``."""
        for i, p in enumerate(self.phases):
            if n_done < p.epochs:
                return i, n_done
            n_done -= p.epochs
        raise IndexError(n_done)

    # -- checkpoints -------------------------------------------------------------------------------
    def settings(self) -> dict:
        """Everything that makes this run what it is: a checkpoint resumes only under the same."""
        net, d = self.supernet, self.data
        h = hashlib.sha256()
        for t in (d.x_train, d.y_train, d.x_val, d.y_val):
            h.update(t.detach().cpu().contiguous().numpy().tobytes())
        return dict(seed=self.seed, phases=[asdict(p) for p in self.phases],
                    batch_size=self.batch_size, momentum=self.momentum,
                    weight_decay=self.weight_decay, kd_ratio=self.kd_ratio, n_calib=self.n_calib,
                    n_val=self.n_val, supernet=repr(net),
                    data=dict(name=d.name, sizes=[len(d.y_train), len(d.y_val)],
                              sha256=h.hexdigest()))

    def _save(self, path: Path, optimizer) -> None:
        state = {"supernet": self.supernet.state_dict(), "optimizer": optimizer.state_dict(),
                 "record": [asdict(r) for r in self.record_], "teacher": self.teacher_logits_,
                 "settings": json.dumps(self.settings(), sort_keys=True)}
        tmp = path.with_name(path.name + ".part")
        torch.save(state, tmp)
        os.replace(tmp, path)  # atomic: an interrupted save leaves the previous checkpoint

    def _load(self, path: Path):
        how = "delete it to start the run over, or give this run another checkpoint"
        state = read_torch(path, how, map_location=self.device)
        keys = ("supernet", "optimizer", "record", "teacher")
        if not isinstance(state, dict) or any(k not in state for k in keys):
            raise damaged(path, "", f"not a progressive shrinking checkpoint (a dict of {list(keys)})",
                          how)
        if "settings" not in state:
            raise damaged(path, "", "records no settings (it predates them), so a resume cannot "
                          "be checked to continue the same run", how)
        try:
            saved = json.loads(state["settings"])
        except (TypeError, ValueError):
            raise damaged(path, "settings", "not JSON", how) from None
        now = json.loads(json.dumps(self.settings(), sort_keys=True))  # tuples as lists, as saved
        differ = [k for k in sorted(set(saved) | set(now)) if saved.get(k) != now.get(k)]
        if differ:
            what = "; ".join(f"{k}: {_short(saved.get(k))} there, {_short(now.get(k))} now"
                             for k in differ)
            names = " and ".join("schedule (phases)" if k == "phases" else k for k in differ)
            raise ValueError(f"{path} is a checkpoint of a run with another {names} ({what}); "
                             f"{how}")
        try:
            self.supernet.load_state_dict(state["supernet"])
        except RuntimeError:
            raise damaged(path, "supernet", "does not fit this supernet", how) from None
        self.record_ = [EpochRecord(**r) for r in state["record"]]
        self.teacher_logits_ = state["teacher"]
        return state["optimizer"]

    # -- training ------------------------------------------------------------------------------------
    def _optimizer(self, lr: float):
        net = self.supernet
        decay = [p for n, p in net.named_parameters() if p.ndim > 1 and "transforms" not in n]
        rest = [p for n, p in net.named_parameters() if not (p.ndim > 1 and "transforms" not in n)]
        return torch.optim.SGD([{"params": decay, "weight_decay": self.weight_decay},
                                {"params": rest, "weight_decay": 0.0}],
                               lr=lr, momentum=self.momentum, nesterov=True)

    @torch.no_grad()
    def _teacher(self) -> torch.Tensor:
        net, x = self.supernet, self.data.x_train
        net.eval()
        out = torch.cat([net(x[i:i + 500].to(self.device, memory_format=torch.channels_last)).cpu()
                         for i in range(0, len(x), 500)])
        net.train()
        return out

    def _epoch(self, step: int, epoch: int, optimizer, bar) -> float:
        phase, net, data = self.phases[step], self.supernet, self.data
        space = net.space
        seed = _seed_of(self.seed, step, epoch)
        gen, rng = torch.Generator().manual_seed(seed), random.Random(seed)
        n = len(data.y_train)
        perm = torch.randperm(n, generator=gen)
        per_epoch = math.ceil(n / self.batch_size)
        total = per_epoch * phase.epochs
        warm = max(1, total // 10) if phase.name == "full" else 0
        net.train()
        losses = []
        for i, start in enumerate(range(0, n, self.batch_size)):
            t = epoch * per_epoch + i   # lr: linear warm-up (full phase), then cosine to 0 over the phase
            lr = phase.lr * ((t + 1) / warm if t < warm else
                             0.5 * (1 + math.cos(math.pi * (t - warm) / max(1, total - warm))))
            for g in optimizer.param_groups:
                g["lr"] = lr
            idx = perm[start:start + self.batch_size]
            xb = data.x_train[idx].to(self.device, memory_format=torch.channels_last)
            yb = data.y_train[idx].to(self.device)
            arch = (space.largest() if phase.name == "full" else
                    space.sample(seed=rng, kernels=phase.kernels, expands=phase.expands,
                                 depths=phase.depths))
            out = net(xb, arch=arch)
            loss = F.cross_entropy(out, yb)
            if phase.name != "full" and self.kd_ratio > 0:
                soft = F.softmax(self.teacher_logits_[idx].to(self.device), dim=1)
                loss = loss + self.kd_ratio * torch.sum(-soft * F.log_softmax(out, dim=1), 1).mean()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 5.0)
            optimizer.step()
            value = loss.item()
            if not math.isfinite(value):
                raise FloatingPointError(f"loss {value} in phase {phase.name!r}; lower its lr ({phase.lr})")
            losses.append(value)
            if bar is not None:
                bar.update(1)
        return sum(losses) / len(losses)

    def probes(self) -> dict[str, float]:
        """Validation accuracy (inherited weights, BatchNorm recalibrated) of every probe subnet."""
        return {name: subnet_accuracy(self.supernet, arch, self.data, self.n_calib, self.n_val)
                for name, arch in probe_archs(self.supernet.space).items()}

    def run(self, checkpoint=None, progress: bool = False, max_epochs: int | None = None
            ) -> "ProgressiveShrinking":
        """Train to the end (or ``max_epochs`` more epochs); resume from ``checkpoint`` if it exists."""
        path = None if checkpoint is None else Path(checkpoint)
        opt_state = self._load(path) if path is not None and path.exists() else None
        self.supernet.to(self.device, memory_format=torch.channels_last)
        steps_per_epoch = math.ceil(len(self.data.y_train) / self.batch_size)
        left = self.total_epochs - len(self.record_)
        n = left if max_epochs is None else min(left, max_epochs)
        bar = progress_bar(progress and n, total=n * steps_per_epoch, desc="progressive shrinking",
                           unit="step")
        optimizer, current = None, None
        for _ in range(n):
            step, epoch = self._position(len(self.record_))
            phase = self.phases[step]
            if current != step:
                if epoch == 0 and phase.sort_channels:
                    self.supernet.sort_channels()
                optimizer = self._optimizer(phase.lr)
                if opt_state is not None and epoch > 0:
                    optimizer.load_state_dict(opt_state)  # resuming inside a phase
                opt_state, current = None, step
            if phase.name != "full" and self.teacher_logits_ is None and self.kd_ratio > 0:
                self.teacher_logits_ = self._teacher()   # the full network, after its phase
            if bar is not None:
                bar.set_postfix_str(phase.name)
            start, cpu = time.perf_counter(), time.process_time()
            loss = self._epoch(step, epoch, optimizer, bar)
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            self.record_.append(EpochRecord(phase.name, step, epoch, loss, seconds, cpu, self.probes()))
            if path is not None:
                self._save(path, optimizer)
        if bar is not None:
            bar.close()
        self.supernet.eval()
        return self
