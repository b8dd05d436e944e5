"""Lesson runs (nbval): a cell whose output says a file is missing fails, even if it raised nothing
(tests/_lessons.py says why); and `make test`'s one session for library and lessons (below).
"""
import sys
from pathlib import Path

import pytest

# tests/_lessons.py, whether this file sits at the repo's root or beside the lessons (.ci/oldest
# copies both next to them)
sys.path[:0] = [str(Path(__file__).resolve().parent / "tests")]
from _lessons import hollow  # noqa: E402


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    missing = hollow(getattr(item, "test_outputs", None))
    if missing:
        raise AssertionError(f"{item.name} printed {missing}, a hollow section")
    return result


# ---- make test: one session for the library and the lessons ------------------------------------
# The browser tests (tests/test_browser*.py) run every lesson top to bottom in JupyterLab in fast
# mode and fail on any error output, which is all that nbval's lax mode checks of a lesson; then
# they operate its widgets. Where a lesson's browser test is selected and can run, its nbval run
# would be the same lesson run a second time, so it is left out (reported as deselected). Without
# Chromium or Playwright (the browser tests skip), or with `-m "not browser"`, nbval runs every
# lesson. CI runs nbval on every lesson in any case, in the oldest-dependency environment
# (.ci/oldest).
#
# The files then run longest first (the browser files, then lessons, then files with slow tests):
# pytest-xdist hands each worker whole files in this order (--dist loadfile with
# --no-loadscope-reorder), so no long file is left to start last while the other worker idles.
_WEIGHT = {"browser": 60.0, "slow": 10.0, "ipynb": 1.0, "other": 0.2}  # rough seconds per test


def _lesson_in_browser(item):
    """The lesson file a browser test runs in JupyterLab, or None."""
    callspec = getattr(item, "callspec", None)
    lesson = callspec.params.get("lesson") if callspec is not None else None
    return getattr(lesson, "name", None) if item.get_closest_marker("browser") else None


def _browser_tests_run() -> bool:
    from _browser import decide, in_ci, missing_tools  # tests/ is on the path once they are collected

    return decide(missing_tools(), in_ci())[0] != "skip"


def _weight(item) -> float:
    if item.path.suffix == ".ipynb":
        return _WEIGHT["ipynb"]
    for mark in ("browser", "slow"):
        if item.get_closest_marker(mark):
            return _WEIGHT[mark]
    return _WEIGHT["other"]


@pytest.hookimpl(trylast=True)  # after -m and -k have deselected what they do
def pytest_collection_modifyitems(config, items):
    in_browser = {name for item in items if (name := _lesson_in_browser(item))}
    if in_browser and _browser_tests_run():
        twice = {item for item in items if item.path.suffix == ".ipynb" and item.path.name in in_browser}
        if twice:
            config.hook.pytest_deselected(items=list(twice))
            items[:] = [item for item in items if item not in twice]
    files: dict = {}
    for item in items:
        files.setdefault(item.path, []).append(item)
    order = sorted(files.values(), key=lambda group: -sum(map(_weight, group)))  # stable
    items[:] = [item for group in order for item in group]
