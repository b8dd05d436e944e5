"""Every exercise accepts its reference solution and answers typical mistakes with the right hint."""
import numpy as np
import pytest
import torch

from naskit import exercises as X
from naskit.widgets import Solution

# exercise -> (a wrong answer a learner might write, a word its hint must contain)
MISTAKES = {
    "bilevel": [(lambda tr, va: int(np.argmin(va.min(axis=1))), "L_train alone"),
                (lambda tr, va: int(np.argmin(tr.min(axis=1))), "outer problem uses L_val")],
    "cell_space_size": [(lambda n, k: k ** (n * (n - 1)), "twice"),
                        (lambda n, k: k ** n, "every pair")],
    "reinforce_gradient": [(lambda p, a, adv: -X.reinforce_gradient(p, a, adv), "sign"),
                           (lambda p, a, adv: X.reinforce_gradient(p, a, 1.0), "advantage"),
                           (lambda p, a, adv: adv * np.eye(p.shape[1])[a], "missing term")],
    "evolution_step": [(X._evolution_remove_worst, "oldest"), (X._evolution_keep_all, "size")],
    "kendall_tau": [(lambda a, b: -X.kendall_tau(a, b), "sign"),
                    (lambda a, b: 2 * X.kendall_tau(a, b), "scale")],
    "tse": [(lambda L: -float(np.sum(L)), "1/B"), (lambda L: float(np.mean(L, 1).sum()), "sign"),
            (lambda L: -float(np.mean(L, 1).sum()) / 3, "scale")],
    "mixed_op": [(X._mixed_raw_alpha, "softmax is missing"), (X._mixed_argmax, "derived cell"),
                 (lambda x, alpha, ops: X.mixed_op(x, alpha, ops)[:1], "shape")],
    "pareto": [(X._pareto_max_latency, "latency is a cost"), (X._pareto_best_only, "every arch")],
    "elastic_kernel": [(X._kernel_corner, "centre")],
    "top_k_agreement": [(X._topk_bottom, "sign"), (X._topk_count, "divide")],
}


# exercise -> a wrong answer no hint anticipates, and words its generic hint must contain: what
# differs, in words a student can act on (never a guessed cause)
UNANTICIPATED = {
    "bilevel": (lambda tr, va: 0, ["0 on all", "expected for example"]),
    "cell_space_size": (lambda n, k: k ** (n * (n - 1) // 2) + 1, ["shift", "+1"]),
    "reinforce_gradient": (lambda p, a, adv: X.reinforce_gradient(p, a, adv).T,
                           ["shape", "transpose"]),
    "evolution_step": (lambda pop, s, m, f: pop[::-1], ["value: expected"]),
    "kendall_tau": (lambda a, b: float(np.corrcoef(a, b)[0, 1]), ["correlation", "term by term"]),
    "tse": (lambda L: -float(np.mean(L)), ["no fixed factor", "formula"]),
    "mixed_op": (lambda x, alpha, ops: torch.softmax(alpha, 0), ["shape", "(5,)"]),
    "pareto": (lambda lat, acc: list(range(len(lat))), ["should not be there"]),
    "elastic_kernel": (lambda w, k: np.flip(X.elastic_kernel(w, k), -1).copy(), ["order"]),
    "top_k_agreement": (lambda p, t, k: X.top_k_agreement(p, t, k) + 0.5, ["shift", "+0.5"]),
}


def test_every_lesson_has_an_exercise():
    assert {ex.lesson for ex in X.EXERCISES.values()} == {f"{i:02d}" for i in range(10)}
    assert set(MISTAKES) == set(X.EXERCISES) == set(UNANTICIPATED)


@pytest.mark.parametrize("name", sorted(X.EXERCISES))
def test_reference_solution_passes(name):
    verdict = X.check(name, X.EXERCISES[name].solution)
    assert verdict.passed and verdict.answered, verdict
    assert "def " in X.solution(name)


@pytest.mark.parametrize("name", sorted(X.EXERCISES))
def test_typical_mistakes_get_their_hint(name):
    for wrong, word in MISTAKES[name]:
        verdict = X.check(name, wrong)
        assert not verdict.passed and verdict.answered
        assert word in verdict.hint, (name, word, verdict.hint)


@pytest.mark.parametrize("name", sorted(X.EXERCISES))
def test_an_unanticipated_mistake_gets_a_hint_naming_what_differs(name):
    wrong, words = UNANTICIPATED[name]
    verdict = X.check(name, wrong)
    assert not verdict.passed and verdict.answered
    assert all(w in verdict.hint for w in words), (name, words, verdict.hint)
    # no anticipated hint fires on it (else it would not test the generic one)
    assert all(verdict.hint != hint for _, hint in X.EXERCISES[name].mistakes)


def test_one_number_is_never_called_a_factor_off():
    # Pearson's r handed in for Kendall's tau: any two numbers have a ratio, so a hint that called
    # it "a factor" would send the student after a constant that is not there
    pearson = lambda a, b: float(np.corrcoef(a, b)[0, 1])  # noqa: E731
    for n in (1, 2, 20):
        hint = X.check("kendall_tau", pearson, n=n).hint
        assert "factor is off" not in hint and "expected" in hint, hint
    # a true factor is named once several inputs show the same ratio
    assert "2 times" in X.check("kendall_tau", lambda a, b: 2 * X.kendall_tau(a, b)).hint
    # per-element: the positions that differ, when the others are right
    def one_off(p, a, adv):
        g = X.reinforce_gradient(p, a, adv)
        g[0, 0] += 1.0
        return g
    hint = X.check("reinforce_gradient", one_off).hint
    assert hint.startswith("elements: 1 of") and "(0, 0)" in hint, hint


@pytest.mark.parametrize("name", sorted(X.EXERCISES))
def test_every_solution_is_checked_against_a_second_implementation(name):
    ex = X.EXERCISES[name]
    assert ex.reference is not ex.solution
    assert ex.reference.__code__.co_code != ex.solution.__code__.co_code


def test_stub_is_not_answered_and_does_not_raise():
    verdict = X.check("mixed_op", lambda x, alpha, ops: None)
    assert not verdict and not verdict.answered and "Fill in" in verdict.hint
    verdict = X.check("tse", lambda L: 1 / 0)
    assert not verdict and "ZeroDivisionError" in verdict.hint


def test_references_agree_with_naskit():
    from naskit.estimators import kendall_tau
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=20), rng.normal(size=20)
    assert np.isclose(X.kendall_tau(a, b), kendall_tau(a, b))
    x, alpha, ops = X._mixed_inputs(rng)
    assert torch.allclose(X.mixed_op(x, alpha, ops), X._mixed_reference(x, alpha, ops))


def test_unknown_exercise_names_the_choices():
    with pytest.raises(ValueError, match="mixed_op"):
        X.check("mixd_op", print)


def test_solution_widget_is_hidden_then_one_click_away():
    w = Solution("mixed_op")
    assert not w.revealed and w.view.value == ""
    w.button.click()
    assert w.revealed and "softmax" in w.view.value
    w.button.click()
    assert not w.revealed and w.view.value == ""
    with pytest.raises(ValueError):
        Solution("nope")


def test_every_lesson_ends_with_a_checked_exercise():
    import json
    from pathlib import Path
    lessons = sorted((Path(__file__).resolve().parents[1] / "lessons").glob("[0-9][0-9]_*.ipynb"))
    assert len(lessons) >= 10
    for path in lessons:
        cells = json.loads(path.read_text())["cells"]
        tail = "".join("".join(c["source"]) for c in cells[-3:])
        names = [ex.name for ex in X.EXERCISES.values() if ex.lesson == path.name[:2]]
        assert any(f'nk.exercises.check("{n}"' in tail and f'nk.widgets.Solution("{n}")' in tail
                   for n in names), path.name


def test_checking_leaves_torchs_random_generator_as_it_was():
    torch.manual_seed(0)
    before = torch.random.get_rng_state()
    X.check("elastic_kernel", X.EXERCISES["elastic_kernel"].solution)
    X.check("elastic_kernel", lambda w, k: w[..., :k, :k])  # a wrong one, with its extra inputs
    assert torch.equal(torch.random.get_rng_state(), before)
