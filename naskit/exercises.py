"""Exercises that check themselves: a learner's function against naskit's on random inputs.

Every lesson ends with a small function to write (the bilevel argmin, the mixed operation, the
REINFORCE gradient, the TSE sum, a Pareto front, ...). ``check(name, fn)`` calls ``fn`` and a
reference on the same seeded random inputs; the reference is naskit's own implementation where
naskit has one (``MixedOp``, ``tse``, ``pareto_front``, ``top_k_precision``, autograd for the
policy gradient). When they differ it answers with a hint that names *what* differs: a known
mistake of that exercise ("the softmax is missing"), or else the shape, the sign, a constant scale.

The reference is computed first, on its own copy of the inputs, and the learner's function gets
another copy: a function that sorts or scales its inputs in place can neither pass with a wrong
answer nor fail with a right one. The function runs under a time limit (a loop that never ends is
reported, and the notebook stays usable), and what it returns is checked before it is compared,
so that a string, a ragged list or a dict gets a message a student can act on.

In a lesson the learner's stub returns ``None``; ``check`` then reports "not answered yet" and
raises nothing, so the lessons run top to bottom in CI with the stubs in place. ``solution(name)``
is the readable reference answer (hidden in a lesson behind ``nk.widgets.Solution``); the tests
check that it passes and that each typical mistake gets its hint.
"""
from __future__ import annotations

import collections
import copy
import inspect
import numbers
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch

from ._checks import check_int, check_positive, check_seed
from ._pareto import pareto_front
from .estimators.rank import kendall_tau as _kendall_tau
from .estimators.rank import top_k_precision as _top_k_precision
from .estimators.training import tse as _tse
from .space import CellSpace
from .supernet import MixedOp

__all__ = ["Exercise", "Verdict", "EXERCISES", "check", "solution"]


@dataclass(frozen=True)
class Verdict:
    """The answer of ``check``: passed or not, and a hint naming what differs."""

    name: str
    passed: bool
    answered: bool
    hint: str
    trials: int

    def __bool__(self):
        return self.passed

    def __repr__(self):
        mark = "correct" if self.passed else "not answered yet" if not self.answered else "not yet"
        return f"{self.name}: {mark}. {self.hint}"


@dataclass(frozen=True)
class Exercise:
    """One exercise: the task, random inputs, the reference, a readable solution, typical mistakes."""

    name: str
    lesson: str
    task: str
    inputs: Callable[[np.random.Generator], tuple]
    reference: Callable
    solution: Callable
    mistakes: tuple = field(default=())  # (function making that mistake, hint)
    kind: str = "close"  # 'close' (arrays, allclose), 'equal' (exact), 'set' (same elements)

    def __repr__(self):
        return f"Exercise({self.name!r}, lesson {self.lesson}: {self.task})"


def _array(x):
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    if isinstance(x, (list, tuple)) and x and isinstance(x[0], tuple):
        return x  # a population: compared as it is
    return np.asarray(x)


def _same(kind: str, a, b) -> bool:
    if kind == "set":
        return set(np.asarray(a).ravel().tolist()) == set(np.asarray(b).ravel().tolist())
    if kind == "equal":
        return a == b if isinstance(a, list) else bool(np.array_equal(_array(a), _array(b)))
    a, b = _array(a), _array(b)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-5, atol=1e-6))


def _fmt(values) -> str:
    return np.array2string(np.asarray(values, dtype=float).ravel()[:4], precision=4,
                           separator=", ")


def _num(value) -> str:
    x = float(np.asarray(value, dtype=float).ravel()[0])
    return f"{int(x)}" if x.is_integer() and abs(x) < 1e15 else f"{x:.4g}"


def _generic_hint(kind: str, pairs: list) -> str:
    """What differs between the learner's answers and the expected ones, for a mistake no
    anticipated hint matched. ``pairs``: ``(got, want)`` of every failing input (the first is the
    one shown). A pattern (sign, scale, shift) is named only when the answers on at least two
    values show it; a single number always has *some* ratio to the expected one, so that alone
    is never called "a factor"."""
    got, want = pairs[0]
    if kind == "set":
        got, want = set(np.asarray(got).ravel().tolist()), set(np.asarray(want).ravel().tolist())
        return (f"elements: {sorted(got - want)[:5]} should not be there, "
                f"{sorted(want - got)[:5]} are missing")
    if kind == "equal" and not isinstance(want, numbers.Number):
        return f"value: expected {want!r}, got {got!r}"
    g, w = _array(got).astype(float), _array(want).astype(float)
    if g.shape != w.shape:
        flipped = g.ndim == 2 and g.shape == w.shape[::-1]
        return (f"shape: expected {w.shape}, got {g.shape}"
                + (" (the transpose: rows and columns swapped)" if flipped else ""))
    same = [(_array(a).astype(float).ravel(), _array(b).astype(float).ravel()) for a, b in pairs
            if _array(a).shape == _array(b).shape]
    G, W = np.concatenate([a for a, _ in same]), np.concatenate([b for _, b in same])
    close = dict(rtol=1e-5, atol=1e-6)
    if np.allclose(G, 0, atol=1e-12) and not np.allclose(W, 0, atol=1e-12):
        return (f"values: yours are 0 on all {len(same)} inputs; expected for example "
                f"{_fmt(w) if w.size > 1 else _num(w)}")
    if np.allclose(-G, W, **close):
        return "sign: your values are the negatives of the expected ones"
    nz = np.abs(W) > 1e-9
    if nz.sum() >= 2 and np.allclose(G[~nz], 0, atol=1e-6):
        ratio = G[nz] / W[nz]
        if np.allclose(ratio, ratio[0], rtol=1e-4):
            return (f"scale: on {len(same)} inputs yours are always {ratio[0]:.4g} times the "
                    "expected values (a factor is off)")
    if G.size >= 2 and np.allclose(G - W, (G - W)[0], rtol=1e-4, atol=1e-6):
        return (f"shift: on {len(same)} inputs yours are always the expected values "
                f"{(G - W)[0]:+.4g} (a constant is added or missing)")
    g, w = g.ravel(), w.ravel()
    if g.size > 1:
        if np.allclose(np.sort(g), np.sort(w), **close):
            return (f"order: you have the right values in another order: expected {_fmt(w)}, "
                    f"got {_fmt(g)}")
        wrong = np.flatnonzero(~np.isclose(g, w, **close))
        if len(wrong) < g.size:
            shape = _array(want).shape
            where = [tuple(int(c) for c in np.unravel_index(i, shape)) if len(shape) > 1
                     else int(i) for i in wrong[:3]]
            return (f"elements: {len(wrong)} of {g.size} differ, the others are right; first at "
                    f"{where}: expected {_fmt(w[wrong])}, got {_fmt(g[wrong])}")
    shown = (f"expected {_fmt(w)}, got {_fmt(g)}" if w.size > 1 else
             f"expected {_num(w)}, got {_num(g)}")
    if len(same) >= 3 and np.std(G) > 0 and np.std(W) > 0:
        r = float(np.corrcoef(G, W)[0, 1])
        if r > 0.8:
            return (f"values: {shown}. Across {len(same)} inputs yours rise and fall with the "
                    f"expected ones (correlation {r:.2f}) but are no fixed factor, sign or shift "
                    "of them: a related quantity, not this one; compare your formula with the "
                    "task's definition term by term")
    return (f"values: {shown}; on {len(same)} inputs yours are no fixed factor, sign, shift or "
            "reordering of the expected ones: check the formula itself")


class _TooLong(Exception):
    """Raised inside the learner's function when it runs past the time limit."""


def _call_with_limit(fn, args, seconds: float):
    """``fn(*args)`` or ``_TooLong`` after ``seconds``.

    In the main thread (a notebook cell runs there) an alarm signal interrupts the function where
    it is, so a loop that never ends stops and the kernel stays usable; an outer alarm (a test's
    own time limit) is put back afterwards. Elsewhere the function runs in a daemon thread that is
    abandoned when it runs too long (Python cannot stop a thread).
    """
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        start = time.monotonic()
        outer_left, _ = signal.getitimer(signal.ITIMER_REAL)

        def alarm(signum, frame):
            if time.monotonic() - start >= seconds - 1e-3 or not callable(outer):
                raise _TooLong()
            outer(signum, frame)  # the outer alarm came first: its handler decides
        outer = signal.signal(signal.SIGALRM, alarm)
        signal.setitimer(signal.ITIMER_REAL, min(seconds, outer_left) if outer_left else seconds)
        try:
            return fn(*args)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, outer)
            if outer_left:
                left = outer_left - (time.monotonic() - start)
                signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3))
    box = {}

    def target():
        try:
            box["value"] = fn(*args)
        except BaseException as e:  # noqa: BLE001 (handed to the caller)
            box["error"] = e
    worker = threading.Thread(target=target, daemon=True, name="naskit-exercise")
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise _TooLong()
    if "error" in box:
        raise box["error"]
    return box["value"]


def _kind_of(value) -> str:
    return type(value).__name__


def _answer(kind: str, got, want):
    """``got`` in a form ``_same`` can compare with ``want``, or a str saying what is wrong with it."""
    if kind == "equal" and isinstance(want, list):  # a population: a list of (arch, fitness)
        if not isinstance(got, list):
            return f"return a list of (arch, fitness) pairs, like the population; got a {_kind_of(got)}"
        return got
    if kind == "equal" and isinstance(want, numbers.Integral):
        if isinstance(got, (bool, np.bool_)) or not isinstance(got, (numbers.Integral, np.integer)):
            return f"return an int, got a {_kind_of(got)} ({str(got)[:40]})"
        return int(got)
    if isinstance(got, torch.Tensor):
        got = got.detach().cpu().numpy()
    if isinstance(got, (str, bytes, dict, set, frozenset)) or callable(got):
        what = "a list or array of indices" if kind == "set" else \
            "a number" if np.ndim(_array(want)) == 0 else "an array (or tensor) of numbers"
        return f"return {what}, got a {_kind_of(got)}"
    try:
        arr = np.asarray(got)
    except ValueError:  # numpy refuses a ragged list
        return "return a rectangular array: your list is ragged (its rows differ in length)"
    if arr.dtype == object:
        return (f"return numbers: your {_kind_of(got)} holds a ragged list or other objects "
                f"({str(got)[:40]})")
    if arr.dtype.kind not in "biuf":
        return f"return numbers, got a {_kind_of(got)} of {arr.dtype}"
    if kind == "set" and arr.size and arr.dtype.kind == "f" and \
            not (np.isfinite(arr).all() and (arr == arr.round()).all()):
        return "return the indices of the archs (integers)"
    if kind != "set" and arr.dtype.kind == "f" and not np.isfinite(arr).all():
        return "values: yours hold NaN or infinity; every value must be finite"
    return got if kind == "equal" else arr


def _more_failures(ex: Exercise, fn: Callable, rng, n: int, time_limit: float) -> list:
    """``(got, want)`` of the learner's other wrong answers on up to ``n`` further inputs (at
    least 4, at most 8, for 5 s at most): the evidence a hint needs before it names a pattern. An
    input the function fails on in another way (raises, too slow, a wrong kind of answer) is left
    out."""
    pairs, deadline = [], time.monotonic() + 5.0
    for _ in range(min(max(n, 4), 8)):
        if time.monotonic() > deadline:
            break
        args = ex.inputs(rng)
        want = ex.reference(*copy.deepcopy(args))
        try:
            got = _call_with_limit(fn, copy.deepcopy(args), time_limit)
            if got is None:
                continue
            answer = _answer(ex.kind, got, want)
            if not isinstance(answer, str) and not _same(ex.kind, answer, want):
                pairs.append((answer, want))
        except Exception:  # the learner's code: the first failure is what the hint shows
            continue
    return pairs


def check(name: str, fn: Callable, n: int = 20, seed: int = 0,
          time_limit: float = 10.0) -> Verdict:
    """Compare ``fn`` with the reference of exercise ``name`` on ``n`` random inputs.

    Each call of ``fn`` may take ``time_limit`` seconds; the reference and ``fn`` each get their
    own copy of the inputs, so that changing them in place changes nothing for the other.
    """
    if name not in EXERCISES:
        raise ValueError(f"unknown exercise {name!r}; choose from {sorted(EXERCISES)}")
    if not callable(fn):
        raise TypeError(f"fn must be your function (a callable), got {_kind_of(fn)} {fn!r:.40}")
    n = check_int(n, "n")
    time_limit = check_positive(time_limit, "time_limit")
    ex = EXERCISES[name]
    rng = np.random.default_rng(check_seed(seed))
    for trial in range(n):
        args = ex.inputs(rng)
        want = ex.reference(*copy.deepcopy(args))
        try:
            got = _call_with_limit(fn, copy.deepcopy(args), time_limit)
        except _TooLong:
            return Verdict(name, False, True, f"your function took longer than {time_limit:g} s on "
                           "one input and was stopped: look for a loop that never ends", trial + 1)
        except Exception as e:  # the learner's code: report, never raise
            return Verdict(name, False, True, f"your function raised {type(e).__name__}: {e}", trial + 1)
        if got is None:
            return Verdict(name, False, False, "Fill in the function above, run it, then run this "
                                               "cell again.", 0)
        answer = _answer(ex.kind, got, want)
        if isinstance(answer, str):
            return Verdict(name, False, True, answer, trial + 1)
        try:
            if _same(ex.kind, answer, want):
                continue
            for mistake, hint in ex.mistakes:
                if _same(ex.kind, answer, mistake(*copy.deepcopy(args))):
                    return Verdict(name, False, True, hint, trial + 1)
            pairs = [(answer, want)] + _more_failures(ex, fn, rng, n - trial - 1, time_limit)
            return Verdict(name, False, True, _generic_hint(ex.kind, pairs), trial + 1)
        except (TypeError, ValueError) as e:  # an answer of an unexpected form: say so, never raise
            return Verdict(name, False, True, f"your answer cannot be compared with the expected "
                           f"one ({type(e).__name__}: {e})", trial + 1)
    return Verdict(name, True, True, f"Same as naskit's on {n} random inputs.", n)


def solution(name: str) -> str:
    """The source of the reference answer of exercise ``name``."""
    if name not in EXERCISES:
        raise ValueError(f"unknown exercise {name!r}; choose from {sorted(EXERCISES)}")
    return inspect.getsource(EXERCISES[name].solution)


# ---- lesson 0: the bilevel problem on a grid --------------------------------------------------
def _bilevel_inputs(rng):
    n_archs, n_weights = int(rng.integers(2, 8)), int(rng.integers(2, 10))
    return rng.uniform(0, 3, (n_archs, n_weights)), rng.uniform(0, 3, (n_archs, n_weights))


def solve_bilevel(train_loss, val_loss):
    """Index of the best arch: inner argmin of L_train over w, outer argmin of L_val at w*(a)."""
    w_star = np.argmin(train_loss, axis=1)                        # w*(a) for every arch a
    return int(np.argmin(val_loss[np.arange(len(w_star)), w_star]))  # min over a of L_val(w*(a), a)


def _bilevel_reference(train_loss, val_loss):
    # by brute force, in loops: for each arch the weight of least training loss (the first of
    # equals, as argmin), then the arch whose validation loss there is least
    best, best_val = None, None
    for a, (tr_row, va_row) in enumerate(zip(train_loss.tolist(), val_loss.tolist())):
        w = min(range(len(tr_row)), key=lambda j: (tr_row[j], j))
        if best_val is None or va_row[w] < best_val:
            best, best_val = a, va_row[w]
    return best


# ---- lesson 1: the size of a cell space --------------------------------------------------------
def _size_inputs(rng):
    return int(rng.integers(2, 7)), int(rng.integers(1, 6))


def cell_space_size(n_nodes, n_ops):
    """Number of cells: every node reads every earlier node, each edge picks one of n_ops."""
    n_edges = n_nodes * (n_nodes - 1) // 2
    return n_ops ** n_edges


# ---- lesson 2: the REINFORCE gradient ----------------------------------------------------------
def _reinforce_inputs(rng):
    n_edges, n_ops = int(rng.integers(1, 7)), int(rng.integers(2, 6))
    logits = rng.normal(0, 1, (n_edges, n_ops))
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return probs, rng.integers(0, n_ops, n_edges), float(rng.normal(0, 5))


def _reinforce_reference(probs, actions, advantage):
    logits = torch.tensor(np.log(probs), requires_grad=True)
    logp = torch.log_softmax(logits, dim=1)[torch.arange(len(actions)), torch.as_tensor(actions)]
    (advantage * logp.sum()).backward()  # the gradient of advantage * log P(actions) by autograd
    return logits.grad.numpy()


def reinforce_gradient(probs, actions, advantage):
    """d/d(logits) of advantage * sum_t log softmax(logits_t)[a_t]: advantage * (onehot - probs)."""
    onehot = np.zeros_like(probs)
    onehot[np.arange(len(actions)), actions] = 1.0
    return advantage * (onehot - probs)


def _reinforce_no_baseline_term(probs, actions, advantage):
    onehot = np.zeros_like(probs)
    onehot[np.arange(len(actions)), actions] = 1.0
    return advantage * onehot


# ---- lesson 3: one step of regularized evolution -----------------------------------------------
def _evolution_inputs(rng):
    size = int(rng.integers(3, 10))
    population = [(int(x), float(f)) for x, f in zip(rng.integers(0, 1000, size), rng.uniform(0, 1, size))]
    sample = [int(i) for i in rng.choice(size, int(rng.integers(1, size + 1)), replace=False)]
    return population, sample, lambda arch: arch + 1000, lambda arch: (arch % 7) / 7


def evolution_step(population, sample, mutate, fitness):
    """Regularized evolution: the best of the sample is the parent; its child joins, the oldest dies."""
    parent = max((population[i] for i in sample), key=lambda member: member[1])[0]
    child = mutate(parent)
    return population[1:] + [(child, fitness(child))]  # population is oldest first


def _evolution_reference(population, sample, mutate, fitness):
    # a second way to write it: a queue of fixed length, where appending pushes the oldest out;
    # the tournament's winner by index (the first of equal fitnesses, as max() picks)
    queue = collections.deque(population, maxlen=len(population))
    scores = [population[i][1] for i in sample]
    parent = population[sample[scores.index(max(scores))]][0]
    child = mutate(parent)
    queue.append((child, fitness(child)))
    return list(queue)


def _evolution_remove_worst(population, sample, mutate, fitness):
    parent = max((population[i] for i in sample), key=lambda member: member[1])[0]
    child = mutate(parent)
    worst = min(range(len(population)), key=lambda i: population[i][1])
    return population[:worst] + population[worst + 1:] + [(child, fitness(child))]


def _evolution_best_of_all(population, sample, mutate, fitness):
    child = mutate(max(population, key=lambda member: member[1])[0])
    return population[1:] + [(child, fitness(child))]


def _evolution_keep_all(population, sample, mutate, fitness):
    child = mutate(max((population[i] for i in sample), key=lambda member: member[1])[0])
    return population + [(child, fitness(child))]


# ---- lesson 4: Kendall's tau -------------------------------------------------------------------
def _tau_inputs(rng):
    n = int(rng.integers(3, 30))
    a = rng.normal(0, 1, n)
    return a, a + rng.normal(0, float(rng.uniform(0.1, 2)), n)


def kendall_tau(a, b):
    """(concordant - discordant pairs) / number of pairs (no ties in these inputs)."""
    n, s = len(a), 0
    for i in range(n):
        for j in range(i + 1, n):
            s += np.sign(a[i] - a[j]) * np.sign(b[i] - b[j])
    return s / (n * (n - 1) / 2)


def _tau_unnormalised(a, b):
    return kendall_tau(a, b) * len(a) * (len(a) - 1) / 2


# ---- lesson 5: the training speed estimate -----------------------------------------------------
def _tse_inputs(rng):
    return (rng.uniform(0.05, 3, (int(rng.integers(1, 6)), int(rng.integers(2, 9)))),)


def tse(step_losses):
    """-TSE: minus the sum over epochs t of the mean minibatch loss (1/B) sum_i L of epoch t."""
    return -float(np.sum(np.mean(step_losses, axis=1)))


def _tse_reference(step_losses):
    return _tse(np.mean(step_losses, axis=1))


def _tse_sum_all(step_losses):
    return -float(np.sum(step_losses))


def _tse_last_epoch(step_losses):
    return -float(np.mean(step_losses[-1]))


def _tse_positive(step_losses):
    return float(np.sum(np.mean(step_losses, axis=1)))


# ---- lesson 6: the mixed operation -------------------------------------------------------------
_NB201_OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")


def _mixed_inputs(rng):
    mixed = MixedOp(4, 4, 1, _NB201_OPS).eval()
    with torch.no_grad():  # random weights from rng, so that global torch RNG state is never used
        for p in mixed.parameters():
            p.copy_(torch.as_tensor(rng.normal(0, 0.5, tuple(p.shape)), dtype=p.dtype))
    x = torch.as_tensor(rng.normal(0, 1, (2, 4, 6, 6)), dtype=torch.float32)
    alpha = torch.as_tensor(rng.normal(0, 1, len(_NB201_OPS)), dtype=torch.float32)
    return x, alpha, list(mixed.ops)


def _mixed_reference(x, alpha, ops):
    mixed = MixedOp(4, 4, 1, _NB201_OPS).eval()
    mixed.ops = torch.nn.ModuleList(ops)
    with torch.no_grad():
        return mixed(x, torch.softmax(alpha, dim=0))


def mixed_op(x, alpha, ops):
    """DARTS' mixed operation: sum_o softmax(alpha)_o * o(x)."""
    weights = torch.softmax(alpha, dim=0)
    with torch.no_grad():
        return sum(w * op(x) for w, op in zip(weights, ops))


def _mixed_raw_alpha(x, alpha, ops):
    with torch.no_grad():
        return sum(w * op(x) for w, op in zip(alpha, ops))


def _mixed_argmax(x, alpha, ops):
    with torch.no_grad():
        return ops[int(torch.argmax(alpha))](x)


def _mixed_mean(x, alpha, ops):
    with torch.no_grad():
        return sum(op(x) for op in ops) / len(ops)


# ---- lesson 7: the Pareto front ----------------------------------------------------------------
def _pareto_inputs(rng):
    n = int(rng.integers(3, 40))
    return rng.uniform(1, 10, n).round(1), rng.uniform(50, 95, n).round(1)


def pareto(latency, accuracy):
    """Indices of the archs that no other arch beats on both: as fast or faster AND as accurate or more."""
    front = []
    for i in range(len(latency)):
        dominated = any(latency[j] <= latency[i] and accuracy[j] >= accuracy[i]
                        and (latency[j] < latency[i] or accuracy[j] > accuracy[i])
                        for j in range(len(latency)))
        if not dominated:
            front.append(i)
    return front


def _pareto_max_latency(latency, accuracy):
    return pareto(-np.asarray(latency), accuracy)


def _pareto_best_only(latency, accuracy):
    return [int(np.argmax(accuracy))]


# ---- lesson 8: the elastic kernel --------------------------------------------------------------
def _kernel_inputs(rng):
    return rng.normal(0, 1, (int(rng.integers(1, 5)), 1, 7, 7)), int(rng.choice([3, 5, 7]))


def elastic_kernel(weight, k):
    """Once-for-All's smaller kernel: the centre k x k of the largest one (before the transform)."""
    start = (weight.shape[-1] - k) // 2
    return weight[..., start:start + k, start:start + k]


def _kernel_reference(weight, k):
    # naskit's own elastic layer, its kernel transformations at their start (the identity): it
    # crops 7 -> 5 -> 3 one ring at a time
    from .ofa.supernet import ElasticDepthwise

    with torch.random.fork_rng(devices=[]):  # its initial weights, overwritten, leave torch's RNG be
        layer = ElasticDepthwise(weight.shape[0], kernels=(3, 5, 7)).double()
    with torch.no_grad():
        layer.weight.copy_(torch.as_tensor(weight))
        return layer.kernel(k).numpy()


def _kernel_corner(weight, k):
    return weight[..., :k, :k]


# ---- lesson 9: top-k agreement -----------------------------------------------------------------
def _topk_inputs(rng):
    n = int(rng.integers(5, 60))
    truth = rng.permutation(n).astype(float)
    return truth + rng.normal(0, n / 4, n), truth, int(rng.integers(1, n // 2 + 1))


def top_k_agreement(pred, truth, k):
    """Share of the k best archs by truth that are also among the k best by pred."""
    best_pred = set(np.argsort(-np.asarray(pred), kind="stable")[:k].tolist())
    best_truth = set(np.argsort(-np.asarray(truth), kind="stable")[:k].tolist())
    return len(best_pred & best_truth) / k


def _topk_bottom(pred, truth, k):
    return top_k_agreement(-np.asarray(pred), truth, k)


def _topk_count(pred, truth, k):
    return top_k_agreement(pred, truth, k) * k


EXERCISES = {ex.name: ex for ex in [
    Exercise("bilevel", "00", "solve min_a L_val(w*(a), a), w*(a) = argmin_w L_train(w, a), on a grid",
             _bilevel_inputs, _bilevel_reference, solve_bilevel, kind="equal", mistakes=(
                 (lambda tr, va: int(np.argmin(va.min(axis=1))),
                  "you minimised L_val over the weights too: w*(a) must come from L_train alone"),
                 (lambda tr, va: int(np.argmin(tr.min(axis=1))),
                  "you compared archs by their training loss: the outer problem uses L_val"),
                 (lambda tr, va: int(np.argmax(va[np.arange(len(tr)), np.argmin(tr, axis=1)])),
                  "sign: you took the arch with the largest validation loss"))),
    Exercise("cell_space_size", "01", "count the cells of an n-node, n-op cell space",
             _size_inputs, lambda n, k: CellSpace(ops=[f"op{i}" for i in range(k)], n_nodes=n).size(),
             cell_space_size, kind="equal", mistakes=(
                 (lambda n, k: k ** (n * (n - 1)), "you counted every edge twice (i->j and j->i)"),
                 (lambda n, k: k * n * (n - 1) // 2,
                  "you added the choices of the edges; they are independent, so multiply"),
                 (lambda n, k: k ** n, "one choice per node, but every pair of nodes has an edge"))),
    Exercise("reinforce_gradient", "02",
             "the gradient of advantage * log P(actions) with respect to the logits",
             _reinforce_inputs, _reinforce_reference, reinforce_gradient, mistakes=(
                 (_reinforce_no_baseline_term, "a missing term: the softmax's -probs part"),
                 (lambda p, a, adv: -reinforce_gradient(p, a, adv),
                  "sign: that is the gradient of the loss -J; ascend J"),
                 (lambda p, a, adv: reinforce_gradient(p, a, 1.0),
                  "scale: the gradient is multiplied by the advantage"))),
    Exercise("evolution_step", "03", "one generation of regularized (ageing) evolution",
             _evolution_inputs, _evolution_reference, evolution_step, kind="equal", mistakes=(
                 (_evolution_remove_worst, "you removed the worst member; ageing removes the oldest"),
                 (_evolution_best_of_all,
                  "the parent is the best of the *sample* (the tournament), not of the population"),
                 (_evolution_keep_all, "the population keeps its size: someone has to leave"))),
    Exercise("kendall_tau", "04", "Kendall's rank correlation of two lists of scores",
             _tau_inputs, _kendall_tau, kendall_tau, mistakes=(
                 (_tau_unnormalised, "scale: divide by the number of pairs, n(n-1)/2"),)),
    Exercise("tse", "05", "the training speed estimate from the minibatch losses (epochs x batches)",
             _tse_inputs, _tse_reference, tse, mistakes=(
                 (_tse_sum_all, "a missing term: the 1/B of the per-epoch mean"),
                 (_tse_last_epoch, "TSE sums over all epochs, not only the last"),
                 (_tse_positive, "sign: naskit's estimators score bigger = better, so return -TSE"))),
    Exercise("mixed_op", "06", "the mixed operation sum_o softmax(alpha)_o o(x)",
             _mixed_inputs, _mixed_reference, mixed_op, mistakes=(
                 (_mixed_raw_alpha, "the softmax is missing: the weights are softmax(alpha)"),
                 (_mixed_argmax, "you kept only the strongest op: that is the derived cell, not the mixture"),
                 (_mixed_mean, "you weighted all ops equally: use softmax(alpha)"))),
    Exercise("pareto", "07", "the Pareto front of latency (lower is better) against accuracy",
             _pareto_inputs, pareto_front, pareto, kind="set", mistakes=(
                 (_pareto_max_latency, "sign: latency is a cost, lower is better"),
                 (_pareto_best_only, "the front has every arch that no other beats on both, "
                                     "not only the most accurate"))),
    Exercise("elastic_kernel", "08", "Once-for-All's k x k kernel from the 7 x 7 one",
             _kernel_inputs, _kernel_reference, elastic_kernel, mistakes=(
                 (_kernel_corner, "you took the top-left corner; OFA keeps the centre"),)),
    Exercise("top_k_agreement", "09", "the share of the true top k that a ranking also puts in its top k",
             _topk_inputs, _top_k_precision, top_k_agreement, mistakes=(
                 (_topk_bottom, "sign: bigger scores are better, so take the k largest"),
                 (_topk_count, "scale: divide the overlap by k"))),
]}
