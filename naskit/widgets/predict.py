"""Predict, then check: a question asked before a lesson shows a result.

``Predict(question, options, answer)`` shows the question and one button per option. The learner
picks one and presses "check"; only then is ``answer()`` called, the lesson's own computation
(a function of results the lesson has computed, never a typed-in string), and the widget shows
whether the prediction matched and, when given, ``explain()``'s words about why. A lesson usually
asks before the cell that computes the answer, so ``answer`` is a function that reads the lesson's
variables when called; pressed too early, the widget says which cells to run first instead of
failing.

State: ``choice`` (the picked option or None), ``revealed``, ``correct`` (None until revealed),
``result`` (the answer ``answer()`` gave). ``check(choice)`` does from code what the buttons do;
``answer()`` computes the right option without touching the learner's pick.
"""
from __future__ import annotations

import html
from typing import Callable, Sequence

import ipywidgets as widgets

from ._calm import calm

__all__ = ["Predict"]


class Predict(widgets.VBox):
    """A multiple-choice prediction, revealed against an answer the lesson computes."""

    def __init__(self, question: str, options: Sequence[str], answer: Callable[[], str],
                 explain: Callable[[], str] | None = None):
        if not isinstance(question, str) or not question.strip():
            raise ValueError(f"question must be a non-empty str, got {question!r:.60}")
        options = list(options) if not isinstance(options, str) else None
        if not options or len(options) < 2 or not all(isinstance(o, str) and o for o in options) \
                or len(set(options)) != len(options):
            raise ValueError("options must be at least two distinct non-empty strings")
        if not callable(answer):
            raise TypeError("answer must be a function that computes the right option from the "
                            f"lesson's results (called on check), got {type(answer).__name__}")
        if explain is not None and not callable(explain):
            raise TypeError(f"explain must be a function returning a str or None, got "
                            f"{type(explain).__name__}")
        self.question, self.options = question, options
        self._answer, self._explain = answer, explain
        self.revealed, self.correct, self.result = False, None, None
        self.prompt = widgets.HTML(f"<b>Predict first.</b> {html.escape(question)}")
        self.prompt.add_class("naskit-predict-question")
        self.buttons = widgets.ToggleButtons(options=options, value=None,
                                             style={"button_width": "auto"})
        self.buttons.add_class("naskit-predict-options")
        self.button = widgets.Button(description="check my prediction", icon="check",
                                     disabled=True, layout=widgets.Layout(width="auto"))
        self.button.add_class("naskit-predict-check")
        self.verdict = widgets.HTML("")
        self.verdict.add_class("naskit-predict-verdict")
        self.buttons.observe(self._picked, names="value")
        self.error_ = None
        self.button.on_click(self._clicked)
        super().__init__([self.prompt, self.buttons, self.button, self.verdict])

    @property
    def choice(self) -> str | None:
        """The option the learner picked, or None."""
        return self.buttons.value

    @calm("verdict")
    def _picked(self, change) -> None:
        self.button.disabled = change["new"] is None

    def answer(self) -> str:
        """The right option, computed now by the lesson's function; the learner's pick and the
        view stay as they are (a lesson's own check of its answer uses this, not ``check``)."""
        result = self._answer()
        if result not in self.options:
            raise ValueError(f"answer() gave {result!r}, which is not one of the options "
                             f"{self.options}")
        return result

    @calm("verdict")
    def _clicked(self, _button) -> None:
        self.check(self.buttons.value)

    def check(self, choice: str) -> bool | None:
        """Record ``choice`` and compare it with ``answer()``; returns whether it matched, or None
        when the answer cannot be computed yet (the cells it needs have not run)."""
        if choice not in self.options:
            raise ValueError(f"choice must be one of {self.options}, got {choice!r}")
        self.buttons.value = choice
        try:
            result = self.answer()
        except NameError as e:  # a lesson variable the answer needs does not exist yet
            self.verdict.value = (f"<i>The answer is computed further down ({html.escape(str(e))}): "
                                  "run the cells below, then check again.</i>")
            return None
        self.result, self.revealed = result, True
        self.correct = result == choice
        why = self._explain() if self._explain is not None else None
        head = ("Right" if self.correct else "Not this time") + \
            f": you predicted <b>{html.escape(choice)}</b>; the lesson's result is " \
            f"<b>{html.escape(result)}</b>."
        self.verdict.value = head + (f" {html.escape(why)}" if why else "")
        return self.correct

    def __repr__(self):
        state = (f"predicted {self.choice!r}, answer {self.result!r}" if self.revealed
                 else f"picked {self.choice!r}" if self.choice else "not answered")
        return f"Predict({self.question!r}: {state})"
