"""How fast lessons can look up ground truth: 10,000 archs from a benchmark, one by one and at once.

Run from the repo root: ``python benchmarks/bench_query_speed.py`` (uses the embedded mini
benchmark when it is built, else the NAS-Bench-201 table in NASKIT_DATA). Target: under a second.
"""
from __future__ import annotations

import time

import naskit as nk


def main() -> None:
    try:
        bench = nk.bench.load("mini")
    except FileNotFoundError:
        bench = nk.bench.load("nb201-cifar10-valid")
    archs = [bench.space.sample(seed=i) for i in range(10_000)]
    bench.query(archs[0])  # the first query builds the space's index
    start = time.perf_counter()
    values = bench.values(archs)
    at_once = time.perf_counter() - start
    start = time.perf_counter()
    records = [bench.query(a) for a in archs]
    one_by_one = time.perf_counter() - start
    assert len(records) == len(values) == 10_000
    print(f"{bench!r}")
    print(f"10,000 archs: {at_once:.3f} s with bench.values(), {one_by_one:.3f} s with bench.query() each")


if __name__ == "__main__":
    main()
