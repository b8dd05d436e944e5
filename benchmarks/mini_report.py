"""What the mini benchmark's data say: spread, best and all-skip cells, noise ceiling, early ranks.

Reads the build log (complete or partial), so it reports on a build in progress too:

    python benchmarks/mini_report.py [--log data/nb201-mini-build/runs.jsonl]

Per functional class (one training run each) and weighted by class size (per arch of the space):
validation accuracy spread; the best class and the all-skip cell; the seed-to-seed Kendall tau of
the final validation accuracy (the noise ceiling of any estimator) over the classes trained with
two seeds, one arch per class (over archs drawn uniformly from the space, where big classes of
weak cells weigh more, see benchmarks/ground_truth_noise.py); the tau between epoch-1 and final
validation accuracy, and between validation and test accuracy.
"""
from __future__ import annotations

import argparse

import numpy as np

from naskit.bench.builder import read_runs
from naskit.estimators import bootstrap_ci, kendall_tau
from naskit.space import Arch, NB201Space


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--log", default="data/nb201-mini-build/runs.jsonl")
    args = p.parse_args()
    space = NB201Space()
    runs = read_runs(args.log)
    seed0 = {r["index"]: r for r in runs if r["seed"] == 0}
    seed1 = {r["index"]: r for r in runs if r["seed"] == 1}
    classes = {space.index(m[0]): len(m) for m in space.isomorphism_classes("function")}
    print(f"{len(runs):,} runs: {len(seed0):,} of {len(classes):,} classes with seed 0, "
          f"{len(seed1):,} with seed 1")
    idx = sorted(seed0)
    final = np.array([seed0[i]["valid_acc"][-1] for i in idx])
    weight = np.array([classes[i] for i in idx], float)
    order = np.argsort(final)
    cum = np.cumsum(weight[order]) / weight.sum()
    q = lambda level: float(final[order][np.searchsorted(cum, level)])
    print(f"final validation accuracy, per class: min {final.min():.1f}  q10 {np.quantile(final, .1):.1f}  "
          f"mean {final.mean():.1f}  q90 {np.quantile(final, .9):.1f}  max {final.max():.1f} (%)")
    print(f"                       per arch:  q10 {q(.1):.1f}  mean {np.average(final, weights=weight):.1f}  "
          f"q90 {q(.9):.1f} (%)")
    best = idx[int(final.argmax())]
    print(f"best so far: {space[best]} (index {best}, class of {classes[best]}): "
          f"valid {seed0[best]['valid_acc'][-1]:.1f}%, test {seed0[best]['test_acc']:.1f}%")
    skip = space.index(space.canonical(Arch.from_ops(["skip_connect"] * 6), "function"))
    if skip in seed0:
        print(f"all-skip cell: valid {seed0[skip]['valid_acc'][-1]:.1f}%, "
              f"test {seed0[skip]['test_acc']:.1f}%")
    both = [i for i in idx if i in seed1]
    if len(both) >= 10:
        a = [seed0[i]["valid_acc"][-1] for i in both]
        b = [seed1[i]["valid_acc"][-1] for i in both]
        lo, hi = bootstrap_ci(kendall_tau, a, b, n_boot=1000, seed=0)
        print(f"seed-to-seed tau over {len(both):,} classes, one each: "
              f"{kendall_tau(a, b):.3f} [{lo:.3f}, {hi:.3f}]")
        la = [-seed0[i]["valid_loss"][-1] for i in both]
        lb = [-seed1[i]["valid_loss"][-1] for i in both]
        lo, hi = bootstrap_ci(kendall_tau, la, lb, n_boot=1000, seed=0)
        print(f"  the same on validation loss: {kendall_tau(la, lb):.3f} [{lo:.3f}, {hi:.3f}]")
        # distinct archs drawn uniformly from the members of the two-seed classes (archs of one
        # class share its record, so they tie in both seeds): the noise ceiling a lesson meets
        # when it samples archs from the space
        rng = np.random.default_rng(0)
        members = np.repeat(np.arange(len(both)), [classes[i] for i in both])
        for n in (n for n in (40, 200) if n <= len(members)):
            draws = [members[rng.choice(len(members), size=n, replace=False)] for _ in range(200)]
            taus = [kendall_tau([a[j] for j in d], [b[j] for j in d]) for d in draws]
            print(f"  over {n} distinct archs drawn uniformly (200 draws): median tau "
                  f"{np.median(taus):.3f}, 5-95% [{np.quantile(taus, .05):.3f}, {np.quantile(taus, .95):.3f}]")
    epochs = len(seed0[idx[0]]["valid_acc"])
    for e in range(1, epochs):
        early = [seed0[i]["valid_acc"][e - 1] for i in idx]
        print(f"tau(epoch {e}, final) over {len(idx):,} classes: {kendall_tau(early, final):.3f}")
    test = [seed0[i]["test_acc"] for i in idx]
    print(f"tau(validation, test) over {len(idx):,} classes: {kendall_tau(final, test):.3f}")


if __name__ == "__main__":
    main()
