"""Benchmarks: ground truth per architecture, the embedded mini benchmark, NB201 tables."""
from .base import Benchmark, Record
from .tables import load_table

__all__ = ["Benchmark", "Record", "load"]


def load(name: str = "mini", root=None, download: bool = False, dataset: str = "cifar10") -> Benchmark:
    """Load a benchmark by name: 'nb201-cifar10-valid', 'nb201-12ep', 'nb201-latency'."""
    return load_table(name, root=root, download=download, dataset=dataset)
