"""A battery of hostile arguments against the public entry points, each outcome classified.

Every public constructor and function that takes a count, a seed, a rate, a choice or a text is
called with values a careless or hostile user passes (0, -1, True, 1.5, NaN, inf, "3", None, a list,
an object, 2**70, a numpy integer, a megabyte of text). Each call ends in one of four ways:

- **clear**: ValueError, TypeError, IndexError or FileNotFoundError raised by naskit itself, whose
  message names the argument (or, for a parser, says what is wrong with the text);
- **harmless**: the value is accepted and is one a user may mean (a numpy integer, ``None`` where
  it means "default");
- **deep**: any other exception, an error raised inside torch/numpy/joblib rather than by naskit,
  an error that does not name the argument, or a valid value refused;
- **silent**: an invalid value accepted, or a call that does not return within 20 s (a hang).

``test_bad_input`` asserts clear-or-harmless for each case; ``benchmarks/bad_input_tally.py``
prints the tally. Damaged *files* are the fuzz suite's corpus (``tests/test_fuzz.py``).
"""
from __future__ import annotations

import math
import signal
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

import naskit as nk

NASKIT = str(Path(nk.__file__).resolve().parent)
CLEAR = (ValueError, TypeError, IndexError, FileNotFoundError)
REJECT, ACCEPT, EITHER = "reject", "accept", "either"
HANG_SECONDS = 20


@dataclass(frozen=True)
class Case:
    entry: str                 # what is called, for the report
    arg: str                   # the argument the bad value goes to
    value: object
    expect: str                # REJECT, ACCEPT or EITHER
    call: Callable[[object], object]
    names: tuple = ()          # one of these must be in the message (default: the argument)

    @property
    def id(self) -> str:
        v = "object()" if type(self.value) is object else repr(self.value)  # stable across runs
        return f"{self.entry}-{self.arg}={v[:24] + '...' if len(v) > 27 else v}"


class _Hang(Exception):
    pass


def _alarm(signum, frame):
    raise _Hang()


def classify(case: Case) -> tuple[str, str]:
    """(outcome, detail) of one case: clear, harmless, deep or silent."""
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG_SECONDS)
    try:
        try:
            result = case.call(case.value)
        finally:
            signal.alarm(0)
    except _Hang:
        return "silent", f"no answer within {HANG_SECONDS} s"
    except CLEAR as e:
        raised_in = traceback.extract_tb(e.__traceback__)[-1].filename
        names = case.names or (case.arg,)
        if case.expect == ACCEPT:
            return "deep", f"a valid value refused: {type(e).__name__}: {e}"
        if not str(raised_in).startswith(NASKIT):
            return "deep", f"raised in {raised_in}: {type(e).__name__}: {e}"
        if not any(n in str(e) for n in names):
            return "deep", f"the message names none of {names}: {e}"
        return "clear", f"{type(e).__name__}: {e}"
    except Exception as e:  # noqa: BLE001 (classified, not hidden)
        return "deep", f"{type(e).__name__}: {e}"
    finally:
        signal.signal(signal.SIGALRM, old)
    if case.expect == REJECT:
        return "silent", f"accepted, gave {type(result).__name__}"
    return "harmless", "accepted"


# -- hostile values by kind ---------------------------------------------------------------------------
NAN, INF = math.nan, math.inf
_JUNK = [("3", REJECT), (None, REJECT), ([3], REJECT), (object(), REJECT)]


def counts(minimum: int = 1, none: str = REJECT, big: str = REJECT):
    """Values for an int argument that must be >= ``minimum``."""
    vals = [(minimum - 1, REJECT), (-1, REJECT) if minimum - 1 != -1 else (-5, REJECT),
            (True, REJECT), (1.5, REJECT), (NAN, REJECT), (INF, REJECT), ("3", REJECT),
            ([3], REJECT), (object(), REJECT), (None, none), (np.int64(max(minimum, 2)), ACCEPT)]
    if big is not None:  # None: a huge value is a (very) long request, not a wrong one; not tried
        vals.append((2 ** 70, big))
    return vals


SEEDS = [(-1, REJECT), (True, REJECT), (1.5, REJECT), (NAN, REJECT), ("3", REJECT), ([3], REJECT),
         (object(), REJECT), (2 ** 70, EITHER), (np.int64(3), ACCEPT), (None, EITHER)]


def rates(low: float = 0.0, high: float = INF, low_ok: bool = False, high_ok: bool = False,
          none: str = REJECT):
    """Values for a float argument in (low, high) (ends included when ``*_ok``)."""
    vals = [(NAN, REJECT), (-INF, REJECT), (True, REJECT), ("0.1", REJECT), ([0.1], REJECT),
            (object(), REJECT), (None, none), (np.float32(0.5 if high <= 1 else 2.0), ACCEPT),
            (low, ACCEPT if low_ok else REJECT), (low - 1.0, REJECT)]
    if math.isfinite(high):
        vals += [(high, ACCEPT if high_ok else REJECT), (high + 1.0, REJECT), (INF, REJECT)]
    else:
        vals.append((INF, REJECT))
    return vals


def choices(valid: str):
    return [("bogus", REJECT), ("", REJECT), (3, REJECT), (None, REJECT), (valid.upper(), EITHER)]


BAD_CELLS = [("", REJECT), ("garbage", REJECT), ("|none~0|", REJECT), ("|" * 1_000_000, REJECT),
             ("|nor_conv_3x3~0|+|skip_connect~0|conv_7x7~1|+|none~0|none~1|none~2|", REJECT),
             ("|none~0|+|none~0|none~1|+|none~0|none~1|none~5|", REJECT),
             ("+".join(["|none~0|"] * 100_000), REJECT), (None, REJECT), (3, REJECT),
             (b"|none~0|", REJECT)]
BAD_GENOTYPES = [("", REJECT), ("Genotype(", REJECT), ("__import__('os')", REJECT),
                 ("Genotype(normal=[], normal_concat=range(0, 10000000000), reduce=[], "
                  "reduce_concat=[])", REJECT),
                 ("Genotype(normal=[('sep_conv_3x3', 0)] * 1000000, normal_concat=[2], reduce=[], "
                  "reduce_concat=[])", REJECT),
                 ("x" * 1_000_000, REJECT), (None, REJECT), (7, REJECT)]
INDICES = [(-15626, REJECT), (15625, REJECT), (True, REJECT), (1.0, REJECT), ("3", REJECT),
           (None, REJECT), (np.int64(3), ACCEPT), (np.uint16(7), ACCEPT), (2 ** 70, REJECT)]


# -- fixtures built once ------------------------------------------------------------------------------
class _Lazy:
    """Expensive objects, made on first use so that collecting the cases stays fast."""

    def __getattr__(self, name):
        value = getattr(self, "_make_" + name)()
        setattr(self, name, value)
        return value

    def _make_bench(self):
        return nk.bench.load("mini")

    def _make_data(self):
        return nk.datasets.load().subset(n_train=256, n_val=64, seed=0)


    def _make_supernet(self):
        return nk.supernet.SuperNet(nk.NB201Space(), channels=4, cells_per_stage=1, in_channels=1,
                                    num_classes=10)


L = _Lazy()


def _net():
    """A fresh small network: a failed training call must not leave a damaged one to the next."""
    return nk.build(nk.NB201Space()[123], channels=4, cells_per_stage=1, in_channels=1)
SPACE = nk.NB201Space()
ARCH = SPACE[123]


def _with(fn, arg, **fixed):
    return lambda v: fn(**{**fixed, arg: v})


def _slots():
    """(entry, arg, values, call, names) for every argument under test."""
    from naskit import estimators as est
    from naskit import hardware, oneshot, search

    S = []

    def add(entry, arg, values, call, names=()):
        S.append((entry, arg, values, call, names))

    # parsers and indices
    add("Arch.from_string", "text", BAD_CELLS, lambda v: nk.Arch.from_string(v),
        names=("cell", "op", "node", "edge", "Arch", "str", "long", "text"))
    add("NB201Space.parse", "text", BAD_CELLS, lambda v: SPACE.parse(v),
        names=("cell", "op", "node", "edge", "Arch", "str", "long", "text"))
    add("Genotype.from_string", "text", BAD_GENOTYPES, lambda v: nk.Genotype.from_string(v),
        names=("Genotype", "genotype", "long", "text", "str", "concat"))
    add("NB201Space[]", "index", INDICES, lambda v: SPACE[v], names=("index", "15625", "int"))
    add("Benchmark.index", "arch", INDICES + [("garbage", REJECT)], lambda v: L.bench.index(v),
        names=("index", "15625", "int", "arch", "Arch", "cell", "op", "str", "node"))
    add("Benchmark.query", "epoch", counts(1, none=ACCEPT) + [(3, REJECT)],
        lambda v: L.bench.query(ARCH, epoch=v))
    # spaces
    add("CellSpace", "n_nodes", counts(2), _with(nk.CellSpace, "n_nodes"))
    add("CellSpace", "ops", [([], REJECT), (["none", "none"], REJECT), ("none", REJECT),
                             ([3], REJECT), (None, REJECT), (("none", "skip_connect"), ACCEPT)],
        _with(nk.CellSpace, "ops"))
    add("DartsSpace", "n_intermediate", counts(1), _with(nk.DartsSpace, "n_intermediate"))
    add("DartsSpace", "inputs_per_node", counts(1), _with(nk.DartsSpace, "inputs_per_node"))
    # networks
    for arg, lo in (("channels", 1), ("cells_per_stage", 0), ("num_classes", 1),
                    ("in_channels", 1)):
        add("build", arg, counts(lo), _with(nk.build, arg, arch=ARCH, channels=4,
                                            cells_per_stage=1))
    add("build", "seed", SEEDS, _with(nk.build, "seed", arch=ARCH, channels=4, cells_per_stage=1))
    add("build", "arch", BAD_CELLS[:3] + [(None, REJECT), (3.5, REJECT)],
        _with(nk.build, "arch", channels=4, cells_per_stage=1),
        names=("cell", "op", "node", "edge", "Arch", "arch", "str"))
    add("build_darts", "channels", counts(1), _with(nk.build_darts, "channels",
                                                    genotype=nk.DartsSpace().sample(0), layers=2))
    add("build_darts", "layers", counts(1), _with(nk.build_darts, "layers",
                                                  genotype=nk.DartsSpace().sample(0), channels=4))
    add("build_darts", "drop_path", rates(0.0, 1.0, low_ok=True),
        _with(nk.build_darts, "drop_path", genotype=nk.DartsSpace().sample(0), channels=4, layers=2))
    # training
    for arg, values in (("epochs", counts(1, big=None)), ("batch_size", counts(1, big=EITHER)),
                        ("seed", SEEDS),
                        ("lr", rates(0.0)), ("momentum", rates(0.0, 1.0)),
                        ("weight_decay", rates(0.0, low_ok=True)), ("device", choices("cpu"))):
        add("train", arg, values, lambda v, arg=arg: nk.train(
            _net(), L.data, **{"epochs": 1, "batch_size": 64, **{arg: v}}),
            names=(arg, "CUDA", "device") if arg == "device" else ())
    add("Dataset.subset", "n_train", counts(1, none=ACCEPT),
        lambda v: L.data.subset(n_train=v, n_val=8))
    add("Dataset.subset", "seed", SEEDS, lambda v: L.data.subset(n_train=8, n_val=8, seed=v))
    add("datasets.load", "name", choices("cluttered-mnist"), lambda v: nk.datasets.load(v),
        names=("name", "data set", "dataset", "cluttered-mnist"))
    add("bench.load", "name", choices("mini"), lambda v: nk.bench.load(v),
        names=("name", "benchmark", "mini"))
    # search strategies
    add("RandomSearch", "seed", SEEDS, _with(search.RandomSearch, "seed", space=SPACE))
    add("LocalSearch", "seed", SEEDS, _with(search.LocalSearch, "seed", space=SPACE))
    rea = dict(space=SPACE, population_size=10, sample_size=3)
    add("RegularizedEvolution", "population_size", counts(1, big=EITHER),
        _with(search.RegularizedEvolution, "population_size", space=SPACE, sample_size=2))
    add("RegularizedEvolution", "sample_size", counts(1),
        _with(search.RegularizedEvolution, "sample_size", space=SPACE, population_size=10))
    add("RegularizedEvolution", "removal", choices("oldest"),
        _with(search.RegularizedEvolution, "removal", **rea))
    add("RegularizedEvolution", "seed", SEEDS, _with(search.RegularizedEvolution, "seed", **rea))
    for arg, values in (("population_size", counts(2, big=EITHER)), ("parent_ratio", rates(0.0, 1.0, high_ok=True)),
                        ("mutation_ratio", rates(0.0, 1.0, low_ok=True, high_ok=True)),
                        ("mutation_prob", rates(0.0, 1.0, high_ok=True)),
                        ("seed", SEEDS)):
        add("GeneticEvolution", arg, values, _with(search.GeneticEvolution, arg, space=SPACE))
    for arg, values in (("lr", rates(0.0)), ("baseline_decay", rates(0.0, 1.0, low_ok=True)),
                        ("entropy_weight", rates(0.0, low_ok=True)), ("optimizer", choices("adam")),
                        ("seed", SEEDS)):
        add("Reinforce", arg, values, _with(search.Reinforce, arg, space=SPACE))
    for arg, values in (("min_epoch", counts(1)), ("eta", counts(2, big=EITHER)),
                        ("n_samples", counts(1)),
                        ("random_fraction", rates(0.0, 1.0, low_ok=True, high_ok=True)),
                        ("seed", SEEDS)):
        kw = dict(space=SPACE, min_epoch=1, max_epoch=2, fidelities=L.bench.fidelities)
        kw.pop(arg, None)
        add("BOHB", arg, values, lambda v, arg=arg, kw=kw: search.BOHB(**{**kw, arg: v}))
    run_kw = dict(max_trials=3)
    add("run", "budget", rates(0.0, none=ACCEPT), lambda v: search.run(
        search.RandomSearch(SPACE), L.bench, budget=v, max_trials=3))
    add("run", "max_trials", counts(1, big=None), lambda v: search.run(
        search.RandomSearch(SPACE), L.bench, max_trials=v))
    add("run", "epoch", counts(1, none=ACCEPT) + [(3, REJECT)], lambda v: search.run(
        search.RandomSearch(SPACE), L.bench, epoch=v, **run_kw))
    add("run", "report", choices("valid"), lambda v: search.run(
        search.RandomSearch(SPACE), L.bench, report=v, **run_kw))
    add("race", "runs", counts(1, big=None), lambda v: search.race(
        {"random": lambda s: search.RandomSearch(SPACE, seed=s)}, L.bench, runs=v, max_trials=2,
        progress=False))
    # estimators
    add("TSE", "epochs", counts(1) + [(3, REJECT)], lambda v: est.TSE(L.bench, epochs=v)(ARCH),
        names=("epochs", "epoch"))
    add("TSEEMA", "gamma", rates(0.0, 1.0, high_ok=True), lambda v: est.TSEEMA(L.bench, gamma=v))
    add("NASWOT", "batch_size", counts(1), lambda v: est.NASWOT(L.data, batch_size=v))
    add("NASWOT", "channels", counts(1), lambda v: est.NASWOT(L.data, channels=v))
    add("NASWOT", "seed", SEEDS, lambda v: est.NASWOT(L.data, seed=v))
    add("SubsetTraining", "fraction", rates(0.0, 1.0, high_ok=True),
        lambda v: est.SubsetTraining(L.data, fraction=v))
    add("compare", "n_boot", counts(1), lambda v: est.compare(
        {"params": est.Params(L.data)}, L.bench, [SPACE[i] for i in range(0, 8000, 1000)],
        n_boot=v))
    add("kendall_tau", "b", [([1, 2], REJECT), ([NAN, 1, 2], EITHER), ("abc", REJECT)],
        lambda v: est.kendall_tau([1, 2, 3], v), names=("score", "finite", "number", "NaN"))
    # hardware
    add("measure_latency", "min_run_time", rates(0.0), lambda v: hardware.measure_latency(
        _net(), (1, 1, 16, 16), min_run_time=v, max_run_time=0.05, min_blocks=3))
    add("measure_latency", "threads", counts(1, none=ACCEPT), lambda v: hardware.measure_latency(
        _net(), (1, 1, 16, 16), threads=v, min_run_time=0.01, max_run_time=0.05, min_blocks=3))
    add("measure_latency", "device", choices("cpu"), lambda v: hardware.measure_latency(
        _net(), (1, 1, 16, 16), device=v, min_run_time=0.01, max_run_time=0.05, min_blocks=3),
        names=("device", "CUDA"))
    add("measure_latency", "input_shape", [((1, 1, 0, 16), REJECT), ((1, 3, 16, 16), REJECT),
                                           ("1x1x16x16", REJECT), ((1, 1, 16.5, 16), REJECT),
                                           ((1, 1, -16, 16), REJECT)],
        lambda v: hardware.measure_latency(_net(), v, min_run_time=0.01, max_run_time=0.05,
                                           min_blocks=3), names=("input_shape", "channel", "shape"))
    add("count_flops", "input_shape", [((1, 1, 0, 16), REJECT), ((1, 3, 16, 16), REJECT),
                                       ("1x1x16x16", REJECT)],
        lambda v: hardware.count_flops(_net(), v), names=("input_shape", "channel", "shape"))
    # one-shot
    for arg, lo in (("channels", 1), ("cells_per_stage", 0)):
        add("SuperNet", arg, counts(lo), lambda v, arg=arg: nk.supernet.SuperNet(
            SPACE, **{"channels": 4, "cells_per_stage": 1, "in_channels": 1, arg: v}))
    add("SuperNet", "seed", SEEDS, lambda v: nk.supernet.SuperNet(
        SPACE, channels=4, cells_per_stage=1, in_channels=1, seed=v))
    for arg, values in (("order", [(0, REJECT), (3, REJECT), (True, REJECT), (1.0, REJECT),
                                   ("1", REJECT), (None, REJECT), (np.int64(2), ACCEPT)]),
                        ("epochs", rates(0.0)), ("arch_lr", rates(0.0)), ("batch_size", counts(1, big=EITHER)),
                        ("lr", rates(0.0)), ("seed", SEEDS)):
        add("DARTS", arg, values, lambda v, arg=arg: oneshot.DARTS(L.supernet, L.data, **{arg: v}))
    add("RSPS", "n_candidates", counts(1), lambda v: oneshot.RSPS(L.supernet, L.data, n_candidates=v))
    add("GDAS", "tau_min", rates(0.0), lambda v: oneshot.GDAS(L.supernet, L.data, tau_min=v))
    # once-for-all
    add("OFASpace", "n_stages", counts(1), lambda v: nk.ofa.OFASpace(n_stages=v))
    add("OFASpace", "kernels", [((), REJECT), ((4,), REJECT), ((3, 3), REJECT), ("357", REJECT),
                                ((3.0, 5), REJECT), ((-3,), REJECT)],
        lambda v: nk.ofa.OFASpace(kernels=v), names=("kernels", "kernel"))
    return S


def cases() -> list[Case]:
    out = []
    for entry, arg, values, call, names in _slots():
        for value, expect in values:
            out.append(Case(entry, arg, value, expect, call, tuple(names)))
    return out


CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case):
    outcome, detail = classify(case)
    assert outcome in ("clear", "harmless"), f"{outcome}: {detail}"


def tally(selected=None) -> dict:
    """{outcome: [(case id, detail), ...]} over all cases (or ``selected``)."""
    out = {"clear": [], "harmless": [], "deep": [], "silent": []}
    for case in selected or CASES:
        outcome, detail = classify(case)
        out[outcome].append((case.id, detail))
    return out
