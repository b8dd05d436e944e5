"""A replayed run shows exactly what its trace recorded, and derives what ``derive`` would."""
import numpy as np
import pytest
import torch

import naskit as nk
from naskit.oneshot import (AlphaReplay, Protocol, parameter_free_share, random_share, read_trace,
                            run_checkpointed, trace_file)
from naskit.supernet import derive

from _traces import PER_EPOCH, STEPS, write_synthetic_trace


@pytest.fixture(scope="module")
def bench():
    return nk.bench.load("mini")


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory, bench):
    path = tmp_path_factory.mktemp("traces") / "DARTS-V1-seed0-nb201.npz"
    weights = write_synthetic_trace(path)
    return path, weights


@pytest.fixture(scope="module")
def real(tmp_path_factory, bench):
    """A real DARTS-V1 run under NB201's protocol, 2 epochs of 2 steps, through the runner."""
    where = tmp_path_factory.mktemp("run")
    data = nk.datasets.load().subset(n_train=128, n_val=64, seed=0)
    protocol = Protocol("nb201", "DARTS-V1", 2.0, augment_pad=2, val_replacement=True,
                        nesterov=True, weights_first=True)
    run_checkpointed("DARTS-V1", 0, protocol, data, bench, where / "ckpt", where / "traces",
                     channels=2)
    return where / "traces" / "DARTS-V1-seed0-nb201.npz"


def test_random_share_is_the_mean_over_the_space(bench):
    space = bench.space
    assert random_share(space) == pytest.approx(0.6)
    assert np.mean([parameter_free_share(space[i]) for i in range(len(space))]) == \
        pytest.approx(random_share(space))
    assert random_share(nk.DartsSpace()) == pytest.approx(3 / 7)  # 'none' is never kept


def test_every_frame_is_the_trace_at_that_step(synthetic, bench):
    path, _ = synthetic
    r = AlphaReplay.read(path, bench=bench)
    raw = read_trace(path)
    space = nk.NB201Space()
    assert r.n_steps == STEPS and r.method == "DARTS-V1" and r.arch_lr == 3e-4
    for k in range(STEPS):
        f = r.frame(k)
        assert f.step == k and np.array_equal(f.weights, raw["step_weights"][k].astype(np.float32))
        assert f.arch == derive(torch.as_tensor(f.weights), space) == r.arch(k)
        assert f.share == parameter_free_share(f.arch) and f.baseline == pytest.approx(0.6)
        assert f.truth == bench.query(f.arch) and f.accuracy == f.truth.test_acc
        assert f.epoch == k // PER_EPOCH + 1
        assert f.train_loss == pytest.approx(raw["step_train_loss"][k])
        assert f.val_loss == pytest.approx(raw["step_val_loss"][k])
        done = (k + 1) // PER_EPOCH
        assert (f.record is None) if done == 0 else (f.record.epoch == done and
                                                     f.record.step == done * PER_EPOCH - 1)
    assert r.frame(0).ties == tuple(range(6)) and r.frame(0).share == 1.0  # uniform: 'none' wins
    assert all(r.frame(k).ties == () for k in range(1, STEPS))
    # the epoch records hold the cell derived at the epoch's last step
    for rec in r.epochs_:
        assert rec.arch == r.arch(rec.step)


def test_crossing_equals_a_brute_force_scan(synthetic):
    r = AlphaReplay.read(synthetic[0])
    shares = [parameter_free_share(derive(torch.as_tensor(r.frame(k).weights), r.space))
              for k in range(STEPS)]
    above = [s > 0.6 for s in shares]
    assert r.first_above == above.index(True) == 0
    assert r.crossing == next(k for k in range(STEPS) if all(above[k:])) == 30
    assert np.array_equal(r.shares, shares)


def test_a_real_run_replays(real, bench):
    r = AlphaReplay.read(real, bench=bench)
    raw = read_trace(real)
    assert r.n_steps == len(raw["step_weights"]) == 4 and len(r.epochs_) == 2
    for k in range(r.n_steps):
        f = r.frame(k)
        assert np.array_equal(f.weights, raw["step_weights"][k].astype(np.float32))
        assert f.arch == derive(torch.as_tensor(f.weights), r.space)
    for rec, arch in zip(r.epochs_, raw["epoch_arch"]):
        assert str(rec.arch) == str(arch)
        if not r.frame(rec.step).ties:  # float16 keeps the winner unless two ops tie
            assert rec.arch == r.arch(rec.step)
    assert "DARTS-V1, seed 0, 4 steps" in repr(r)


@pytest.mark.parametrize("step", [-1, STEPS, True, 1.0, "3", None])
def test_frame_refuses_steps_outside_the_trace(synthetic, step):
    r = AlphaReplay.read(synthetic[0])
    with pytest.raises(ValueError, match=f"step must be an int in 0..{STEPS - 1}"):
        r.frame(step)


def test_refuses_what_it_cannot_replay(synthetic, tmp_path):
    raw = read_trace(synthetic[0])
    with pytest.raises(TypeError, match="read_trace"):
        AlphaReplay(str(synthetic[0]))
    per_epoch = {k: v for k, v in raw.items() if k != "step_weights"}
    per_epoch["settings"] = dict(raw["settings"], method="RSPS")
    with pytest.raises(ValueError, match="per epoch only.*RSPS"):
        AlphaReplay(per_epoch)
    with pytest.raises(ValueError, match="step_weights must be steps x 6 edges x 5 ops"):
        AlphaReplay(dict(raw, step_weights=raw["step_weights"][:, :, :4]))
    with pytest.raises(ValueError, match="epoch_step must rise"):
        AlphaReplay(dict(raw, epoch_step=raw["epoch_step"][::-1]))
    with pytest.raises(FileNotFoundError, match="precompute_oneshot"):
        AlphaReplay.read(tmp_path / "nothing.npz")
    with pytest.raises(FileNotFoundError, match="--methods GDAS --seeds 987"):
        AlphaReplay.shipped("GDAS", seed=987)
    with pytest.raises(ValueError, match="method must be one of"):
        trace_file("RSPS")
