"""Parameters, FLOPs and latency, checked against hand counts, closed forms and published tables.

Latency on a shared 2-core machine is noisy: the tests compare intervals, never tight constants,
and the two that need a quiet machine skip (saying why) when the measurement says it was busy.
"""
import json
import math
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from naskit.hardware import (Environment, Latency, MachineBusyWarning, count_flops, count_params,
                             environment, measure_latency, median_ci)
from naskit.ops import ReLUConvBN, make_op
from naskit.space import Arch

torch.set_num_threads(1)


# -- parameters --------------------------------------------------------------------------------
def test_params_of_a_hand_built_net_equal_the_hand_count():
    net = nn.Sequential(nn.Conv2d(3, 4, 3, bias=True), nn.BatchNorm2d(4), nn.ReLU(),
                        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2))
    conv = 4 * 3 * 3 * 3 + 4          # weights + bias
    bn = 4 + 4                        # gamma + beta (running stats are buffers, not parameters)
    linear = 4 * 2 + 2
    assert count_params(net) == conv + bn + linear


def test_params_count_shared_and_frozen_parameters_like_named_parameters():
    shared = nn.Linear(3, 3, bias=False)
    net = nn.Sequential(shared, shared, nn.Linear(3, 1))
    net[2].weight.requires_grad_(False)
    assert count_params(net) == 9 + 3 + 1  # the shared layer once, the frozen one still counted


# -- FLOPs ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("C_in,C_out,k,stride,pad,groups,hw", [
    (3, 8, 3, 1, 1, 1, 32), (4, 6, 5, 2, 2, 2, 17), (8, 8, 3, 1, 0, 8, 10)])
def test_conv_flops_equal_the_closed_form(C_in, C_out, k, stride, pad, groups, hw):
    batch = 2
    conv = nn.Conv2d(C_in, C_out, k, stride=stride, padding=pad, groups=groups, bias=True)
    out = (hw + 2 * pad - k) // stride + 1
    macs = batch * C_out * out * out * (C_in // groups) * k * k
    assert count_flops(conv, (batch, C_in, hw, hw)) == 2 * macs


def test_linear_flops_equal_the_closed_form():
    assert count_flops(nn.Linear(7, 5), (3, 7)) == 2 * 3 * 7 * 5


def test_count_flops_restores_the_training_mode():
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4)).train()
    count_flops(net)
    assert net.training and net[1].training
    net.eval()
    count_flops(net)
    assert not net.training


def test_count_flops_rejects_a_wrong_shape():
    with pytest.raises(ValueError, match=r"input_shape \(1, 1, 32, 32\).*expects 3 input channels"):
        count_flops(nn.Conv2d(3, 4, 3), (1, 1, 32, 32))
    with pytest.raises(ValueError, match="input_shape"):
        count_flops(nn.Conv2d(3, 4, 3), "big")


# -- NAS-Bench-201 reference -----------------------------------------------------------------------
class _Cell(nn.Module):
    def __init__(self, arch, C):
        super().__init__()
        self.arch = arch
        self.edges = nn.ModuleList(make_op(op, C, C) for _, _, op in arch.edges)

    def forward(self, x):
        nodes, ops = [x], iter(self.edges)
        for node in self.arch.nodes:
            nodes.append(sum(next(ops)(nodes[src]) for _, src in node))
        return nodes[-1]


class _ResBlock(nn.Module):
    def __init__(self, C_in, C_out):
        super().__init__()
        self.conv_a = ReLUConvBN(C_in, C_out, 3, 2, 1)
        self.conv_b = ReLUConvBN(C_out, C_out, 3, 1, 1)
        self.downsample = nn.Sequential(nn.AvgPool2d(2, 2), nn.Conv2d(C_in, C_out, 1, bias=False))

    def forward(self, x):
        return self.downsample(x) + self.conv_b(self.conv_a(x))


def _nb201_net(arch, C=16, N=5, num_classes=10):
    """NAS-Bench-201's TinyNetwork, written out independently of naskit.model as a reference."""
    layers = [nn.Conv2d(3, C, 3, padding=1, bias=False), nn.BatchNorm2d(C)]
    for stage in range(3):
        width = C * 2 ** stage
        if stage:
            layers.append(_ResBlock(width // 2, width))
        layers += [_Cell(arch, width) for _ in range(N)]
    layers += [nn.BatchNorm2d(4 * C), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
               nn.Linear(4 * C, num_classes)]
    return nn.Sequential(*layers)


def _suite_zero_extra(net, shape):
    """What NAS-Bench-Suite-Zero's counter (tensorwatch/torchstat) adds to multiply-adds.

    2 per element into an affine BatchNorm, 1 per element into a ReLU, kernel area per output
    element of a pooling layer, (H+1)(W+1) per channel of a global average pool.
    """
    extra = []

    def hook(m, inputs, out):
        x = inputs[0]
        if isinstance(m, nn.BatchNorm2d):
            extra.append(x.numel() * (2 if m.affine else 1))
        elif isinstance(m, nn.ReLU):
            extra.append(x.numel())
        elif isinstance(m, (nn.AvgPool2d, nn.MaxPool2d)):
            extra.append(out.numel() * m.kernel_size ** 2)
        elif isinstance(m, nn.AdaptiveAvgPool2d):
            assert out.shape[-2:] == (1, 1)
            extra.append(x.shape[0] * x.shape[1] * (x.shape[2] + 1) * (x.shape[3] + 1))

    handles = [m.register_forward_hook(hook) for m in net.modules()]
    with torch.no_grad():
        net.eval()(torch.zeros(shape))
    for h in handles:
        h.remove()
    return sum(extra)


@pytest.fixture(scope="module")
def zero_cost_rows():
    """CIFAR rows of the shipped NAS-Bench-Suite-Zero table: cell string, data set, params and
    FLOPs (M)."""
    import naskit as nk

    rows = []
    for dataset in ("cifar10", "cifar100"):
        t = nk.bench.zero_cost_table(dataset=dataset)
        rows += [{"arch_str": str(nk.NB201Space()[int(i)]), "dataset": dataset, "params": p,
                  "flops": f} for i, p, f in zip(t["index"], t["params"], t["flops"])]
    return rows


def _pick(rows):
    """A few archs per dataset: convs only, pooling-heavy, and one with zero edges."""
    picked = []
    for dataset in ("cifar10", "cifar100"):
        mine = [r["arch_str"] for r in rows if r["dataset"] == dataset]
        kinds = [lambda a: "none" not in a and "avg_pool" not in a,
                 lambda a: a.count("avg_pool") >= 3,
                 lambda a: a.count("none") >= 2]
        picked += [next(r for r in rows if r["dataset"] == dataset and r["arch_str"] == a)
                   for a in (next(a for a in mine if kind(a)) for kind in kinds)]
    return picked


def test_nb201_params_equal_the_published_table(zero_cost_rows):
    for row in _pick(zero_cost_rows):
        net = _nb201_net(Arch.from_string(row["arch_str"]),
                         num_classes=100 if row["dataset"] == "cifar100" else 10)
        published = float(row["params"]) * 1e6
        assert count_params(net) == pytest.approx(published, abs=0.5), row["arch_str"]


def test_nb201_flops_are_twice_the_multiply_adds_of_the_published_table(zero_cost_rows):
    # The table's FLOPs (NAS-Bench-Suite-Zero) are multiply-adds of convs and linears plus
    # BatchNorm/ReLU/pooling terms; those terms are what separates count_flops / 2 from them.
    for row in _pick(zero_cost_rows):
        net = _nb201_net(Arch.from_string(row["arch_str"]),
                         num_classes=100 if row["dataset"] == "cifar100" else 10)
        shape = (1, 3, 32, 32)
        flops = count_flops(net, shape)
        assert flops % 2 == 0
        published = float(row["flops"]) * 1e6
        extra = _suite_zero_extra(net, shape)
        assert flops / 2 + extra == pytest.approx(published, abs=1), row["arch_str"]
        if "avg_pool" not in row["arch_str"]:
            # conv cells: multiply-adds dominate, the extra terms are a few percent
            assert flops / 2 == pytest.approx(published, rel=0.05)


def test_nb201_build_matches_the_reference_net(zero_cost_rows):
    from naskit.model import build
    for row in _pick(zero_cost_rows)[:2]:
        arch = Arch.from_string(row["arch_str"])
        net = build(arch, channels=16, cells_per_stage=5, num_classes=10)
        assert count_params(net) == count_params(_nb201_net(arch))
        assert count_flops(net) == count_flops(_nb201_net(arch))


# -- latency -----------------------------------------------------------------------------------
def _convnet(width):
    return nn.Sequential(nn.Conv2d(3, width, 3, padding=1), nn.ReLU(),
                         nn.Conv2d(width, width, 3, padding=1), nn.AdaptiveAvgPool2d(1),
                         nn.Flatten(), nn.Linear(width, 10))


def test_latency_fields_are_consistent():
    net = _convnet(4)
    lat = measure_latency(net, (2, 3, 16, 16), min_run_time=0.02, warmup=1)
    assert isinstance(lat, Latency)
    assert lat.median_ms > 0 and lat.mean_ms > 0 and lat.iqr_ms >= 0 and lat.n_runs > 0
    assert (lat.device, lat.batch_size, lat.threads) == ("cpu", 2, torch.get_num_threads())
    text = repr(lat)
    assert text.startswith("Latency(") and "ms median" in text and "batch 2" in text
    assert f"{lat.n_runs} runs" in text and "cpu x" in text
    with pytest.raises(AttributeError):
        lat.median_ms = 0.0


@pytest.mark.slow
def test_a_wider_net_is_slower():
    small = measure_latency(_convnet(4), (1, 3, 32, 32), threads=1, min_run_time=0.1)
    wide = measure_latency(_convnet(32), (1, 3, 32, 32), threads=1, min_run_time=0.1)
    # 8x the width is ~64x the multiply-adds of the middle conv (measured 3.5-5x slower in all);
    # 1.5x leaves room for a busy machine
    assert wide.median_ms > 1.5 * small.median_ms, (small, wide)
    assert small.threads == wide.threads == 1


def test_latency_leaves_the_callers_net_alone():
    net = _convnet(4).train()
    measure_latency(net, (1, 3, 8, 8), min_run_time=0.01, warmup=0)
    assert net.training
    assert next(net.parameters()).device.type == "cpu"


def test_latency_rejects_a_wrong_shape_and_names_the_channels():
    with pytest.raises(ValueError, match=r"input_shape \(1, 4, 32, 32\).*expects 3 input channels"):
        measure_latency(_convnet(4), (1, 4, 32, 32), min_run_time=0.01)
    with pytest.raises(ValueError, match="positive sizes"):
        measure_latency(_convnet(4), (0, 3, 32, 32))


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
@pytest.mark.parametrize("device", ["cuda", "cuda:0", torch.device("cuda")])
def test_latency_says_when_cuda_is_missing(device):
    with pytest.raises(ValueError, match="CUDA is not available"):
        measure_latency(_convnet(4), device=device)


@pytest.mark.parametrize("bad", [dict(device="tpu"), dict(device="mps"), dict(threads=0),
                                 dict(min_run_time=0), dict(warmup=-1), dict(min_blocks=1),
                                 dict(max_run_time=-1), dict(rel_ci=0), dict(confidence=1.5)])
def test_latency_rejects_bad_arguments(bad):
    with pytest.raises(ValueError):
        measure_latency(_convnet(4), (1, 3, 8, 8), **bad)


def test_latency_accepts_a_torch_device():
    lat = measure_latency(_convnet(4), (1, 3, 8, 8), device=torch.device("cpu"), min_run_time=0.01)
    assert lat.device == "cpu"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_latency_on_cuda_copies_the_net():
    net = _convnet(8)
    lat = measure_latency(net, (1, 3, 32, 32), device="cuda", min_run_time=0.05)
    assert lat.device.startswith("cuda:") and lat.median_ms > 0
    assert next(net.parameters()).device.type == "cpu"


# -- the statistics of a measurement --------------------------------------------------------------
def _coverage(n, lo, hi):
    """P(x_(lo) <= median <= x_(hi)), 0-based ranks, by counting binomial outcomes."""
    inside = sum(math.comb(n, k) for k in range(lo + 1, hi + 1))
    return inside / 2 ** n


@pytest.mark.parametrize("n", [1, 2, 5, 6, 10, 30, 31, 100, 257])
def test_median_interval_is_the_widest_pair_with_enough_coverage(n):
    lo, hi, coverage = median_ci(n, 0.95)
    assert 0 <= lo <= hi <= n - 1 and lo + hi == n - 1  # symmetric ranks
    assert coverage == pytest.approx(_coverage(n, lo, hi), abs=1e-12)
    if lo > 0 or coverage >= 0.95:
        assert coverage >= 0.95
    if lo + 1 <= hi - 1:  # one rank narrower would cover too little
        assert _coverage(n, lo + 1, hi - 1) < 0.95
    if n == 30:
        assert (lo + 1, hi + 1) == (10, 21)  # the textbook table's ranks for n = 30


def test_median_interval_rejects_bad_arguments():
    for bad in (dict(n=0), dict(n=5, confidence=1.0), dict(n=5, confidence=0)):
        with pytest.raises(ValueError):
            median_ci(**bad)


def test_latency_statistics_follow_from_its_block_times():
    lat = measure_latency(_convnet(4), (1, 3, 16, 16), min_run_time=0.02, min_blocks=12, warn=False)
    t = np.sort(lat.times_ms)
    assert len(t) >= 12 and lat.n_runs == len(t) * lat.number_per_block
    assert lat.median_ms == pytest.approx(np.median(t))
    assert lat.iqr_ms == pytest.approx(np.subtract(*np.percentile(t, [75, 25])))
    lo, hi, coverage = median_ci(len(t), 0.95)
    assert lat.ci_ms == (pytest.approx(t[lo]), pytest.approx(t[hi]))
    assert lat.ci_ms[0] <= lat.median_ms <= lat.ci_ms[1] and lat.confidence == coverage
    assert 0 < lat.cpu_share <= 1.05 and lat.clock == "wall"
    assert isinstance(lat.environment, Environment)
    assert lat.environment.torch == torch.__version__ and lat.environment.cpu
    assert "CI" in repr(lat) and "blocks" in repr(lat)


def test_the_environment_names_the_processor():
    env = environment("cpu")
    assert env.cores >= 1 and env.gpu is None and env.python.count(".") == 2
    assert env.torch in repr(env) and env.cpu in repr(env)


def test_measurement_stops_once_the_interval_is_narrow_or_time_is_up():
    # a very loose precision stops at min_blocks; an impossible one runs to max_run_time
    quick = measure_latency(_convnet(4), (1, 3, 8, 8), min_run_time=0.01, min_blocks=10,
                            rel_ci=10.0, warn=False)
    assert len(quick.times_ms) == 10
    start = time.perf_counter()
    measure_latency(_convnet(4), (1, 3, 8, 8), min_run_time=0.01, max_run_time=0.3,
                    min_blocks=10, rel_ci=1e-9, warn=False)
    assert 0.3 <= time.perf_counter() - start < 3


def test_cpu_clock_counts_only_this_threads_time():
    lat = measure_latency(_convnet(4), (1, 3, 16, 16), threads=1, min_run_time=0.02, clock="cpu",
                          warn=False)
    assert lat.clock == "cpu" and "cpu clock" in repr(lat) and lat.median_ms > 0
    for bad in (dict(clock="gpu"), dict(clock="cpu", threads=2)):
        with pytest.raises(ValueError, match="clock"):
            measure_latency(_convnet(4), (1, 3, 8, 8), **bad)


def _spinners(n):
    """n processes that each spin a core until killed."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


@pytest.mark.slow
@pytest.mark.parametrize("clock", ["wall", "cpu"])
def test_one_net_measured_twice_on_a_quiet_machine_agrees_within_its_interval(clock):
    # The wall clock needs a quiet machine. The thread's CPU clock leaves out the time other work
    # held the core, but not what it does to caches and memory bandwidth: when a measurement says
    # the machine was busy (its spread), either clock is measured again.
    net = _convnet(8)
    shape = (1, 3, 32, 32)
    for attempt in range(3):  # other work on a shared machine comes and goes
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MachineBusyWarning)
            a = measure_latency(net, shape, threads=1, min_run_time=0.3, clock=clock)
            b = measure_latency(net, shape, threads=1, min_run_time=0.3, clock=clock)
        if not (a.busy or b.busy):
            break
    else:
        pytest.skip(f"the machine was busy in all three attempts ({a!r}); this test needs a quiet one")
    # the two intervals overlap: each median is inside the other's interval widened by a tenth
    slack = 0.1 * max(a.median_ms, b.median_ms)
    assert a.ci_ms[0] - slack <= b.median_ms <= a.ci_ms[1] + slack, (a, b)
    assert b.ci_ms[0] - slack <= a.median_ms <= b.ci_ms[1] + slack, (a, b)


_MEASURE_AT_LOW_PRIORITY = """
import json, os, sys, warnings
from torch import nn
from naskit.hardware import MachineBusyWarning, measure_latency
net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, padding=1),
                    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 10))
print("ready", flush=True)
sys.stdin.readline()
os.nice(10)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", MachineBusyWarning)
    lat = measure_latency(net, (1, 3, 32, 32), threads=1, min_run_time=0.3)
print(json.dumps(dict(warned=[str(w.message) for w in caught
                              if issubclass(w.category, MachineBusyWarning)],
                      busy=lat.busy, cpu_share=lat.cpu_share, text=repr(lat))), flush=True)
"""


@pytest.mark.slow
def test_the_busy_warning_fires_when_other_processes_spin_on_every_core():
    # Two spinners per core at normal priority, and the measuring process, once torch is loaded,
    # at a low one (nice 10): the scheduler gives it about a tenth of a core whatever else runs
    # (at equal priority it may keep the thread on its core and the measurement read quiet).
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    child = subprocess.Popen([sys.executable, "-c", _MEASURE_AT_LOW_PRIORITY], env=env, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    procs = []
    try:
        assert child.stdout.readline().strip() == "ready", child.stderr.read()[-2000:]
        procs = _spinners(2 * (os.cpu_count() or 1))
        time.sleep(0.3)
        out, err = child.communicate("go\n", timeout=240)
    finally:
        child.kill()
        for p in procs:
            p.kill()
        for p in procs:
            p.wait()
    assert child.returncode == 0, err[-2000:]
    got = json.loads(out.strip().splitlines()[-1])
    # Which symptom shows depends on the scheduler (with autogroups, nice acts only inside a
    # session, and the child may keep its core while the spinners interrupt it): either the CPU
    # share is low or the spread is wide, and either must be reported as busy.
    assert got["busy"] and "BUSY" in got["text"], got
    assert got["warned"] and "busy" in got["warned"][0], got


def test_no_busy_warning_when_asked_not_to():
    with warnings.catch_warnings():
        warnings.simplefilter("error", MachineBusyWarning)
        measure_latency(_convnet(4), (1, 3, 8, 8), min_run_time=0.01, warn=False)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_latency_on_cuda_is_timed_with_events_and_records_the_gpu():
    net = _convnet(16)
    lat = measure_latency(net, (8, 3, 32, 32), device="cuda", min_run_time=0.05)
    assert lat.device.startswith("cuda:") and lat.cpu_share is None
    assert lat.environment.gpu == torch.cuda.get_device_name(torch.device(lat.device))
    assert lat.ci_ms[0] <= lat.median_ms <= lat.ci_ms[1]
    with pytest.raises(ValueError, match="clock"):
        measure_latency(net, device="cuda", clock="cpu")
