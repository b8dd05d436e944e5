"""Remedies for DARTS' collapse onto parameter-free ops, measured on the same supernet.

DARTS tends to end at cells full of skip connections and pooling (NAS-Bench-201's table: DARTS-V1
and V2 both derive the all-skip cell, 39.77%; Zela et al., ICLR 2020). Two remedies from the
literature: Wang et al. (ICLR 2021, DARTS-PT) keep DARTS' training but choose each edge's op by
how much the supernet's validation accuracy drops when that op is taken out, rather than by the
size of its alpha; Liang et al. (2019, DARTS+) stop the search early, before parameter-free ops
take over the derived cell.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from ..space import Arch
from ..supernet import NB201SuperNet
from .._checks import check_int
from .._progress import progress_bar
from .base import OneShotSearch, check_positive, check_seed, parameter_free_share

__all__ = ["Decision", "perturbation_select", "early_stop"]


@dataclass(frozen=True)
class Decision:
    """One edge decided by perturbation: accuracy of the supernet with each op removed."""

    edge: int
    op: str
    accuracy_without: dict          # op -> validation accuracy with that op masked out
    accuracy_before: float

    def __repr__(self):
        return (f"Decision(edge {self.edge} -> {self.op}: accuracy {self.accuracy_before:.3f}, "
                f"without it {self.accuracy_without[self.op]:.3f})")


def perturbation_select(search: OneShotSearch, tune_steps: int = 20, tune_lr: float = 0.01,
                        n_batches: int | None = 8, seed: int = 0,
                        progress: bool = False) -> tuple[Arch, list[Decision]]:
    """DARTS-PT's perturbation-based selection on a trained NB201 supernet (Wang et al. 2021, Alg. 1).

    Edges are decided in a random order (``seed``). For each, every op is masked out in turn
    (its weight in softmax(alpha) set to 0) and the supernet's validation accuracy measured on
    ``n_batches`` batches; the op whose removal costs the most accuracy is chosen and the edge
    fixed to it (one-hot). Then the shared weights are tuned ``tune_steps`` SGD steps (``tune_lr``)
    with alpha frozen, before the next edge. The supernet's weights change; alpha does not.
    ``progress``: a progress bar over the edges.
    """
    net = search.supernet
    if not isinstance(net, NB201SuperNet):
        raise TypeError("perturbation_select decides the edges of an NB201 cell supernet; "
                        f"got {type(net).__name__}")
    tune_steps = check_int(tune_steps, "tune_steps", 0)
    tune_lr = check_positive(tune_lr, "tune_lr")
    rng = torch.Generator().manual_seed(check_seed(seed))
    if search.step_ == 0:
        raise ValueError("train the supernet first (search.run()); perturbation picks ops of a "
                         "trained supernet")
    weights = torch.softmax(net.alpha.detach(), dim=-1).clone()
    order = torch.randperm(net.n_edges, generator=rng).tolist()
    opt = torch.optim.SGD(net.weight_parameters(), lr=tune_lr, momentum=0.9)
    decisions = []
    bar = progress_bar(progress, total=len(order), desc="perturbation selection", unit="edge")
    for edge in order:
        if bar is not None:
            bar.update()
        before = search.accuracy(weights=weights, n_batches=n_batches)
        without = {}
        for k, name in enumerate(net.op_names):
            masked = weights.clone()
            masked[edge, k] = 0.0
            without[name] = search.accuracy(weights=masked, n_batches=n_batches)
        op = min(net.op_names, key=lambda name: (without[name], net.op_names.index(name)))
        weights[edge] = 0.0
        weights[edge, net.op_names.index(op)] = 1.0
        decisions.append(Decision(edge, op, without, before))
        net.train()
        for _ in range(tune_steps):
            idx = torch.randint(len(search.data.y_train), (search.batch_size,), generator=rng)
            xb = search.data.x_train[idx].to(search.device, memory_format=torch.channels_last)
            yb = search.data.y_train[idx].to(search.device)
            loss = torch.nn.functional.cross_entropy(net(xb, weights=weights), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.weight_parameters(), search.grad_clip)
            opt.step()
    if bar is not None:
        bar.close()
    ops = [net.op_names[int(i)] for i in weights.argmax(dim=1)]
    return Arch.from_ops(ops, net.space.n_nodes), decisions


def early_stop(trace, max_parameter_free: float = 0.5, warmup: float = 0.1, patience: int = 20):
    """The derived arch of the last step before its share of parameter-free ops exceeded
    ``max_parameter_free`` for good (DARTS+'s rule, on the share instead of a count of skips), and that step.

    A random cell of NB201's five ops exceeds a share of 0.5 with probability 0.54, so the rule
    ignores the first ``warmup`` (a fraction) of the steps, while alpha is still noise, and
    fires only when the share stays above the bound for ``patience`` recorded steps in a row.
    Returns ``(arch, step)``; the final arch and the last step if it never fires.
    """
    if not 0.0 <= max_parameter_free < 1.0:
        raise ValueError(f"max_parameter_free must be in [0, 1), got {max_parameter_free!r}")
    if not 0.0 <= warmup < 1.0:
        raise ValueError(f"warmup must be a fraction of the steps in [0, 1), got {warmup!r}")
    patience = check_int(patience, "patience")
    steps = [s for s in trace if s.arch is not None]
    if not steps:
        raise ValueError("the trace records no derived archs; early stopping needs a method whose "
                         "trace has one per step (DARTS, GDAS)")
    first = int(warmup * len(steps))
    run = 0
    for i in range(first, len(steps)):
        run = run + 1 if parameter_free_share(steps[i].arch) > max_parameter_free else 0
        if run == patience:
            # the step before the share rose for good; never earlier than the end of the warm-up
            before = steps[max(i - patience, first - 1, 0)]
            return before.arch, before.step
    return steps[-1].arch, steps[-1].step
