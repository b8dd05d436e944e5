"""NAS-Bench-201's weight-sharing table, rerun on the embedded benchmark.

NB201 (Dong & Yang, ICLR 2020, Table 5) ran six weight-sharing methods on its supernet and
reported the benchmark's accuracy of the cell each derived: RSPS, DARTS-V1, DARTS-V2, GDAS, SETN,
ENAS. ``run_seed`` runs the same methods (and two remedies for DARTS' collapse) on the supernet
of the embedded benchmark's network (8 channels, one cell per stage, 1x16x16 digits) and returns
one row per method: the derived cell, the search's wall-clock seconds and its settings. Rows are
plain data, written to and read from a JSON-lines file with ``write_runs`` / ``read_runs``; the
ground truth of each derived cell is looked up in the benchmark by whoever reads them.
"""
from __future__ import annotations

import json
import math
import pathlib
import time

from .._checks import is_int
from .._config import shipped_data_dir, shipped_file
from .._files import check_shipped, damaged, read_text, restore_hint, write_atomic
from ..datasets import Dataset
from ..space import Arch, NB201Space
from ..supernet import SuperNet
from .._checks import check_seed
from .darts import DARTS
from .protocol import PROTOCOLS, Protocol
from .remedies import early_stop, perturbation_select

__all__ = ["NB201_WEIGHT_SHARING", "METHODS", "RUNS_FILE", "make_search", "run_seed", "read_runs",
           "write_runs", "load_runs", "protocol_of"]

# NB201, Table 5 (CIFAR-10 validation and test accuracy, mean +- std over runs; search seconds on
# one GPU), as the lecture's table quotes it.
NB201_WEIGHT_SHARING = {
    "RSPS": dict(seconds=7587, valid=(84.16, 1.69), test=(87.66, 1.69)),
    "DARTS-V1": dict(seconds=10890, valid=(39.77, 0.00), test=(54.30, 0.00)),
    "DARTS-V2": dict(seconds=29902, valid=(39.77, 0.00), test=(54.30, 0.00)),
    "GDAS": dict(seconds=28926, valid=(90.00, 0.21), test=(93.51, 0.13)),
    "SETN": dict(seconds=31010, valid=(82.25, 5.17), test=(86.19, 4.63)),
    "ENAS": dict(seconds=13315, valid=(39.77, 0.00), test=(54.30, 0.00)),
}
SEARCHES = ("RSPS", "DARTS-V1", "DARTS-V2", "GDAS", "SETN", "ENAS")
REMEDIES = ("DARTS-V1 + PT", "DARTS-V1 + early stop")
METHODS = SEARCHES + REMEDIES
RUNS_FILE = shipped_data_dir() / "nb201-mini-oneshot.jsonl"
_ROW_KEYS = ("method", "seed", "arch", "seconds", "steps", "settings")


def make_search(method: str, data: Dataset, seed: int = 0, epochs: float = 1.0, channels: int = 8,
                cells_per_stage: int = 1, arch_lr: float = 3e-4,
                protocol: Protocol | str | None = None):
    """The search ``method`` (one of ``SEARCHES``) over a fresh NB201 supernet on ``data``.

    ``protocol``: a ``Protocol``, 'nb201' (``Protocol.nb201(method)``) or 'darts'; with one, its
    settings replace ``epochs`` and ``arch_lr``.
    """
    net = SuperNet(NB201Space(), channels=channels, cells_per_stage=cells_per_stage,
                   num_classes=data.num_classes, in_channels=data.input_shape[0], seed=seed)
    if protocol is not None:
        if method not in SEARCHES:
            raise ValueError(f"unknown method {method!r}; choose from {list(SEARCHES)}")
        if isinstance(protocol, str):
            if protocol not in PROTOCOLS:
                raise ValueError(f"unknown protocol {protocol!r}; choose from {list(PROTOCOLS)}")
            protocol = Protocol.nb201(method) if protocol == "nb201" else Protocol.darts(method, epochs)
        if protocol.method != method:
            raise ValueError(f"protocol is {protocol.method}'s, not {method}'s")
        from . import enas, gdas, rsps, setn
        classes = {"RSPS": rsps.RSPS, "GDAS": gdas.GDAS, "SETN": setn.SETN, "ENAS": enas.ENAS}
        kwargs = protocol.search_kwargs()
        if method.startswith("DARTS"):
            return DARTS(net, data, order=int(method[-1]), seed=seed, **kwargs)
        return classes[method](net, data, seed=seed, **kwargs)
    if method == "DARTS-V1":
        return DARTS(net, data, order=1, epochs=epochs, arch_lr=arch_lr, seed=seed)
    if method == "DARTS-V2":
        return DARTS(net, data, order=2, epochs=epochs, arch_lr=arch_lr, seed=seed)
    if method not in SEARCHES:
        raise ValueError(f"unknown method {method!r}; choose from {list(SEARCHES)}")
    from . import enas, gdas, rsps, setn  # the single-path methods
    classes = {"RSPS": rsps.RSPS, "GDAS": gdas.GDAS, "SETN": setn.SETN, "ENAS": enas.ENAS}
    return classes[method](net, data, epochs=epochs, seed=seed)


def run_seed(data: Dataset, seed: int = 0, methods=SEARCHES, epochs: float = 1.0,
             arch_lr: float = 3e-4, progress: bool = False) -> list[dict]:
    """One row per method for ``seed``; a DARTS-V1 run also gives the rows of its two remedies."""
    seed = check_seed(seed)
    unknown = [m for m in methods if m not in SEARCHES]
    if unknown:
        raise ValueError(f"unknown methods {unknown}; choose from {list(SEARCHES)} (the remedies "
                         "come with DARTS-V1)")
    rows = []
    for method in methods:
        search = make_search(method, data, seed, epochs, arch_lr=arch_lr)
        search.run(progress=progress)
        start = time.perf_counter()
        arch = search.derive()
        seconds = search.seconds_ + time.perf_counter() - start
        settings = dict(epochs=epochs, arch_lr=arch_lr, channels=8, cells_per_stage=1,
                        batch_size=search.batch_size, steps=search.step_)
        rows.append(_row(method, seed, arch, seconds, search.step_, settings))
        if method == "DARTS-V1":
            arch_es, step = early_stop(search.trace_)
            rows.append(_row("DARTS-V1 + early stop", seed, arch_es,
                             search.trace_[step].seconds, step + 1, dict(settings,
                                                                        max_parameter_free=0.5)))
            start = time.perf_counter()
            arch_pt, _ = perturbation_select(search, seed=seed)
            rows.append(_row("DARTS-V1 + PT", seed, arch_pt,
                             seconds + time.perf_counter() - start, search.step_,
                             dict(settings, tune_steps=20, n_batches=8)))
    return rows


def _row(method, seed, arch, seconds, steps, settings) -> dict:
    return dict(method=method, seed=seed, arch=str(arch), seconds=round(float(seconds), 3),
                steps=int(steps), settings=settings)


def write_runs(path, rows) -> None:
    """Write ``rows`` as JSON lines, atomically (a temporary file renamed over ``path``)."""
    write_atomic(path, lambda f: f.writelines(json.dumps(row, sort_keys=True) + "\n"
                                              for row in rows), mode="w")


def read_runs(path) -> list[dict]:
    """The rows of a file ``write_runs`` made; a malformed line is an error naming file and line.

    Every row has at least the keys of ``_ROW_KEYS`` (further keys are kept as they are), and each
    (method, seed) appears once: a repeated run would count twice in every mean.
    """
    path = pathlib.Path(path)
    how = "make it with `python benchmarks/precompute_oneshot.py`"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; {how}")
    check_shipped(path, shipped_data_dir())
    if path.name == RUNS_FILE.name:
        how = f"{restore_hint(RUNS_FILE.name)}, or {how}"
    space, rows, seen = NB201Space(), [], {}
    for n, line in enumerate(read_text(path, how).splitlines(), 1):
        where = f"line {n}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise damaged(path, where, f"not JSON ({e.msg})", how) from None
        if not isinstance(row, dict) or any(k not in row for k in _ROW_KEYS):
            raise damaged(path, where, f"a row is an object with the keys {sorted(_ROW_KEYS)}", how)
        if row["method"] not in METHODS:
            raise damaged(path, where, f"unknown method {row['method']!r}; expected one of "
                          f"{list(METHODS)}", how)
        seconds = row["seconds"]
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or \
                not math.isfinite(seconds) or seconds < 0:
            raise damaged(path, where, f"seconds must be a finite number >= 0, got {seconds!r}", how)
        for key in ("seed", "steps"):
            if not is_int(row[key]) or row[key] < 0:
                raise damaged(path, where, f"{key} must be an int >= 0, got {row[key]!r}", how)
        if not isinstance(row["settings"], dict):
            raise damaged(path, where, f"settings must be an object, got {row['settings']!r}", how)
        protocol = row["settings"].get("protocol", "darts")
        if not (protocol in PROTOCOLS or isinstance(protocol, dict) and protocol.get("name") in PROTOCOLS):
            raise damaged(path, where, f"settings.protocol must name one of {list(PROTOCOLS)}", how)
        try:
            row["arch"] = Arch.from_string(row["arch"], space=space)
        except (TypeError, ValueError) as e:
            raise damaged(path, where, f"arch: {e}", how) from None
        key = (row["method"], row["seed"], protocol_of(row))
        if key in seen:
            raise damaged(path, where, f"{row['method']} seed {row['seed']} under the {key[2]} "
                          f"protocol was already run on line {seen[key]}; each run appears once", how)
        seen[key] = n
        rows.append(row)
    if not rows:
        raise damaged(path, "", "holds no runs", how)
    return rows


def protocol_of(row: dict) -> str:
    """The protocol a row was run under ('darts' for rows that predate NB201's)."""
    protocol = row["settings"].get("protocol", "darts")
    return protocol["name"] if isinstance(protocol, dict) else protocol


def load_runs(protocol: str = "darts") -> list[dict]:
    """The shipped runs of lesson 6's table (``data/nb201-mini-oneshot.jsonl``) under ``protocol``:
    'darts' (4 epochs, the DARTS paper's settings), 'nb201' (NB201's) or None for all."""
    if protocol is not None and protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r}; choose from {list(PROTOCOLS)} or None")
    rows = read_runs(shipped_file(RUNS_FILE.name,
                                  "rebuild it with `python benchmarks/precompute_oneshot.py`"))
    return [r for r in rows if protocol is None or protocol_of(r) == protocol]
