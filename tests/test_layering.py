"""Imports inside naskit follow the one-way data flow of DESIGN.md.

The rule: a module imports only from modules to its LEFT in ``ORDER``. Modules that DESIGN.md puts
side by side (model / supernet; datasets, train; bench, estimators, hardware; search, darts, ofa)
are ranked by their place in this list, so a later one may import an earlier one (supernet may reuse
model's network skeleton, train reads datasets, the bench builder counts params and FLOPs with
hardware, estimators may query a bench) but never the reverse,
which rules out import cycles.

One deliberate change from the arrow in DESIGN.md: ``history`` sits *before* search, darts and ofa.
Those modules produce a History (``run(strategy, bench, budget) -> History``), so they must be able
to import it; History itself is plain data about trials and needs none of them.

Other rules:
- A package (``naskit/space/``) counts as one module: its files may import each other freely.
- A top-level helper whose name starts with ``_`` (``naskit/_config.py``) sits left of everything:
  anyone may import it, and it imports nothing from naskit.
- ``naskit/__init__.py`` re-exports the public names, so it may import anything; only ``cli`` may
  import the ``naskit`` package itself (everything else names the module that defines a thing).
- A new module must be added to ``ORDER`` before it can be imported (the test says so).
- Imports inside functions and under ``TYPE_CHECKING`` count like any other.
- Only ``widgets`` imports ipywidgets, only ``cli`` imports argparse, ``space`` never imports torch
  (checked in the source and, transitively, in a fresh interpreter).
"""
from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "naskit"

ORDER = ["ops", "space", "model", "supernet", "datasets", "train", "hardware", "bench", "estimators",
         "history", "search", "oneshot", "ofa", "plot", "exercises", "widgets", "grading", "cli"]

# third-party module -> the only naskit modules allowed to import it
ONLY_IN = {"ipywidgets": {"widgets"}, "argparse": {"cli"}}
NEVER_IN = {"space": {"torch", "torchvision"}}

HELPER = -1      # rank of naskit/_*.py
TOP = len(ORDER) - 1.5  # naskit/__init__.py: right of everything but cli


def unit_of(module: str) -> str | None:
    """The layering unit of a dotted ``naskit...`` name: 'space' for naskit.space.cell, '' for naskit."""
    parts = module.split(".")
    if parts[0] != "naskit":
        return None
    return parts[1] if len(parts) > 1 else ""


def rank_of(unit: str) -> float | None:
    if unit == "":
        return TOP
    if unit.startswith("_"):
        return HELPER
    return ORDER.index(unit) if unit in ORDER else None


def module_name(path: Path, package_dir: Path) -> str:
    rel = path.relative_to(package_dir.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(tree: ast.AST, module: str, is_package: bool, submodules: set[str]):
    """Yield (line, dotted module name, as written) for every import, resolving relative ones."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, f"import {alias.name}"
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module
            for alias in node.names:
                written = f"from {'.' * node.level}{node.module or ''} import {alias.name}"
                # `from naskit import space` imports the module naskit.space; `from naskit import
                # Arch` imports the package naskit.
                if prefix == "naskit" and alias.name in submodules:
                    yield node.lineno, f"naskit.{alias.name}", written
                else:
                    yield node.lineno, prefix, written


def find_violations(package_dir: Path) -> list[str]:
    """Every import in ``package_dir`` that breaks the rules above, as 'file:line: message'."""
    problems = []
    submodules = {p.stem for p in package_dir.glob("*.py")} | {p.parent.name for p in package_dir.glob("*/*.py")}
    for path in sorted(package_dir.rglob("*.py")):
        where_file = path.relative_to(package_dir.parent)
        module = module_name(path, package_dir)
        src = unit_of(module)
        src_rank = rank_of(src)
        if src_rank is None:
            problems.append(f"{where_file}: module '{src}' is not in ORDER of tests/test_layering.py; "
                            f"add it where it belongs in the data flow")
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, name, written in imported_names(tree, module, path.name == "__init__.py", submodules):
            where = f"{where_file}:{line}"
            top = name.split(".")[0]
            if top in ONLY_IN and src not in ONLY_IN[top]:
                problems.append(f"{where}: {src} imports {top} ({written}); only {sorted(ONLY_IN[top])} may")
            if top in NEVER_IN.get(src, ()):
                problems.append(f"{where}: {src} imports {top} ({written}); {src} must stay pure Python")
            dst = unit_of(name)
            if dst is None or dst == src:
                continue
            dst_rank = rank_of(dst)
            src_label = src or "naskit/__init__"
            if src_rank == HELPER:
                problems.append(f"{where}: helper {src} imports {name} ({written}); helpers import "
                                f"nothing from naskit")
            elif dst == "" and src != "cli":
                problems.append(f"{where}: {src} imports the naskit package ({written}); import from "
                                f"the module that defines the name instead")
            elif dst_rank is None:
                problems.append(f"{where}: {src_label} -> {dst}: '{dst}' is not in ORDER of "
                                f"tests/test_layering.py")
            elif dst_rank > src_rank and src != "":
                problems.append(f"{where}: {src} -> {dst} points backwards ({written}): {dst} comes "
                                f"after {src} in {' -> '.join(ORDER)}")
    return problems


def test_naskit_imports_flow_one_way():
    problems = find_violations(PACKAGE)
    assert not problems, "imports against the data flow:\n" + "\n".join(problems)


def test_space_does_not_import_torch_at_runtime():
    # A bare stand-in for the naskit package, so that naskit/__init__.py (which re-exports the
    # torch-based modules) does not count against space: this checks what space itself pulls in.
    code = textwrap.dedent(f"""
        import sys, types
        pkg = types.ModuleType("naskit")
        pkg.__path__ = [{str(PACKAGE)!r}]
        sys.modules["naskit"] = pkg
        import naskit.space
        print(sorted({{m.split('.')[0] for m in sys.modules}} & {{"torch", "torchvision"}}))
        """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"importing naskit.space loaded {out.stdout.strip()}"


def write_package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "naskit" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root / "naskit"


def test_checker_accepts_forward_imports(tmp_path):
    pkg = write_package(tmp_path, {
        "__init__.py": "from .space import Arch\nfrom .widgets import View\n",
        "_config.py": "import os\n",
        "ops.py": "import torch\nfrom naskit._config import fast_mode\n",
        "space/__init__.py": "from .cell import Arch\n",
        "space/cell.py": "from . import _util\nfrom .._config import user_data_dir\n",
        "space/_util.py": "import random\n",
        "supernet.py": "from naskit.model import build\nfrom naskit import ops\n",
        "model.py": "from .space import Arch\nfrom . import ops\n",
        "search/__init__.py": "from .evolution import run\n",
        "search/evolution.py": "from ..history import History\nfrom naskit.bench import load\n",
        "history.py": "from naskit.space import Arch\n",
        "bench.py": "",
        "widgets.py": "import ipywidgets\nfrom naskit.plot import history\n",
        "plot.py": "from naskit.history import History\n",
        "cli.py": "import argparse\nimport naskit\n",
    })
    assert find_violations(pkg) == []


def test_checker_names_file_line_and_arrow(tmp_path):
    pkg = write_package(tmp_path, {
        "ops.py": "import torch\n\n\ndef f():\n    from naskit.space import Arch\n",
        "space/__init__.py": "from .cell import Arch\n",
        "space/cell.py": "import torch\nfrom ..model import build\n",
        "model.py": "from naskit.supernet import MixedOp\nimport ipywidgets\n",
        "supernet.py": "",
        "plot.py": "from naskit import Arch\nimport argparse\n",
        "_config.py": "from naskit import ops\n",
        "gadgets.py": "",
    })
    problems = find_violations(pkg)
    expected = [
        "naskit/_config.py:1: helper _config imports naskit.ops (from naskit import ops)",
        "naskit/gadgets.py: module 'gadgets' is not in ORDER",
        "naskit/model.py:1: model -> supernet points backwards (from naskit.supernet import MixedOp)",
        "naskit/model.py:2: model imports ipywidgets (import ipywidgets); only ['widgets'] may",
        "naskit/ops.py:5: ops -> space points backwards",
        "naskit/plot.py:1: plot imports the naskit package (from naskit import Arch)",
        "naskit/plot.py:2: plot imports argparse (import argparse); only ['cli'] may",
        "naskit/space/cell.py:1: space imports torch (import torch); space must stay pure Python",
        "naskit/space/cell.py:2: space -> model points backwards (from ..model import build)",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in problems), f"missing {start!r} in {problems}"
    assert len(problems) == len(expected), problems
