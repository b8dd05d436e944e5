"""The validation layer of naskit's files (``naskit._files``) and the shared run helpers (``naskit._runs``).

The manifest lists the digest of every shipped file, and the committed files match it; a shipped
file changed in place is refused, a learner's own copy is checked by schema only; lock files are
never followed through a symlink and a second holder is refused.
"""
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from naskit._files import MANIFEST, check_shipped, read_csv, read_manifest, read_torch
from naskit._runs import hold_lock
from naskit.bench.mini import load_mini
from naskit.exercises import check

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"


def test_the_manifest_matches_the_committed_data_files():
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "data_manifest.py"), "--check"],
                          capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 0, done.stdout + done.stderr
    listed = read_manifest(DATA)
    assert "nb201-mini.npz" in listed and "README.md" not in listed and MANIFEST not in listed


def test_a_shipped_file_changed_in_place_is_refused_and_a_copy_elsewhere_is_not(tmp_path):
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    for name in ("ofa-subnets.csv", MANIFEST):
        shutil.copy(DATA / name, shipped / name)
    check_shipped(shipped / "ofa-subnets.csv", shipped)  # unchanged: fine
    text = (shipped / "ofa-subnets.csv").read_bytes().replace(b",0.8", b",0.7", 1)
    (shipped / "ofa-subnets.csv").write_bytes(text)
    with pytest.raises(ValueError, match="differs from the shipped copy.*git checkout data/ofa-subnets.csv"):
        check_shipped(shipped / "ofa-subnets.csv", shipped)
    own = tmp_path / "ofa-subnets.csv"
    own.write_bytes(text)
    check_shipped(own, shipped)  # a learner's own file: its schema is checked, not its digest
    assert len(read_csv(own, ("arch", "accuracy"), "rebuild it")) == 250


def test_the_shipped_benchmark_loads_and_a_damaged_copy_names_file_and_field(tmp_path):
    bench = load_mini()
    assert 0 <= bench.best().valid_acc <= 100
    with np.load(DATA / "nb201-mini.npz") as f:
        arrays = {k: f[k] for k in f.files}
    arrays["valid_acc"] = arrays["valid_acc"].copy()
    arrays["valid_acc"][0, 42, 1] = 150
    np.savez(tmp_path / "nb201-mini.npz", **arrays)
    with pytest.raises(ValueError, match=r"nb201-mini.npz, valid_acc: holds 150"):
        load_mini(tmp_path / "nb201-mini.npz")


def test_a_damaged_torch_file_never_advises_weights_only_false(tmp_path):
    path = tmp_path / "x.pt"
    path.write_bytes((DATA / "ofa-supernet.pt").read_bytes()[:5000])
    with pytest.raises(ValueError) as err:
        read_torch(path, "restore it")
    assert "weights_only" not in str(err.value) and "x.pt" in str(err.value)


def test_a_lock_is_refused_through_a_symlink_and_to_a_second_holder(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep\n")
    (tmp_path / "a.lock").symlink_to(victim)
    with pytest.raises(ValueError, match="symlink"):
        with hold_lock(tmp_path / "a.lock", "out"):
            pass
    assert victim.read_text() == "keep\n"
    with hold_lock(tmp_path / "b.lock", "the output"):
        code = (f"from naskit._runs import hold_lock\n"
                f"with hold_lock({str(tmp_path / 'b.lock')!r}, 'the output'): pass\n")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env=dict(os.environ, PYTHONPATH=str(ROOT)))
        assert done.returncode != 0 and "being written by another run" in done.stderr
    with hold_lock(tmp_path / "b.lock", "the output"):  # released: free again
        pass


def _endless(a, b):
    while True:
        pass


def test_a_check_off_the_main_thread_is_time_limited_too():
    box = {}
    worker = threading.Thread(target=lambda: box.setdefault("v", check("kendall_tau", _endless,
                                                                         time_limit=0.5)))
    worker.start()
    worker.join(30)
    assert "longer than 0.5 s" in box["v"].hint


def test_a_check_in_the_main_thread_leaves_no_alarm_behind():
    import signal
    before = signal.getsignal(signal.SIGALRM)
    assert "longer than 0.3 s" in check("kendall_tau", _endless, time_limit=0.3).hint
    assert signal.getsignal(signal.SIGALRM) == before and signal.getitimer(signal.ITIMER_REAL)[0] == 0
    assert check("kendall_tau", __import__("naskit").exercises.kendall_tau).passed
