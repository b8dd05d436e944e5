"""REINFORCE's learning rate on NAS-Bench-201's search table: which setting reproduces the paper's row.

NB201's sources disagree on the learning rate of its REINFORCE baseline (AutoDL-Projects, January
2020 to 2021): the usage line of ``scripts-search/algos/REINFORCE.sh`` says 0.001, the command in
``docs/NAS-Bench-201.md`` passes 0.5, ``hps/GRID-RL.sh`` tries 0.01, 0.02, 0.1, 0.2 and 0.5, and
NATS-Bench's ``exps/NATS-algos/run-all.sh`` uses 0.01. The paper (Dong & Yang, ICLR 2020, Table 5)
reports REINFORCE 91.09 +- 0.37 against random search 90.93 +- 0.36 (CIFAR-10 validation, 500
runs). This script runs naskit's Reinforce (Adam, EMA baseline 0.9, rewards in percent, one sample
per update, as NB201's ``exps/algos/reinforce.py``) under NB201's protocol at each learning rate
and prints the mean +- std, its standard error, and in standard errors the distance to the
paper's row (both means' errors combined) and the gain over random search (both run here). Run from the repo root (the shipped tables, or --root for CSVs of your own):

    python benchmarks/reinforce_lr_nb201.py --runs 500
"""
from __future__ import annotations

import argparse

import numpy as np

import naskit as nk

PAPER = nk.search.NB201_SEARCH_TABLE  # NB201 Table 5, 500 runs
LRS = (0.001, 0.003, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=500, help="runs (seeds) per learning rate")
    p.add_argument("--budget", type=float, default=12_000)
    p.add_argument("--lrs", type=float, nargs="+", default=LRS)
    p.add_argument("--root", default=None,
                   help="folder holding your own NAS-Bench-201 CSVs (default: the tables naskit ships)")
    args = p.parse_args()
    bench = nk.bench.load("nb201-cifar10-valid", root=args.root)
    space, seeds = bench.space, range(args.runs)

    def final(make):
        return np.array([nk.search.run(make(s), bench, budget=args.budget, epoch=12).best().reported
                         for s in seeds])

    rs = final(lambda s: nk.search.RandomSearch(space, seed=s))
    se_rs = rs.std() / np.sqrt(len(rs))
    print(f"{bench}; NB201 protocol, {args.runs} runs per setting; std over runs (ddof=0), "
          "se = std / sqrt(runs)\n")
    m, sd = PAPER["RS"]
    print(f"{'random search':<16} {rs.mean():.2f} +- {rs.std():.2f} (se {se_rs:.3f})   paper {m:.2f} +- {sd:.2f}")
    m, sd = PAPER["REINFORCE"]
    head = f"{'REINFORCE lr':<16} {'mean +- std':>14} {'se':>6} {'- paper (se)':>13} {'- RS (se)':>10}"
    print("\n" + head + "\n" + "-" * len(head))
    for lr in args.lrs:
        acc = final(lambda s: nk.search.Reinforce(space, lr=lr, seed=s))
        se = acc.std() / np.sqrt(len(acc))
        z_rs = (acc.mean() - rs.mean()) / np.hypot(se, se_rs)  # independent runs
        z_paper = (acc.mean() - m) / np.hypot(se, sd / np.sqrt(500))  # the paper's mean has an se too
        print(f"{lr:<16g} {acc.mean():6.2f} +- {acc.std():.2f} {se:6.3f} {z_paper:+13.1f} "
              f"{z_rs:+10.1f}")
    print(f"\npaper: REINFORCE {m:.2f} +- {sd:.2f}, {PAPER['REINFORCE'][0] - PAPER['RS'][0]:+.2f} over its "
          "random search")


if __name__ == "__main__":
    main()
