"""``import naskit`` is quick: subpackages load on first use (PEP 562), the public names still work."""
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(code: str) -> str:
    """Run ``code`` in a fresh interpreter with this checkout's naskit; return its stdout."""
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=300)
    return out.stdout.strip()


def test_import_naskit_loads_neither_torch_nor_matplotlib():
    loaded = run("""
        import sys
        import naskit as nk
        heavy = ("torch", "matplotlib", "ipywidgets", "networkx", "graphviz", "numpy")
        print(sorted(m for m in heavy if m in sys.modules))
        nk.Arch, nk.NB201Space(), nk.DARTS_V2, nk.fast_mode()
        print(sorted(m for m in heavy if m in sys.modules))
    """).splitlines()
    assert loaded == ["[]", "[]"]


@pytest.mark.slow
def test_every_exported_name_resolves_and_is_listed():
    out = run("""
        import importlib, types
        import naskit as nk
        missing = [n for n in nk.__all__ if n not in dir(nk)]
        kinds = {n: type(getattr(nk, n)).__name__ for n in nk.__all__}
        for n in ["bench", "plot", "search", "widgets", "hardware", "estimators"]:
            assert getattr(nk, n) is importlib.import_module("naskit." + n), n
        from naskit import build, build_darts, train, TrainLog, plot
        from naskit.model import build as build_ref
        from naskit.train import train as train_ref
        assert build is build_ref and train is train_ref and nk.train is train_ref
        print(missing, kinds["train"], kinds["TrainLog"], kinds["plot"], kinds["build"])
    """)
    assert out == "[] function type module function"


@pytest.mark.slow
def test_train_stays_the_function_after_its_module_is_imported():
    # importing a submodule binds it on the package; nk.train must remain the training function
    out = run("""
        import naskit.train
        import naskit as nk
        import naskit.estimators
        print(type(nk.train).__name__)
    """)
    assert out == "function"


def test_unknown_names_raise_attribute_error():
    out = run("""
        import naskit as nk
        try:
            nk.no_such_thing
        except AttributeError as e:
            print(e)
    """)
    assert "no_such_thing" in out
