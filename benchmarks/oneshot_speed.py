"""Cost of one step of weight-sharing search on the lesson's NB201 supernet, one thread.

    python benchmarks/oneshot_speed.py [--steps 30] [--channels 8]

Measures, each in a fresh process so that peak memory is its own: one forward+backward+SGD step
of the supernet on a batch of 64 (the floor: every method does at least this), a first-order and
a second-order DARTS step (an alpha step plus a weight step). Prints the median seconds per step,
the ratios (first order / plain step, second order / first order) and each process's peak
resident memory.
"""
import argparse
import json
import resource
import statistics
import subprocess
import sys
import time


def measure(kind: str, steps: int, channels: int) -> dict:
    import torch

    import naskit as nk
    from naskit.oneshot import DARTS
    from naskit.supernet import SuperNet

    torch.set_num_threads(1)
    data = nk.datasets.load()
    net = SuperNet(nk.NB201Space(), channels=channels, cells_per_stage=1, num_classes=10,
                   in_channels=1)
    times = []
    if kind == "supernet":
        net = net.to(memory_format=torch.channels_last).train()
        opt = torch.optim.SGD(net.weight_parameters(), lr=0.025, momentum=0.9)
        x = data.x_train[:64].contiguous(memory_format=torch.channels_last)
        y = data.y_train[:64]
        for i in range(steps + 3):
            start = time.perf_counter()
            loss = torch.nn.functional.cross_entropy(net(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            times.append(time.perf_counter() - start)
    else:
        search = DARTS(net, data, order=1 if kind == "darts1" else 2, epochs=10)
        for i in range(steps + 3):
            start = time.perf_counter()
            search.step()
            times.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"kind": kind, "median_s": statistics.median(times[3:]), "peak_mb": peak}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--channels", type=int, default=8)
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.steps, args.channels)))
        return
    rows = {}
    for kind in ("supernet", "darts1", "darts2"):
        out = subprocess.run([sys.executable, __file__, "--child", kind, "--steps", str(args.steps),
                              "--channels", str(args.channels)], capture_output=True, text=True,
                             check=True)
        rows[kind] = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{kind:9s} {1000 * rows[kind]['median_s']:7.1f} ms/step   peak {rows[kind]['peak_mb']:6.0f} MB")
    r1 = rows["darts1"]["median_s"] / rows["supernet"]["median_s"]
    r2 = rows["darts2"]["median_s"] / rows["darts1"]["median_s"]
    print(f"first order / supernet step {r1:.2f}x (aim <= 2.5x); second / first order {r2:.2f}x "
          f"(aim <= 3x)")


if __name__ == "__main__":
    main()
