"""pyproject.toml and environment.yml describe the same environment, with lower bounds only; the
lower bounds are the oldest versions CI tests (.ci/oldest.txt); every install hint names the
distribution pyproject.toml builds."""
import importlib
import re
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]

# conda-forge name -> PyPI name, where they differ
CONDA_TO_PYPI = {"pytorch": "torch", "python-graphviz": "graphviz", "playwright-python": "playwright"}
NOT_DEPENDENCIES = {"python", "pip"}


@pytest.fixture(scope="module")
def project():
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]


def _with_extras(project, extras) -> list[Requirement]:
    """The requirements of ``extras``, an extra naming naskit's own extras (dev: lab) expanded."""
    out = []
    for extra in extras:
        for r in map(Requirement, project["optional-dependencies"][extra]):
            if canonicalize_name(r.name) == canonicalize_name(project["name"]):
                out += _with_extras(project, sorted(r.extras))
            else:
                out.append(r)
    return out


@pytest.fixture(scope="module")
def pip_requirements(project):
    reqs = [Requirement(r) for r in project["dependencies"]]
    reqs += _with_extras(project, ["dev"])
    return {canonicalize_name(r.name): r for r in reqs}


def test_dev_extra_holds_every_extra(project):
    names = {canonicalize_name(r.name) for r in _with_extras(project, ["dev"])}
    for extra in project["optional-dependencies"]:
        assert {canonicalize_name(r.name) for r in _with_extras(project, [extra])} <= names, extra


def test_core_needs_no_front_end(project):
    core = {canonicalize_name(Requirement(r).name) for r in project["dependencies"]}
    assert not core & {"jupyterlab", "notebook", "voila", "nbval", "graphviz", "torchvision"}
    lab = {canonicalize_name(r.name) for r in _with_extras(project, ["lab"])}
    assert {"jupyterlab", "voila", "graphviz"} <= lab


def _oldest() -> dict[str, str]:
    pins = {}
    for line in (ROOT / ".ci" / "oldest.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            r = Requirement(line)
            (spec,) = r.specifier
            assert spec.operator == "==", f".ci/oldest.txt: {line!r} is not a pin"
            pins[canonicalize_name(r.name)] = Version(spec.version)
    return pins


def test_lower_bounds_are_the_oldest_versions_ci_tests(project):
    """Each core dependency's lower bound is its pin in .ci/oldest.txt; none is unpinned there
    except traitlets, which comes with ipywidgets in the version ipywidgets needs."""
    bounds = {}
    for r in map(Requirement, project["dependencies"]):
        (spec,) = r.specifier or [None]
        bounds[canonicalize_name(r.name)] = Version(spec.version) if spec else None
    assert {n for n, v in bounds.items() if v is None} == {"traitlets"}
    assert _oldest() == {n: v for n, v in bounds.items() if v is not None}


def test_requires_python_is_what_ci_tests(project):
    assert project["requires-python"] == ">=3.11"


# An install command that names naskit: `pip install ...`, `%pip install ...`, `naskit[extra]`.
HINT = re.compile(r"pip install[^`\n\"']*|\bnaskit(?:-edu)?\[[a-z,]+\]")


def _hint_files():
    yield from (ROOT / "naskit").rglob("*.py")
    yield from (ROOT / "lessons").glob("*.ipynb")
    yield from (ROOT / "binder").glob("*")
    yield from (ROOT / p for p in ("README.md", "lessons/README.md", "Makefile", "environment.yml"))


def test_install_hints_name_the_distribution(project):
    dist = project["name"]
    assert dist != "naskit"  # on PyPI, "naskit" is an unrelated library
    seen = 0
    for path in _hint_files():
        for hint in HINT.findall(path.read_text()):
            if "naskit" in hint:
                seen += 1
                assert re.search(rf"(?<![\w-]){re.escape(dist)}\b", hint) or " -e ." in hint, \
                    f"{path.relative_to(ROOT)}: {hint!r} installs something other than {dist}"
    assert seen >= 12


def test_every_lesson_installs_naskit_where_it_is_missing(project):
    """The first code cell installs the distribution when naskit is missing (Colab, a JupyterHub);
    where naskit is installed (CI, make lab) it imports and does nothing else."""
    import json

    guard = ["try:", "    import naskit", "except ImportError:", f"    %pip install -q {project['name']}"]
    for path in sorted((ROOT / "lessons").glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        first = next(c for c in cells if c["cell_type"] == "code")
        lines = [line.split("#")[0].rstrip() for line in "".join(first["source"]).splitlines()]
        assert lines[:4] == guard, path.name


@pytest.fixture(scope="module")
def conda_specs():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    specs, pip_lines = {}, []
    for item in env["dependencies"]:
        if isinstance(item, dict):
            pip_lines += item["pip"]
            continue
        name, bound = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(.*)", item).groups()
        if name not in NOT_DEPENDENCIES:
            specs[canonicalize_name(CONDA_TO_PYPI.get(name, name))] = bound
    return env, specs, pip_lines


def test_same_packages(pip_requirements, conda_specs):
    _, specs, _ = conda_specs
    assert set(specs) == set(pip_requirements), (
        f"only in environment.yml: {sorted(set(specs) - set(pip_requirements))}; "
        f"only in pyproject.toml: {sorted(set(pip_requirements) - set(specs))}")


def test_same_lower_bounds(pip_requirements, conda_specs):
    _, specs, _ = conda_specs
    for name, req in pip_requirements.items():
        assert specs[name].replace(" ", "") == str(req.specifier), name


def test_lower_bounds_only(pip_requirements):
    for name, req in pip_requirements.items():
        ops = {spec.operator for spec in req.specifier}
        assert ops <= {">="}, f"{name}: {req.specifier} caps or pins a version; use only >= bounds"


def test_environment_installs_naskit_with_dev_extra(conda_specs):
    env, _, pip_lines = conda_specs
    assert env["name"] == "naskit"
    assert env["channels"] == ["conda-forge"]
    assert "python=3.11" in env["dependencies"]
    assert pip_lines == ["-e .[dev]"]


def test_console_script_resolves(project):
    module, func = project["scripts"]["naskit"].split(":")
    assert callable(getattr(importlib.import_module(module), func))


# -- a real install: the wheel carries the shipped data --------------------------------------------

PACKAGES = sorted("naskit" + "".join(f".{p}" for p in d.relative_to(ROOT / "naskit").parts)
                  for d in (ROOT / "naskit").rglob("__init__.py") for d in [d.parent])


def test_every_package_is_listed(project):
    with open(ROOT / "pyproject.toml", "rb") as f:
        listed = tomllib.load(f)["tool"]["setuptools"]["packages"]
    assert sorted(set(listed) - {"naskit.data", "naskit.lessons"}) == PACKAGES, "update [tool.setuptools] packages"


SHIPPED = ("nb201-mini.npz", "cluttered-mnist.npz", "nb201-mini-oneshot.jsonl", "nb201-mini-naswot.npz",
           "ofa-supernet.pt", "ofa-supernet.json", "ofa-subnets.csv", "nb201-cifar10-valid.npz",
           "nb201-12ep.npz", "nb201-latency.npz", "nb201-zero-cost.npz",
           *(f"licenses/{p.name}" for p in sorted((ROOT / "data" / "licenses").glob("*.txt"))))

# Run in the throwaway venv from a folder outside the repo: which naskit, which data, and loads.
PROBE = """
import json, naskit as nk
from naskit._config import shipped_data_dir, shipped_file
bench = nk.bench.load("mini")
data = nk.datasets.load()
runs = nk.oneshot.load_runs()
net = nk.ofa.load()
nb201 = nk.bench.load("nb201-cifar10-valid")
latency = nk.bench.load("nb201-latency")
zero_cost = nk.bench.zero_cost_table()
print(json.dumps(dict(package=nk.__file__, shipped=str(shipped_data_dir()),
                      files=[str(shipped_file(n)) for n in %r], archs=len(bench),
                      best=repr(bench.best()), train=len(data.y_train), runs=len(runs),
                      ofa=sum(p.numel() for p in net.parameters()), nb201=repr(nb201.best()),
                      devices=len(latency.columns), zero_cost=len(zero_cost["index"]))))
""" % (SHIPPED,)


@pytest.mark.slow
def test_wheel_install_finds_shipped_data(tmp_path):
    """Build a wheel, install it into a fresh venv and load the shipped files from outside the repo."""
    import json
    import shutil
    import subprocess
    import sys
    import sysconfig

    src = tmp_path / "src"  # a clean copy: the build writes build/ and *.egg-info beside its sources
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "naskit", src / "naskit", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "data", src / "data", ignore=shutil.ignore_patterns("nb201-mini-build"))
    shutil.copytree(ROOT / "lessons", src / "lessons", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    wheels = tmp_path / "wheels"
    run = lambda *cmd, **kw: subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
        "-w", str(wheels), str(src))
    (wheel,) = wheels.glob("naskit_edu-*.whl")
    env = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(env))
    python = env / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel))
    # The test interpreter's packages (torch, ...) without its own naskit: a plain path line in a
    # .pth file adds the folder but runs none of its .pth files, so no editable install leaks in.
    purelib = run(str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").stdout.strip()
    (Path(purelib) / "test-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    shutil.rmtree(src)  # nothing left to fall back on but the installed package
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    out = run(str(python), "-c", PROBE, cwd=cwd,
              env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "OMP_NUM_THREADS": "1"}).stdout
    got = json.loads(out.strip().splitlines()[-1])
    installed = Path(purelib) / "naskit"
    assert Path(got["package"]).parent == installed
    assert Path(got["shipped"]) == installed / "data"
    for name, path in zip(SHIPPED, got["files"]):
        assert Path(path) == installed / "data" / name
        assert Path(path).read_bytes() == (ROOT / "data" / name).read_bytes(), name
    # the same bench and data set as the checkout's
    import naskit as nk
    bench = nk.bench.load("mini")
    assert got["archs"] == len(bench) and got["best"] == repr(bench.best())
    assert got["ofa"] == sum(p.numel() for p in nk.ofa.load().parameters())
    assert got["train"] == len(nk.datasets.load().y_train)
    assert got["runs"] == len(nk.oneshot.load_runs())
    # the published NAS-Bench-201 tables, with no NASKIT_DATA and no repo beside
    assert got["nb201"] == repr(nk.bench.load("nb201-cifar10-valid").best()) and "6111" in got["nb201"]
    assert got["devices"] == 27 and got["zero_cost"] == 725
    # the lessons come with the wheel: `naskit lessons` copies them out, byte for byte
    out = run(str(env / "bin" / "naskit"), "lessons", str(tmp_path / "mine"), cwd=cwd,
              env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}).stdout
    lessons = sorted(p.name for p in (ROOT / "lessons").glob("*.ipynb")) + ["README.md"]
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == lessons, out
    for name in lessons:
        assert (tmp_path / "mine" / name).read_bytes() == (ROOT / "lessons" / name).read_bytes(), name
        assert (installed / "lessons" / name).is_file()
