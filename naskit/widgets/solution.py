"""The reveal button of an exercise: the reference solution, hidden until the learner asks.

``Solution(name)`` shows a button; pressing it shows the source of
``naskit.exercises.solution(name)`` (the answer that ``naskit.exercises.check`` compares against),
pressing it again hides it. State is in ``revealed``; the text shown is ``code``.
"""
from __future__ import annotations

import html

import ipywidgets as widgets

from ..exercises import EXERCISES, solution

__all__ = ["Solution"]


class Solution(widgets.VBox):
    """A 'show the solution' button over one exercise's reference answer."""

    def __init__(self, name: str):
        if name not in EXERCISES:
            raise ValueError(f"unknown exercise {name!r}; choose from {sorted(EXERCISES)}")
        self.name = name
        self.code = solution(name)
        self.revealed = False
        self.button = widgets.Button(description="show the solution", icon="eye")
        self.button.add_class("naskit-solution-button")
        self.view = widgets.HTML("")
        self.view.add_class("naskit-solution")
        self.button.on_click(lambda _: self.toggle())
        super().__init__([self.button, self.view])

    def toggle(self) -> None:
        """Show the solution if hidden, hide it if shown."""
        self.revealed = not self.revealed
        self.view.value = f"<pre>{html.escape(self.code)}</pre>" if self.revealed else ""
        self.button.description = "hide the solution" if self.revealed else "show the solution"

    def __repr__(self):
        return f"Solution({self.name!r}, {'shown' if self.revealed else 'hidden'})"
