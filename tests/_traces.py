"""A short synthetic trace of a DARTS search, written by the runner's own trace writer.

40 steps of 8 per epoch. Step 0 is exactly uniform (every edge ties at float16, so ``derive`` takes
'none' everywhere: share 1); then convolutions (share 0), three parameter-free edges (0.5), four
(0.67) for steps 20-24, three again, and five (0.83) from step 30 on. So the share is first above a
random cell's 0.6 at step 0 and above it for good from step 30.
"""
from __future__ import annotations

import types

import numpy as np
import torch

from naskit.oneshot import Step
from naskit.oneshot.runner import _write_trace
from naskit.space import NB201Space
from naskit.supernet import derive

STEPS, PER_EPOCH = 40, 8
CONV, POOL, SKIP = "nor_conv_3x3", "avg_pool_3x3", "skip_connect"
PHASES = [(1, [CONV] * 6), (10, [SKIP, CONV, POOL, CONV, SKIP, CONV]),
          (20, [SKIP, POOL, POOL, CONV, SKIP, CONV]), (25, [SKIP, CONV, POOL, CONV, SKIP, CONV]),
          (30, [SKIP, POOL, POOL, SKIP, SKIP, CONV])]


def synthetic_weights(seed: int = 0) -> np.ndarray:
    """softmax(alpha), steps x 6 edges x 5 ops, as float32."""
    space, rng = NB201Space(), np.random.default_rng(seed)
    out = np.full((STEPS, 6, 5), 0.2, np.float32)
    for k in range(1, STEPS):
        ops = [ops for start, ops in PHASES if start <= k][-1]
        w = 0.2 + rng.uniform(-0.003, 0.003, size=(6, 5))
        for e, op in enumerate(ops):
            w[e, space.ops.index(op)] += 0.02 + 0.002 * k
        out[k] = w / w.sum(axis=1, keepdims=True)
    return out


def write_synthetic_trace(path, seed: int = 0) -> np.ndarray:
    """Write the trace to ``path`` and return its weights as the file keeps them (float16)."""
    w = synthetic_weights(seed)
    trace = [Step(step=k, train_loss=2.0 - 0.01 * k, seconds=0.0, val_loss=2.1 - 0.005 * k,
                  weights={"cell": w[k]}) for k in range(STEPS)]
    space = NB201Space()
    epochs = [dict(step=e, arch=str(derive(torch.as_tensor(w[e - 1]), space)),
                   supernet_acc=0.5 + 0.01 * e, derived_acc=0.2 + 0.01 * e,
                   weights=w[e - 1].astype(np.float16))
              for e in range(PER_EPOCH, STEPS + 1, PER_EPOCH)]
    settings = dict(method="DARTS-V1", seed=seed, protocol=dict(name="nb201"),
                    search=dict(arch_lr=3e-4))
    _write_trace(path, "DARTS-V1", types.SimpleNamespace(trace_=trace),
                 dict(epochs=epochs, flops=[1.0] * STEPS), settings)
    return w.astype(np.float16)
