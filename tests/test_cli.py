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


# -- naskit lessons: the lessons out of an installed naskit -------------------------------------

def test_lessons_are_copied_and_a_changed_copy_is_kept(capsys, tmp_path):
    from naskit._config import shipped_lessons_dir

    lessons = sorted(p.name for p in shipped_lessons_dir().glob("*.ipynb"))
    assert len(lessons) >= 10 and main(["lessons", str(tmp_path / "mine")]) == 0
    out = capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "mine").glob("*.ipynb")) == lessons
    assert sum(line.endswith("  copied") for line in out.splitlines()) == len(lessons) + 1  # README
    edited = tmp_path / "mine" / lessons[3]
    edited.write_text("my answers")
    assert main(["lessons", str(tmp_path / "mine")]) == 0
    out = capsys.readouterr().out
    assert f"{lessons[3]}" in out and "kept: you changed it" in out and "  copied\n" not in out
    assert edited.read_text() == "my answers"
    # --reset by number: the original back, the learner's copy beside it
    assert main(["lessons", str(tmp_path / "mine"), "--reset", lessons[3][:2]]) == 0
    assert "reset to the original" in capsys.readouterr().out
    assert edited.read_bytes() == (shipped_lessons_dir() / lessons[3]).read_bytes()
    assert (tmp_path / "mine" / f"{lessons[3]}.bak").read_text() == "my answers"


def test_lessons_reset_names_a_lesson(capsys, tmp_path):
    with pytest.raises(SystemExit) as e:
        main(["lessons", str(tmp_path), "--reset", "99"])
    assert e.value.code == 1 and "no lesson '99'" in capsys.readouterr().err


def test_lessons_open_starts_jupyterlab_or_says_how_to_get_it(capsys, monkeypatch, tmp_path):
    import importlib.util
    import subprocess

    calls = []
    monkeypatch.setattr(subprocess, "call", lambda cmd: calls.append(cmd) or 0)
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n: object() if n == "jupyterlab" else real(n))
    assert main(["lessons", str(tmp_path), "--open"]) == 0
    assert calls and calls[0][1:4] == ["-m", "jupyterlab", str(tmp_path.resolve())]
    monkeypatch.setattr(importlib.util, "find_spec", lambda n: None if n == "jupyterlab" else real(n))
    with pytest.raises(SystemExit) as e:
        main(["lessons", str(tmp_path), "--open"])
    assert e.value.code == 1 and "naskit-edu[lab]" in capsys.readouterr().err
