"""The README's first command: ``make lab`` starts JupyterLab on the learner's own copy of the
lessons (made on first use, never overwritten), as root too."""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from _browser import stop_group

REPO = Path(__file__).resolve().parents[1]
VENV = Path(sys.prefix)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.skipif(not (VENV / ".naskit-installed").exists(),
                    reason="runs in the virtual environment `make` created (make test)")
def test_make_lab_serves_the_learners_copy_on_loopback(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    edited = mine / "01_search_spaces.ipynb"
    edited.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n')
    port = _free_port()
    flags = (f"--no-browser --ServerApp.ip=127.0.0.1 --port {port} --ServerApp.port_retries=0 "
             "--ServerApp.token= --ServerApp.password=")
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path))
    proc = subprocess.Popen(["make", "-s", "-C", str(REPO), "lab", f"VENV={VENV}", f"LAB_FLAGS={flags}",
                             f"MY_LESSONS={mine}"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)
    try:
        deadline, body = time.monotonic() + 90, None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents/", timeout=2) as r:
                    body = r.read().decode()
                break
            except OSError:
                time.sleep(0.5)
        if body is None:
            out = proc.stdout.read().decode() if proc.poll() is not None else ""
            pytest.fail(f"make lab did not answer on port {port} (exit {proc.poll()}):\n{out[-2000:]}")
        # the server runs in the learner's folder: its contents are the notebooks, copied there;
        # the one the learner had already edited is kept as it was
        assert "01_search_spaces.ipynb" in body and "06_darts.ipynb" in body
        originals = sorted(p.name for p in (REPO / "lessons").glob("*.ipynb"))
        assert sorted(p.name for p in mine.glob("*.ipynb")) == originals
        assert (mine / "06_darts.ipynb").read_bytes() == (REPO / "lessons" / "06_darts.ipynb").read_bytes()
        assert edited.read_text().startswith('{"cells": []')
    finally:
        stop_group(proc, timeout=20)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize("torch", ["cpu", ""])
def test_make_lab_torch_cpu_installs_pytorchs_cpu_build_first(tmp_path, torch):
    """`make lab TORCH=cpu` (a dry run: nothing is installed) takes torch from PyTorch's CPU index
    before naskit; without TORCH, pip's default index serves everything."""
    out = subprocess.run(["make", "-n", "-C", str(REPO), "lab", f"VENV={tmp_path / 'venv'}",
                          f"TORCH={torch}"], capture_output=True, text=True, check=True).stdout
    installs = [line for line in out.splitlines() if " -m pip install " in line]
    assert installs[-1].endswith('-e ".[dev]"')
    if torch:
        assert len(installs) == 2
        assert "--index-url https://download.pytorch.org/whl/cpu torch torchvision" in installs[0]
    else:
        assert len(installs) == 1 and "download.pytorch.org" not in out
