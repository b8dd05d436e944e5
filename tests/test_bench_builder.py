"""Benchmark builder: work units, determinism, resume after a kill, assembly, the mini loader."""
import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import naskit as nk
from naskit.bench import load
from naskit.bench.builder import (Recipe, assemble, build_runs, missing_units, read_runs, train_one,
                                  work_units)
from naskit.hardware import count_flops, count_params
from naskit.model import build

SPACE = nk.NB201Space()
TINY = Recipe(n_train=64, n_val=64, epochs=2, channels=2, batch_size=32)
ROOT = Path(__file__).resolve().parents[1]


def test_work_units_cover_every_class_once_and_extra_seeds_a_subset():
    units = work_units(SPACE, seeds=2, extra_seed_classes=100)
    seed0 = [i for i, s in units if s == 0]
    classes = SPACE.isomorphism_classes("function")
    assert sorted(seed0) == sorted(SPACE.index(m[0]) for m in classes)
    assert len({i for i, s in units if s == 1}) == 100 and set(i for i, s in units if s == 1) <= set(seed0)
    assert units == work_units(SPACE, seeds=2, extra_seed_classes=100)
    assert len(units) == len(set(units))


@pytest.mark.slow
def test_train_one_is_deterministic_and_complete():
    a, b = train_one(123, 0, TINY), train_one(123, 0, TINY)
    timing = ("epoch_seconds", "eval_seconds")
    assert {k: v for k, v in a.items() if k not in timing} == {k: v for k, v in b.items() if k not in timing}
    assert len(a["valid_acc"]) == len(a["train_loss"]) == 2 and 0 <= a["test_acc"] <= 100
    assert len(a["step_loss"]) == 2 * 2  # 64 images in batches of 32, two epochs
    assert a["train_loss"][0] == pytest.approx(np.mean(a["step_loss"][:2]), abs=1e-3)
    assert a["params"] == nk.hardware.count_params(nk.build(SPACE[123], channels=2, cells_per_stage=1, in_channels=1))
    assert train_one(123, 1, TINY)["train_loss"] != a["train_loss"]


@pytest.mark.slow
def test_resume_skips_finished_runs_and_repairs_a_torn_line(tmp_path):
    log = build_runs(tmp_path, TINY, limit=3, n_jobs=1, progress=False)
    first = read_runs(log, TINY)
    assert len(first) == 3
    with open(log, "a") as f:
        f.write('{"index": 5, "seed"')  # a kill in the middle of a write
    build_runs(tmp_path, TINY, limit=2, n_jobs=1, progress=False)
    runs = read_runs(log, TINY)
    assert len(runs) == 5 and runs[:3] == first
    assert len({(r["index"], r["seed"]) for r in runs}) == 5
    assert log.read_text().endswith("}\n")
    with pytest.raises(ValueError, match="another recipe"):
        build_runs(tmp_path, Recipe(n_train=65, n_val=64, epochs=2, channels=2), limit=1, n_jobs=1)


@pytest.mark.slow
def test_killed_build_resumes_without_losing_or_repeating_runs(tmp_path):
    n = 12  # killed after 3 runs, the rest in the resumed build
    code = (f"from naskit.bench.builder import Recipe, build_runs; "
            f"build_runs({str(tmp_path)!r}, Recipe(**{TINY.__dict__!r}), limit={n}, n_jobs=1, progress=False)")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", code], env=env)
    log = tmp_path / "runs.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline and (not log.exists() or len(log.read_text().splitlines()) < 3):
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = read_runs(log, TINY)
    assert 3 <= len(done_before) < n, "the build must have been stopped part-way"
    build_runs(tmp_path, TINY, limit=n - len(done_before), n_jobs=2, progress=False)
    runs = read_runs(log, TINY)
    units = [(r["index"], r["seed"]) for r in runs]
    assert len(units) == len(set(units)) == n
    assert set(units) == set(work_units(SPACE)[:n])
    again = train_one(*units[-1], TINY)  # a resumed run equals a fresh one
    assert again["valid_acc"] == runs[-1]["valid_acc"]


def _fake_log(path, recipe, seeds=2, drop=None):
    rng = np.random.default_rng(0)
    with open(path, "w") as f:
        for i, s in work_units(SPACE, seeds=seeds, extra_seed_classes=50):
            if (i, s) == drop:
                continue
            acc = sorted(rng.uniform(10, 90, recipe.epochs))
            f.write(json.dumps(dict(index=i, seed=s, recipe=recipe.key(), params=i, flops=2 * i,
                                    train_loss=list(rng.uniform(0, 2, recipe.epochs)),
                                    step_loss=[0.5, 0.25, 0.125], valid_acc=acc,
                                    valid_loss=list(rng.uniform(0, 2, recipe.epochs)),
                                    test_acc=acc[-1] - 1, epoch_seconds=[1.0] * recipe.epochs,
                                    eval_seconds=0.5)) + "\n")


@pytest.mark.slow
def test_assemble_spreads_each_class_record_over_its_members(tmp_path):
    _fake_log(tmp_path / "runs.jsonl", TINY)
    out = assemble(tmp_path / "runs.jsonl", tmp_path / "nb201-mini.npz", TINY, seeds=2)
    bench = load("mini", root=tmp_path)
    assert len(bench) == 15625 and bench.fidelities == (1, 2)
    runs = {(r["index"], r["seed"]): r for r in read_runs(tmp_path / "runs.jsonl")}
    for members in SPACE.isomorphism_classes("function")[::97]:
        rep = SPACE.index(members[0])
        for arch in members:
            rec = bench.query(arch)
            assert rec.valid_acc == pytest.approx(runs[(rep, 0)]["valid_acc"][-1], rel=1e-6)
            assert rec.cost == pytest.approx(2 * 1.0 + 0.5)
            net = build(arch, channels=TINY.channels, cells_per_stage=TINY.cells_per_stage,
                        in_channels=1)  # each member's own net, not its class's
            assert bench.column("params")[SPACE.index(arch)] == count_params(net)
            assert bench.column("flops")[SPACE.index(arch)] == count_flops(net, (1, 1, 16, 16))
    assert np.allclose(bench.column("step_loss")[SPACE.index(members[0])], [0.5, 0.25, 0.125])
    seeds = bench.column("valid_acc_seeds")
    assert seeds.shape == (15625, 2, 2)
    assert 0.001 < np.mean(~np.isnan(seeds[:, 1, -1])) < 0.05  # the second seed covers 50 classes
    assert out.exists() and not list(tmp_path.glob("*.part*"))


def test_assemble_refuses_an_unfinished_log_and_loader_rejects_bad_files(tmp_path):
    first = work_units(SPACE)[0]
    _fake_log(tmp_path / "runs.jsonl", TINY, drop=first)
    with pytest.raises(ValueError, match="no seed-0 run yet"):
        assemble(tmp_path / "runs.jsonl", tmp_path / "x.npz", TINY)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "nb201-mini.npz").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="not a naskit benchmark file"):
        load("mini", root=bad)
    np.savez(bad / "nb201-mini.npz", valid_acc=np.zeros(3))
    with pytest.raises(ValueError, match="missing"):
        load("mini", root=bad)
    with pytest.raises(FileNotFoundError, match="naskit build-bench"):
        load("mini", root=tmp_path / "none")


@pytest.mark.slow
def test_a_log_written_twice_counts_distinct_runs_and_a_missing_one_blocks_assembly(tmp_path):
    log = tmp_path / "runs.jsonl"
    units = work_units(SPACE, seeds=2, extra_seed_classes=50)
    extra = next(u for u in units if u[1] == 1)
    _fake_log(log, TINY, drop=extra)
    lines = log.read_text().splitlines(keepends=True)
    log.write_text("".join(lines + lines[:40]))  # two builds wrote the same runs
    runs = read_runs(log, TINY)
    assert len(runs) == len(units) - 1 == len({(r["index"], r["seed"]) for r in runs})
    assert missing_units(log, TINY, 2, 50) == [extra]
    # more log lines than units used to pass for a finished build, with a NaN where extra was
    with pytest.raises(ValueError, match=rf"1 runs of the build are missing \(e.g. index "
                                         rf"{extra[0]} seed 1\)"):
        assemble(log, tmp_path / "x.npz", TINY, seeds=2, extra_seed_classes=50)


@pytest.mark.parametrize("line,fragment", [
    ("[1, 2]\n", "line 2: a run record is an object"),
    ('{"index": -1, "seed": 0}\n', "line 2: a run record is an object"),
    ('{"index": 1.5, "seed": 0}\n', "line 2: a run record"),
    ("\x00\x01garbage\n", "line 2: not a JSON run record"),
])
def test_damaged_run_logs_name_the_line(tmp_path, line, fragment):
    log = tmp_path / "runs.jsonl"
    log.write_text(json.dumps(dict(index=0, seed=0)) + "\n" + line + "{}\n")
    with pytest.raises(ValueError, match=fragment):
        read_runs(log)


def test_two_builds_on_one_folder_cannot_both_write(tmp_path):
    import fcntl
    with open(tmp_path / "build.lock", "w") as held:
        held.write("pid 12345\n")
        held.flush()
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(FileExistsError, match=r"being written by another build \(pid 12345\)"):
            build_runs(tmp_path, TINY, limit=1, n_jobs=1, progress=False)
        fcntl.flock(held, fcntl.LOCK_UN)
    assert not (tmp_path / "runs.jsonl").exists()
    build_runs(tmp_path, TINY, limit=0, n_jobs=1, progress=False)  # free again: runs


@pytest.mark.parametrize("kwargs,fragment", [
    (dict(n_jobs=0), "n_jobs"), (dict(threads=0), "threads must be an int >= 1"),
    (dict(device="bogus"), "unknown device 'bogus'"), (dict(limit=-1), "limit must be an int >= 0"),
    (dict(extra_seed_classes=-2), "extra_seed_classes must be an int >= 0"),
    (dict(seeds=0), "seeds must be an int >= 1"), (dict(seeds=True), "seeds must be an int"),
])
def test_build_arguments_are_checked_before_any_work(tmp_path, kwargs, fragment):
    with pytest.raises((ValueError, TypeError), match=fragment):
        build_runs(tmp_path / "w", TINY, progress=False, **kwargs)
    assert not (tmp_path / "w").exists()


@pytest.mark.slow
def test_a_small_build_runs_on_a_local_dask_cluster(tmp_path):
    import joblib
    from distributed import Client, LocalCluster, get_task_stream
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster, \
            Client(cluster) as client, joblib.parallel_backend("dask"), \
            get_task_stream(client) as tasks:
        log = build_runs(tmp_path, TINY, limit=4, n_jobs=2, progress=False)
        addresses = set(client.scheduler_info()["workers"])
    runs = read_runs(log, TINY)
    assert {(r["index"], r["seed"]) for r in runs} == set(work_units(SPACE)[:4])
    ran = [t for t in tasks.data if t.get("status") == "OK"]
    assert len(ran) >= 1 and {t["worker"] for t in ran} <= addresses  # trained on the cluster
    assert train_one(*work_units(SPACE)[0], TINY)["valid_acc"] == next(
        r for r in runs if (r["index"], r["seed"]) == work_units(SPACE)[0])["valid_acc"]


def test_train_one_gives_the_callers_thread_count_back():
    import torch
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        train_one(7, 0, TINY, threads=1)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("busy", ["sleeping", "holding the GIL", "still starting"])
def test_a_worker_exits_when_its_build_process_is_killed(tmp_path, busy):
    """The watchdog alone: a child of a process that is killed with SIGKILL exits within seconds,
    also while it holds the GIL in a long C loop, where no Python thread of its own can run, and
    when the build is killed before the child's first unit (still importing, say) begins."""
    marker = tmp_path / "child.pid"
    code = textwrap.dedent(f"""
        import multiprocessing as mp, os, pathlib, time
        from naskit._runs import exit_with_parent
        def child(build_pid):
            if {busy == "still starting"}:
                pathlib.Path({str(marker)!r}).write_text(str(os.getpid()))
                while os.getppid() == build_pid:  # the build is killed before the first unit
                    time.sleep(0.05)
            exit_with_parent(build_pid)
            pathlib.Path({str(marker)!r}).write_text(str(os.getpid()))
            sum(range(10 ** 13)) if {busy == "holding the GIL"} else time.sleep(600)
        if __name__ == "__main__":
            p = mp.get_context("spawn").Process(target=child, args=(os.getpid(),))
            p.start()
            time.sleep(600)
    """)
    script = tmp_path / "build.py"
    script.write_text(code)
    proc = subprocess.Popen([sys.executable, str(script)], env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        deadline = time.time() + 120
        while not marker.exists() or not marker.read_text():
            assert time.time() < deadline and proc.poll() is None, "the child never started"
            time.sleep(0.1)
        child = int(marker.read_text())
        proc.kill()
        proc.wait()
        assert _gone([child], timeout=10), "the child outlived its killed parent by 10 s"
    finally:
        proc.kill()


@pytest.mark.slow
def test_a_killed_build_takes_its_workers_with_it(tmp_path):
    """Units of minutes each: without the watchdog the workers would train on for minutes."""
    long = Recipe(n_train=256, n_val=64, epochs=300, channels=8, batch_size=32)
    code = (f"from naskit.bench.builder import Recipe, build_runs; "
            f"build_runs({str(tmp_path)!r}, Recipe(**{long.__dict__!r}), limit=2, n_jobs=2, "
            f"progress=False)")
    proc = subprocess.Popen([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=str(ROOT)))
    workers = []
    try:
        workers = _wait_for_workers(proc.pid, 2, timeout=180)
        # Importing torch takes a worker ~3 s of CPU; past 10 s both are training.
        deadline = time.time() + 600
        while min(_cpu_seconds(w) for w in workers) < 10:
            assert time.time() < deadline and proc.poll() is None, "the workers never trained"
            time.sleep(0.5)
        proc.kill()
        proc.wait()
        # a unit takes minutes; the watchdog looks every 2 s, but on a loaded machine a worker
        # may wait seconds for the CPU before it runs at all
        assert _gone(workers, timeout=30), "workers outlived the killed build by 30 s"
        assert not (tmp_path / "runs.jsonl").exists() or not read_runs(tmp_path / "runs.jsonl")
    finally:  # whatever happened, leave no worker behind (killed, the build's are init's children)
        proc.kill()
        for pid in set(_children(proc.pid)) | set(workers):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            out += [int(c) for c in (task / "children").read_text().split()]
    return out


def _wait_for_workers(pid: int, n: int, timeout: float) -> list[int]:
    deadline = time.time() + timeout
    while time.time() < deadline:
        workers = [c for c in _children(pid)
                   if b"popen_loky" in Path(f"/proc/{c}/cmdline").read_bytes()]
        if len(workers) >= n:
            return workers
        time.sleep(0.2)
    raise TimeoutError(f"the build started no {n} workers within {timeout:.0f} s")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _gone(pids: list[int], timeout: float) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        alive = []
        for p in pids:
            try:
                state = Path(f"/proc/{p}/stat").read_text().split(") ")[-1][0]
            except OSError:
                continue
            if state != "Z":  # a zombie has exited; only its parent's wait is missing
                alive.append(p)
        if not alive:
            return True
        time.sleep(0.2)
    return False
