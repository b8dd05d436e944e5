"""How fast AlphaWatcher replays a recorded run: frames per second while its slider moves.

Run from the repo root: ``python benchmarks/alpha_replay_speed.py [--trace PATH] [--frames 40]``.
Target: at least 5 frames a second on a laptop. Without ``--trace`` it replays the shipped
DARTS-V1 trace if there is one, else a full-length stand-in (6,250 steps, 50 epochs of 125, alpha a
random walk of Adam-sized steps) written by the runner's own trace writer to a temporary folder.
For each tab the slider moves ``--frames`` times by one play step (25 steps, as Play does); a frame
is the redraw the move sets off (status, cell text, the tab's image). Wall-clock and CPU seconds
per frame are printed: on a busy machine the CPU figure is the one a free core would give. Showing
a tab (which draws its figure the first time) and frames where the derived cell changes (drawing a
new cell, cached afterwards) are counted apart.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import types
from pathlib import Path

import numpy as np
import torch

import naskit as nk
from naskit.oneshot import Step
from naskit.oneshot.runner import _write_trace
from naskit.supernet import derive
from naskit.widgets import AlphaWatcher

STEPS, PER_EPOCH = 6250, 125


def stand_in_trace(path: Path, seed: int = 0) -> None:
    """A DARTS-V1-shaped trace of STEPS steps: alpha takes steps of 3e-4 in a random direction."""
    rng = np.random.default_rng(seed)
    drift = rng.normal(0, 1, size=(6, 5))
    alpha = rng.normal(0, 1e-3, size=(6, 5))
    weights = np.empty((STEPS, 6, 5), np.float32)
    for k in range(STEPS):
        alpha += 3e-4 * np.sign(drift + rng.normal(0, 3, size=(6, 5)))
        e = np.exp(alpha - alpha.max(axis=1, keepdims=True))
        weights[k] = e / e.sum(axis=1, keepdims=True)
    space = nk.NB201Space()
    trace = [Step(step=k, train_loss=1.0, seconds=0.0, val_loss=1.0, weights={"cell": weights[k]})
             for k in range(STEPS)]
    epochs = [{"step": s, "arch": str(derive(torch.as_tensor(weights[s - 1]), space)),
               "supernet_acc": 0.8, "derived_acc": 0.1, "weights": weights[s - 1].astype(np.float16)}
              for s in range(PER_EPOCH, STEPS + 1, PER_EPOCH)]
    _write_trace(path, "DARTS-V1", types.SimpleNamespace(trace_=trace),
                 {"epochs": epochs, "flops": [1.0] * STEPS},
                 {"method": "DARTS-V1", "seed": seed, "protocol": {"name": "nb201"},
                  "search": {"arch_lr": 3e-4}, "stand_in": True})


def frames(watcher: AlphaWatcher, tab: int, n: int, stride: int) -> None:
    """Move the slider ``n`` times on tab ``tab``; print the time per frame."""
    watcher.tabs.selected_index = 0
    watcher.slider.value = stride
    wall, cpu, new_cell = [], [], []
    start_w, start_c = time.perf_counter(), time.process_time()
    watcher.tabs.selected_index = tab  # showing the tab draws it (its figure, the first time)
    first = time.perf_counter() - start_w, time.process_time() - start_c
    for i in range(2, n + 2):
        arch = watcher.arch_
        step = min(i * stride, watcher.slider.max)
        w0, c0 = time.perf_counter(), time.process_time()
        watcher.slider.value = step
        w, c = time.perf_counter() - w0, time.process_time() - c0
        (new_cell if tab == 2 and watcher.arch_ != arch else wall).append(w)
        if not (tab == 2 and watcher.arch_ != arch):
            cpu.append(c)
    name = ("alpha now (heat map)", "alpha over steps", "derived cell + timeline")[tab]
    line = (f"{name:26s} shown in {first[0]:.2f} s; then {len(wall)} frames: median "
            f"{1000 * statistics.median(wall):.0f} ms wall = {1 / statistics.median(wall):.1f} "
            f"frames/s, {1000 * statistics.median(cpu):.0f} ms CPU = "
            f"{1 / statistics.median(cpu):.1f} frames/s")
    if new_cell:
        line += f"; {len(new_cell)} frames with a new cell: median {statistics.median(new_cell):.2f} s"
    print(line)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--trace", type=Path, default=None)
    p.add_argument("--frames", type=int, default=40)
    p.add_argument("--stride", type=int, default=25, help="steps per frame, as the Play button's")
    args = p.parse_args()
    if args.frames < 2 or args.stride < 1:
        p.error("--frames must be >= 2 and --stride >= 1")
    torch.set_num_threads(1)
    bench = nk.bench.load("mini")
    with tempfile.TemporaryDirectory() as tmp:
        path = args.trace
        if path is None:
            shipped = nk.oneshot.trace_file("DARTS-V1", 0)
            path = shipped if shipped.is_file() else Path(tmp) / "DARTS-V1-seed0-nb201.npz"
            if not path.is_file():
                stand_in_trace(path)
        start = time.perf_counter()
        watcher = AlphaWatcher.replay(path, bench=bench, steps_per_frame=args.stride)
        print(f"trace {path.name}: {watcher.replay_.n_steps:,} steps; watcher ready in "
              f"{time.perf_counter() - start:.2f} s (reading, deriving every step's cell, first "
              f"heat map)")
        for tab in (0, 2, 1):
            frames(watcher, tab, args.frames, args.stride)
        sizes = {k: len(v.value) // 1024 for k, v in (("heat map", watcher.alpha_images["cell"]),
                                                      ("timeline", watcher.collapse_image),
                                                      ("traces", watcher.trace_image))}
        print("PNG sizes (KiB): " + ", ".join(f"{k} {v}" for k, v in sizes.items()))


if __name__ == "__main__":
    main()
