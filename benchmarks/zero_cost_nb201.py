"""Rank correlations of published zero-cost proxy scores on NAS-Bench-201, through naskit's helpers.

Reads NAS-Bench-Suite-Zero's scores of 725 NB201 archs per data set (flattened from NASLib's
zc_nasbench201.json; shipped with naskit, see data/README.md for provenance and licence, or
``zero-cost_725subset.csv`` from ``--root``), and prints, per data set, Spearman's rho and Kendall's tau of
every proxy column and of params / FLOPs against ``val_accuracy``, each with a percentile
bootstrap interval, and the top-10% precision. Next to them: the figures published for all 15,625
archs on CIFAR-10 (Spearman rho, Abdelfattah et al., ICLR 2021; NASWOT's Kendall tau, Mellor et
al., ICML 2021). The 725-arch subset is a sample, not the whole space, and NAS-Bench-Suite-Zero
recomputed the scores with its own code and seeds, so the numbers may differ. Example:

    python benchmarks/zero_cost_nb201.py
"""
from __future__ import annotations

import argparse
from pathlib import Path



from naskit.bench.tables import ZERO_COST_COLUMNS, ZERO_COST_DATASETS, zero_cost_table
from naskit.estimators import rank_agreement, top_k_precision

FILE = "zero-cost_725subset.csv"
# all 15,625 archs, CIFAR-10 (benchmarks README)
PUBLISHED_RHO = {"synflow": 0.737, "jacob_cov": 0.731, "snip": 0.596, "grad_norm": 0.594,
                 "grasp": 0.514, "fisher": 0.36}
PUBLISHED_TAU = {"naswot": 0.574}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--root", default=None,
                   help=f"folder holding your own {FILE} (default: the table naskit ships)")
    p.add_argument("--n-boot", type=int, default=1000)
    p.add_argument("--level", type=float, default=0.95)
    args = p.parse_args()
    if args.root is not None and not (Path(args.root).expanduser() / FILE).exists():
        p.error(f"no {FILE} in {args.root}")
    pct = f"{args.level:.0%}"
    for dataset in ZERO_COST_DATASETS:
        cols = zero_cost_table(root=args.root, dataset=dataset)
        truth = cols["val_accuracy"]
        k = max(1, round(0.1 * len(truth)))
        print(f"\n## {dataset}: {len(truth)} archs, ground truth val_accuracy; "
              f"{pct} bootstrap intervals ({args.n_boot} resamples)")
        print(f"{'proxy':<10} {'n':>4} {'spearman rho':>13} {pct + ' CI':>16} {'kendall tau':>12} "
              f"{pct + ' CI':>16} {'top-10%':>8}   published (all 15,625, CIFAR-10)")
        rows = []
        for name in ZERO_COST_COLUMNS.values():
            score = cols[name]
            agree = rank_agreement(score, truth, n_boot=args.n_boot, level=args.level)
            rows.append((agree.rho, name, agree.n, agree.rho_ci, agree.tau, agree.tau_ci,
                         top_k_precision(score, truth, k)))
        for rho, name, n, rho_ci, tau, tau_ci, top in sorted(rows, key=lambda r: -r[0]):
            published = ""
            if dataset == "cifar10" and name in PUBLISHED_RHO:
                published = f"rho {PUBLISHED_RHO[name]:.3f}"
            if dataset == "cifar10" and name in PUBLISHED_TAU:
                published = f"tau {PUBLISHED_TAU[name]:.3f}"
            print(f"{name:<10} {n:>4} {rho:>13.3f} [{rho_ci[0]:>6.3f}, {rho_ci[1]:>6.3f}] "
                  f"{tau:>12.3f} [{tau_ci[0]:>6.3f}, {tau_ci[1]:>6.3f}] {top:>8.2f}   {published}")
    print("\nNaN scores (one missing synflow value) are dropped; NASWOT's -inf (singular kernel) "
          "ranks last.\ntop-10%: share of the truly best 10% that the proxy also ranks in its top "
          "10%.")


if __name__ == "__main__":
    main()
