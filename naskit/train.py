"""Training a candidate network: the inner problem w*(a) = argmin_w L_train(w, a) of NAS.

A plain SGD (Nesterov momentum) loop with a one-cycle learning-rate schedule (Smith & Topin,
2019), which reaches a usable accuracy in very few epochs: cheap, repeatable ground truth for
small networks. It records everything the estimators of the lessons need: the loss of every
minibatch (TSE, Ru et al. 2021), per-epoch validation accuracy and loss (early stopping, learning
curve extrapolation) and the time per epoch.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import torch
from torch import nn

from ._checks import check_int, check_positive, check_range, check_seed
from ._progress import progress_bar
from ._torch import check_device
from .datasets import Dataset

__all__ = ["TrainLog", "train", "evaluate"]


@dataclass
class TrainLog:
    """What happened during one training run; lists are per step or per epoch.

    ``epoch_seconds`` times the training of each epoch, ``val_seconds`` its validation pass.
    """

    step_loss: list[float] = field(default_factory=list)
    epoch_train_loss: list[float] = field(default_factory=list)
    epoch_train_acc: list[float] = field(default_factory=list)
    epoch_val_loss: list[float] = field(default_factory=list)
    epoch_val_acc: list[float] = field(default_factory=list)
    epoch_seconds: list[float] = field(default_factory=list)
    val_seconds: list[float] = field(default_factory=list)
    test_acc: float | None = None
    seed: int = 0

    @property
    def epochs(self) -> int:
        """Number of finished epochs."""
        return len(self.epoch_val_acc)

    def __repr__(self):
        if not self.epochs:
            return "TrainLog(0 epochs)"
        test = "" if self.test_acc is None else f", test acc {self.test_acc:.3f}"
        return (f"TrainLog({self.epochs} epochs, val acc {self.epoch_val_acc[-1]:.3f}{test}, "
                f"{sum(self.epoch_seconds):.1f} s)")


@torch.no_grad()
def evaluate(net: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 512,
             device="cpu", channels_last: bool = False) -> tuple[float, float]:
    """Mean cross-entropy loss and accuracy of ``net`` on ``(x, y)`` in eval mode.

    ``channels_last``: feed the images in NHWC layout (use it for a net trained that way).
    """
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    was_training = net.training
    net.eval()
    loss, correct = 0.0, 0
    for i in range(0, len(y), batch_size):
        xb = x[i:i + batch_size].to(device, memory_format=fmt)
        yb = y[i:i + batch_size].to(device)
        out = net(xb)
        loss += nn.functional.cross_entropy(out, yb, reduction="sum").item()
        correct += (out.argmax(1) == yb).sum().item()
    net.train(was_training)
    return loss / len(y), correct / len(y)


def train(net: nn.Module, data: Dataset, epochs: int, seed: int = 0, device="cpu",
          batch_size: int = 64, lr: float = 0.2, momentum: float = 0.9,
          weight_decay: float = 5e-4, evaluate_test: bool = True, progress: bool = False,
          channels_last: bool = True) -> TrainLog:
    """Train ``net`` in place on ``data`` and return its TrainLog.

    ``seed`` fixes the minibatch order; with weights fixed by ``build(..., seed=)`` the run is
    deterministic on CPU. ``channels_last`` (NHWC tensors) makes these small convolutions about
    25% faster on CPU (benchmarks/train_speed.py); results differ from NCHW only by rounding,
    which a chaotic training run amplifies to the size of seed noise.
    """
    epochs, batch_size = check_int(epochs, "epochs"), check_int(batch_size, "batch_size")
    seed, lr = check_seed(seed), check_positive(lr, "lr")
    # Nesterov momentum needs a momentum in (0, 1): 0 has no look-ahead, 1 never forgets
    momentum = check_range(momentum, "momentum", 0, 1, low_open=True, high_open=True)
    weight_decay = check_positive(weight_decay, "weight_decay", allow_zero=True)
    expected = tuple(data.input_shape)
    device = check_device(device)
    gen = torch.Generator().manual_seed(seed)
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    net.to(device, memory_format=fmt).train()
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=momentum, nesterov=True,
                          weight_decay=weight_decay)
    n = len(data.y_train)
    steps_per_epoch = math.ceil(n / batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, epochs=epochs,
                                                steps_per_epoch=steps_per_epoch)
    log = TrainLog(seed=seed)
    bar = progress_bar(progress, total=epochs * steps_per_epoch, desc="training", unit="step")
    for _ in range(epochs):
        start = time.perf_counter()
        perm = torch.randperm(n, generator=gen)
        total, correct = 0.0, 0
        for i in range(0, n, batch_size):
            idx = perm[i:i + batch_size]
            xb = data.x_train[idx].to(device, memory_format=fmt)
            yb = data.y_train[idx].to(device)
            if xb.shape[1:] != expected:
                raise ValueError(f"training images have shape {tuple(xb.shape[1:])}, expected {expected}")
            out = net(xb)
            loss = nn.functional.cross_entropy(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            value = loss.item()
            if not math.isfinite(value):
                raise FloatingPointError(f"training diverged (loss {value}) at step "
                                         f"{len(log.step_loss)}; lower lr (now {lr})")
            log.step_loss.append(value)
            total += value * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
            if bar is not None:
                bar.update(1)
        log.epoch_train_loss.append(total / n)
        log.epoch_train_acc.append(correct / n)
        log.epoch_seconds.append(time.perf_counter() - start)
        start = time.perf_counter()
        vloss, vacc = evaluate(net, data.x_val, data.y_val, device=device,
                              channels_last=channels_last)
        log.val_seconds.append(time.perf_counter() - start)
        log.epoch_val_loss.append(vloss)
        log.epoch_val_acc.append(vacc)
    if bar is not None:
        bar.close()
    if evaluate_test:
        log.test_acc = evaluate(net, data.x_test, data.y_test, device=device,
                                 channels_last=channels_last)[1]
    return log
