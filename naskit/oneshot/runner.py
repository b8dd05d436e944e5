"""Long one-shot runs for the weight-sharing table: checkpointed, resumable, charged in FLOPs.

Under NAS-Bench-201's protocol (``Protocol.nb201``) a search of the embedded benchmark's supernet
takes from tens of minutes to hours of one core. ``run_checkpointed`` runs one (method, seed,
protocol): it saves the whole search state (``OneShotSearch.state_dict``) and its own records
atomically every ``checkpoint_seconds`` to ``ckpt_dir``, so a killed run continues from its last
checkpoint to the same result, and refuses a checkpoint saved under other settings. It keeps a
compact trace (``.npz``, readable with ``allow_pickle=False``) and returns the table's row.

The row's ``seconds`` do not depend on how busy the machine was: every step is charged the FLOPs
it computes (``FlopModel``; a backward pass counts twice its forward pass), converted to seconds
at the mini benchmark's own rate, the seconds its simulated clock charges per training FLOP
(``seconds_per_epoch`` summed over all cells, over 3 x images per epoch x FLOPs summed over all
cells). The CPU seconds the run took are recorded beside them.
"""
from __future__ import annotations

import json
import pathlib
import time
from dataclasses import dataclass

import numpy as np
import torch

from .._files import write_atomic
from ..space import Arch
from .base import OneShotSearch
from .candidates import CandidateRanking
from .protocol import Protocol
from .remedies import early_stop, perturbation_select

__all__ = ["FlopModel", "run_checkpointed", "read_trace", "STEP_WEIGHTS"]

STEP_WEIGHTS = ("DARTS-V1", "DARTS-V2", "GDAS")  # softmax(alpha) kept at every step; others per epoch
_MONITOR_BATCHES = 8                             # validation batches of the per-epoch accuracies
# epochs between records: ranking 100 candidates on 512 images costs RSPS and SETN about as much
# CPU per epoch as their training, so the single-path rankers are recorded every 5th epoch (and
# at the end). A function of the method alone, so a run's settings fix it.
MONITOR_EVERY = {"RSPS": 5, "SETN": 5, "ENAS": 5}


@dataclass(frozen=True)
class FlopModel:
    """Forward FLOPs per image of the bench's network: a single path, the full mixture; seconds per FLOP."""

    none_flops: float          # the cell of only 'none' edges: stem, reductions, head
    op_flops: dict             # op -> FLOPs one edge of that op adds, summed over the cells
    seconds_per_flop: float    # the bench's simulated seconds per training FLOP

    @classmethod
    def from_bench(cls, bench) -> "FlopModel":
        """The model of ``bench``'s network (NB201 cells; ``flops`` and ``seconds_per_epoch`` columns)."""
        space, flops = bench.space, np.asarray(bench.column("flops"), float)
        uniform = {op: flops[space.index(Arch.from_ops([op] * space.n_edges, space.n_nodes))]
                   for op in space.ops}
        base = uniform["none"]
        ok = np.isfinite(bench.seconds_per_epoch) & np.isfinite(flops)
        per_epoch = 3.0 * bench.meta["n_train"] * flops[ok].sum()
        return cls(float(base), {op: (f - base) / space.n_edges for op, f in uniform.items()},
                   float(bench.seconds_per_epoch[ok].sum() / per_epoch))

    def path(self, arch) -> float:
        """Forward FLOPs per image of the single path ``arch`` (an Arch or op indices)."""
        ops = arch.ops if isinstance(arch, Arch) else [list(self.op_flops)[i] for i in arch]
        return self.none_flops + sum(self.op_flops[op] for op in ops)

    def mixture(self, n_edges: int = 6) -> float:
        """Forward FLOPs per image of the supernet computing every op on every edge."""
        return self.none_flops + n_edges * sum(self.op_flops.values())


def step_flops(method: str, search: OneShotSearch, step, model: FlopModel) -> float:
    """FLOPs of one recorded step of ``method`` (forward 1, backward 2 per image)."""
    b, mix = search.batch_size, model.mixture(search.supernet.n_edges)
    if method == "DARTS-V1":
        return 6 * b * mix                       # weights, then alpha: two forward+backward
    if method == "DARTS-V2":
        return 15 * b * mix                      # + the virtual step, w' and two HVP passes
    if method == "GDAS":
        return 3 * b * (model.path(step.info["index"]) + model.path(step.info["val_index"]))
    if method == "RSPS":
        return 3 * b * model.path(step.info["arch"])
    if method == "SETN":
        return 3 * b * (model.path(step.info["arch"]) + mix)
    if method == "ENAS":
        return 3 * b * model.path(step.info["arch"]) + b * sum(map(model.path, step.info["samples"]))
    raise ValueError(f"unknown method {method!r}")


def selection_flops(search: OneShotSearch, model: FlopModel) -> float:
    """FLOPs of ranking the candidates at the end (forward passes only); 0 for DARTS and GDAS."""
    if not isinstance(search, CandidateRanking):
        return 0.0
    n_val = len(search.data.y_val)
    images = n_val if search.eval_batches is None else min(n_val, search.eval_batches * search.batch_size)
    return images * sum(model.path(c.arch) for c in search.candidates_)


def _atomic(path: pathlib.Path, write) -> None:
    """Write ``path`` through ``write(file_object)`` atomically."""
    write_atomic(path, write)


def _monitor(method, search, seed, epoch) -> dict:
    """The record of an epoch's end: derived cell, supernet and derived-cell validation accuracy."""
    arch = search.derive()
    if method in ("DARTS-V1", "DARTS-V2", "GDAS"):
        supernet_acc = search.accuracy(n_batches=_MONITOR_BATCHES)      # the softmax mixture
    else:  # trained one path at a time: the mean of four uniform paths, fixed per epoch
        rng = np.random.default_rng([seed, epoch, 1])
        paths = [search.supernet.space.sample(seed=int(rng.integers(2 ** 31))) for _ in range(4)]
        supernet_acc = float(np.mean([search.accuracy(p, n_batches=_MONITOR_BATCHES) for p in paths]))
    weights = search._weights().get("cell")
    return dict(step=search.step_, arch=str(arch), supernet_acc=supernet_acc,
                derived_acc=search.accuracy(arch, n_batches=_MONITOR_BATCHES),
                weights=None if weights is None else np.asarray(weights, np.float16))


def run_checkpointed(method: str, seed: int, protocol: Protocol, data, bench, ckpt_dir,
                     trace_dir, checkpoint_seconds: float = 180.0, stop_after: int | None = None,
                     channels: int = 8, cells_per_stage: int = 1) -> list[dict] | None:
    """Run (``method``, ``seed``) under ``protocol`` to the end, resuming from ``ckpt_dir``.

    Returns the table's rows (DARTS-V1 adds its two remedies' rows), after writing the trace
    ``trace_dir/<method>-seed<seed>-<protocol>.npz``. ``stop_after``: make at most that many
    steps in this call, checkpoint and return None (a deliberate interruption, for tests).
    """
    from .table import _row, make_search  # table imports this module's users, not the reverse

    ckpt_dir, trace_dir = pathlib.Path(ckpt_dir), pathlib.Path(trace_dir)
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    trace_dir.mkdir(parents=True, exist_ok=True)
    name = f"{method}-seed{seed}-{protocol.name}"
    ckpt = ckpt_dir / f"{name}.pt"
    search = make_search(method, data, seed, channels=channels, cells_per_stage=cells_per_stage,
                         protocol=protocol)
    settings = dict(method=method, seed=seed, protocol=protocol.to_dict(), channels=channels,
                    cells_per_stage=cells_per_stage, data=repr(data), search=search.settings())
    model = FlopModel.from_bench(bench)
    state = dict(settings=settings, epochs=[], flops=[], cpu_seconds=0.0)
    if ckpt.exists():
        saved = torch.load(ckpt, weights_only=False)
        if saved["settings"] != settings:
            raise ValueError(f"{ckpt} was saved under other settings; remove it or run with "
                             f"those: {saved['settings']}")
        search.load_state_dict(saved.pop("search"))
        state = saved
    else:
        search.reset()

    def save():
        _atomic(ckpt, lambda f: torch.save(dict(state, search=search.state_dict()), f))

    per_epoch = search.steps_per_epoch
    clock, made = time.process_time(), 0
    last_save = time.monotonic()
    while not search.done_:
        record = search.step()
        made += 1
        state["flops"].append(step_flops(method, search, record, model))
        epoch, rest = divmod(search.step_, per_epoch)
        if search.done_ or (rest == 0 and epoch % MONITOR_EVERY.get(method, 1) == 0):
            state["epochs"].append(_monitor(method, search, seed, epoch))
        now = time.monotonic()
        if now - last_save >= checkpoint_seconds or (stop_after is not None and made >= stop_after):
            state["cpu_seconds"] += time.process_time() - clock
            clock = time.process_time()
            save()
            last_save = now
            if stop_after is not None and made >= stop_after and not search.done_:
                return None
    state["cpu_seconds"] += time.process_time() - clock
    save()  # the finished search: a kill from here on redoes only the bookkeeping below

    clock = time.process_time()
    arch = search.derive()
    total = float(np.sum(state["flops"])) + selection_flops(search, model)
    cpu = state["cpu_seconds"] + time.process_time() - clock
    common = dict(protocol=protocol.to_dict(), channels=channels, cells_per_stage=cells_per_stage,
                  batch_size=search.batch_size, steps=search.step_, epochs=protocol.epochs,
                  arch_lr=getattr(search, "arch_lr", None), flops=total, cpu_seconds=round(cpu, 1),
                  seconds_rule="FLOPs x the mini benchmark's seconds per training FLOP",
                  seconds_per_flop=model.seconds_per_flop)
    rows = [_row(method, seed, arch, total * model.seconds_per_flop, search.step_, common)]
    _write_trace(trace_dir / f"{name}.npz", method, search, state, settings)
    if method == "DARTS-V1":
        arch_es, step = early_stop(search.trace_)
        spent = float(np.sum(state["flops"][:step + 1]))
        rows.append(_row("DARTS-V1 + early stop", seed, arch_es, spent * model.seconds_per_flop,
                         step + 1, dict(common, max_parameter_free=0.5, flops=spent)))
        start = time.process_time()
        arch_pt, _ = perturbation_select(search, seed=seed)
        rows.append(_row("DARTS-V1 + PT", seed, arch_pt, total * model.seconds_per_flop, search.step_,
                         dict(common, tune_steps=20, n_batches=8,
                              cpu_seconds=round(cpu + time.process_time() - start, 1))))
    return rows


def _write_trace(path: pathlib.Path, method: str, search: OneShotSearch, state: dict,
                 settings: dict) -> None:
    trace, epochs = search.trace_, state["epochs"]
    arrays = dict(
        settings=np.array(json.dumps(settings, sort_keys=True)),
        step_train_loss=np.array([s.train_loss for s in trace], np.float32),
        step_val_loss=np.array([np.nan if s.val_loss is None else s.val_loss for s in trace],
                               np.float32),
        step_flops=np.array(state["flops"], np.float32),
        epoch_step=np.array([e["step"] for e in epochs], np.int32),
        epoch_arch=np.array([e["arch"] for e in epochs]),
        epoch_supernet_acc=np.array([e["supernet_acc"] for e in epochs], np.float32),
        epoch_derived_acc=np.array([e["derived_acc"] for e in epochs], np.float32))
    bounds = [0] + [e["step"] for e in epochs]   # losses: the mean since the previous record
    for key in ("train_loss", "val_loss"):
        steps = arrays[f"step_{key}"]
        arrays[f"epoch_{key}"] = np.array([np.nanmean(steps[a:b]) if np.isfinite(steps[a:b]).any()
                                           else np.nan for a, b in zip(bounds, bounds[1:])],
                                          np.float32)
    if epochs and epochs[0]["weights"] is not None:
        arrays["epoch_weights"] = np.stack([e["weights"] for e in epochs])
    if method in STEP_WEIGHTS:
        arrays["step_weights"] = np.stack([s.weights["cell"] for s in trace]).astype(np.float16)
    _atomic(path, lambda f: np.savez_compressed(f, **arrays))


def read_trace(path) -> dict:
    """A trace ``run_checkpointed`` wrote: its arrays, and ``settings`` as a dict."""
    with np.load(path, allow_pickle=False) as z:
        out = {k: z[k] for k in z.files}
    out["settings"] = json.loads(str(out["settings"]))
    return out
