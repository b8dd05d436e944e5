"""Wall time of simulated-clock search: 100 regularized-evolution runs of 12,000 s on NAS-Bench-201.

Prints the wall time of the 100 runs (best of ``--repeat``), the time per query of the whole loop
(propose, check, benchmark lookup, trial record, observe), and for comparison the time of the bare
benchmark lookups alone, so the remainder is the strategy's and the loop's overhead. The first
query of a fresh benchmark builds its index (about half a second); it is timed separately.

    python benchmarks/search_speed.py
"""
from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

import naskit as nk


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=100)
    p.add_argument("--budget", type=float, default=12_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--root", default=None,
                   help="folder holding your own NAS-Bench-201 CSVs (default: the tables naskit ships)")
    args = p.parse_args()
    t0 = time.perf_counter()
    bench = nk.bench.load("nb201-cifar10-valid", root=args.root)
    t_load = time.perf_counter() - t0
    space = bench.space
    t0 = time.perf_counter()
    bench.query(space.sample(seed=0), 12)  # builds the index of the space on first use
    t_first = time.perf_counter() - t0

    def search():
        return [nk.search.run(nk.search.RegularizedEvolution(space, population_size=10,
                                                             sample_size=3, seed=seed),
                              bench, budget=args.budget, epoch=12) for seed in range(args.runs)]

    walls = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        histories = search()
        walls.append(time.perf_counter() - t0)
    n_queries = sum(len(h) for h in histories) + args.runs  # + the one over-budget query per run
    archs = [t.arch for h in histories for t in h]
    t0 = time.perf_counter()
    for a in archs:
        r = bench.query(a, 12)
        bench.query(r.index, 200)
    t_lookup = (time.perf_counter() - t0) / len(archs)

    wall = min(walls)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")
    print(f"load the tables: {t_load:.2f} s; first query (builds the index): {t_first:.2f} s")
    print(f"{args.runs} REA runs x {args.budget:,.0f} s simulated: {wall:.2f} s wall "
          f"(best of {args.repeat}: {', '.join(f'{w:.2f}' for w in walls)})")
    print(f"{n_queries:,} queries ({n_queries / args.runs:.1f} per run): "
          f"{wall / n_queries * 1e6:.0f} us per query, of which benchmark lookups "
          f"(12- and 200-epoch) {t_lookup * 1e6:.0f} us")
    best = np.array([h.best().reported for h in histories])
    print(f"reported accuracy: {best.mean():.2f} +- {best.std():.2f}")


if __name__ == "__main__":
    main()
