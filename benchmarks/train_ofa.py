"""Train the shipped Once-for-All supernet by progressive shrinking, then score sampled subnets.

    python benchmarks/train_ofa.py [--out data/ofa-supernet.pt] [--subnets 250] [--fast]

Step 1 trains ``OFASuperNet()`` (3 stages of MobileNetV3 blocks, kernel {3, 5, 7}, expansion
{3, 4, 6}, depth {2, 3, 4}) on the embedded digits with ``ProgressiveShrinking`` defaults (OFA's
order: full, kernel, depth x2, expansion x2), checkpointing after every epoch to ``<out>.ckpt``;
it writes the weights (``<out>``) and the training record with recipe and times (``<out>`` with
``.json``). Step 2 samples ``--subnets`` random subnets (seed 1) and writes the validation accuracy
of each with inherited weights (BatchNorm recalibrated on 500 training images, 1,000 validation
images) to ``ofa-subnets.csv`` beside it, saving every 25 rows. Running the script again resumes
either step where it stopped, under the same settings only: the checkpoint records them and a
resume with another seed, schedule or data is refused; the subnet scores are resumed only for the
same weights. Two runs on one output are refused (``<out>.lock``). One torch thread. ``--fast``: a tiny supernet on 1,000 images, for
trying the script out (writes to a temporary folder unless ``--out`` is given).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import torch

from naskit._files import file_digest
from naskit._runs import hold_lock
from naskit.datasets import load
from naskit.ofa import OFASpace, OFASuperNet, ProgressiveShrinking, shrinking_schedule, subnet_accuracy
from naskit.ofa.shipped import WEIGHTS, save, save_subnets

SUBNET_SEED = 1


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=None)
    p.add_argument("--subnets", type=int, default=250)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--fast", action="store_true")
    args = p.parse_args()
    torch.set_num_threads(1)
    out = args.out or (Path(tempfile.mkdtemp()) / "ofa-supernet.pt" if args.fast else WEIGHTS)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:  # one run per output: two would train side by side through the same temporary names
        with hold_lock(out.with_name(out.name + ".lock"), str(out)):
            train(args, out)
    except (FileExistsError, ValueError) as e:
        sys.exit(f"train_ofa.py: {e}")


def train(args, out: Path) -> None:
    """Both steps, resumed where they stopped (the caller holds the output's lock)."""
    data = load()
    if args.fast:
        data = data.subset(n_train=1000, n_val=500, seed=0)
        space = OFASpace()
        net = OFASuperNet(space, channels=(8, 8, 16), head_channels=32, seed=args.seed)
        phases = shrinking_schedule(space, epochs=(1, 1, 1, 1, 1, 1))
        n_subnets = min(args.subnets, 10)
    else:
        net, phases, n_subnets = OFASuperNet(seed=args.seed), None, args.subnets
    trainer = ProgressiveShrinking(net, data, phases=phases, seed=args.seed)
    ckpt = out.with_name(out.name + ".ckpt")

    start, cpu = time.perf_counter(), time.process_time()
    trainer.run(checkpoint=ckpt, progress=True)
    sitting = {"wall_seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu}
    print(f"progressive shrinking: {sitting['wall_seconds']:.0f} s wall, {sitting['cpu_seconds']:.0f} s "
          f"CPU in this sitting (probes and checkpoints included); "
          f"{sum(r.cpu_seconds for r in trainer.record_):.0f} s CPU of training epochs in all")
    record = {
        "recipe": {"supernet": repr(net), "phases": [vars(ph) for ph in trainer.phases],
                   "batch_size": trainer.batch_size, "momentum": trainer.momentum,
                   "weight_decay": trainer.weight_decay, "kd_ratio": trainer.kd_ratio,
                   "n_calib": trainer.n_calib, "n_val": trainer.n_val, "seed": trainer.seed,
                   "data": repr(data)},
        "epochs": [vars(r) for r in trainer.record_],
        "last_sitting": sitting,
        "environment": {"torch": torch.__version__, "python": platform.python_version(),
                        "cpu": platform.processor() or platform.machine(), "threads": 1},
    }
    save(net, out, record)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB) and {out.with_suffix('.json').name}")

    csv_path = out.with_name("ofa-subnets.csv")
    # the rows of a CSV are resumed only if they were scored with these very weights: a CSV
    # beside weights of another seed or schedule would otherwise be reused
    scored_with = ckpt.with_name(ckpt.name + ".subnets.json")
    made_by = {"weights_sha256": file_digest(out), "subnet_seed": SUBNET_SEED}
    rows = []
    if csv_path.exists() and scored_with.exists() and \
            json.loads(scored_with.read_text()) == made_by:
        with open(csv_path, newline="") as f:
            rows = list(csv.DictReader(f))
    tmp = scored_with.with_name(scored_with.name + ".part")
    tmp.write_text(json.dumps(made_by))
    os.replace(tmp, scored_with)
    archs = [net.space.sample(seed=SUBNET_SEED * 1_000_003 + i) for i in range(n_subnets)]
    accs = [float(r["accuracy"]) for r in rows][:n_subnets]
    if [r["arch"] for r in rows][:len(accs)] != [str(a) for a in archs[:len(accs)]]:
        accs = []  # a file from other settings: start over
    from tqdm import tqdm
    start, cpu = time.perf_counter(), time.process_time()
    for i in tqdm(range(len(accs), n_subnets), desc="subnets", initial=len(accs), total=n_subnets):
        accs.append(subnet_accuracy(net, archs[i], data, trainer.n_calib, trainer.n_val))
        if len(accs) % 25 == 0 or len(accs) == n_subnets:
            save_subnets(archs[:len(accs)], accs, csv_path)
    save_subnets(archs[:len(accs)], accs, csv_path)
    print(f"scored {n_subnets} subnets ({time.perf_counter() - start:.0f} s wall, "
          f"{time.process_time() - cpu:.0f} s CPU in this sitting): {csv_path}")


if __name__ == "__main__":
    main()
