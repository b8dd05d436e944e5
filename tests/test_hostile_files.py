"""Hostile cases for every file naskit ships or reads: damaged copies must fail clearly, never load.

Each case writes a copy of a shipped file with one kind of damage (a number out of range, NaN, a
repeated run, a shifted index, a torn line, a flipped bit) into a scratch folder and loads it with
naskit's own loader. Clear: a ValueError (or FileNotFoundError) raised by naskit whose message
names the file; silent: the damaged copy loads. A shipped file changed in place must be refused
as differing from the shipped copy, even where every value is in range.
"""
from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

import naskit._config as config
from naskit.bench.mini import load_mini
from naskit.estimators import Precomputed
from naskit.ofa import shipped
from naskit.oneshot.table import read_runs

from _hostile import ACCEPT, REJECT, Case, outcome, scratch, tally as _tally

DATA = Path(__file__).resolve().parents[1] / "data"


def _npz(name, folder, change):
    """A copy of ``data/name`` with ``change(arrays)`` applied, in ``folder``."""
    with np.load(DATA / name, allow_pickle=False) as f:
        arrays = {k: f[k].copy() for k in f.files}
    change(arrays)
    path = folder / name
    np.savez_compressed(path, **arrays)
    return path


def _text(name, folder, change):
    path = folder / name
    path.write_bytes(change((DATA / name).read_bytes()))
    return path


def _set(key, where, value):
    def change(a):
        a[key][where] = value
    return change


def _mini(label, change, expect=REJECT):
    return Case("nb201-mini.npz", "file", label, expect,
                lambda v: load_mini(_npz("nb201-mini.npz", scratch("mini-" + label), change)),
                names=("nb201-mini.npz",))


def _shift_index(a):
    a["index"] = a["index"] + 1


def _roll_index(a):
    a["index"] = np.roll(a["index"], 1)


def _naswot(label, change, expect=REJECT):
    return Case("nb201-mini-naswot.npz", "file", label, expect,
                lambda v: Precomputed.load(_npz("nb201-mini-naswot.npz", scratch("nw-" + label),
                                                change)),
                names=("nb201-mini-naswot.npz",))


def _lines(change):
    def edit(data):
        lines = data.decode().splitlines(keepends=True)
        return "".join(change(lines)).encode()
    return edit


def _row(edit):
    def change(lines):
        row = json.loads(lines[0])
        edit(row)
        return [json.dumps(row) + "\n", *lines[1:]]
    return change


def _oneshot(label, change, expect=REJECT):
    return Case("nb201-mini-oneshot.jsonl", "file", label, expect,
                lambda v: read_runs(_text("nb201-mini-oneshot.jsonl", scratch("os-" + label),
                                          change)),
                names=("nb201-mini-oneshot.jsonl",))


def _subnets(label, change, expect=REJECT):
    return Case("ofa-subnets.csv", "file", label, expect,
                lambda v: shipped.load_subnets(_text("ofa-subnets.csv", scratch("sub-" + label),
                                                     change)),
                names=("ofa-subnets.csv",))


def _flip_in_tensor(data: bytes) -> bytes:
    """One bit flipped inside a stored (uncompressed) tensor of a torch zip."""
    with zipfile.ZipFile(DATA / "ofa-supernet.pt") as z:
        info = max((i for i in z.infolist() if "/data/" in i.filename), key=lambda i: i.file_size)
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    out = bytearray(data)
    out[start + info.file_size // 2] ^= 0x10
    return bytes(out)


def _pt_blob(change):
    def edit(data):
        blob = torch.load(DATA / "ofa-supernet.pt", map_location="cpu", weights_only=True)
        change(blob)
        folder = scratch("pt-blob")
        torch.save(blob, folder / "blob.pt")
        return (folder / "blob.pt").read_bytes()
    return edit


class _Boom:
    def __reduce__(self):
        return (print, ("CODE RAN FROM A FILE",))


def _pickled(data):
    folder = scratch("pt-pickle")
    torch.save({"config": _Boom(), "state": {}}, folder / "evil.pt", pickle_protocol=2)
    return (folder / "evil.pt").read_bytes()


def _weights(label, change, expect=REJECT):
    return Case("ofa-supernet.pt", "file", label, expect,
                lambda v: shipped.load(_text("ofa-supernet.pt", scratch("pt-" + label), change)),
                names=("ofa-supernet.pt",))


def _record(label, change, expect=REJECT):
    return Case("ofa-supernet.json", "file", label, expect,
                lambda v: shipped.load_record(_text("ofa-supernet.json", scratch("rec-" + label),
                                                    change)),
                names=("ofa-supernet.json",))


def _shipped_changed(name, change, load):
    """``load()`` with the shipped folder replaced by a copy whose ``name`` was changed in range."""
    def call(v):
        folder = scratch("shipped-" + name)
        for f in DATA.iterdir():
            if f.is_file() and not (folder / f.name).exists():
                shutil.copy(f, folder / f.name)
        if name.endswith(".npz"):
            _npz(name, folder, change)
        else:
            _text(name, folder, change)
        old = config._INSTALLED
        config._INSTALLED = folder
        try:
            return load()
        finally:
            config._INSTALLED = old
    return Case("shipped " + name, "file", "changed in range", REJECT, call,
                names=(name,))


def _more_valid(a):
    a["valid_acc"][0, 100, 1] += 1.0


CASES = [
    _mini("valid_acc=150", _set("valid_acc", (0, 5, 1), 150.0)),
    _mini("valid_acc=nan", _set("valid_acc", (0, 5, 1), np.nan)),
    _mini("test_acc=inf", _set("test_acc", (0, 9), np.inf)),
    _mini("valid_acc=-3", _set("valid_acc", (0, 5, 0), -3.0)),
    _mini("seconds_per_epoch=-0.75", _set("seconds_per_epoch", 3, -0.75)),
    _mini("eval_seconds=nan", _set("eval_seconds", 3, np.nan)),
    _mini("params=-5", _set("params", 7, -5)),
    _mini("flops=-1", _set("flops", 7, -1)),
    _mini("representative=20000", _set("representative", 10, 20000)),
    _mini("representative-not-own", _set("representative", 0, 1)),
    _mini("train_loss=-1", _set("train_loss", (0, 4, 0), -1.0)),
    _mini("meta-not-json", lambda a: a.__setitem__("meta", np.array("{not json"))),
    _mini("valid_acc-as-text", lambda a: a.__setitem__("valid_acc", a["valid_acc"].astype(str))),
    _mini("rows-missing", lambda a: a.__setitem__("params", a["params"][:-1])),
    _mini("untouched", lambda a: None, ACCEPT),
    _naswot("index-shifted", _shift_index),
    _naswot("index-rolled", _roll_index),
    _naswot("index-repeated", _set("index", 5, 4)),
    _naswot("score=inf", _set("score", 5, np.inf)),
    _naswot("seconds=-1", _set("seconds", 5, -1.0)),
    _naswot("representative=-1", _set("representative", 5, -1)),
    _naswot("meta-not-json", lambda a: a.__setitem__("meta", np.array("]"))),
    _naswot("untouched", lambda a: None, ACCEPT),
    _oneshot("run-repeated", _lines(lambda ls: [*ls, ls[3]])),
    _oneshot("extra-field", _lines(_row(lambda r: r.__setitem__("trace", "runs/x.npz"))), ACCEPT),
    _oneshot("seed=-1", _lines(_row(lambda r: r.__setitem__("seed", -1)))),
    _oneshot("seed=true", _lines(_row(lambda r: r.__setitem__("seed", True)))),
    _oneshot("steps=-5", _lines(_row(lambda r: r.__setitem__("steps", -5)))),
    _oneshot("settings=list", _lines(_row(lambda r: r.__setitem__("settings", [1])))),
    _oneshot("empty", lambda d: b""),
    _oneshot("not-utf8", lambda d: b"\xff\xfe" + d),
    _oneshot("untouched", lambda d: d, ACCEPT),
    _subnets("torn-last-line", lambda d: d.rstrip()[:-4]),
    _subnets("stray-field", lambda d: d.replace(b",0.8", b",0.5,0.8", 1)),
    _subnets("header-repeated", lambda d: d.replace(b"arch,accuracy", b"arch,accuracy,accuracy", 1)
             .replace(b"\r\n", b",0.1\r\n").replace(b"accuracy,0.1", b"accuracy", 1)),
    _subnets("accuracy=1.5", lambda d: d.replace(b",0.8", b",1.5", 1)),
    _subnets("accuracy=nan", lambda d: d.replace(b",0.8", b",nan", 1)),
    _subnets("arch-garbage", lambda d: d.replace(b"k7e6", b"k9z9", 1)),
    _subnets("no-accuracy-column", lambda d: d.replace(b"arch,accuracy", b"arch,acc", 1)),
    _subnets("empty", lambda d: b""),
    _subnets("untouched", lambda d: d, ACCEPT),
    _weights("bit-flipped-in-tensor", _flip_in_tensor),
    _weights("truncated", lambda d: d[: len(d) // 2]),
    _weights("text", lambda d: b"hello"),
    _weights("pickle-with-code", _pickled),
    _weights("config-key-missing", _pt_blob(lambda b: b["config"].pop("n_stages"))),
    _weights("tensor-nan", _pt_blob(lambda b: next(v for v in b["state"].values()
                                                    if v.is_floating_point()).fill_(float("nan")))),
    _weights("tensor-wrong-shape", _pt_blob(lambda b: b["state"].__setitem__(
        next(k for k, v in b["state"].items() if v.ndim == 4), torch.zeros(1, 1, 1, 1)))),
    _weights("untouched", lambda d: d, ACCEPT),
    _record("not-json", lambda d: d[:-40]),
    _record("a-list", lambda d: b"[1, 2]"),
    _record("untouched", lambda d: d, ACCEPT),
    _shipped_changed("nb201-mini.npz", _more_valid, lambda: load_mini()),
    _shipped_changed("ofa-subnets.csv", lambda d: d.replace(b",0.8", b",0.7", 1),
                     lambda: shipped.load_subnets()),
]


def tally() -> dict:
    return _tally(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_file(case):
    kind, detail = outcome(case)
    assert kind in ("clear", "harmless"), f"{kind}: {detail}"
