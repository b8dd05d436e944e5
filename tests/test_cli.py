"""The ``naskit`` command: ``info`` reports what the environment really holds."""
import shutil

import pytest
import torch

from naskit.cli import main


def run_info(capsys) -> dict[str, str]:
    assert main(["info"]) == 0
    lines = capsys.readouterr().out.splitlines()
    return dict(line.split(":", 1) for line in lines)


def test_info_reports_environment(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("NASKIT_DATA", str(tmp_path))
    monkeypatch.setenv("NASKIT_FAST", "1")
    out = {key: value.strip() for key, value in run_info(capsys).items()}
    assert set(out) == {"naskit", "torch", "dot", "data dir", "fast mode"}
    assert out["torch"].startswith(torch.__version__ + " ")
    assert out["data dir"].startswith(f"{tmp_path} (exists")
    assert out["fast mode"] == "on"
    dot = shutil.which("dot")
    assert out["dot"] == dot if dot else out["dot"].startswith("not found")


def test_info_without_dot(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no dot on the path
    monkeypatch.setenv("NASKIT_DATA", str(tmp_path / "missing"))
    out = run_info(capsys)
    assert out["dot"].strip().startswith("not found")
    assert "does not exist yet" in out["data dir"]


@pytest.mark.parametrize("argv", [[], ["no-such-command"]])
def test_bad_command_exits_with_usage(capsys, argv):
    with pytest.raises(SystemExit) as err:
        main(argv)
    assert err.value.code == 2
    assert "usage: naskit" in capsys.readouterr().err
