"""CPU time of a supernet step, plain mixture against the fused one, one thread, side by side.

    python benchmarks/supernet_step_speed.py [--steps 30] [--channels 8]
    python benchmarks/supernet_step_speed.py --path fused --only darts1 --steps 60   # one path alone

The lessons' NB201 supernet (8 channels, one cell per stage, 1x16x16 digits, batch 64). For each
of: one forward+backward+SGD step of the supernet (channels-last, as the searches run it), a
DARTS-V1 step and a DARTS-V2 step, the plain (``fused=False``) and the fused supernet take their
steps in turn, so that a change in the machine's speed reaches both alike; each step is timed by
``time.process_time`` (this process's CPU time) and the table gives the median after the warm-up
steps, the plain / fused ratio, and DARTS-V2 / DARTS-V1 per path. ``--only`` with ``--path`` runs
one path alone (for timing whole processes from outside).
"""
import argparse
import statistics
import time

import torch

import naskit as nk
from naskit.oneshot import DARTS
from naskit.supernet import SuperNet

WARMUP = 3
KINDS = ("supernet", "darts1", "darts2")
LABELS = {"supernet": "supernet fwd+bwd+step", "darts1": "DARTS-V1 step", "darts2": "DARTS-V2 step"}


def stepper(kind: str, fused: bool, channels: int, data):
    """A function making one step of ``kind`` on a fresh supernet (same seed for both paths)."""
    net = SuperNet(nk.NB201Space(), channels=channels, cells_per_stage=1, num_classes=10,
                   in_channels=1, fused=fused)
    if kind == "supernet":
        net = net.to(memory_format=torch.channels_last).train()
        opt = torch.optim.SGD(net.weight_parameters(), lr=0.025, momentum=0.9)
        x = data.x_train[:64].contiguous(memory_format=torch.channels_last)
        y = data.y_train[:64]

        def step():
            loss = torch.nn.functional.cross_entropy(net(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        return step
    search = DARTS(net, data, order=1 if kind == "darts1" else 2, epochs=100)
    return search.step


def timed(step) -> float:
    start = time.process_time()
    step()
    return time.process_time() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=30, help="timed steps per path and kind")
    ap.add_argument("--channels", type=int, default=8)
    ap.add_argument("--only", choices=KINDS, help="one kind only")
    ap.add_argument("--path", choices=("plain", "fused"), help="with --only: one path only")
    args = ap.parse_args()
    torch.set_num_threads(1)
    data = nk.datasets.load()
    kinds = (args.only,) if args.only else KINDS
    paths = (args.path,) if args.path else ("plain", "fused")
    rows = {}
    for kind in kinds:
        steps = {p: stepper(kind, p == "fused", args.channels, data) for p in paths}
        times = {p: [] for p in paths}
        for _ in range(WARMUP + args.steps):
            for p in paths:  # in turn: plain, fused, plain, fused, ...
                times[p].append(timed(steps[p]))
        rows[kind] = {p: 1000 * statistics.median(t[WARMUP:]) for p, t in times.items()}
    print(f"one thread, {args.channels} channels, batch 64; median CPU ms per step over "
          f"{args.steps} steps")
    print(f"{'':24s}" + "".join(f"{p:>9s}" for p in paths)
          + (f"{'plain/fused':>13s}" if len(paths) == 2 else ""))
    for kind, row in rows.items():
        ratio = f"{row['plain'] / row['fused']:12.2f}x" if len(paths) == 2 else ""
        print(f"{LABELS[kind]:24s}" + "".join(f"{row[p]:9.1f}" for p in paths) + ratio)
    if "darts1" in rows and "darts2" in rows:
        print(f"{'DARTS-V2 / DARTS-V1':24s}"
              + "".join(f"{rows['darts2'][p] / rows['darts1'][p]:8.2f}x" for p in paths))


if __name__ == "__main__":
    main()
