"""Graded exercises: each lesson's exercise as an otter-grader assignment, naskit's checker as the
hidden test.

``export(folder)`` writes, for every lesson (or one), an otter-assign *master notebook*: the
exercise's text from the lesson, an answer cell holding the reference solution between solution
markers, under the function name the lesson uses, a public test (the function answers at all) and
a hidden one (``naskit.exercises.check`` passes, the checker's hint as the failure message). Then it
runs ``otter assign`` on it, which writes the student notebook (solution and hidden test removed)
and the autograder zip. A submission scores the question's points when its function agrees with
naskit's reference on the checker's random inputs, and zero otherwise.

Why otter-grader rather than nbgrader: both are maintained and used in courses taught with
notebooks. nbgrader works from a course folder with a gradebook database (and Jupyter extensions
for its web pages), set up before the first grade. otter needs only the master notebook:
``otter run -a autograder.zip submission.ipynb`` grades a submission on the lecturer's machine
without Docker, a database or a server, the same zip is a Gradescope autograder, ``otter grade``
grades a folder of submissions, and it installs from the package index with one
``pip install "naskit-edu[grade]"``.
"""
from __future__ import annotations

import ast
import importlib.util
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ._config import DISTRIBUTION, find_lesson, shipped_lessons_dir
from ._files import read_json, write_notebook
from .exercises import EXERCISES

__all__ = ["INSTALL_HINT", "LessonExercise", "lesson_exercise", "lesson_exercises", "function_source",
           "master_notebook", "export", "has_otter", "otter_environment"]

INSTALL_HINT = f'pip install otter-grader (or pip install "{DISTRIBUTION}[grade]")'

# What every graded notebook imports before the answers; an answer may use these names.
IMPORTS = "import numpy as np\nimport torch\n\nimport naskit as nk"
_IMPORTED = {"np": "numpy", "torch": "torch"}

# The hidden test checks on other random inputs than the lesson's check cell (seed 0), so that an
# answer fitted to the inputs a student saw does not pass.
HIDDEN_SEED = 2024

_CHECK_CALL = re.compile(r"nk\.exercises\.check\(\s*['\"](\w+)['\"]\s*,\s*(\w+)\s*\)")
_HEADING = re.compile(r"^## Exercise\b")
# a sentence pointing at the lesson's solution button ("one click away"), which a graded notebook
# does not have
_BUTTON_NOTE = re.compile(r"(?<=[.!?])\s+[^.!?]*\bclick[^.!?]*[.!?]")


@dataclass(frozen=True)
class LessonExercise:
    """The exercise a lesson ends with, as the lesson words it."""

    lesson: str      # the lesson's file stem: "03_evolution"
    name: str        # the exercise in naskit.exercises.EXERCISES: "evolution_step"
    function: str    # the learner's function in the lesson: "my_evolution_step"
    parameters: tuple  # the parameters of the lesson's stub
    text: str        # the exercise's markdown, from its "## Exercise" heading on


def _lesson_path(lesson) -> Path:
    if not isinstance(lesson, str):
        raise TypeError(f"lesson must be a lesson's number ('06') or file name, got "
                        f"{type(lesson).__name__} {lesson!r}")
    name = lesson.zfill(2) if lesson.isdigit() else lesson
    return find_lesson(name, sorted(shipped_lessons_dir().iterdir()))


def lesson_exercise(lesson: str) -> LessonExercise:
    """The exercise that lesson ``lesson`` (its number ``"06"`` or file name) checks with
    ``nk.exercises.check``: its name, the learner's function and the exercise's text."""
    path = _lesson_path(lesson)
    how = "reinstall naskit or restore the lesson (naskit lessons --reset)"
    cells = read_json(path, how, keys=("cells",))["cells"]
    source = ["".join(c.get("source", "")) for c in cells]
    checks = [(i, m) for i, c in enumerate(cells) if c.get("cell_type") == "code"
              for m in _CHECK_CALL.finditer(source[i])]
    if len(checks) != 1:
        raise ValueError(f"{path.name}: a graded lesson calls nk.exercises.check(name, function) in "
                         f"exactly one cell; found {len(checks)} calls")
    at, match = checks[0]
    name, function = match.groups()
    if name not in EXERCISES:
        raise ValueError(f"{path.name}: nk.exercises.check names {name!r}, which is not among "
                         f"{sorted(EXERCISES)}")
    stubs = [i for i in range(at) if cells[i].get("cell_type") == "code" and
             re.search(rf"^def {function}\(", source[i], flags=re.MULTILINE)]
    if not stubs:
        raise ValueError(f"{path.name}: no cell before the check defines {function}")
    stub = next(node for node in ast.parse(source[stubs[-1]]).body
                if isinstance(node, ast.FunctionDef) and node.name == function)
    texts = [i for i in range(stubs[-1]) if cells[i].get("cell_type") == "markdown"]
    lines = source[texts[-1]].splitlines() if texts else []
    starts = [j for j, line in enumerate(lines) if _HEADING.match(line)]
    if not starts:
        raise ValueError(f"{path.name}: the markdown cell before {function} has no '## Exercise' heading")
    return LessonExercise(path.stem, name, function, tuple(a.arg for a in stub.args.args),
                          "\n".join(lines[starts[-1]:]).strip())


def lesson_exercises() -> list[LessonExercise]:
    """The exercise of every lesson, in lesson order."""
    return [lesson_exercise(p.name) for p in sorted(shipped_lessons_dir().glob("[0-9]*.ipynb"))]


# ---- the answer's source ---------------------------------------------------------------------
def _def_text(fn) -> str:
    """``fn``'s source as a ``def`` statement (a lambda becomes one returning its expression)."""
    code = fn.__code__
    if fn.__name__ != "<lambda>":
        return textwrap.dedent(inspect.getsource(fn))
    module = inspect.getsource(inspect.getmodule(fn))
    args = list(code.co_varnames[:code.co_argcount])
    found = [node for node in ast.walk(ast.parse(module)) if isinstance(node, ast.Lambda)
             and node.lineno == code.co_firstlineno and [a.arg for a in node.args.args] == args]
    if len(found) != 1:
        raise ValueError(f"cannot tell the source of {fn!r}: {len(found)} lambdas with its "
                         f"arguments on line {code.co_firstlineno}")
    body = ast.get_source_segment(module, found[0].body)
    body = f"({body})" if "\n" in body else body  # its lines stay one expression
    return f"def answer({ast.unparse(found[0].args)}):\n    return {body}\n"


def _bound_names(node) -> set[str]:
    names = {a.arg for n in ast.walk(node) if isinstance(n, ast.arguments)
             for a in n.posonlyargs + n.args + n.kwonlyargs + [n.vararg, n.kwarg] if a is not None}
    names |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name)
              and isinstance(n.ctx, (ast.Store, ast.Del))}
    return names | {n.name for n in ast.walk(node)
                    if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n is not node}


def function_source(fn, name: str) -> str:
    """The source of ``fn`` as a function called ``name``, ready for a notebook that ran
    ``IMPORTS``: a lambda becomes a ``def``, and a name ``fn`` takes from its module (other than
    ``np`` and ``torch``) is reached through ``nk``, so ``naskit.exercises.kendall_tau`` reads
    ``nk.exercises.kendall_tau``. Comments and layout are kept."""
    if not name.isidentifier():
        raise ValueError(f"name must be a Python identifier, got {name!r}")
    text = _def_text(fn)
    node = ast.parse(text).body[0]
    module = fn.__module__
    if not module.startswith("naskit"):
        raise ValueError(f"{fn!r} is not naskit's (module {module}); only naskit's answers can be exported")
    prefix = "nk" + module[len("naskit"):]
    bound, edits = _bound_names(node), []
    for n in ast.walk(node):
        if not (isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)) or n.id in bound:
            continue
        value = fn.__globals__.get(n.id)
        if n.id in fn.__globals__ and getattr(value, "__name__", None) != _IMPORTED.get(n.id):
            edits.append((n.lineno, n.col_offset, n.end_col_offset, f"{prefix}.{n.id}"))
    line = text.splitlines()[node.lineno - 1].encode()
    start = re.search(rb"def\s+", line).end()
    edits.append((node.lineno, start, start + len(node.name.encode()), name))
    lines = [line.encode() for line in text.splitlines(keepends=True)]
    for row, begin, end, new in sorted(edits, reverse=True):  # columns are UTF-8 byte offsets
        lines[row - 1] = lines[row - 1][:begin] + new.encode() + lines[row - 1][end:]
    return b"".join(lines).decode().rstrip("\n") + "\n"


def _answer_cell(exercise: LessonExercise) -> str:
    """The lesson's function with the solution's body between otter's solution markers."""
    text = function_source(EXERCISES[exercise.name].solution, exercise.function)
    node = ast.parse(text).body[0]
    lines = text.splitlines()
    head, body = lines[:node.body[0].lineno - 1], lines[node.body[0].lineno - 1:]
    indent = re.match(r"\s*", body[0]).group()
    return "\n".join(head + [f"{indent}# BEGIN SOLUTION", *body, f"{indent}# END SOLUTION"])


# ---- the master notebook ---------------------------------------------------------------------
def _cell(kind: str, source: str) -> dict:
    cell = {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _yaml(config: dict, indent: str = "") -> str:
    """``config`` as YAML; strings are written as JSON strings, which YAML reads as they are."""
    lines = []
    for key, value in config.items():
        if isinstance(value, dict):
            lines += [f"{indent}{key}:", _yaml(value, indent + "  ")]
        elif isinstance(value, list):
            lines += [f"{indent}{key}:"] + [f"{indent}- {json.dumps(v)}" for v in value]
        else:
            lines.append(f"{indent}{key}: {json.dumps(value)}")
    return "\n".join(lines)


def _requirement() -> str:
    """naskit at the version installed here: the checker that made the tests grades them."""
    try:
        return f"{DISTRIBUTION}=={metadata.version(DISTRIBUTION)}"
    except metadata.PackageNotFoundError:
        return DISTRIBUTION


def _question(exercise: LessonExercise, points: float) -> list[dict]:
    ex, fn = EXERCISES[exercise.name], exercise.function
    heading, _, text = _BUTTON_NOTE.sub("", exercise.text).partition("\n")
    text = text.strip()
    public = (f'""" # BEGIN TEST CONFIG\npoints: 0\n""" # END TEST CONFIG\n'
              f"def test_answered({fn}):\n"
              f"    import numpy as np\n"
              f"    from naskit.exercises import EXERCISES\n"
              f'    assert callable({fn}), "define {fn} above and run its cell"\n'
              f'    args = EXERCISES["{exercise.name}"].inputs(np.random.default_rng(0))\n'
              f'    assert {fn}(*args) is not None, "{fn} returns None: write its body"\n\n'
              f"test_answered({fn})")
    hidden = (f"# HIDDEN\n"
              f"def test_same_as_naskit({fn}):\n"
              f"    from naskit.exercises import check\n"
              f'    verdict = check("{exercise.name}", {fn}, seed={HIDDEN_SEED})\n'
              f"    assert verdict.passed, verdict.hint\n\n"
              f"test_same_as_naskit({fn})")
    return [
        _cell("raw", f"# BEGIN QUESTION\n{_yaml({'name': exercise.name, 'points': points})}"),
        _cell("markdown", f"{heading}\n\n*From lesson `{exercise.lesson}`: {ex.task}.*\n\n{text}"),
        _cell("raw", "# BEGIN SOLUTION"),
        _cell("code", _answer_cell(exercise)),
        _cell("raw", "# END SOLUTION"),
        _cell("raw", "# BEGIN TESTS"),
        _cell("code", public),
        _cell("code", hidden),
        _cell("raw", "# END TESTS"),
        _cell("raw", "# END QUESTION"),
        _cell("code", f'nk.exercises.check("{exercise.name}", {fn})'),
    ]


def master_notebook(lessons=None, points: float = 1) -> dict:
    """The otter-assign master notebook of the exercises of ``lessons`` (numbers such as ``"03"``
    or file names; ``None``: every lesson), one question of ``points`` points each."""
    if lessons is None:
        exercises = lesson_exercises()
    else:
        lessons = [lessons] if isinstance(lessons, str) else list(lessons)
        if not lessons:
            raise ValueError("lessons must name at least one lesson ('03'), or be None for all")
        exercises = [lesson_exercise(lesson) for lesson in lessons]
    return _master(exercises, points)


def _master(exercises: list[LessonExercise], points: float) -> dict:
    if isinstance(points, bool) or not isinstance(points, (int, float)) or not points > 0:
        raise ValueError(f"points must be a number > 0, got {points!r}")
    names = [e.function for e in exercises]
    if len(set(names)) != len(names):
        raise ValueError(f"two exercises would share one function name: {names}")
    first, last = exercises[0].lesson, exercises[-1].lesson
    name = f"naskit-{first}" if len(exercises) == 1 else f"naskit-{first[:2]}-{last[:2]}"
    config = {"name": name, "requirements": [_requirement()], "export_cell": {"pdf": False},
              "tests": {"ok_format": False}}
    title = (f"# Lesson {first[:2]}: {EXERCISES[exercises[0].name].task}" if len(exercises) == 1 else
             f"# naskit: the exercises of lessons {first[:2]} to {last[:2]}")
    intro = ("Write each function below and run its cell. The cell after it (`grader.check`) says "
             "whether your function answers at all; the next one runs naskit's checker, as in the "
             "lessons: it compares your function with naskit's on random inputs and names what "
             "differs. The grade is that comparison, made again by the autograder.")
    cells = [_cell("raw", f"# ASSIGNMENT CONFIG\n{_yaml(config)}"), _cell("markdown", f"{title}\n\n{intro}"),
             _cell("code", IMPORTS)]
    for exercise in exercises:
        cells += _question(exercise, points)
    return {"cells": cells, "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}


# ---- otter assign ----------------------------------------------------------------------------
# otter assign on each (master, folder) pair of the arguments, in one process (otter takes seconds to
# import); the first argument says whether it grades each solution with the autograder it made
_ASSIGN = """
import sys
from otter.assign import main
for master, folder in zip(sys.argv[2::2], sys.argv[3::2]):
    print("otter assign", master, file=sys.stderr, flush=True)
    main(master, folder, no_run_tests=sys.argv[1] == "no")
"""


def has_otter() -> bool:
    """Whether otter-grader is installed in this Python."""
    return importlib.util.find_spec("otter") is not None


def otter_environment() -> dict[str, str]:
    """The environment for a process that runs otter: its kernels import the naskit imported here
    (a source checkout's, even where another naskit is installed)."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[1])
    installed = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")}
    if root not in installed:
        env["PYTHONPATH"] = os.pathsep.join([root] + [p for p in [env.get("PYTHONPATH")] if p])
    return env


def _assign(jobs: list[tuple[Path, str]], run_tests: bool) -> None:
    """Run ``otter assign`` on each ``folder``/master.ipynb of ``jobs`` (``(folder, stem)``),
    copied as ``stem``.ipynb (the name the student notebook gets), into ``folder``/student and
    ``folder``/autograder."""
    args = ["yes" if run_tests else "no"]
    for folder, stem in jobs:
        (folder / ".assign").mkdir()
        shutil.copyfile(folder / "master.ipynb", folder / ".assign" / f"{stem}.ipynb")
        args += [str(folder.resolve() / ".assign" / f"{stem}.ipynb"), str(folder.resolve())]
    done = subprocess.run([sys.executable, "-c", _ASSIGN, *args], capture_output=True, text=True,
                          env=otter_environment())
    if done.returncode != 0:
        raise RuntimeError(f"otter assign failed (exit status {done.returncode}):\n"
                           f"{(done.stdout + done.stderr)[-4000:]}")
    for folder, _ in jobs:
        shutil.rmtree(folder / ".assign")


def export(folder, lesson: str | None = None, force: bool = False, run_tests: bool = True,
           points: float = 1) -> list[Path]:
    """Write each lesson's graded exercise into ``folder``/<lesson> (``03_evolution``): the master
    notebook ``master.ipynb``, and what ``otter assign`` makes of it: ``student/`` (the notebook to
    hand out) and ``autograder/`` (the zip that grades submissions, and the solved notebook).

    ``lesson``: one lesson's number (``"03"``) or file name; ``None``: every lesson. A lesson's
    folder that exists and is not empty is replaced only with ``force``; the new one is written
    beside it and moved in whole, so a failed export leaves the old one. ``run_tests``: whether
    otter assign grades each solution with its autograder, which must give full points (a kernel
    per lesson). Returns the lessons' folders. Needs otter-grader (``INSTALL_HINT``).
    """
    if not has_otter():
        raise ModuleNotFoundError(f"naskit exercises needs otter-grader, which is not installed: "
                                  f"{INSTALL_HINT}")
    exercises = lesson_exercises() if lesson is None else [lesson_exercise(lesson)]
    folder = Path(folder).expanduser()
    targets = [folder / e.lesson for e in exercises]
    taken = [str(t) for t in targets if t.is_file() or t.is_dir() and any(t.iterdir())]
    if taken and not force:
        raise FileExistsError(f"{', '.join(taken)} {'is' if len(taken) == 1 else 'are'} not empty; "
                              f"pass force=True (naskit exercises --force) to replace "
                              f"{'it' if len(taken) == 1 else 'them'}")
    folder.mkdir(parents=True, exist_ok=True)
    umask = os.umask(0)
    os.umask(umask)
    staged = []
    try:
        for exercise in exercises:
            staging = Path(tempfile.mkdtemp(dir=folder, prefix=f".{exercise.lesson}."))
            staging.chmod(0o777 & ~umask)  # mkdtemp's 0700 would hide it from others
            staged.append(staging)
            write_notebook(staging / "master.ipynb", _master([exercise], points))
        _assign([(s, e.lesson) for s, e in zip(staged, exercises)], run_tests)
        for staging, target in zip(staged, targets):
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            staging.rename(target)
    finally:
        for staging in staged:
            shutil.rmtree(staging, ignore_errors=True)
    return targets
