"""Run NB201's weight-sharing methods on the embedded benchmark's supernet, for lesson 6's table.

    python benchmarks/precompute_oneshot.py [--seeds 0 1 2] [--epochs 4] [--jobs 2]
                                            [--out data/nb201-mini-oneshot.jsonl]

Each (method, seed) is one process with one torch thread: RSPS, DARTS-V1 (with its two remedies,
DARTS-PT selection and early stopping), DARTS-V2, GDAS, SETN and ENAS on the NB201 supernet of
the embedded benchmark's network (8 channels, one cell per stage) over the embedded digits,
``--epochs`` passes over the 8,000 training images. Rows go to ``--out`` as JSON lines
(``naskit.oneshot.table.write_runs``, rewritten atomically after every finished run); running the
script again skips the runs already there with the same settings. Lesson 6 reads the file and
looks up each derived cell's ground truth in the benchmark.
"""
from __future__ import annotations

import argparse
import fcntl
import time
from pathlib import Path

from joblib import Parallel, delayed

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "data" / "nb201-mini-oneshot.jsonl"


def one(method: str, seed: int, epochs: float, arch_lr: float) -> list[dict]:
    import torch

    from naskit.datasets import load
    from naskit.oneshot.table import run_seed

    torch.set_num_threads(1)
    return run_seed(load(), seed, [method], epochs, arch_lr)


def main() -> None:
    from naskit.oneshot.table import SEARCHES, read_runs, write_runs

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--methods", nargs="+", default=list(SEARCHES), choices=list(SEARCHES))
    p.add_argument("--epochs", type=float, default=4.0)
    p.add_argument("--arch-lr", type=float, default=3e-4)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = p.parse_args()
    if args.jobs < 1 or args.epochs <= 0 or any(s < 0 for s in args.seeds):
        p.error("--jobs must be >= 1, --epochs > 0 and seeds >= 0")
    # one writer per file: a second run on the same file would overwrite the first one's rows
    lock = open(args.out.with_suffix(args.out.suffix + ".lock"), "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        p.error(f"another run is writing {args.out}; wait for it or pass another --out")
    rows = read_runs(args.out) if args.out.exists() else []
    for row in rows:
        row["arch"] = str(row["arch"])
    same = lambda r: (r["settings"]["epochs"], r["settings"]["arch_lr"]) == (args.epochs, args.arch_lr)
    done = {(r["method"], r["seed"]) for r in rows if same(r)}
    todo = [(m, s) for s in args.seeds for m in args.methods if (m, s) not in done]
    print(f"{len(done)} runs already in {args.out}; {len(todo)} to go", flush=True)
    start = time.perf_counter()
    jobs = Parallel(n_jobs=args.jobs, return_as="generator_unordered")(
        delayed(one)(m, s, args.epochs, args.arch_lr) for m, s in todo)
    for n, new in enumerate(jobs, 1):
        rows.extend(new)
        write_runs(args.out, rows)
        for r in new:
            print(f"[{n}/{len(todo)} {time.perf_counter() - start:6.0f} s] {r['method']:22s} "
                  f"seed {r['seed']}  {r['seconds']:7.1f} s  {r['arch']}", flush=True)


if __name__ == "__main__":
    main()
