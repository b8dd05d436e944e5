"""Run NB201's weight-sharing methods on the embedded benchmark's supernet, for lesson 6's table.

    python benchmarks/precompute_oneshot.py [--protocol darts|nb201] [--seeds 0 1 2] [--epochs 4]
                                            [--methods ...] [--jobs 2] [--out data/nb201-mini-oneshot.jsonl]

Each (method, seed) is one process with one torch thread: RSPS, DARTS-V1 (with its two remedies,
DARTS-PT selection and early stopping), DARTS-V2, GDAS, SETN and ENAS on the NB201 supernet of
the embedded benchmark's network (8 channels, one cell per stage) over the embedded digits.
``--protocol darts`` (default): the DARTS paper's settings for ``--epochs`` passes over the 8,000
training images. ``--protocol nb201``: NAS-Bench-201's settings (``nk.oneshot.Protocol.nb201``), in
the order given; each run checkpoints its whole state every ``--checkpoint-minutes`` to
``--ckpt-dir`` (killed, it continues there; a checkpoint of other settings is refused), writes its
trace to ``--trace-dir/<method>-seed<seed>-nb201.npz`` and is charged simulated seconds from the
FLOPs it computes (``naskit.oneshot.runner``).

Rows go to ``--out`` as JSON lines (``naskit.oneshot.table.write_runs``, rewritten atomically after
every finished run); running the script again skips the (method, seed, protocol) already there and
refuses one recorded under other settings. One writer per file (a lock that follows no symlink).
Workers die with the script (a parent-death signal and a watchdog). Lesson 6 reads the file.
"""
from __future__ import annotations

import argparse
import concurrent.futures as futures
import ctypes
import fcntl
import multiprocessing
import os
import signal
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "data" / "nb201-mini-oneshot.jsonl"
DEFAULT_TRACES = ROOT / "data" / "nb201-mini-oneshot"
DEFAULT_CKPT = ROOT / "data" / "nb201-mini-oneshot-ckpt"
PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Exit when the parent dies: the kernel's parent-death signal, and a watchdog as backup."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:   # died before the signal was armed
        os._exit(1)

    def watch():
        while True:
            time.sleep(2)
            if os.getppid() != parent:
                os._exit(1)
    threading.Thread(target=watch, daemon=True).start()


def one_darts(method: str, seed: int, epochs: float, arch_lr: float) -> list[dict]:
    import torch

    from naskit.datasets import load
    from naskit.oneshot.table import run_seed

    torch.set_num_threads(1)
    return run_seed(load(), seed, [method], epochs, arch_lr)


def one_nb201(method: str, seed: int, ckpt_dir: str, trace_dir: str,
              checkpoint_seconds: float) -> list[dict]:
    import torch

    from naskit.bench import load as load_bench
    from naskit.datasets import load
    from naskit.oneshot import Protocol, run_checkpointed

    torch.set_num_threads(1)
    return run_checkpointed(method, seed, Protocol.nb201(method), load(), load_bench("mini"),
                            ckpt_dir, trace_dir, checkpoint_seconds=checkpoint_seconds)


def lock(path: Path):
    """An exclusive lock on ``path``; it opens no symlink (O_NOFOLLOW), so it cannot be redirected."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def refresh_manifest(out: Path) -> None:
    """Record the new digests of the shipped files just written, so that loaders accept them."""
    from data_manifest import write_manifest  # beside this script

    from naskit._config import shipped_data_dir

    if out.resolve().parent == shipped_data_dir().resolve():
        write_manifest(shipped_data_dir())


def main() -> None:
    from naskit.oneshot.table import SEARCHES, protocol_of, read_runs, write_runs

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--protocol", choices=["darts", "nb201"], default="darts")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--methods", nargs="+", default=list(SEARCHES), choices=list(SEARCHES))
    p.add_argument("--epochs", type=float, default=4.0, help="--protocol darts only")
    p.add_argument("--arch-lr", type=float, default=3e-4, help="--protocol darts only")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--trace-dir", type=Path, default=DEFAULT_TRACES)
    p.add_argument("--ckpt-dir", type=Path, default=DEFAULT_CKPT)
    p.add_argument("--checkpoint-minutes", type=float, default=3.0)
    args = p.parse_args()
    if args.jobs < 1 or args.epochs <= 0 or any(s < 0 for s in args.seeds) \
            or args.checkpoint_minutes <= 0:
        p.error("--jobs must be >= 1, --epochs and --checkpoint-minutes > 0 and seeds >= 0")
    # one writer per file: a second run on the same file would overwrite the first one's rows
    if lock(args.out.with_suffix(args.out.suffix + ".lock")) is None:
        p.error(f"another run is writing {args.out}; wait for it or pass another --out")
    rows = read_runs(args.out) if args.out.exists() else []
    for row in rows:
        row["arch"] = str(row["arch"])
    if args.protocol == "darts":
        same = lambda r: protocol_of(r) == "darts" and \
            (r["settings"]["epochs"], r["settings"]["arch_lr"]) == (args.epochs, args.arch_lr)
        done = {(r["method"], r["seed"]) for r in rows if same(r)}
        # the methods in the order given, seed by seed within each
        todo = [(m, s) for s in args.seeds for m in args.methods if (m, s) not in done]
    else:
        from naskit.oneshot import Protocol
        done = set()
        for r in rows:
            if protocol_of(r) == "nb201" and r["method"] in SEARCHES:
                if r["settings"]["protocol"] != Protocol.nb201(r["method"]).to_dict():
                    p.error(f"{args.out} holds a {r['method']} seed {r['seed']} row of NB201's "
                            "protocol under other settings; refusing to add a second one")
                done.add((r["method"], r["seed"]))
        todo = [(m, s) for m in args.methods for s in args.seeds if (m, s) not in done]
        for m, s in done:  # a finished run's checkpoint is no longer needed
            (args.ckpt_dir / f"{m}-seed{s}-nb201.pt").unlink(missing_ok=True)
    print(f"{len(done)} runs already in {args.out}; {len(todo)} to go", flush=True)
    start = time.perf_counter()
    ctx = multiprocessing.get_context("spawn")
    with futures.ProcessPoolExecutor(args.jobs, mp_context=ctx, initializer=_die_with_parent,
                                     initargs=(os.getpid(),)) as pool:
        if args.protocol == "darts":
            jobs = [pool.submit(one_darts, m, s, args.epochs, args.arch_lr) for m, s in todo]
        else:
            jobs = [pool.submit(one_nb201, m, s, str(args.ckpt_dir), str(args.trace_dir),
                                60 * args.checkpoint_minutes) for m, s in todo]
        for n, job in enumerate(futures.as_completed(jobs), 1):
            new = job.result()
            rows.extend(new)
            write_runs(args.out, rows)
            refresh_manifest(args.out)
            for r in new:
                if args.protocol == "nb201" and r["method"] in SEARCHES:
                    (args.ckpt_dir / f"{r['method']}-seed{r['seed']}-nb201.pt").unlink(missing_ok=True)
                print(f"[{n}/{len(todo)} {time.perf_counter() - start:6.0f} s] {r['method']:22s} "
                      f"seed {r['seed']}  {r['seconds']:9.1f} s  {r['arch']}", flush=True)


if __name__ == "__main__":
    main()
