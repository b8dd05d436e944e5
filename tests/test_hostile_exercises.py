"""Hostile learner functions against ``nk.exercises.check``: it must never be fooled, hung or broken.

A function that changes its inputs in place must neither pass with a wrong answer nor fail with a
right one; one that never returns gets a message saying it took too long; a string, a ragged list,
a dict or an object gets a message a student can act on; a bad ``n`` or a non-function is refused.
Outcomes as in ``tests/test_bad_inputs.py``: a right answer refused or an exception escaping is
deep, a wrong answer passed or a hang is silent.
"""
from __future__ import annotations

import time

import numpy as np
import pytest
import torch

from naskit import exercises
from naskit.exercises import check

from _hostile import REJECT, Case, Judged, outcome, tally as _tally


def _verdict(name, fn, should_pass, **kw):
    """A case whose verdict must pass (a right answer) or fail with a hint (a wrong one)."""
    def judge():
        v = check(name, fn, **kw)
        if should_pass:
            return ("harmless", repr(v)) if v.passed else ("deep", f"a right answer refused: {v!r}")
        if v.passed:
            return "silent", f"a wrong answer passed: {v!r}"
        return ("clear", repr(v)) if v.answered and v.hint else ("deep", f"no hint: {v!r}")
    return judge


def _message(name, fn, words, **kw):
    """A case whose function cannot be right: the verdict fails and its hint has one of ``words``."""
    def judge():
        start = time.perf_counter()
        v = check(name, fn, **kw)
        if v.passed:
            return "silent", f"passed: {v!r}"
        if not any(w in v.hint for w in words):
            return "deep", f"the hint names none of {words}: {v!r}"
        return "clear", f"{v!r} ({time.perf_counter() - start:.1f} s)"
    return judge


def tau_sorts_first(a, b):
    a.sort()
    b.sort()
    return exercises.kendall_tau(a, b)


def tau_sorts_after(a, b):
    tau = exercises.kendall_tau(a, b)
    a.sort()
    b.sort()
    return tau


def tse_scales_first(losses):
    losses += 1  # the answer is then TSE of other losses: wrong, unless the reference saw them too
    return exercises.tse(losses)


def tse_scales_after(losses):
    value = exercises.tse(losses)
    losses *= 2
    return value


def pareto_sorts_first(latency, accuracy):
    order = np.argsort(latency)
    latency[:] = latency[order]
    accuracy[:] = accuracy[order]
    return exercises.pareto(latency, accuracy)


def pareto_sorts_after(latency, accuracy):
    front = exercises.pareto(latency, accuracy)
    latency.sort()
    return front


def kernel_zeroes_first(weight, k):
    weight[...] = 0
    return exercises.elastic_kernel(weight, k).copy()


def kernel_scales_after(weight, k):
    out = exercises.elastic_kernel(weight, k).copy()
    weight *= 3
    return out


def mixed_zeroes_alpha_after(x, alpha, ops):
    out = exercises.mixed_op(x, alpha, ops)
    alpha.zero_()
    x.zero_()
    return out


def never_returns(a, b):
    while True:
        pass


def sleeps(losses):
    time.sleep(3600)


def _bad_n(value):
    return Case("check", "n", value, REJECT, lambda v: check("tse", exercises.tse, n=v))


JUDGED = [
    Judged("kendall_tau-sorts-inputs-first", _verdict("kendall_tau", tau_sorts_first, False)),
    Judged("kendall_tau-sorts-inputs-after", _verdict("kendall_tau", tau_sorts_after, True)),
    Judged("tse-shifts-input-first", _verdict("tse", tse_scales_first, False)),
    Judged("tse-scales-input-after", _verdict("tse", tse_scales_after, True)),
    Judged("pareto-sorts-inputs-first", _verdict("pareto", pareto_sorts_first, False)),
    Judged("pareto-sorts-input-after", _verdict("pareto", pareto_sorts_after, True)),
    Judged("elastic_kernel-zeroes-weight-first", _verdict("elastic_kernel", kernel_zeroes_first, False)),
    Judged("elastic_kernel-scales-weight-after", _verdict("elastic_kernel", kernel_scales_after, True)),
    Judged("mixed_op-zeroes-inputs-after", _verdict("mixed_op", mixed_zeroes_alpha_after, True)),
    Judged("kendall_tau-never-returns", _message("kendall_tau", never_returns, ("longer", "time"),
                                                 time_limit=1)),
    Judged("tse-sleeps", _message("tse", sleeps, ("longer", "time"))),
    Judged("kendall_tau-returns-str", _message("kendall_tau", lambda a, b: "0.5", ("str",))),
    Judged("tse-returns-ragged", _message("tse", lambda s: [[1.0, 2.0], [3.0]], ("ragged", "list"))),
    Judged("evolution_step-returns-dict", _message("evolution_step", lambda p, s, m, f: {0: 1},
                                                   ("dict",))),
    Judged("pareto-returns-object", _message("pareto", lambda lat, acc: object(), ("object",))),
    Judged("bilevel-returns-str", _message("bilevel", lambda tr, va: "1", ("str",))),
    Judged("cell_space_size-returns-list", _message("cell_space_size", lambda n, k: [1, 2],
                                                    ("list",))),
    Judged("mixed_op-returns-ragged", _message("mixed_op", lambda x, a, o: [[1], [1, 2]],
                                               ("ragged", "list"))),
    Judged("reinforce_gradient-returns-nan", _message("reinforce_gradient",
                                                      lambda p, a, adv: np.full_like(p, np.nan),
                                                      ("NaN", "finite", "values"))),
    Judged("top_k_agreement-returns-tensor-grad", _verdict(
        "top_k_agreement", lambda p, t, k: torch.tensor(exercises.top_k_agreement(p, t, k),
                                                        requires_grad=True), True)),
]
CASES = [
    _bad_n(0), _bad_n(-1), _bad_n(True), _bad_n(1.5), _bad_n("3"), _bad_n(None),
    Case("check", "fn", 3, REJECT, lambda v: check("tse", v), names=("fn", "function")),
    Case("check", "fn", "tse", REJECT, lambda v: check("tse", v), names=("fn", "function")),
    Case("check", "time_limit", -1, REJECT, lambda v: check("tse", exercises.tse, time_limit=v)),
    Case("check", "time_limit", float("nan"), REJECT,
         lambda v: check("tse", exercises.tse, time_limit=v)),
    *JUDGED,
]


def tally() -> dict:
    return _tally(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_exercise(case):
    kind, detail = outcome(case)
    assert kind in ("clear", "harmless"), f"{kind}: {detail}"
