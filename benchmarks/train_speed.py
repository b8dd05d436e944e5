"""Seconds per training run of the benchmark recipe, NCHW against NHWC (channels_last).

    python benchmarks/train_speed.py [--archs 6]

One torch thread, the shipped Recipe, a fixed random sample of archs; prints the seconds of each
run in both layouts and the ratio of the totals.
"""
import argparse
import random
import time

import torch

from naskit.bench.builder import Recipe, _data
from naskit.model import build
from naskit.space import NB201Space
from naskit.train import train


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--archs", type=int, default=6)
    args = ap.parse_args()
    torch.set_num_threads(1)
    recipe, space = Recipe(), NB201Space()
    data = _data(recipe.dataset, recipe.n_train, recipe.n_val)
    idx = random.Random(0).sample(range(len(space)), args.archs)
    total = {False: 0.0, True: 0.0}
    for i in idx:
        row = []
        for cl in (False, True):
            net = build(space[i], channels=recipe.channels, cells_per_stage=recipe.cells_per_stage,
                        num_classes=data.num_classes, in_channels=data.input_shape[0], seed=0)
            start = time.perf_counter()
            log = train(net, data, epochs=recipe.epochs, seed=0, batch_size=recipe.batch_size,
                        lr=recipe.lr, weight_decay=recipe.weight_decay, channels_last=cl)
            sec = time.perf_counter() - start
            total[cl] += sec
            row.append(f"{sec:5.2f} s (val {100 * log.epoch_val_acc[-1]:4.1f}%)")
        print(f"{i:6d}  NCHW {row[0]}  NHWC {row[1]}")
    print(f"total NCHW {total[False]:.1f} s, NHWC {total[True]:.1f} s, "
          f"NHWC/NCHW {total[True] / total[False]:.2f}")


if __name__ == "__main__":
    main()
