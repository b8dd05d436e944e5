"""Noise ceiling of the mini benchmark's recipe: train random archs with two seeds, rank-compare.

The seed-to-seed Kendall tau of the ground-truth metric bounds how well any estimator can agree
with the benchmark. Run from the repo root, e.g.

    python benchmarks/ground_truth_noise.py --archs 40 --n-train 4000 --epochs 2

and it prints seconds per run (one thread per process), the accuracy spread and the tau of several
candidate metrics (with a bootstrap 95% interval for the final validation accuracy's tau). Archs are
drawn uniformly from the space (as a user samples them; cells of one class share a record) unless
--distinct asks for distinct functional classes.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import time

import numpy as np
from joblib import Parallel, delayed
from scipy.stats import kendalltau

from naskit._runs import exit_with_parent
from naskit.bench.builder import Recipe, train_one
from naskit.estimators import bootstrap_ci, kendall_tau
from naskit.space import NB201Space


def _unit(index, seed, recipe, data_root, parent_pid):
    """One training run in a worker that exits when this script is killed (even with SIGKILL)."""
    exit_with_parent(parent_pid)
    return train_one(index, seed, recipe, data_root=data_root)


def main() -> None:
    defaults = Recipe()
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--archs", type=int, default=40)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--save", default=None, help="write every run to this JSON file")
    p.add_argument("--sample-seed", type=int, default=0, help="which archs are drawn")
    p.add_argument("--distinct", action="store_true",
                   help="draw distinct functional classes instead of uniformly random archs")
    p.add_argument("--data-root", default=None,
                   help="folder with another build of the data set (naskit build-dataset --out)")
    for field in dataclasses.fields(Recipe):
        if isinstance(getattr(defaults, field.name), bool):
            p.add_argument("--" + field.name.replace("_", "-"), default=getattr(defaults, field.name),
                           action=argparse.BooleanOptionalAction)
            continue
        p.add_argument("--" + field.name.replace("_", "-"), type=type(getattr(defaults, field.name)),
                       default=getattr(defaults, field.name))
    args = p.parse_args()
    recipe = Recipe(**{f.name: getattr(args, f.name) for f in dataclasses.fields(Recipe)})
    rng = np.random.default_rng(args.sample_seed)
    space = NB201Space()
    rep = lambda i: space.index(space.canonical(space[int(i)], "function"))
    if args.distinct:  # distinct functional classes: no pair is tied by construction
        reps = sorted({rep(i) for i in rng.choice(len(space), 3 * args.archs, replace=False)})
        idx = [int(i) for i in rng.permutation(reps)[:args.archs]]
    else:  # uniformly random archs, as a benchmark user samples them; each class trains once
        idx = [rep(i) for i in rng.choice(len(space), args.archs, replace=False)]
    start = time.time()
    runs = Parallel(n_jobs=args.jobs)(delayed(_unit)(i, s, recipe, args.data_root, os.getpid())
                                      for i in sorted(set(idx)) for s in (0, 1))
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
                  distinct=args.distinct, sample_seed=args.sample_seed,
                  seconds_per_run=float(np.mean([sum(r["epoch_seconds"]) + r["eval_seconds"] for r in runs])),
                  wall_seconds=time.time() - start,
                  valid_acc_q10_mean_q90=[float(np.quantile(acc, 0.1)), float(acc.mean()),
                                          float(np.quantile(acc, 0.9))],
                  seed_tau={name: float(kendalltau([f(by[(i, 0)]) for i in idx],
                                                   [f(by[(i, 1)]) for i in idx])[0])
                            for name, f in metric.items()},
                  seed_tau_final_acc_ci95=list(bootstrap_ci(
                      kendall_tau, [by[(i, 0)]["valid_acc"][-1] for i in idx],
                      [by[(i, 1)]["valid_acc"][-1] for i in idx], n_boot=1000, seed=0)))
    print(json.dumps(result, indent=1))
    if args.save:
        with open(args.save, "w") as f:
            json.dump(runs, f)


if __name__ == "__main__":
    main()
