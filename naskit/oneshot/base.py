"""What every weight-sharing search shares: minibatch streams, the weight optimizer, a trace, a clock.

A one-shot search (Bender et al. ICML 2018; Liu et al. ICLR 2019) trains the shared weights of a
``SuperNet`` on training images and chooses the architecture on held-out validation images. One
``step()`` is one update of the shared weights (plus whatever the method does to its architecture
state); ``run(steps)`` repeats it. Everything learned lives in the object (``trace_``,
``seconds_``, the supernet's weights), so a widget can drive a search step by step and an
interrupted run continues where it stopped. The weight optimizer is DARTS' (Liu et al. 2019,
Sec. 3.1.1): SGD with momentum 0.9, weight decay 3e-4, a cosine learning rate from 0.025 to 0.001
over the whole search, gradients clipped to norm 5, batch 64. NAS-Bench-201's variants of these
settings (Nesterov momentum, a periodic cosine, shifted crops, architecture batches drawn with
replacement) are options here; ``nk.oneshot.Protocol`` names both sets.
"""
from __future__ import annotations

import inspect
import math
import random
import time
from dataclasses import dataclass, field

import torch
from torch import nn

from .._checks import check_int, check_positive, check_seed
from .._progress import progress_bar
from ..datasets import Dataset
from ..space import Genotype
from ..supernet import SuperNet

__all__ = ["Step", "OneShotSearch", "parameter_free_share", "PARAMETER_FREE", "extends",
           "shift_crop"]

PARAMETER_FREE = ("none", "skip_connect", "avg_pool_3x3", "max_pool_3x3")


def extends(base_init):
    """Give an ``__init__(self, <own arguments>, **search)`` that passes ``search`` on to
    ``base_init`` the signature of both: its own arguments, then ``base_init``'s others,
    keyword-only. ``help()``, ``inspect.signature`` and a bad name fail as with a written-out one."""
    def decorate(init):
        own = inspect.signature(init).parameters
        extra = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
                 for name, p in inspect.signature(base_init).parameters.items()
                 if name not in own and p.kind is not inspect.Parameter.VAR_KEYWORD]
        params = [p for p in own.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
        init.__signature__ = inspect.signature(init).replace(parameters=params + extra)
        return init
    return decorate


@dataclass(frozen=True)
class Step:
    """One recorded step of a one-shot search (``weights``: softmax(alpha) by cell type, if any)."""

    step: int
    train_loss: float
    seconds: float                    # cumulative wall-clock seconds of search so far
    val_loss: float | None = None
    weights: dict = field(default_factory=dict, repr=False)
    arch: object = None               # the architecture the method would return now
    info: dict = field(default_factory=dict)


class OneShotSearch:
    """Base of the weight-sharing searches; subclasses say what one step does (``_step``)."""

    def __init__(self, supernet: SuperNet, data: Dataset, epochs: float = 1, batch_size: int = 64,
                 lr: float = 0.025, lr_min: float = 0.001, momentum: float = 0.9,
                 weight_decay: float = 3e-4, grad_clip: float | None = 5.0, seed: int = 0,
                 device="cpu", nesterov: bool = False, lr_period: float | None = None,
                 augment_pad: int = 0, val_replacement: bool = False):
        if not isinstance(supernet, SuperNet):
            raise TypeError(f"supernet must be a naskit SuperNet, got {type(supernet).__name__}")
        if not isinstance(data, Dataset):
            raise TypeError(f"data must be a naskit Dataset (nk.datasets.load()), got "
                            f"{type(data).__name__}")
        if tuple(data.input_shape[:1]) != (supernet.in_channels,):
            raise ValueError(f"the supernet takes {supernet.in_channels}-channel images, the data "
                             f"has {data.input_shape[0]} channels")
        self.supernet, self.data = supernet, data
        self.epochs = check_positive(epochs, "epochs")
        self.batch_size = check_int(batch_size, "batch_size")
        self.lr = check_positive(lr, "lr")
        self.lr_min = check_positive(lr_min, "lr_min", allow_zero=True)
        self.momentum = check_positive(momentum, "momentum", allow_zero=True)
        self.weight_decay = check_positive(weight_decay, "weight_decay", allow_zero=True)
        self.grad_clip = None if grad_clip is None else check_positive(grad_clip, "grad_clip")
        self.seed = check_seed(seed)
        self.device = torch.device(device)
        for name, flag in (("nesterov", nesterov), ("val_replacement", val_replacement)):
            if not isinstance(flag, bool):
                raise ValueError(f"{name} must be True or False, got {flag!r}")
        if nesterov and self.momentum == 0:
            raise ValueError("nesterov=True needs momentum > 0 (torch's SGD refuses it otherwise)")
        self.nesterov, self.val_replacement = nesterov, val_replacement
        self.lr_period = None if lr_period is None else check_positive(lr_period, "lr_period")
        self.augment_pad = check_int(augment_pad, "augment_pad", 0,
                                     min(data.input_shape[1:]) // 2)
        self.trace_: list[Step] = []
        self.seconds_ = 0.0
        self._initial = None

    # -- bookkeeping -------------------------------------------------------------------------------
    @property
    def steps_per_epoch(self) -> int:
        """Weight updates per pass over the training images."""
        return math.ceil(len(self.data.y_train) / self.batch_size)

    @property
    def total_steps(self) -> int:
        """Weight updates of the whole search (``epochs`` passes)."""
        return max(1, round(self.epochs * self.steps_per_epoch))

    @property
    def step_(self) -> int:
        """Steps done so far."""
        return len(self.trace_)

    @property
    def done_(self) -> bool:
        """Whether the search has made all its steps."""
        return self.step_ >= self.total_steps

    def reset(self) -> None:
        """Start over: the supernet's initial weights, fresh optimizers, minibatch streams and trace."""
        net = self.supernet
        if self._initial is None:
            self._initial = {k: v.detach().clone() for k, v in net.state_dict().items()}
        else:
            net.load_state_dict(self._initial)
        net.to(self.device, memory_format=torch.channels_last)
        self.w_optimizer_ = torch.optim.SGD(net.weight_parameters(), lr=self.lr,
                                            momentum=self.momentum, weight_decay=self.weight_decay,
                                            nesterov=self.nesterov)
        # past T_max torch's cosine climbs back up: a period shorter than the search (NB201's
        # ENAS, T_max 10 of 250 epochs) gives a learning rate that oscillates
        period = (self.total_steps if self.lr_period is None
                  else max(1, round(self.lr_period * self.steps_per_epoch)))
        self.w_scheduler_ = torch.optim.lr_scheduler.CosineAnnealingLR(
            self.w_optimizer_, period, eta_min=self.lr_min)
        self.rng_ = random.Random(self.seed)
        self._gen = {split: torch.Generator().manual_seed(self.seed * 2 + i)
                     for i, split in enumerate(("train", "val"))}
        # an odd offset apart from the minibatch (2 seed, 2 seed + 1) and Gumbel (+ 7919) streams
        self._gen["augment"] = torch.Generator().manual_seed(self.seed * 2 + 104729)
        self._fill = float(self.data.x_train.min())
        self._order = {"train": [], "val": []}
        self.trace_, self.seconds_ = [], 0.0
        self._reset()

    def _reset(self) -> None:
        """Method-specific state (optimizers of the architecture, controllers)."""

    def batch(self, split: str = "train", augment: bool = True):
        """The next minibatch of ``split`` ('train' or 'val'), reshuffled every pass.

        Validation batches are drawn with replacement if ``val_replacement`` (NB201's architecture
        batches); with ``augment_pad`` > 0 and ``augment`` every image is shifted at random.
        """
        x, y = getattr(self.data, f"x_{split}"), getattr(self.data, f"y_{split}")
        if split == "val" and self.val_replacement:
            idx = torch.randint(len(y), (self.batch_size,), generator=self._gen[split])
        else:
            if not self._order[split]:
                perm = torch.randperm(len(y), generator=self._gen[split])
                self._order[split] = list(perm.split(self.batch_size))[::-1]
            idx = self._order[split].pop()
        xb = x[idx]
        if augment and self.augment_pad:
            # pad with the images' darkest value, the digits' background, not a grey frame
            xb = shift_crop(xb, self.augment_pad, self._gen["augment"], self._fill)
        return (xb.to(self.device, memory_format=torch.channels_last), y[idx].to(self.device))

    def weight_step(self, xb, yb, **forward) -> float:
        """One SGD step of the shared weights on ``(xb, yb)``; ``forward`` goes to the supernet."""
        net = self.supernet
        net.train()
        loss = nn.functional.cross_entropy(net(xb, **forward), yb)
        self.w_optimizer_.zero_grad(set_to_none=True)
        loss.backward()
        if self.grad_clip is not None:
            nn.utils.clip_grad_norm_(net.weight_parameters(), self.grad_clip)
        self.w_optimizer_.step()
        self.w_scheduler_.step()
        value = loss.item()
        if not math.isfinite(value):
            raise FloatingPointError(f"the supernet's training loss is {value} at step {self.step_}; "
                                     f"lower lr (now {self.lr})")
        return value

    def step(self) -> Step:
        """Make one step of the search and record it; after the last step, a RuntimeError."""
        if self._initial is None:
            self.reset()
        if self.done_:
            raise RuntimeError(f"the search has made all its {self.total_steps} steps; reset() "
                               "to start over")
        start = time.perf_counter()
        out = self._step()
        self.seconds_ += time.perf_counter() - start
        record = Step(self.step_, out.pop("train_loss"), self.seconds_, out.pop("val_loss", None),
                      self._weights(), self._current_arch(), out)
        self.trace_.append(record)
        return record

    def run(self, steps: int | None = None, progress: bool = False) -> "OneShotSearch":
        """Make ``steps`` more steps (default: to the end of the search); returns self."""
        if self._initial is None:
            self.reset()
        left = self.total_steps - self.step_
        n = left if steps is None else min(check_int(steps, "steps"), left)
        bar = progress_bar(progress, total=n, desc=type(self).__name__, unit="step")
        for _ in range(n):
            self.step()
            if bar is not None:
                bar.update(1)
        if bar is not None:
            bar.close()
        return self

    def _weights(self) -> dict:
        return {k: w.cpu().numpy() for k, w in self.supernet.edge_weights().items()}

    # -- checkpoint and resume ---------------------------------------------------------------------
    def settings(self) -> dict:
        """The constructor's hyperparameters as plain data (not the supernet, data or device)."""
        out = {}
        for name in inspect.signature(type(self).__init__).parameters:
            if name not in ("self", "supernet", "data", "device", "search"):
                value = getattr(self, name)
                out[name] = list(value) if isinstance(value, tuple) else value
        return out

    def state_dict(self) -> dict:
        """Everything a resumed search needs to continue bit for bit: weights, alpha, optimizers,
        random streams, minibatch order, trace and clock (``torch.save`` it)."""
        if self._initial is None:
            self.reset()
        return dict(settings=self.settings(), supernet=self.supernet.state_dict(),
                    initial=self._initial, w_optimizer=self.w_optimizer_.state_dict(),
                    w_scheduler=self.w_scheduler_.state_dict(), rng=self.rng_.getstate(),
                    generators={k: g.get_state() for k, g in self._generators().items()},
                    order={k: list(v) for k, v in self._order.items()}, trace=list(self.trace_),
                    seconds=self.seconds_, extra=self._extra_state())

    def load_state_dict(self, state: dict) -> None:
        """Continue from ``state_dict()``; a state saved under other settings is a ValueError."""
        if state.get("settings") != self.settings():
            theirs = state.get("settings") or {}
            diff = sorted(k for k in set(theirs) | set(self.settings())
                          if theirs.get(k) != self.settings().get(k))
            raise ValueError(f"the state was saved by a search with other settings ({diff}); "
                             "resume it with the settings it was saved under")
        self.reset()
        self.supernet.load_state_dict(state["supernet"])
        self._initial = state["initial"]
        self.w_optimizer_.load_state_dict(state["w_optimizer"])
        self.w_scheduler_.load_state_dict(state["w_scheduler"])
        self.rng_.setstate(state["rng"])
        for k, g in self._generators().items():
            g.set_state(state["generators"][k])
        self._order = {k: list(v) for k, v in state["order"].items()}
        self.trace_, self.seconds_ = list(state["trace"]), state["seconds"]
        self._load_extra_state(state["extra"])

    def _generators(self) -> dict:
        """The torch generators of the search's random streams, by name."""
        return self._gen

    def _extra_state(self) -> dict:
        """Method-specific state for ``state_dict`` (architecture optimizers, controllers)."""
        return {}

    def _load_extra_state(self, state: dict) -> None:
        """Restore what ``_extra_state`` saved."""

    # -- what subclasses provide -------------------------------------------------------------------
    def _step(self) -> dict:
        """One step; returns at least {'train_loss': float}."""
        raise NotImplementedError

    def derive(self):
        """The architecture the search returns (default: read off alpha)."""
        return self.supernet.derive()

    def _current_arch(self):
        """What the trace records after each step: ``derive()`` when that is cheap, else None."""
        return self.derive()

    # -- evaluating candidates with inherited weights ------------------------------------------------
    @torch.no_grad()
    def accuracy(self, arch=None, n_batches: int | None = None, split: str = "val", **forward) -> float:
        """Accuracy of the supernet on ``split`` images: the single path of ``arch``, or the mixture.

        BatchNorm uses the statistics of each batch (the supernet is kept in train mode, as the
        single-path methods evaluate), so no running statistics of other paths leak in; the
        running statistics are left as they were.
        """
        x, y = getattr(self.data, f"x_{split}"), getattr(self.data, f"y_{split}")
        net = self.supernet
        was = net.training
        net.train()
        # train-mode BatchNorm would fold these images into the running statistics: keep them
        saved = {k: b.clone() for k, b in net.named_buffers()}
        # a fixed batch order per call: candidates are compared on the same images
        n = len(y) if n_batches is None else min(len(y), check_int(n_batches, "n_batches") * self.batch_size)
        correct = 0
        for i in range(0, n, self.batch_size * 4):
            xb = x[i:min(i + self.batch_size * 4, n)].to(self.device, memory_format=torch.channels_last)
            out = net(xb, arch=arch, **forward) if arch is not None else net(xb, **forward)
            correct += (out.argmax(1).cpu() == y[i:min(i + self.batch_size * 4, n)]).sum().item()
        net.train(was)
        for k, b in net.named_buffers():
            b.copy_(saved[k])
        return correct / n

    def __repr__(self):
        arch = self.trace_[-1].arch if self.trace_ else None
        now = f", now {arch}" if arch is not None else ""
        return (f"{type(self).__name__}({self._hyper()}seed={self.seed}) # step {self.step_} of "
                f"{self.total_steps}, {self.seconds_:.1f} s{now}")

    def _hyper(self) -> str:
        return ""


def shift_crop(x: torch.Tensor, pad: int, generator: torch.Generator,
               fill: float = 0.0) -> torch.Tensor:
    """Each image of ``x`` (N, C, H, W) shifted by up to ``pad`` pixels each way: a random crop of
    the image padded by ``pad`` pixels of value ``fill``."""
    n, _, h, w = x.shape
    padded = nn.functional.pad(x, (pad, pad, pad, pad), value=fill)
    dy, dx = torch.randint(2 * pad + 1, (2, n), generator=generator).tolist()
    return torch.stack([padded[i, :, a:a + h, b:b + w] for i, (a, b) in enumerate(zip(dy, dx))])


def parameter_free_share(arch) -> float:
    """Share of edges of ``arch`` (an Arch or a Genotype) that carry a parameter-free op.

    DARTS' failure mode (Zela et al., ICLR 2020; Chu et al. 2020) is a cell that fills with skip
    connections and pooling: this share rising towards 1 is the collapse signal.
    """
    ops = ([op for op, _ in (*arch.normal, *arch.reduce)] if isinstance(arch, Genotype)
           else arch.ops)
    return sum(op in PARAMETER_FREE for op in ops) / len(ops)
