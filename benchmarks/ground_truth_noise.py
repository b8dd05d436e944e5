"""Noise ceiling of the mini benchmark's recipe: train random archs with two seeds, rank-compare.

The seed-to-seed Kendall tau of the ground-truth metric bounds how well any estimator can agree
with the benchmark. Run from the repo root, e.g.

    python benchmarks/ground_truth_noise.py --archs 40 --n-train 4000 --epochs 2

and it prints seconds per run (one thread per process), the accuracy spread and tau for final
validation accuracy, final validation loss and the mean validation loss of the last two epochs.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import time

import numpy as np
from joblib import Parallel, delayed
from scipy.stats import kendalltau

from naskit.bench.builder import Recipe, train_one
from naskit.space import NB201Space


def main() -> None:
    defaults = Recipe()
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--archs", type=int, default=40)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--save", default=None, help="write every run to this JSON file")
    p.add_argument("--data-root", default=None,
                   help="folder with another build of the data set (naskit build-dataset --out)")
    for field in dataclasses.fields(Recipe):
        p.add_argument("--" + field.name.replace("_", "-"), type=type(getattr(defaults, field.name)),
                       default=getattr(defaults, field.name))
    args = p.parse_args()
    recipe = Recipe(**{f.name: getattr(args, f.name) for f in dataclasses.fields(Recipe)})
    rng = np.random.default_rng(0)
    space = NB201Space()
    # distinct functional classes, so that no pair is trivially tied
    reps = sorted({space.index(space.canonical(space[int(i)], "function"))
                   for i in rng.choice(len(space), 3 * args.archs, replace=False)})
    idx = [int(i) for i in rng.permutation(reps)[:args.archs]]
    start = time.time()
    runs = Parallel(n_jobs=args.jobs)(delayed(train_one)(i, s, recipe, data_root=args.data_root) for i in idx for s in (0, 1))
    by = {(r["index"], r["seed"]): r for r in runs}
    metric = {
        "final valid acc": lambda r: r["valid_acc"][-1],
        "final valid loss": lambda r: -r["valid_loss"][-1],
        "mean valid loss, last 2 epochs": lambda r: -np.mean(r["valid_loss"][-2:]),
        "mean valid acc, last 2 epochs": lambda r: np.mean(r["valid_acc"][-2:]),
        "test acc": lambda r: r["test_acc"],
        "final train loss": lambda r: -r["train_loss"][-1],
    }
    acc = np.array([by[(i, 0)]["valid_acc"][-1] for i in idx])
    result = dict(recipe=dataclasses.asdict(recipe), data_root=args.data_root, archs=len(idx),
                  seconds_per_run=float(np.mean([sum(r["epoch_seconds"]) + r["eval_seconds"] for r in runs])),
                  wall_seconds=time.time() - start,
                  valid_acc_q10_mean_q90=[float(np.quantile(acc, 0.1)), float(acc.mean()),
                                          float(np.quantile(acc, 0.9))],
                  seed_tau={name: float(kendalltau([f(by[(i, 0)]) for i in idx],
                                                   [f(by[(i, 1)]) for i in idx])[0])
                            for name, f in metric.items()})
    print(json.dumps(result, indent=1))
    if args.save:
        with open(args.save, "w") as f:
            json.dump(runs, f)


if __name__ == "__main__":
    main()
