"""Building a tabular benchmark: train one representative of every isomorphism class.

Cells in one class compute the same function (NAS-Bench-201's argument for its 6,466 unique
cells, Dong & Yang 2020), so one training run per class stands for all its members. Runs are
independent, so they go out through joblib (processes on one machine, or a Dask cluster with
joblib's dask backend) and come back in any order. Every finished run is appended to a JSON-lines
log and flushed to disk at once: a build killed at any moment loses at most the runs in flight,
and the next call skips what is done. ``assemble`` turns a complete log into the benchmark file; the accuracies of a class are shared by
its members, but params and FLOPs are the member's own (``arch_costs``): convolutions on edges whose
output is never used still have parameters and run.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import pathlib
import random
from dataclasses import dataclass

import numpy as np
import torch

from .._checks import check_int
from .._runs import exit_with_parent, hold_lock
from ..datasets import load as load_dataset
from ..hardware import count_flops, count_params
from ..model import build
from ..space import Arch, NB201Space
from ..train import train

__all__ = ["Recipe", "work_units", "train_one", "build_runs", "read_runs", "missing_units",
           "check_build_args", "arch_costs", "assemble"]


@dataclass(frozen=True)
class Recipe:
    """Everything that fixes one training run, apart from the arch and the seed."""

    dataset: str = "cluttered-mnist"
    n_train: int = 4000
    n_val: int = 2000
    epochs: int = 2
    channels: int = 8
    cells_per_stage: int = 1
    batch_size: int = 64
    lr: float = 0.2
    weight_decay: float = 5e-4
    channels_last: bool = True  # NHWC: faster on CPU, a different rounding from NCHW

    def key(self) -> str:
        """A short hash: runs made with different recipes must never be mixed."""
        text = json.dumps(dataclasses.asdict(self), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


def work_units(space: NB201Space, seeds: int = 2, extra_seed_classes: int = 1000,
               order_seed: int = 0) -> list[tuple[int, int]]:
    """(representative index, seed) pairs in build order.

    Classes come in a fixed random order, so a partial build is a random sample of the space;
    seed 0 covers every class (also the one whose output never sees the input: it is
    measured, not assumed to be at chance), seeds 1.. a fixed random subset of
    ``extra_seed_classes`` of them, interleaved so that the noise ceiling can be read early.
    """
    idx = [space.index(m[0]) for m in space.isomorphism_classes("function")]
    rng = random.Random(order_seed)
    rng.shuffle(idx)
    extra = set(idx[:extra_seed_classes]) if seeds > 1 else set()
    units = []
    for i in idx:
        units.append((i, 0))
        if i in extra:
            units.extend((i, s) for s in range(1, seeds))
    return units


@functools.lru_cache(maxsize=2)
def _data(name: str, n_train: int, n_val: int, root=None):
    """The recipe's data, loaded once per worker process."""
    return load_dataset(name, root=root).subset(n_train=n_train, n_val=n_val, seed=0)


def train_one(index: int, seed: int, recipe: Recipe, device: str = "cpu", threads: int = 1,
              data_root=None) -> dict:
    """Train NB201 arch ``index`` with ``recipe`` and ``seed``; a JSON-ready result.

    ``data_root``: a folder holding another build of the data set (for recipe experiments).
    """
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:  # the caller's thread count comes back (n_jobs=1 trains in the caller's process)
        space = NB201Space()
        data = _data(recipe.dataset, recipe.n_train, recipe.n_val, data_root)
        net = build(space[index], channels=recipe.channels, cells_per_stage=recipe.cells_per_stage,
                    num_classes=data.num_classes, in_channels=data.input_shape[0], seed=seed)
        params = count_params(net)
        flops = count_flops(net, (1, *data.input_shape))
        log = train(net, data, epochs=recipe.epochs, seed=seed, device=device,
                    batch_size=recipe.batch_size, lr=recipe.lr, weight_decay=recipe.weight_decay,
                    channels_last=recipe.channels_last)
    finally:
        torch.set_num_threads(before)
    return dict(index=index, seed=seed, recipe=recipe.key(), params=params, flops=flops,
                train_loss=log.epoch_train_loss, step_loss=[round(x, 4) for x in log.step_loss],
                valid_acc=[100 * a for a in log.epoch_val_acc],
                valid_loss=log.epoch_val_loss, test_acc=100 * log.test_acc,
                epoch_seconds=log.epoch_seconds,
                eval_seconds=log.val_seconds[-1])  # one evaluation, charged by simulated searches


def _work(index: int, seed: int, recipe: Recipe, device: str, threads: int, build_pid: int) -> dict:
    """One work unit as the build sends it out: ``train_one``, in a worker that dies with the build.

    joblib's worker processes otherwise outlive a build killed with SIGKILL by minutes (until their
    idle timeout), each holding torch and the data (~0.9 GB).
    """
    exit_with_parent(build_pid)
    return train_one(index, seed, recipe, device, threads)


def read_runs(path: pathlib.Path, recipe: Recipe | None = None) -> list[dict]:
    """The distinct finished runs in a log, in log order.

    A torn last line (a kill mid-write) is dropped; a repeated ``(index, seed)`` (a log written by
    two builds at once, before builds took a lock) counts once, its first record kept.
    """
    path = pathlib.Path(path)
    if not path.exists():
        return []
    try:
        lines = path.read_text().splitlines(keepends=True)
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a text run log") from None
    runs, seen = [], set()
    for n, line in enumerate(lines, 1):
        try:
            if not line.endswith("\n"):
                raise ValueError("unterminated")
            run = json.loads(line)
        except ValueError:
            if n == len(lines):
                break  # torn tail: that run is simply redone
            raise ValueError(f"{path}, line {n}: not a JSON run record; the log is corrupt") from None
        if not isinstance(run, dict) or not all(
                type(run.get(k)) is int and run[k] >= 0 for k in ("index", "seed")):
            raise ValueError(f"{path}, line {n}: a run record is an object with int 'index' and "
                             f"'seed' >= 0; the log is corrupt")
        if recipe is not None and run.get("recipe") != recipe.key():
            raise ValueError(f"{path} holds runs of another recipe ({run.get('recipe')}, this one "
                             f"is {recipe.key()}); use another output folder or the same settings")
        if (run["index"], run["seed"]) not in seen:
            seen.add((run["index"], run["seed"]))
            runs.append(run)
    return runs


def check_build_args(seeds, extra_seed_classes, n_jobs, device, threads, limit) -> str:
    """The build's settings checked before any work starts; ``device`` normalised."""
    check_int(seeds, "seeds")
    check_int(extra_seed_classes, "extra_seed_classes", minimum=0)
    if n_jobs != -1:
        check_int(n_jobs, "n_jobs (-1: one per core)")
    check_int(threads, "threads")
    if limit is not None:
        check_int(limit, "limit", minimum=0)
    if not isinstance(device, (str, torch.device)):
        raise TypeError(f"device must be a str such as 'cpu' or 'cuda:0', got {type(device).__name__}")
    try:
        dev = torch.device(device)
    except RuntimeError:
        raise ValueError(f"unknown device {device!r}; use cpu, cuda, cuda:1, mps, ...") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {device!r}: CUDA is not available here; use cpu")
    return str(dev)


def missing_units(log_path, recipe: Recipe, seeds: int = 2, extra_seed_classes: int = 1000):
    """The work units of this build that have no run in the log yet, in build order."""
    done = {(r["index"], r["seed"]) for r in read_runs(log_path, recipe)}
    return [u for u in work_units(NB201Space(), seeds, extra_seed_classes) if u not in done]


def _check_settings(path: pathlib.Path, settings: dict) -> None:
    """A ValueError naming what differs if the runs of a folder were made under other settings."""
    try:
        recorded = json.loads(path.read_text())
    except FileNotFoundError:
        return  # a folder from before the settings were recorded: its runs carry their recipe key
    except (ValueError, UnicodeDecodeError):
        raise ValueError(f"{path} is not JSON; restore it, or use another output folder") from None
    if not isinstance(recorded, dict):
        raise ValueError(f"{path} must hold a JSON object; restore it, or use another output folder")
    differ = [f"{k}: {recorded.get(k)!r} there, {v!r} now" for k, v in settings.items()
              if recorded.get(k) != v]
    if differ:
        raise ValueError(f"{path.parent} holds runs made with other settings ({'; '.join(differ)}); "
                         "resume with the same settings, or use another output folder")


def _repair(path: pathlib.Path, runs: list[dict]) -> None:
    """Rewrite the log with complete lines only (atomically), after a torn tail."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(json.dumps(r) + "\n" for r in runs))
    os.replace(tmp, path)


def build_runs(out_dir, recipe: Recipe = Recipe(), seeds: int = 2, extra_seed_classes: int = 1000,
               n_jobs: int = 2, device: str = "cpu", threads: int = 1, limit: int | None = None,
               progress: bool = True) -> pathlib.Path:
    """Train every pending work unit into ``out_dir/runs.jsonl``; resumable, parallel.

    A lock file in ``out_dir`` stops a second build on the same folder (FileExistsError); a folder
    whose runs were made with other settings (``recipe.json``) is refused (ValueError).
    """
    device = check_build_args(seeds, extra_seed_classes, n_jobs, device, threads, limit)
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with hold_lock(out_dir / "build.lock", str(out_dir), kind="build"):
        return _build_runs(out_dir, recipe, seeds, extra_seed_classes, n_jobs, device, threads,
                           limit, progress)


def _build_runs(out_dir, recipe, seeds, extra_seed_classes, n_jobs, device, threads, limit,
                progress) -> pathlib.Path:
    from joblib import Parallel, delayed

    from .._progress import in_voila, tqdm

    log_path = out_dir / "runs.jsonl"
    settings = dict(dataclasses.asdict(recipe), key=recipe.key(), seeds=seeds,
                    extra_seed_classes=extra_seed_classes)
    done = read_runs(log_path, recipe)
    if done:
        _check_settings(out_dir / "recipe.json", settings)
    (out_dir / "recipe.json").write_text(json.dumps(settings, indent=1))
    if log_path.exists() and len(done) != len(log_path.read_text().splitlines()):
        _repair(log_path, done)
    finished = {(r["index"], r["seed"]) for r in done}
    pending = [u for u in work_units(NB201Space(), seeds, extra_seed_classes) if u not in finished]
    if limit is not None:
        pending = pending[:limit]
    if not pending:
        return log_path
    jobs = (delayed(_work)(i, s, recipe, device, threads, os.getpid()) for i, s in pending)
    results = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(jobs)
    with open(log_path, "a") as log, tqdm(total=len(pending), disable=not progress or in_voila(),
                                          desc="training classes", unit="run") as bar:
        for result in results:
            log.write(json.dumps(result) + "\n")
            log.flush()
            os.fsync(log.fileno())
            bar.update(1)
    return log_path


def arch_costs(recipe: Recipe, data_root=None) -> tuple[np.ndarray, np.ndarray]:
    """``count_params`` and ``count_flops`` of ``build(arch)`` at the recipe's settings, every arch.

    Every edge's op is built and runs whatever the rest of the cell, so both counts are a constant
    plus one term per edge and op: the all-``none`` cell and each op alone on each edge (25 nets)
    give all 15,625 values exactly (``tests/test_bench_builder.py`` checks against built nets).
    """
    space = NB201Space()
    data = load_dataset(recipe.dataset, root=data_root)

    def count(ops):
        net = build(Arch.from_ops(ops, space.n_nodes), channels=recipe.channels,
                    cells_per_stage=recipe.cells_per_stage, num_classes=data.num_classes,
                    in_channels=data.input_shape[0], seed=0)
        return count_params(net), count_flops(net, (1, *data.input_shape))

    none = ["none"] * space.n_edges
    base = np.array(count(none), np.int64)
    delta = np.zeros((space.n_edges, len(space.ops), 2), np.int64)
    for e in range(space.n_edges):
        for k, op in enumerate(space.ops):
            if op != "none":
                delta[e, k] = np.array(count(none[:e] + [op] + none[e + 1:])) - base
    codes = np.array([[space.ops.index(op) for op in a.ops] for a in space])
    total = base + delta[np.arange(space.n_edges), codes].sum(axis=1)
    return total[:, 0], total[:, 1]


def assemble(log_path, out_file, recipe: Recipe, seeds: int = 2,
             extra_seed_classes: int | None = None) -> pathlib.Path:
    """Spread the runs of every class over all its members, add each arch's own params and FLOPs
    (``arch_costs``) and write the benchmark file (atomically).

    With ``extra_seed_classes`` every run of the build must be in the log, not only seed 0's.
    """
    space = NB201Space()
    if extra_seed_classes is not None:
        missing = missing_units(log_path, recipe, seeds, extra_seed_classes)
        if missing:
            raise ValueError(f"{log_path}: {len(missing)} runs of the build are missing (e.g. "
                             f"index {missing[0][0]} seed {missing[0][1]}); finish the build first")
    runs = read_runs(log_path, recipe)
    by_unit = {(r["index"], r["seed"]): r for r in runs}
    n, E = len(space), recipe.epochs
    arrays = {f"{name}": np.full((seeds, n, E), np.nan, np.float32)
              for name in ("train_loss", "valid_acc", "valid_loss")}
    steps = len(next(iter(by_unit.values()))["step_loss"]) if by_unit else 0
    arrays["step_loss"] = np.full((seeds, n, steps), np.nan, np.float16)  # TSE at any step budget
    arrays["test_acc"] = np.full((seeds, n), np.nan, np.float32)
    arrays["seconds_per_epoch"] = np.full(n, np.nan, np.float32)
    arrays["eval_seconds"] = np.full(n, np.nan, np.float32)
    arrays["params"] = np.zeros(n, np.int64)
    arrays["flops"] = np.zeros(n, np.int64)
    arrays["representative"] = np.zeros(n, np.int64)
    missing = []
    for members in space.isomorphism_classes("function"):
        rep = space.index(members[0])
        rows = [space.index(a) for a in members]
        arrays["representative"][rows] = rep
        if (rep, 0) not in by_unit:
            missing.append(rep)
            continue
        for s in range(seeds):
            run = by_unit.get((rep, s))
            if run is None:
                continue
            for name in ("train_loss", "valid_acc", "valid_loss", "step_loss"):
                arrays[name][s, rows] = run[name]
            arrays["test_acc"][s, rows] = run["test_acc"]
        run = by_unit[(rep, 0)]
        arrays["seconds_per_epoch"][rows] = float(np.mean(run["epoch_seconds"]))
        arrays["eval_seconds"][rows] = run["eval_seconds"]
    if missing:
        raise ValueError(f"{log_path}: {len(missing)} classes have no seed-0 run yet "
                         f"(e.g. index {missing[0]}); finish the build first")
    arrays["params"], arrays["flops"] = arch_costs(recipe)  # per arch, not per class
    meta = dict(dataclasses.asdict(recipe), key=recipe.key(), seeds=seeds, runs=len(runs))
    out_file = pathlib.Path(out_file)
    tmp = out_file.with_name(out_file.name + ".part.npz")
    np.savez_compressed(tmp, meta=np.array(json.dumps(meta)), **arrays)
    os.replace(tmp, out_file)
    return out_file
