"""How fast lessons get ground truth: loading each shipped table, and 10,000 archs looked up in it.

Run from the repo root: ``python benchmarks/bench_query_speed.py``. Targets: a table loads in
under 0.5 s and 10,000 archs are queried at once in under 0.1 s (one by one is shown beside it);
query times are the median of 5 repeats (the first pass over fresh Arch objects is slower).
Each load is timed in this process after naskit is imported; the first load also builds the NB201
space's index, which later loads share, so it is timed separately.
"""
from __future__ import annotations

import statistics
import time

import naskit as nk


def timed(f, repeat: int = 1):
    """``f()`` and the median seconds of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - start)
    return out, statistics.median(times)


def main() -> None:
    _, first = timed(lambda: nk.bench.load("mini"))
    print(f"first load (mini, builds the space's index): {first:.3f} s")
    archs = [nk.NB201Space().sample(seed=i) for i in range(10_000)]
    for name in ("mini", "nb201-cifar10-valid", "nb201-12ep", "nb201-latency"):
        bench, load = timed(lambda: nk.bench.load(name))
        fidelity = max(bench.fidelities) if bench.fidelities else None
        if fidelity is None:  # the latency table: look a device's column up by index
            idx, at_once = timed(lambda: [bench.space.index(a) for a in archs], 5)
            col = bench.columns["pixel3"]
            _, look = timed(lambda: col[idx])
            print(f"{name:20s} load {load:.3f} s; 10,000 archs: {at_once + look:.3f} s (index + column)")
            continue
        values, at_once = timed(lambda: bench.values(archs, epoch=fidelity), 5)
        records, one_by_one = timed(lambda: [bench.query(a, epoch=fidelity) for a in archs], 5)
        assert len(records) == len(values) == 10_000
        print(f"{name:20s} load {load:.3f} s; 10,000 archs: {at_once:.3f} s with bench.values(), "
              f"{one_by_one:.3f} s with bench.query() each")
    _, zc = timed(nk.bench.zero_cost_table)
    print(f"{'zero_cost_table()':20s} load {zc:.3f} s")


if __name__ == "__main__":
    main()
