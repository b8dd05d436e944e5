"""The supernet naskit ships: saving and loading its weights, training record and subnet accuracies.

``benchmarks/train_ofa.py`` trains it by progressive shrinking (see ``data/README.md``) and writes
three files to ``data/``: the weights with the supernet's settings (``ofa-supernet.pt``), the
training record with its recipe (``ofa-supernet.json``) and the validation accuracy of randomly
sampled subnets with inherited weights (``ofa-subnets.csv``, the accuracy predictor's data).
"""
from __future__ import annotations

import csv
import json
import math
import os
from pathlib import Path

import torch

from .._checks import is_int
from .._config import shipped_data_dir, shipped_file
from .._files import check_shipped, damaged, read_csv, read_json, read_torch, restore_hint
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


def _how(path: Path, shipped: Path) -> str:
    """How to get a good copy: restore the shipped file, or rebuild one's own."""
    return f"{restore_hint(shipped.name)}, or {_HOW}" if path.name == shipped.name else _HOW


_CONFIG_INTS = ("n_stages", "stem_channels", "head_channels", "num_classes", "in_channels")
_CONFIG_LISTS = ("kernels", "expands", "depths", "channels", "strides")


def load(path=None) -> OFASuperNet:
    """The trained supernet at ``path`` (default: the shipped one), in eval mode."""
    path = shipped_file(WEIGHTS.name, _HOW) if path is None else Path(path)
    if not path.exists():
        raise FileNotFoundError(f"the OFA supernet file {path} is missing; {_HOW}")
    check_shipped(path, shipped_data_dir())
    how = _how(path, WEIGHTS)
    blob = read_torch(path, how)
    if not isinstance(blob, dict) or not isinstance(blob.get("config"), dict) or \
            not isinstance(blob.get("state"), dict):
        raise damaged(path, "", "not an OFA supernet file (a dict of 'config' and 'state')", how)
    c = blob["config"]
    for key in _CONFIG_INTS + _CONFIG_LISTS:
        ok = (is_int(c.get(key)) and c[key] > 0) if key in _CONFIG_INTS else \
            (isinstance(c.get(key), (list, tuple)) and c[key] and
             all(is_int(x) and x > 0 for x in c[key]))
        if not ok:
            raise damaged(path, f"config {key!r}", f"missing or not a positive int"
                          f"{'' if key in _CONFIG_INTS else ' list'}: {c.get(key)!r}", how)
    try:
        space = OFASpace(c["n_stages"], c["kernels"], c["expands"], c["depths"])
        net = OFASuperNet(space, c["channels"], c["strides"], c["stem_channels"],
                          c["head_channels"], c["num_classes"], c["in_channels"], seed=None)
    except (TypeError, ValueError) as e:
        raise damaged(path, "config", f"not a valid supernet ({e})", how) from None
    for key, value in blob["state"].items():
        if not isinstance(value, torch.Tensor):
            raise damaged(path, f"state {key!r}", "not a tensor", how)
        if value.is_floating_point() and not bool(torch.isfinite(value).all()):
            raise damaged(path, f"state {key!r}", "holds a value that is not finite", how)
    try:
        net.load_state_dict(blob["state"])
    except RuntimeError as e:  # missing, unexpected or misshapen tensors
        first = "; ".join(line.strip() for line in str(e).splitlines()[1:3])
        raise damaged(path, "state", f"does not fit the supernet of its config ({first})",
                      how) from None
    return net.eval()


def load_record(path=None) -> dict:
    """The training record (recipe, per-epoch losses and probe accuracies, times) shipped beside the weights."""
    path = shipped_file(RECORD.name, _HOW) if path is None else Path(path)
    if not path.exists():
        raise FileNotFoundError(f"the OFA training record {path} is missing; {_HOW}")
    check_shipped(path, shipped_data_dir())
    how = _how(path, RECORD)
    record = read_json(path, how, keys=("recipe", "epochs"))
    if not isinstance(record["epochs"], list) or \
            not all(isinstance(e, dict) for e in record["epochs"]):
        raise damaged(path, "epochs", "must be a list of objects, one per epoch", how)
    for n, epoch in enumerate(record["epochs"]):
        loss = epoch.get("train_loss")
        if not isinstance(loss, (int, float)) or isinstance(loss, bool) or not math.isfinite(loss):
            raise damaged(path, f"epochs[{n}] 'train_loss'", f"must be a finite number, got "
                          f"{loss!r}", how)
        probes = epoch.get("probes", {})
        if not isinstance(probes, dict) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1
                for v in probes.values()):
            raise damaged(path, f"epochs[{n}] 'probes'", "accuracies must be numbers in [0, 1]",
                          how)
    return record


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
    check_shipped(path, shipped_data_dir())
    how = _how(path, SUBNETS)
    archs, accuracies = [], []
    for n, (arch, acc) in enumerate(read_csv(path, ("arch", "accuracy"), how), 2):
        try:
            archs.append(OFAArch.from_string(arch))
            value = float(acc)
        except (TypeError, ValueError) as e:
            raise damaged(path, f"line {n}", str(e), how) from None
        if not (math.isfinite(value) and 0 <= value <= 1):
            raise damaged(path, f"line {n}, column 'accuracy'", f"{acc!r}; an accuracy is a "
                          "fraction in [0, 1]", how)
        accuracies.append(value)
    return archs, accuracies
