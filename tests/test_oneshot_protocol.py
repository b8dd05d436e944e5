"""NB201's protocol against NB201's own config files, the fixes of item 7, and resumable long runs."""
import json
import math

import numpy as np
import pytest
import torch

import naskit as nk
from naskit.oneshot import DARTS, GDAS, Protocol, Step, early_stop, parameter_free_share
from naskit.oneshot.base import shift_crop
from naskit.oneshot.runner import FlopModel, read_trace, run_checkpointed
from naskit.oneshot.table import SEARCHES, make_search
from naskit.space import Arch
from naskit.supernet import SuperNet

torch.set_num_threads(1)

# The values as written in D-X-Y/AutoDL-Projects (commit f46486e), independent of NB201_CONFIGS:
# configs/nas-benchmark/algos/{DARTS,GDAS,SETN,RANDOM,ENAS}.config give epochs, batch_size, LR,
# eta_min, T_max, decay, momentum, nesterov; exps/NAS-Bench-201-algos/*.py the clipping and the
# order of updates; scripts-search/NAS-Bench-201-algos/*.sh the arch lr, tau and select_num.
NB201_FILES = {
    #            epochs batch  LR     eta_min  T_max  decay    clip  weights first
    "DARTS-V1": (50, 64, 0.025, 0.001, None, 0.0005, 5.0, True),     # DARTS.config, DARTS-V1.py
    "DARTS-V2": (50, 64, 0.025, 0.001, None, 0.0005, 5.0, False),    # DARTS.config, DARTS-V2.py
    "GDAS": (250, 64, 0.025, 0.001, None, 0.0005, 5.0, None),        # GDAS.config
    "SETN": (250, 64, 0.025, 0.001, None, 0.0005, None, None),       # SETN.config (no clip)
    "RSPS": (250, 64, 0.025, 0.001, None, 0.0005, 5.0, None),        # RANDOM.config
    "ENAS": (250, 128, 0.05, 0.0005, 10, 0.00025, 5.0, None),        # ENAS.config
}


@pytest.fixture(scope="module")
def data():
    return nk.datasets.load().subset(n_train=256, n_val=128, seed=0)


def tiny_net(seed=0):
    return SuperNet(nk.NB201Space(), channels=2, cells_per_stage=1, num_classes=10, in_channels=1,
                    seed=seed)


@pytest.mark.parametrize("method", SEARCHES)
def test_nb201_protocol_has_the_values_of_nb201_s_files(method):
    p = Protocol.nb201(method)
    epochs, batch, lr, eta_min, t_max, decay, clip, first = NB201_FILES[method]
    assert (p.epochs, p.batch_size, p.lr, p.lr_min, p.lr_period, p.weight_decay, p.grad_clip) == \
        (epochs, batch, lr, eta_min, t_max, decay, clip)
    assert p.momentum == 0.9 and p.nesterov is True
    if method.startswith("DARTS"):
        assert p.weights_first is first
    # search and architecture batches of the search loader are augmented and drawn with
    # replacement; ENAS' controller reads the plain validation loader
    assert p.augment_pad == 2 and p.val_replacement is (method != "ENAS")
    kw = p.search_kwargs()
    if method in ("DARTS-V1", "DARTS-V2", "GDAS", "SETN"):
        assert (kw["arch_lr"], kw["arch_weight_decay"]) == (3e-4, 1e-3)
    if method in ("RSPS", "SETN", "ENAS"):
        assert kw["n_candidates"] == 100
    assert Protocol.darts(method).search_kwargs()["weight_decay"] == 3e-4  # the default stays DARTS'


def test_protocol_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown method 'DARTS'"):
        Protocol.nb201("DARTS")
    with pytest.raises(ValueError, match="unknown protocol"):
        make_search("GDAS", nk.datasets.load().subset(n_train=64, n_val=64, seed=0), protocol="enas")


@pytest.mark.parametrize("method", SEARCHES)
def test_a_short_run_under_nb201_s_protocol_works_and_is_seeded(method, data):
    def run():
        s = make_search(method, data, seed=3, channels=2, protocol="nb201")
        if hasattr(s, "n_candidates"):
            s.n_candidates, s.eval_batches = 3, 1
        s.run(3)
        return s
    a, b = run(), run()
    assert a.step_ == 3 and a.nesterov and a.augment_pad == 2
    assert [s.train_loss for s in a.trace_] == [s.train_loss for s in b.trace_]
    assert a.derive() == b.derive()


def test_enas_learning_rate_follows_a_cosine_of_period_ten_epochs(data):
    s = make_search("ENAS", data, channels=2, protocol="nb201")
    s.reset()
    per = s.steps_per_epoch
    lrs = []
    for _ in range(20 * per):
        lrs.append(s.w_optimizer_.param_groups[0]["lr"])
        s.w_optimizer_.step()
        s.w_scheduler_.step()
    t = np.arange(20 * per) / (10 * per)
    expect = 0.0005 + (0.05 - 0.0005) * (1 + np.cos(np.pi * t)) / 2
    assert np.allclose(lrs, expect, rtol=1e-6)   # down over 10 epochs, back up over the next 10


def test_shift_crop_moves_each_image_within_the_pad():
    x = torch.arange(2 * 16 * 16, dtype=torch.float32).reshape(2, 1, 16, 16)
    out = shift_crop(x, 2, torch.Generator().manual_seed(0), fill=-1.0)
    for img, src in zip(out, x):
        found = [(a, b) for a in range(-2, 3) for b in range(-2, 3)
                 if torch.equal(torch.nn.functional.pad(src, (2, 2, 2, 2), value=-1.0)
                                [:, 2 + a:18 + a, 2 + b:18 + b], img)]
        assert len(found) == 1


def test_architecture_batches_with_replacement_repeat_images(data):
    s = DARTS(tiny_net(), data, batch_size=64, val_replacement=True)
    s.reset()
    seen = torch.cat([s.batch("val")[1] for _ in range(2)])
    # 128 draws from 128 images with replacement: a repeat is all but sure (1 - 128!/128^128)
    xs = torch.cat([s.batch("val")[0] for _ in range(2)]).flatten(1)
    assert len(torch.unique(xs, dim=0)) < len(xs) and len(seen) == 128


def test_weights_first_is_nb201_s_darts_v1_order(data):
    fresh = DARTS(tiny_net(), data, seed=1)
    fresh.reset()
    (xt, yt), (xv, yv) = fresh.batch("train"), fresh.batch("val")
    with torch.no_grad():
        lt, lv = (torch.nn.functional.cross_entropy(fresh.supernet(x), y).item()
                  for x, y in ((xt, yt), (xv, yv)))
    a = DARTS(tiny_net(), data, weights_first=True, seed=1).run(1).trace_[0]
    b = DARTS(tiny_net(), data, weights_first=False, seed=1).run(1).trace_[0]
    # weights first: the training loss at the initial net, alpha's loss after the weight step
    assert a.train_loss == pytest.approx(lt, abs=1e-6) and a.val_loss != pytest.approx(lv, abs=1e-6)
    # alpha first (DARTS' Alg. 1): the other way round
    assert b.val_loss == pytest.approx(lv, abs=1e-6) and b.train_loss != pytest.approx(lt, abs=1e-6)


# -- item 7: early stopping's warm-up and the virtual step's BatchNorm ---------------------------------
def _trace(shares):
    cells = {0.33: Arch.from_ops(["nor_conv_3x3"] * 4 + ["skip_connect"] * 2, 4),
             0.67: Arch.from_ops(["nor_conv_3x3"] * 2 + ["skip_connect"] * 4, 4)}
    assert all(parameter_free_share(cells[k]) == pytest.approx(k, abs=0.01) for k in cells)
    return [Step(i, 1.0, 0.0, arch=cells[s]) for i, s in enumerate(shares)]


def test_early_stop_ignores_noise_at_the_start():
    # a random cell at step 0 (share 0.67), convolutions for a long while, collapse at the end
    trace = _trace([0.67] + [0.33] * 300 + [0.67] * 100)
    arch, step = early_stop(trace)
    assert step == 300 and parameter_free_share(arch) < 0.5   # the old rule stopped at step 0
    # a short spike after the warm-up does not fire either
    arch, step = early_stop(_trace([0.33] * 200 + [0.67] * 5 + [0.33] * 200 + [0.67] * 50))
    assert step == 404
    arch, step = early_stop(_trace([0.33] * 50))
    assert step == 49
    with pytest.raises(ValueError, match="warmup"):
        early_stop(trace, warmup=1.0)
    with pytest.raises(ValueError, match="patience"):
        early_stop(trace, patience=0)


def test_second_order_virtual_step_leaves_batchnorm_statistics_alone(data):
    search = DARTS(tiny_net(), data, order=2, seed=0)
    search.reset()
    xt, yt = search.batch("train")
    xv, yv = search.batch("val")
    before = {k: b.clone() for k, b in search.supernet.named_buffers()}
    search.second_order_grad(xt, yt, xv, yv, 0.025)
    after = dict(search.supernet.named_buffers())
    assert before and all(torch.equal(before[k], after[k]) for k in before)


# -- checkpoint and resume ------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", [DARTS, GDAS])
def test_state_dict_resumes_bit_for_bit(cls, data):
    kw = dict(seed=2, augment_pad=2, val_replacement=True, nesterov=True)
    whole = cls(tiny_net(), data, **kw).run(6)
    half = cls(tiny_net(), data, **kw).run(3)
    state = half.state_dict()
    resumed = cls(tiny_net(seed=9), data, **kw)
    resumed.load_state_dict(state)
    resumed.run(3)
    assert [s.train_loss for s in resumed.trace_] == [s.train_loss for s in whole.trace_]
    assert torch.equal(resumed.supernet.alpha, whole.supernet.alpha)
    other = cls(tiny_net(), data, seed=3)
    with pytest.raises(ValueError, match="other settings"):
        other.load_state_dict(state)


@pytest.fixture(scope="module")
def bench():
    return nk.bench.load("mini")


def test_flop_model_charges_paths_and_the_mixture(bench):
    m = FlopModel.from_bench(bench)
    space = bench.space
    for i in (0, 1, 77):
        assert m.path(space[i]) == pytest.approx(bench.column("flops")[i], rel=1e-6)
    assert m.mixture() > max(bench.column("flops")) and m.seconds_per_flop > 0
    # one epoch of the average cell costs the bench's average seconds per epoch
    per_epoch = 3 * bench.meta["n_train"] * np.mean(bench.column("flops")) * m.seconds_per_flop
    assert per_epoch == pytest.approx(np.nanmean(bench.seconds_per_epoch), rel=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("method", ["DARTS-V1", "RSPS"])
def test_killed_run_resumes_to_the_same_result(method, tmp_path, bench):
    data = nk.datasets.load().subset(n_train=128, n_val=64, seed=0)
    protocol = Protocol("nb201", method, 2.0, augment_pad=2, val_replacement=True, nesterov=True,
                        weights_first=True if method == "DARTS-V1" else None,
                        method_kwargs=(("eval_batches", 1), ("n_candidates", 3))
                        if method == "RSPS" else ())
    run = lambda where, **kw: run_checkpointed(method, 0, protocol, data, bench, where / "ckpt",
                                               where / "traces", channels=2, **kw)
    whole = run(tmp_path / "a")
    assert run(tmp_path / "b", stop_after=3) is None       # interrupted after 3 of 4 steps
    resumed = run(tmp_path / "b")
    strip = lambda rows: [{**r, "settings": {k: v for k, v in r["settings"].items()
                                             if k != "cpu_seconds"}} for r in rows]
    assert strip(resumed) == strip(whole)
    a, b = read_trace(tmp_path / "a/traces" / f"{method}-seed0-nb201.npz"), \
        read_trace(tmp_path / "b/traces" / f"{method}-seed0-nb201.npz")
    assert np.array_equal(a["step_train_loss"], b["step_train_loss"])
    # every epoch for DARTS; every 5th and the last for the single-path rankers
    assert len(a["epoch_arch"]) == (2 if method == "DARTS-V1" else 1)
    assert a["settings"]["method"] == method
    if method == "DARTS-V1":
        assert a["step_weights"].dtype == np.float16 and a["step_weights"].shape == (4, 6, 5)
    # a checkpoint of other settings is refused
    other = Protocol("nb201", method, 3.0)
    with pytest.raises(ValueError, match="other settings"):
        run_checkpointed(method, 0, other, data, bench, tmp_path / "b/ckpt", tmp_path / "b/traces",
                         channels=2)
    assert math.isfinite(whole[0]["seconds"]) and json.dumps(whole[0]["settings"])
