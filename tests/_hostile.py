"""Shared parts of the hostile-case suites (files, exercises, widgets, runs).

Each suite lists cases whose outcome is classified as in ``tests/test_bad_inputs.py`` (clear,
harmless, deep, silent; its ``classify`` is reused for every case that calls an entry point), and
``benchmarks/bad_input_tally.py`` counts them per area. A case whose answer is not an exception
(an exercise verdict, what a widget shows) classifies itself with ``judged``.
"""
from __future__ import annotations

import signal
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from test_bad_inputs import (ACCEPT, EITHER, HANG_SECONDS, REJECT, Case,  # noqa: F401 (re-used)
                             _alarm, _Hang, classify)

OUTCOMES = ("clear", "harmless", "deep", "silent")


@dataclass(frozen=True)
class Judged:
    """A case that judges its own outcome: ``judge()`` returns (outcome, detail)."""

    id: str
    judge: Callable[[], tuple[str, str]]
    hang_seconds: int = HANG_SECONDS  # a case that starts a fresh interpreter needs longer


def outcome(case) -> tuple[str, str]:
    """(outcome, detail) of a ``Case`` (the battery's classifier) or a ``Judged`` case."""
    if isinstance(case, Judged):
        old = signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(case.hang_seconds)
        try:
            try:
                return case.judge()
            finally:
                signal.alarm(0)
        except _Hang:
            return "silent", f"no answer within {case.hang_seconds} s"
        except Exception as e:  # noqa: BLE001 (classified, not hidden)
            return "deep", f"{type(e).__name__}: {e}"
        finally:
            signal.signal(signal.SIGALRM, old)
    result = classify(case)
    # torch's advice to load with weights_only=False would run any code a file holds
    if "weights_only" in result[1] and result[0] == "clear":
        return "deep", f"suggests weights_only=False: {result[1]}"
    return result


def case_id(case) -> str:
    return case.id


def tally(cases) -> dict:
    """{outcome: [(case id, detail), ...]} over ``cases``."""
    out = {k: [] for k in OUTCOMES}
    for case in cases:
        kind, detail = outcome(case)
        out[kind].append((case.id, detail))
    return out


_TMP: list = []


def scratch(name: str) -> Path:
    """A fresh folder for one case's files, removed when the process ends."""
    if not _TMP:
        _TMP.append(tempfile.TemporaryDirectory(prefix="naskit-hostile-"))
    folder = Path(_TMP[0].name) / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder
