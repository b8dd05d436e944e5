"""pyproject.toml and environment.yml describe the same environment, with lower bounds only."""
import importlib
import re
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

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


@pytest.fixture(scope="module")
def pip_requirements(project):
    reqs = [Requirement(r) for r in project["dependencies"]]
    reqs += [Requirement(r) for r in project["optional-dependencies"]["dev"]]
    return {canonicalize_name(r.name): r for r in reqs}


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
