"""The supernet naskit ships: saving and loading its weights, training record and subnet accuracies.

``benchmarks/train_ofa.py`` trains it by progressive shrinking (see ``data/README.md``) and writes
three files to ``data/``: the weights with the supernet's settings (``ofa-supernet.pt``), the
training record with its recipe (``ofa-supernet.json``) and the validation accuracy of randomly
sampled subnets with inherited weights (``ofa-subnets.csv``, the accuracy predictor's data).
"""
from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import torch

from .._config import shipped_data_dir, shipped_file
from .space import OFAArch, OFASpace
from .supernet import OFASuperNet

__all__ = ["save", "load", "load_record", "load_subnets", "save_subnets", "WEIGHTS", "RECORD",
           "SUBNETS"]

WEIGHTS, RECORD, SUBNETS = (shipped_data_dir() / "ofa-supernet.pt", shipped_data_dir() / "ofa-supernet.json",
                            shipped_data_dir() / "ofa-subnets.csv")
_HOW = "rebuild it with `python benchmarks/train_ofa.py` (see data/README.md)"


def _config(net: OFASuperNet) -> dict:
    s = net.space
    return dict(n_stages=s.n_stages, kernels=list(s.kernels), expands=list(s.expands),
                depths=list(s.depths), channels=list(net.channels), strides=list(net.strides),
                stem_channels=net.stem_channels, head_channels=net.head_channels,
                num_classes=net.num_classes, in_channels=net.in_channels)


def _atomic(path: Path, write) -> Path:
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    write(tmp)
    os.replace(tmp, path)  # readers never see half a file
    return path


def save(net: OFASuperNet, path=WEIGHTS, record: dict | None = None) -> Path:
    """Write the weights and settings of ``net`` to ``path``, and ``record`` as JSON beside it."""
    state = {k: v.detach().cpu().clone() for k, v in net.state_dict().items()}
    _atomic(path, lambda tmp: torch.save({"config": _config(net), "state": state}, tmp))
    if record is not None:
        _atomic(Path(path).with_suffix(".json"),
                lambda tmp: tmp.write_text(json.dumps(record, indent=1) + "\n"))
    return Path(path)


def load(path=None) -> OFASuperNet:
    """The trained supernet at ``path`` (default: the shipped one), in eval mode."""
    path = shipped_file(WEIGHTS.name, _HOW) if path is None else Path(path)
    if not path.exists():
        raise FileNotFoundError(f"the OFA supernet file {path} is missing; {_HOW}")
    blob = torch.load(path, map_location="cpu", weights_only=True)
    c = blob["config"]
    space = OFASpace(c["n_stages"], c["kernels"], c["expands"], c["depths"])
    net = OFASuperNet(space, c["channels"], c["strides"], c["stem_channels"], c["head_channels"],
                      c["num_classes"], c["in_channels"], seed=None)
    net.load_state_dict(blob["state"])
    return net.eval()


def load_record(path=None) -> dict:
    """The training record (recipe, per-epoch losses and probe accuracies, times) shipped beside the weights."""
    path = shipped_file(RECORD.name, _HOW) if path is None else Path(path)
    if not path.exists():
        raise FileNotFoundError(f"the OFA training record {path} is missing; {_HOW}")
    return json.loads(path.read_text())


def save_subnets(archs, accuracies, path=SUBNETS) -> Path:
    """Write subnets and their accuracies as CSV (columns ``arch``, ``accuracy``)."""
    def write(tmp):
        with open(tmp, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["arch", "accuracy"])
            w.writerows((str(a), f"{acc:.5f}") for a, acc in zip(archs, accuracies))
    return _atomic(path, write)


def load_subnets(path=None) -> tuple[list[OFAArch], list[float]]:
    """The sampled subnets and their inherited-weight validation accuracies."""
    path = shipped_file(SUBNETS.name, _HOW) if path is None else Path(path)
    if not path.exists():
        raise FileNotFoundError(f"the OFA subnet accuracy file {path} is missing; {_HOW}")
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return [OFAArch.from_string(r["arch"]) for r in rows], [float(r["accuracy"]) for r in rows]
