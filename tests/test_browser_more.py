"""Lessons 05-08 in a real browser: test_browser.py's check, in a file of its own so that the
second test process runs these beside the first file's lessons (each file stays in one process)."""
import pytest

from test_browser import LATER, check_lesson, gallery, lab  # noqa: F401 (the two fixtures)


@pytest.mark.browser
@pytest.mark.parametrize("lesson", LATER, ids=[p.name[:2] for p in LATER])
def test_lesson_in_jupyterlab(lab, gallery, lesson):  # noqa: F811 (the fixtures imported above)
    check_lesson(lab, gallery, lesson)
