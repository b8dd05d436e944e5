"""Reproduce NAS-Bench-201's search table (Dong & Yang, ICLR 2020, Table 5, CIFAR-10 validation).

NB201's protocol: the strategy sees the 12-epoch validation accuracy of what it queries, each query
costs 12 epochs of training plus one evaluation on the simulated clock, the budget is 12,000 s, and
the 200-epoch validation accuracy of the best arch found (by 12-epoch accuracy) is reported; mean
+- std over many runs (NB201: 500). Hyperparameters are NB201's: REA population 10, tournament 3;
REINFORCE Adam, moving-average baseline decay 0.9, lr 0.02 (NB201's sources disagree on the lr:
see benchmarks/reinforce_lr_nb201.py); BOHB as NB201 ran HpBandSter (``HpBandSterBOHB``: eta 3,
budgets 12..200, every evaluation queried and charged at 12 epochs, 4 samples, random fraction 0,
bandwidth factor 3, minimum bandwidth 0.3). "BOHB one rung" is naskit's BOHB at 12 epochs only,
every query a candidate incumbent. Run from the repo root (the shipped tables, or --root for CSVs of your own):

    python benchmarks/search_nb201.py --runs 500
"""
from __future__ import annotations

import argparse

import naskit as nk

PAPER = nk.search.NB201_SEARCH_TABLE  # NB201 Table 5, CIFAR-10 validation accuracy, 500 runs


def strategies(space, fidelities):
    """Row name -> (strategy factory of a seed, note)."""
    s = nk.search
    return {
        "RS": (lambda seed: s.RandomSearch(space, seed=seed), "uniform, with replacement"),
        "REA": (lambda seed: s.RegularizedEvolution(space, population_size=10, sample_size=3,
                                                    seed=seed), "population 10, tournament 3"),
        "REINFORCE": (lambda seed: s.Reinforce(space, lr=0.02, baseline_decay=0.9, seed=seed),
                      "Adam lr 0.02, EMA baseline 0.9"),
        "REINFORCE 1e-3": (lambda seed: s.Reinforce(space, lr=0.001, baseline_decay=0.9, seed=seed),
                           "Adam lr 0.001 (REINFORCE.sh's usage line)"),
        "BOHB": (lambda seed: s.HpBandSterBOHB(space, seed=seed),
                 "HpBandSter as NB201 ran it: 12-ep. queries"),
        "BOHB one rung": (lambda seed: s.BOHB(space, min_epoch=12, max_epoch=12, fidelities=fidelities,
                                              seed=seed), "naskit's BOHB, 12 epochs only"),
        "BOHB 12->200": (lambda seed: s.BOHB(space, min_epoch=12, max_epoch=200,
                                             fidelities=fidelities, seed=seed),
                         "Hyperband rungs 12 and 200 epochs"),
        "Local search": (lambda seed: s.LocalSearch(space, seed=seed), "first improvement, restarts"),
        "Genetic (OFA)": (lambda seed: s.GeneticEvolution(space, population_size=20, seed=seed),
                          "population 20, parents 25%"),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=500, help="runs (seeds) per strategy")
    p.add_argument("--budget", type=float, default=12_000)
    p.add_argument("--root", default=None,
                   help="folder holding your own NAS-Bench-201 CSVs (default: the tables naskit ships)")
    args = p.parse_args()
    bench = nk.bench.load("nb201-cifar10-valid", root=args.root)
    if 12 not in bench.fidelities:
        raise SystemExit(f"{bench} lacks the 12-epoch table (all-datasets_12ep.csv) beside the "
                         f"200-epoch one in {args.root}")
    print(f"{bench}\nNB201 protocol: fitness = 12-epoch valid acc, cost = 12 epochs + 1 eval, "
          f"budget {args.budget:,.0f} s, reported = 200-epoch valid acc of the incumbent; "
          f"{args.runs} runs per strategy (seeds 0..{args.runs - 1})\n")
    rows = strategies(bench.space, bench.fidelities)
    result = nk.search.race({name: make for name, (make, _) in rows.items()}, bench, args.runs,
                            budget=args.budget, epoch=12)
    # "BOHB one rung" and "REINFORCE 1e-3" are compared with the paper's BOHB and REINFORCE rows
    paper = result.against(PAPER, rows={n: n.split()[0] for n in rows if n.split()[0] in PAPER})
    head = (f"{'strategy':<15} {'naskit':>15} {'NB201 paper':>15} {'diff (se)':>13} {'trials':>7} "
            f"{'wall s':>7}  setting")
    print(head + "\n" + "-" * len(head))
    for name, (_, note) in rows.items():
        ours = f"{result.mean[name]:.2f} +- {result.std[name]:.2f}"
        if name in paper:
            mean, m, z = paper[name]
            sd = PAPER[name.split()[0]][1]
            published, diff = f"{m:.2f} +- {sd:.2f}", f"{mean - m:+.2f} ({z:+.1f})"
        else:
            published, diff = "-", ""
        wall = result.seconds[name] * result.runs
        print(f"{name:<15} {ours:>15} {published:>15} {diff:>13} {result.trials[name]:>7.1f} "
              f"{wall:>7.1f}  {note}")
    print(f"\nbest possible: {result.optimum:.2f} (index {bench.best(epoch=200).index}); "
          "std is the population std over runs (numpy default, ddof=0); diff (se): in standard errors of "
          "the difference of the two means (ours and the paper's, 500 runs)")


if __name__ == "__main__":
    main()
