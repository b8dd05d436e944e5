"""Hostile resumes of long runs: a checkpoint or log is continued only under the settings that made it.

Progressive shrinking resumed with another seed, schedule, batch size or data, a benchmark build
resumed with other seeds, a damaged checkpoint, a lock file planted as a symlink, and a second
``train_ofa.py`` on an output another one is writing: each must be refused with a message naming
what differs (clear), never continued (silent) or failed inside torch (deep).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import naskit as nk
from naskit.bench.builder import Recipe, build_runs
from naskit.ofa import OFASpace, OFASuperNet, ProgressiveShrinking, shrinking_schedule

from _hostile import ACCEPT, REJECT, Case, Judged, outcome, scratch, tally as _tally

ROOT = Path(__file__).resolve().parents[1]
EPOCHS = (1, 1, 0, 0, 0, 0)


def _data(seed=0):
    return nk.datasets.load().subset(n_train=64, n_val=32, seed=seed)


def _trainer(seed=0, epochs=EPOCHS, batch_size=32, data_seed=0, kd_ratio=1.0):
    space = OFASpace()
    net = OFASuperNet(space, channels=(4, 4, 8), head_channels=16, seed=0)
    return ProgressiveShrinking(net, _data(data_seed), phases=shrinking_schedule(space, epochs=epochs),
                                batch_size=batch_size, n_calib=32, n_val=32, seed=seed,
                                kd_ratio=kd_ratio)


_CKPT: dict = {}


def _checkpoint(name: str) -> Path:
    """A copy of a checkpoint after one epoch of seed 0's run, in a scratch folder of its own."""
    if "ckpt" not in _CKPT:
        path = scratch("shrinking") / "run.ckpt"
        _trainer().run(checkpoint=path, max_epochs=1)
        _CKPT["ckpt"] = path.read_bytes()
    path = scratch("resume-" + name) / "run.ckpt"
    path.write_bytes(_CKPT["ckpt"])
    return path


def _resume(label, expect=REJECT, names=(), damage=None, **settings):
    def call(v):
        path = _checkpoint(label)
        if damage is not None:
            path.write_bytes(damage(path.read_bytes()))
        return _trainer(**settings).run(checkpoint=path, max_epochs=1)
    return Case("ProgressiveShrinking.run", "checkpoint", label, expect, call,
                names=names or tuple(settings) or ("run.ckpt",))


def _symlinked_lock(v):
    folder = scratch("build-symlink")
    victim = scratch("elsewhere") / "precious.txt"
    victim.write_text("keep me\n")
    lock = folder / "build.lock"
    if not lock.is_symlink():
        lock.symlink_to(victim)
    build_runs(folder, Recipe(), limit=0, progress=False)
    if victim.read_text() != "keep me\n":
        return "overwrote the symlink's target"
    return "ran"


def _build_other_seeds(v):
    folder = scratch("build-seeds")
    recipe = Recipe()
    (folder / "recipe.json").write_text(json.dumps(
        dict(recipe.__dict__, key=recipe.key(), seeds=2, extra_seed_classes=1000), indent=1))
    (folder / "runs.jsonl").write_text(json.dumps(dict(index=0, seed=0, recipe=recipe.key())) + "\n")
    return build_runs(folder, recipe, seeds=v, limit=0, progress=False)


def _train_ofa_beside_another():
    """A second ``train_ofa.py`` on an output whose lock is held must stop before it trains (on a
    busy machine starting Python and torch alone can take half a minute; training takes minutes,
    and a run that trained would leave its checkpoint)."""
    import fcntl
    out = scratch("train-ofa") / "ofa-supernet.pt"
    lock = out.with_name(out.name + ".lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
        try:
            done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "train_ofa.py"),
                                   "--fast", "--out", str(out)], capture_output=True, text=True,
                                  timeout=150, env=env)
        except subprocess.TimeoutExpired:
            return "silent", "it kept training beside the other run"
    finally:
        os.close(fd)
    if done.returncode == 0 or out.with_name(out.name + ".ckpt").exists():
        return "silent", "it trained beside the other run"
    last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    if "Traceback" in done.stderr or str(out.name) not in last:
        return "deep", last or done.stdout[-200:]
    return "clear", last


CASES = [
    _resume("other-seed", seed=1),
    _resume("other-schedule", epochs=(2, 1, 0, 0, 0, 0), names=("phases", "schedule")),
    _resume("other-batch-size", batch_size=16),
    _resume("other-kd-ratio", kd_ratio=0.5),
    _resume("other-data", data_seed=1, names=("data",)),
    _resume("same-settings", expect=ACCEPT),
    _resume("truncated", damage=lambda b: b[: len(b) // 2]),
    _resume("text", damage=lambda b: b"not a checkpoint"),
    Case("build_runs", "build.lock", "a symlink", REJECT, _symlinked_lock,
         names=("build.lock", "symlink")),
    Case("build_runs", "seeds", 3, REJECT, _build_other_seeds),
    Judged("train_ofa.py-beside-another-run", _train_ofa_beside_another, hang_seconds=180),
]


def tally() -> dict:
    return _tally(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_run(case):
    kind, detail = outcome(case)
    assert kind in ("clear", "harmless"), f"{kind}: {detail}"
