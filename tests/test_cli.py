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
    assert set(out) == {"naskit", "torch", "dot", "data dir", "shipped", "fast mode"}
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


@pytest.mark.parametrize("option,fragment", [
    (["--jobs", "0"], "argument --jobs: must be an integer >= 1 or -1, got 0"),
    (["--threads", "0"], "argument --threads: must be an integer >= 1, got 0"),
    (["--device", "bogus"], "argument --device: unknown device 'bogus'"),
    (["--limit", "-1"], "argument --limit: must be an integer >= 0, got -1"),
    (["--extra-seed-classes", "-5"], "argument --extra-seed-classes: must be an integer >= 0"),
    (["--seeds", "0"], "argument --seeds: must be an integer >= 1, got 0"),
    (["--seeds", "two"], "argument --seeds: 'two' is not an integer"),
])
def test_build_bench_options_are_checked_by_argparse(capsys, tmp_path, option, fragment):
    with pytest.raises(SystemExit) as err:
        main(["build-bench", "--work-dir", str(tmp_path / "w"), *option])
    assert err.value.code == 2 and fragment in capsys.readouterr().err
    assert not (tmp_path / "w").exists()


def test_build_bench_defaults_to_the_package_data_folder_wherever_it_runs(tmp_path, monkeypatch):
    import naskit.bench.builder as builder
    from naskit.datasets import shipped_data_dir
    seen = {}

    def fake_build_runs(out_dir, *args, **kwargs):
        seen["out_dir"] = out_dir
        raise FileExistsError("stop here")
    monkeypatch.setattr(builder, "build_runs", fake_build_runs)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as err:
        main(["build-bench"])
    assert err.value.code == 1 and seen["out_dir"] == shipped_data_dir() / "nb201-mini-build"
    assert not (tmp_path / "data").exists()
