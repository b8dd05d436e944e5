"""What the estimators cost on this machine: NASWOT against one forward pass, and 1,000 archs.

Run from the repo root, e.g.

    python benchmarks/estimator_cost.py --archs 100

Part 1 times, for each of ``--ratio-archs`` random NB201 archs, ``naswot(net, x)`` and one
forward pass of the same net on the same batch (training mode, no gradients: what NASWOT runs),
each the median of ``--repeats`` runs, for the mini-bench recipe (8 channels, 1 cell per stage,
1x16x16 inputs) and the NAS-Bench-201 CIFAR net (16 channels, 5 cells per stage, 3x32x32 random
inputs). The target is NASWOT under 2x the forward pass. Part 2 calls every zero-cost estimator
(the arch-level objects, which also build the net) on ``--archs`` random archs and reports the
mean cost per arch and that cost times 1,000 (extrapolated unless --archs is 1000). Part 3, once
the mini benchmark is built, adds the simulated training seconds that TSE, early stopping and
curve extrapolation (where its curves are long enough) are charged. One thread.
"""
from __future__ import annotations

import argparse
import statistics
import time

import torch

from naskit import estimators as E
from naskit.bench import load as load_bench
from naskit.datasets import load
from naskit.hardware import environment
from naskit.model import build
from naskit.space import NB201Space


def median_seconds(fn, repeats: int) -> float:
    fn()  # warm-up: first calls allocate
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def ratio(archs, channels, cells, x, repeats):
    rows = []
    for arch in archs:
        net = build(arch, channels=channels, cells_per_stage=cells, in_channels=x.shape[1], seed=0)
        net.train()

        def forward():
            with torch.no_grad():
                net(x)

        fwd = median_seconds(forward, repeats)
        nw = median_seconds(lambda: E.naswot(net, x), repeats)
        rows.append((fwd, nw))
    r = [nw / fwd for fwd, nw in rows]
    return (statistics.median(f for f, _ in rows), statistics.median(n for _, n in rows),
            statistics.median(r), max(r))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--archs", type=int, default=100, help="archs per estimator in part 2")
    p.add_argument("--ratio-archs", type=int, default=10, help="archs in part 1")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=128)
    args = p.parse_args()
    if args.archs < 1 or args.ratio_archs < 1 or args.repeats < 1:
        p.error("--archs, --ratio-archs and --repeats must be positive")
    torch.set_num_threads(1)
    space = NB201Space()
    data = load()
    archs = [space.sample(seed=s) for s in range(max(args.archs, args.ratio_archs))]
    print(f"# {environment().cpu}, torch {torch.__version__}, "
          f"1 thread, batch {args.batch_size}")

    print("\n## NASWOT vs one forward pass (median over archs of per-arch medians)")
    print(f"{'net':<44} {'forward ms':>10} {'naswot ms':>10} {'ratio':>6} {'max':>6}")
    g = torch.Generator().manual_seed(0)
    idx = torch.randperm(len(data.y_train), generator=g)[:args.batch_size]
    setups = [("mini recipe: C=8, 1 cell/stage, 1x16x16", 8, 1, data.x_train[idx]),
              ("NB201 CIFAR: C=16, 5 cells/stage, 3x32x32", 16, 5,
               torch.randn(args.batch_size, 3, 32, 32, generator=g))]
    for label, channels, cells, x in setups:
        fwd, nw, med, worst = ratio(archs[:args.ratio_archs], channels, cells, x, args.repeats)
        print(f"{label:<44} {fwd * 1e3:>10.2f} {nw * 1e3:>10.2f} {med:>6.2f} {worst:>6.2f}")

    print(f"\n## Zero-cost estimators, mini recipe (C=8, 1 cell/stage), {args.archs} archs")
    extrapolated = "" if args.archs == 1000 else f" (extrapolated from {args.archs})"
    print(f"{'estimator':<12} {'ms per arch':>12} {'s per 1,000 archs' + extrapolated:>40}")
    for name, cls in E.ZERO_COST.items():
        est = cls(data, batch_size=args.batch_size) if cls.uses_batch else cls(data)
        est(archs[0])  # warm-up, not counted
        start_total = est.total_cost_
        for arch in archs[:args.archs]:
            est(arch)
        per_arch = (est.total_cost_ - start_total) / args.archs
        print(f"{name:<12} {per_arch * 1e3:>12.1f} {per_arch * 1000:>40.1f}")

    try:
        bench = load_bench("mini")
    except FileNotFoundError:
        print("\n(the mini benchmark is not built yet: no simulated costs of training-based "
              "estimators)")
        return
    print(f"\n## Training-based estimators on the mini benchmark (simulated seconds, "
          f"{args.archs} archs)")
    for name in ("tse", "early_stopping", "curve_extrapolation"):
        if not E.ESTIMATORS[name].supports(bench):
            print(f"{name}: not run, it {E.ESTIMATORS[name].why_unsupported(bench)}")
            continue
        allowed = E.epochs_for(name, bench)
        est = E.make(name, bench, epochs=allowed[0])
        for arch in archs[:args.archs]:
            est(arch)
        per_arch = est.total_cost_ / args.archs
        print(f"{repr(est).split('  #')[0]:<66} {per_arch:>8.2f} s/arch {per_arch * 1000:>10.0f} "
              f"s per 1,000")


if __name__ == "__main__":
    main()
