"""Precompute the NASWOT score of every functional class of the NB201 space on the mini recipe.

NASWOT (Mellor et al., "Neural Architecture Search without Training", ICML 2021) scores an
untrained net on one minibatch. Lesson 5 runs the paper's search (sample N archs, keep the best
score) for N up to 1,000 many times over, which is minutes of scoring on a CPU; this script
scores one representative of each of the 4,930 functional isomorphism classes once, with the
mini benchmark's network recipe (8 channels, one cell per stage, 1x16x16 cluttered digits) and
``naskit.estimators.NASWOT`` defaults otherwise, and stores each score with its measured seconds:

    python benchmarks/precompute_naswot.py [--out data/nb201-mini-naswot.npz] [--batch-size 128]

The file is rewritten atomically every ``--checkpoint`` seconds with NaN for classes not yet
scored; running the script again continues where it stopped (only with the same settings) and
leaves a complete file as it is. One torch thread, as in the lessons. Read the file with
``naskit.estimators.Precomputed.load``.
"""
from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import numpy as np
import torch

from naskit.datasets import load
from naskit.estimators import NASWOT
from naskit.estimators.precomputed import read_scores, save_scores
from naskit.space import NB201Space

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "data" / "nb201-mini-naswot.npz"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--checkpoint", type=float, default=60.0, help="seconds between saves")
    args = p.parse_args()
    torch.set_num_threads(1)

    space = NB201Space()
    classes = space.isomorphism_classes(convention="function")
    index = np.array(sorted(min(space.index(a) for a in members) for members in classes))
    representative = np.empty(len(space), np.int64)
    for members in classes:
        rows = [space.index(a) for a in members]
        representative[rows] = min(rows)

    data = load("cluttered-mnist")
    est = NASWOT(data, channels=8, cells_per_stage=1, batch_size=args.batch_size, seed=args.seed)
    meta = dict(estimator="naswot", dataset=data.name, channels=8, cells_per_stage=1,
                batch_size=args.batch_size, seed=args.seed, convention="function",
                classes=len(index))
    score, seconds = np.full(len(index), np.nan), np.full(len(index), np.nan)
    if args.out.exists():
        old = read_scores(args.out)
        kept = {k: old["meta"].get(k) for k in meta}
        if kept != meta or not np.array_equal(old["index"], index):
            p.error(f"{args.out} was made with other settings ({kept}); pass another --out "
                    "or delete it")
        score, seconds = old["score"], old["seconds"]
    todo = np.flatnonzero(np.isnan(score))
    print(f"{len(index) - len(todo):,} of {len(index):,} classes already scored; "
          f"{len(todo):,} to go")

    def save():
        full = dict(meta, torch=torch.__version__, cpu=platform.processor() or platform.machine(),
                    threads=1)
        save_scores(args.out, index, score, seconds, representative, full)

    last = time.perf_counter()
    for n, j in enumerate(todo, 1):
        score[j] = est(space[int(index[j])])
        seconds[j] = est.cost_
        if time.perf_counter() - last > args.checkpoint or n == len(todo):
            save()
            last = time.perf_counter()
            print(f"{len(index) - len(todo) + n:,} / {len(index):,} scored, "
                  f"{np.nanmean(seconds):.3f} s per arch", flush=True)
    if not len(todo):
        print(f"{args.out} is complete")


if __name__ == "__main__":
    main()
