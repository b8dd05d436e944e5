"""naskit.grading: the lessons' exercises as otter-grader assignments, graded by otter itself.

The fast tests read the master notebooks and run their answer and test cells in this process. The
slow ones run otter: ``otter assign`` on every lesson's master (the student notebook keeps neither
solution nor hidden test), ``otter run`` on a combined assignment with one question per exercise
(one submission with every reference solution, one with every exercise's first anticipated mistake:
two runs, each starts a kernel), and one lesson end to end through ``naskit exercises`` (whose otter
assign grades the solution). A wrong answer no hint anticipates is checked in this process. Without otter-grader they skip, saying how to install it; under CI they
fail instead.
"""
import ast
import json
import os
import re
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import yaml
from _browser import in_ci

import naskit
from naskit import grading
from naskit._config import shipped_lessons_dir
from naskit._files import write_notebook
from naskit.cli import main
from naskit.exercises import EXERCISES, check

LESSONS = sorted(p.name[:2] for p in shipped_lessons_dir().glob("[0-9]*.ipynb"))


def _source(cell) -> str:
    return "".join(cell["source"])


def _questions(notebook) -> list[list[dict]]:
    """The cells of each question, from its BEGIN QUESTION to its END QUESTION."""
    out, current = [], None
    for cell in notebook["cells"]:
        text = _source(cell)
        if cell["cell_type"] == "raw" and text.startswith("# BEGIN QUESTION"):
            current = []
        if current is not None:
            current.append(cell)
        if cell["cell_type"] == "raw" and text == "# END QUESTION":
            out.append(current)
            current = None
    return out


@pytest.fixture(scope="module")
def exercises():
    return {e.name: e for e in grading.lesson_exercises()}


def test_every_lesson_names_one_exercise_with_the_solutions_parameters(exercises):
    import inspect

    assert len(LESSONS) >= 10 and sorted(e.lesson[:2] for e in exercises.values()) == LESSONS
    assert set(exercises) == set(EXERCISES)
    assert len({e.function for e in exercises.values()}) == len(exercises)
    for name, e in exercises.items():
        solution = tuple(inspect.signature(EXERCISES[name].solution).parameters)
        assert e.parameters == solution, f"{e.lesson}: the stub's parameters differ from the answer's"
        assert e.text.startswith("## Exercise")
    assert exercises["evolution_step"].function == "my_evolution_step"


def test_master_notebook_is_otters_format(exercises):
    notebook = grading.master_notebook()
    config = _source(notebook["cells"][0])
    assert notebook["cells"][0]["cell_type"] == "raw" and config.startswith("# ASSIGNMENT CONFIG\n")
    config = yaml.safe_load(config)
    assert config["tests"] == {"ok_format": False} and config["export_cell"] == {"pdf": False}
    assert config["requirements"][0].startswith("naskit-edu")
    questions = _questions(notebook)
    assert len(questions) == len(exercises)
    for cells, e in zip(questions, sorted(exercises.values(), key=lambda e: e.lesson)):
        kinds = [c["cell_type"] for c in cells]
        raws = [_source(c) for c in cells if c["cell_type"] == "raw"]
        assert kinds == ["raw", "markdown", "raw", "code", "raw", "raw", "code", "code", "raw", "raw"]
        assert raws[1:] == ["# BEGIN SOLUTION", "# END SOLUTION", "# BEGIN TESTS", "# END TESTS",
                            "# END QUESTION"]
        assert yaml.safe_load(raws[0].split("\n", 1)[1]) == {"name": e.name, "points": 1}
        assert _source(cells[1]).startswith("## Exercise") and e.lesson in _source(cells[1])
        assert "one click away" not in _source(cells[1])  # no solution button in a graded notebook
        answer, public, hidden = (_source(cells[i]) for i in (3, 6, 7))
        (definition,) = ast.parse(answer).body
        assert definition.name == e.function
        assert re.search(r"\n( +)# BEGIN SOLUTION\n(.*\n)+\1# END SOLUTION$", answer)
        assert hidden.startswith("# HIDDEN\n")
        assert f'check("{e.name}", {e.function}, seed={grading.HIDDEN_SEED})' in hidden
        assert "# HIDDEN" not in public and re.search(r"^points: 0$", public, re.MULTILINE)
        for test in (public, hidden):  # otter's exception-based tests: a function and its call
            body = ast.parse(test).body
            assert [type(n) for n in body[-2:]] == [ast.FunctionDef, ast.Expr]
    assert "# w*(a) for every arch a" in _source(questions[0][3])  # the solution keeps its comments


def _run_question(cells, answer: str) -> dict:
    """Run the master's imports, ``answer`` and both test cells of a question in one namespace."""
    namespace = {}
    exec(grading.IMPORTS, namespace)
    exec(answer, namespace)
    for cell in cells[6:8]:
        exec(_source(cell), namespace)
    return namespace


def test_answers_and_tests_run_as_otter_would_run_them(exercises):
    questions = {yaml.safe_load(_source(q[0]).split("\n", 1)[1])["name"]: q
                 for q in _questions(grading.master_notebook())}
    for name, e in exercises.items():
        cells = questions[name]
        _run_question(cells, _source(cells[3]))  # the master's own answer passes both tests
        for mistake, _ in EXERCISES[name].mistakes:  # each mistake, as a learner would write it
            with pytest.raises(AssertionError) as failed:
                _run_question(cells, grading.function_source(mistake, e.function))
            # the same answers as naskit's, on the hidden test's inputs
            assert str(failed.value) == check(name, mistake, seed=grading.HIDDEN_SEED).hint


def test_function_source_of_a_lambda_reaches_naskit_through_nk():
    mistake = EXERCISES["reinforce_gradient"].mistakes[1][0]  # lambda p, a, adv: -reinforce_gradient(...)
    text = grading.function_source(mistake, "grad")
    assert text == "def grad(p, a, adv):\n    return -nk.exercises.reinforce_gradient(p, a, adv)\n"
    with pytest.raises(ValueError, match="name must be a Python identifier"):
        grading.function_source(mistake, "my grad")


def test_bad_arguments_say_what_is_allowed(monkeypatch, tmp_path):
    with pytest.raises(ValueError, match=r"no lesson '13'; name one by number or file name: \['00_"):
        grading.lesson_exercise("13")
    with pytest.raises(TypeError, match="lesson must be a lesson's number"):
        grading.lesson_exercise(3)
    assert grading.lesson_exercise("3").name == "evolution_step"
    with pytest.raises(ValueError, match="at least one lesson"):
        grading.master_notebook([])
    with pytest.raises(ValueError, match="points must be a number > 0"):
        grading.master_notebook("03", points=0)
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    (lessons / "00_empty.ipynb").write_text(json.dumps({"cells": [
        {"cell_type": "code", "metadata": {}, "source": ["print(1)"]}]}))
    monkeypatch.setattr(grading, "shipped_lessons_dir", lambda: lessons)
    with pytest.raises(ValueError, match=r"00_empty.ipynb: .* exactly one cell; found 0"):
        grading.lesson_exercise("00")


def test_export_without_otter_says_how_to_install_it(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(grading, "has_otter", lambda: False)
    with pytest.raises(ModuleNotFoundError, match=re.escape('pip install otter-grader (or pip install "naskit-edu[grade]")')):
        grading.export(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        main(["exercises", "--out", str(tmp_path)])
    assert exit_.value.code == 1
    assert "naskit exercises: naskit exercises needs otter-grader" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_export_never_replaces_a_folder_without_force(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(grading, "has_otter", lambda: True)
    mine = tmp_path / "03_evolution" / "notes.txt"
    mine.parent.mkdir()
    mine.write_text("mine")
    with pytest.raises(FileExistsError, match="03_evolution is not empty; pass force=True"):
        grading.export(tmp_path, lesson="03")
    with pytest.raises(SystemExit) as exit_:
        main(["exercises", "--out", str(tmp_path), "--lesson", "03"])
    assert exit_.value.code == 1 and "--force" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["exercises", "--out", str(tmp_path), "--lesson", "13"])
    assert exit_.value.code == 1 and "naskit exercises: no lesson '13'" in capsys.readouterr().err
    assert mine.read_text() == "mine" and sorted(tmp_path.iterdir()) == [mine.parent]


# ---- otter itself ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def otter():
    if not grading.has_otter():
        reason = f"otter-grader is not installed: {grading.INSTALL_HINT}"
        pytest.fail(reason) if in_ci() else pytest.skip(reason)


def otter_run(autograder, notebook, out) -> dict:
    """``otter run`` on ``notebook``: the results JSON, by test name."""
    out.mkdir()
    env = {**grading.otter_environment(), "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-m", "otter", "run", "-a", str(autograder), "-o", str(out),
                           "--no-logo", str(notebook)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    tests = json.loads((out / "results.json").read_text())["tests"]
    return {t["name"]: t for t in tests if t["name"] != "Public Tests"}


def submit(student, answers: dict[str, str], path):
    """The student notebook with each answer cell's function replaced by ``answers[name]``."""
    notebook = json.loads(student.read_text())
    for cell in notebook["cells"]:
        if "otter_answer_cell" in cell["metadata"].get("tags", []):
            name = re.match(r"def (\w+)\(", _source(cell)).group(1)
            cell["source"] = answers.pop(name)
    assert not answers, f"no answer cell for {sorted(answers)}"
    path.write_text(json.dumps(notebook, indent=1))
    return path


def zip_of(folder):
    (autograder,) = (folder / "autograder").glob("*-autograder_*.zip")
    return autograder


@pytest.fixture(scope="module")
def exported(otter, tmp_path_factory):
    """Every lesson exported (otter assign without grading the solutions: the tests below grade)."""
    folder = tmp_path_factory.mktemp("exported")
    return grading.export(folder, run_tests=False)


@pytest.mark.slow
def test_every_lesson_assigns_and_the_student_sees_no_solution(exported, exercises):
    assert [f.name for f in exported] == sorted(e.lesson for e in exercises.values())
    for folder, e in zip(exported, sorted(exercises.values(), key=lambda e: e.lesson)):
        text = (folder / "student" / f"{e.lesson}.ipynb").read_text()
        student = json.loads(text)
        (answer,) = [c for c in student["cells"] if "otter_answer_cell" in c["metadata"].get("tags", [])]
        assert _source(answer) == f"def {e.function}({', '.join(e.parameters)}):\n    ..."
        cells = "\n".join(_source(c) for c in student["cells"])
        solution = grading.function_source(EXERCISES[e.name].solution, e.function)
        for line in solution.splitlines()[1:]:
            assert len(line.strip()) < 8 or line.strip() not in cells, \
                f"{folder.name}: the student notebook shows {line!r}"
        for secret in ("# HIDDEN", "test_same_as_naskit", "BEGIN SOLUTION", "verdict.hint"):
            assert secret not in text, folder.name  # cells and metadata (public tests live there)
        assert f'grader.check("{e.name}")' in cells
        with zipfile.ZipFile(zip_of(folder)) as z:
            test = z.read(f"tests/{e.name}.py").decode()
        assert "hidden=True" in test and re.search(
            rf"check\(['\"]{e.name}['\"], {e.function}, seed={grading.HIDDEN_SEED}\)", test)
        assert (folder / "master.ipynb").is_file()
        assert (folder / "autograder" / f"{e.lesson}.ipynb").is_file()  # the solved notebook


@pytest.fixture(scope="module")
def combined(otter, tmp_path_factory):
    """Every exercise in one assignment, one question each, through otter assign."""
    folder = tmp_path_factory.mktemp("combined")
    write_notebook(folder / "master.ipynb", grading.master_notebook())
    grading._assign([(folder, "exercises")], run_tests=False)
    return folder


@pytest.mark.slow
def test_otter_gives_every_solution_full_points(combined, exercises, tmp_path):
    answers = {e.function: grading.function_source(EXERCISES[name].solution, e.function)
               for name, e in exercises.items()}
    notebook = submit(combined / "student" / "exercises.ipynb", answers, tmp_path / "right.ipynb")
    results = otter_run(zip_of(combined), notebook, tmp_path / "results")
    assert set(results) == set(exercises)
    for name, result in results.items():
        assert result["score"] == result["max_score"] == 1, (name, result["output"])


@pytest.mark.slow
def test_otter_gives_each_first_mistake_zero_and_its_hint(combined, exercises, tmp_path):
    answers = {e.function: grading.function_source(EXERCISES[name].mistakes[0][0], e.function)
               for name, e in exercises.items()}
    notebook = submit(combined / "student" / "exercises.ipynb", answers, tmp_path / "wrong.ipynb")
    results = otter_run(zip_of(combined), notebook, tmp_path / "results")
    assert set(results) == set(exercises)
    for name, result in results.items():
        assert result["score"] == 0 and result["max_score"] == 1, (name, result["output"])
        assert f"AssertionError: {EXERCISES[name].mistakes[0][1]}" in result["output"], name


@pytest.mark.slow
def test_one_lesson_end_to_end(otter, exercises, tmp_path, capsys):
    # naskit exercises, whose otter assign grades the solution with the new autograder and fails
    # unless it scores full points
    assert main(["exercises", "--out", str(tmp_path / "out"), "--lesson", "02"]) == 0
    folder = tmp_path / "out" / "02_rl_nas"
    assert str(folder) in capsys.readouterr().out
    assert zip_of(folder).is_file() and (folder / "student" / "02_rl_nas.ipynb").is_file()


def test_an_unanticipated_mistake_fails_with_the_checkers_generic_hint(exercises):
    questions = {yaml.safe_load(_source(q[0]).split("\n", 1)[1])["name"]: q
                 for q in _questions(grading.master_notebook("02"))}
    e = exercises["reinforce_gradient"]
    wrong = f"def {e.function}(probs, actions, advantage):\n    return advantage * probs\n"
    namespace = {"np": np}
    exec(wrong, namespace)
    verdict = check(e.name, namespace[e.function], seed=grading.HIDDEN_SEED)  # a generic hint
    assert not verdict.passed and verdict.hint not in [h for _, h in EXERCISES[e.name].mistakes]
    with pytest.raises(AssertionError) as failed:
        _run_question(questions[e.name], wrong)
    assert str(failed.value) == verdict.hint


def test_otter_kernels_import_this_naskit():
    env = grading.otter_environment()
    root = os.path.dirname(os.path.dirname(naskit.__file__))
    out = subprocess.run([sys.executable, "-c", "import naskit; print(naskit.__file__)"], env=env,
                         cwd="/", capture_output=True, text=True, check=True).stdout.strip()
    assert os.path.dirname(os.path.dirname(out)) == root
