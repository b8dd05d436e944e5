"""Benchmarks: ground truth per architecture, the embedded mini benchmark, NB201 tables.

``zero_cost_table`` reads published zero-cost proxy scores of NB201 archs (NAS-Bench-Suite-Zero).
"""
import pathlib

from .base import Benchmark, Record
from .mini import MINI_FILE, load_mini
from .tables import ZERO_COST_COLUMNS, ZERO_COST_DATASETS, load_table, zero_cost_table

__all__ = ["Benchmark", "Record", "load", "zero_cost_table", "ZERO_COST_COLUMNS",
           "ZERO_COST_DATASETS"]


def load(name: str = "mini", root=None, download: bool = False, dataset: str = "cifar10") -> Benchmark:
    """Load a benchmark: 'mini' (embedded, offline), 'nb201-cifar10-valid', 'nb201-12ep', 'nb201-latency'."""
    if name == "mini":
        return load_mini(None if root is None else pathlib.Path(root) / MINI_FILE.name)
    return load_table(name, root=root, download=download, dataset=dataset)
