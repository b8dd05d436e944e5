"""The nbval sanitize file masks what varies between runs and nothing that a lesson checks."""
import re
from pathlib import Path

import pytest
from nbval.plugin import get_sanitize_patterns

CFG = Path(__file__).with_name("nbval_sanitize.cfg")


def sanitize(text: str) -> str:
    # nbval's own parser, applied in file order the way nbval applies it
    for regex, replace in get_sanitize_patterns(CFG.read_text()):
        text = re.sub(regex, replace, text)
    return text


def test_every_section_parses():
    sections = CFG.read_text().count("\n[")
    assert len(get_sanitize_patterns(CFG.read_text())) == sections


@pytest.mark.parametrize("first, second", [
    ("searched 120 archs in 3.21 s", "searched 120 archs in 12.9 s"),
    ("took 850ms", "took 1.2e3 ms"),
    ("wall clock 0:00:03.52", "wall clock 0:01:12.01"),
    ("100%|##########| 50/50 [00:01<00:00, 31.95it/s]", "100%|##########| 50/50 [00:02<00:00, 24.10it/s]"),
    ("epoch 3 [01:02<?, ?it/s]", "epoch 3 [00:00<?, ?it/s]"),
    ("<naskit.Foo object at 0x7f3a2b1c9d10>", "<naskit.Foo object at 0x7f00aa11bb22>"),
    ("latency 1.23 ms ± 0.05 ms (cpu)", "latency 1.41 ms ± 0.11 ms (cpu)"),
    ("Measurement(latency_ms=3.2, std=0.1)", "Measurement(latency_ms=4.75, std=0.1)"),
    ("elapsed: 17", "elapsed: 4"),
    ("built at 2026-11-28 03:28:11.5", "built at 2026-12-01T10:00:00"),
    ("12000 s budget used after 45 min", "12000 s budget used after 2 hours"),
])
def test_volatile_output_is_masked(first, second):
    assert first != second
    assert sanitize(first) == sanitize(second)


@pytest.mark.parametrize("text", [
    "Arch('|nor_conv_3x3~0|+|skip_connect~0|none~1|+|skip_connect~0|nor_conv_1x1~1|avg_pool_3x3~2|')",
    "best valid accuracy 91.61 % (index 6111)",
    "15625 archs in 6466 isomorphism classes",
    "5 skip_connect edges, 3 sep_conv_3x3",
    "kendall tau 0.574, spearman rho 0.737",
    "History(trials=120, best=91.2)",
    "params 1.07M, FLOPs 153.3M",
    "Trial(arch=..., score=0.91, cost=12.5)",
])
def test_stable_output_is_kept(text):
    assert sanitize(text) == text


def test_masks_only_the_number():
    assert sanitize("searched 120 archs in 3.21 s") == "searched 120 archs in DURATION"
    assert sanitize("latency_ms=3.2, std=0.1") == "latency_ms=VALUE, std=0.1"


@pytest.mark.slow
def test_a_lesson_that_prints_a_missing_file_fails_under_nbval(tmp_path):
    """The repo's conftest.py fails a lesson cell whose output reads like a hollow section."""
    import json
    import shutil
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    shutil.copy(root / "conftest.py", tmp_path / "conftest.py")  # as .ci/oldest copies them
    shutil.copy(root / "tests" / "_lessons.py", tmp_path / "_lessons.py")
    cells = ["print('a table of 15,625 cells')",
             "try:\n    open('nowhere.csv')\nexcept FileNotFoundError as e:\n    print(e)"]
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
                     "outputs": [], "source": src} for i, src in enumerate(cells)],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                      "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "lesson.ipynb").write_text(json.dumps(nb))
    out = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--nbval-lax",
                          "--nbval-current-env", "lesson.ipynb", "-q"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 1, out.stdout[-2000:]
    assert "1 failed, 1 passed" in out.stdout and "No such file" in out.stdout, out.stdout[-2000:]


@pytest.mark.slow
def test_a_lesson_runs_once_when_its_browser_test_runs_it():
    """conftest.py leaves out a lesson's nbval run where its browser test is selected and can run,
    and keeps it where the browser test is not selected; files run longest first."""
    import subprocess
    import sys

    from _browser import decide, in_ci, missing_tools

    root = Path(__file__).resolve().parents[1]
    lesson = sorted((root / "lessons").glob("00_*.ipynb"))[0].relative_to(root)

    def collect(*args):
        out = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only",
                              "-q", "--nbval-lax", "--nbval-current-env", *args], cwd=root,
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
        return [line for line in out.stdout.splitlines() if "::" in line]

    without = collect("-m", "not browser", "tests/test_browser.py", str(lesson))
    cells = [i for i in without if i.startswith(str(lesson))]
    assert len(cells) > 5 and not any("test_lesson_in_jupyterlab" in i for i in without)
    both = collect("tests/test_browser.py", str(lesson))
    runs = decide(missing_tools(), in_ci())[0] != "skip"
    assert any(i.startswith(str(lesson)) for i in both) != runs
    assert both[0].startswith("tests/test_browser.py::test_lesson_in_jupyterlab")  # the longest first
