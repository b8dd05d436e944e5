"""Predict, then check: the answer comes from the lesson's computation, only on check."""
import pytest

from naskit.widgets import Predict


def test_the_answer_is_computed_only_when_checked():
    calls = []

    def answer():
        calls.append(1)
        return "skip_connect"

    q = Predict("Which op will DARTS favour?", ["none", "skip_connect", "nor_conv_3x3"], answer,
                explain=lambda: "parameter-free ops win the mixture early")
    assert not calls and q.button.disabled and q.verdict.value == ""
    q.buttons.value = "nor_conv_3x3"          # the learner picks: the check button wakes up
    assert q.choice == "nor_conv_3x3" and not q.button.disabled and not calls
    q.button.click()
    assert calls == [1] and q.revealed and q.correct is False and q.result == "skip_connect"
    assert "Not this time" in q.verdict.value and "skip_connect" in q.verdict.value
    assert "parameter-free" in q.verdict.value
    assert q.check("skip_connect") is True and "Right" in q.verdict.value
    assert q.buttons.value == "skip_connect"
    # answer() computes without touching the learner's pick or the view
    q.buttons.value, shown = "none", q.verdict.value
    assert q.answer() == "skip_connect" and q.choice == "none" and q.verdict.value == shown


def test_checked_before_the_answer_exists_it_says_what_to_run():
    q = Predict("Will NASWOT beat the parameter count?", ["yes", "no"],
                lambda: "yes" if later_result > 0 else "no")  # noqa: F821 (defined below, later)
    assert q.check("yes") is None and not q.revealed
    assert "run the cells below" in q.verdict.value
    globals()["later_result"] = 0.3
    try:
        assert q.check("yes") is True
    finally:
        del globals()["later_result"]


def test_an_answer_outside_the_options_is_an_error_in_code_and_calm_in_the_widget():
    q = Predict("Which is faster?", ["a", "b"], lambda: "c")
    with pytest.raises(ValueError, match="not one of the options"):
        q.check("a")
    q.buttons.value = "a"
    q.button.click()                          # the click shows it and never raises
    assert isinstance(q.error_, ValueError) and "not one of the options" in q.verdict.value


@pytest.mark.parametrize("args,match", [
    (("", ["a", "b"], lambda: "a"), "question"),
    (("q?", ["a"], lambda: "a"), "at least two"),
    (("q?", ["a", "a"], lambda: "a"), "distinct"),
    (("q?", "ab", lambda: "a"), "at least two"),
    (("q?", ["a", "b"], "a"), "function"),
])
def test_bad_arguments_name_what_is_allowed(args, match):
    with pytest.raises((ValueError, TypeError), match=match):
        Predict(*args)
    with pytest.raises(ValueError, match="one of"):
        Predict("q?", ["a", "b"], lambda: "a").check("z")
