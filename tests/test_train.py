"""Training loop: determinism, learning on an easy task, the log's shape, evaluation, errors."""
import math

import pytest
import torch

import naskit as nk
from naskit.datasets import Dataset
from naskit.train import evaluate, train

ARCH = "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|skip_connect~0|none~1|nor_conv_3x3~2|"


def easy_data(n=384, seed=0):
    # the class is which quadrant holds a bright square: learnable in a few steps
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 4, (n,), generator=g)
    x = 0.3 * torch.randn(n, 1, 8, 8, generator=g)
    for i, c in enumerate(y.tolist()):
        r, col = divmod(c, 2)
        x[i, 0, 4 * r:4 * r + 4, 4 * col:4 * col + 4] += 2.0
    h = n // 3
    return Dataset("quadrants", x[:h], y[:h], x[h:2 * h], y[h:2 * h], x[2 * h:], y[2 * h:], 4)


def small_net(seed=0):
    return nk.build(ARCH, channels=4, cells_per_stage=1, num_classes=4, in_channels=1, seed=seed)


def test_same_seed_same_run_and_log_shape():
    data = easy_data()
    a, b = train(small_net(), data, epochs=2, seed=5), train(small_net(), data, epochs=2, seed=5)
    assert a.step_loss == b.step_loss and a.epoch_val_acc == b.epoch_val_acc
    c = train(small_net(), data, epochs=2, seed=6)
    assert c.step_loss != a.step_loss
    assert len(a.step_loss) == 2 * math.ceil(128 / 64) and a.epochs == 2
    assert len(a.epoch_seconds) == len(a.epoch_train_loss) == 2 and a.test_acc is not None


def test_learns_an_easy_task():
    data = easy_data()
    log = train(small_net(), data, epochs=6, seed=0, batch_size=32, lr=0.1)
    assert log.epoch_val_acc[-1] > 0.8  # chance is 0.25
    assert sum(log.step_loss[-4:]) < sum(log.step_loss[:4])


def test_epoch_train_loss_is_the_mean_of_its_steps():
    data = easy_data(n=300)  # 100 training images: steps of 64 and 36
    log = train(small_net(), data, epochs=1, seed=0)
    assert log.epoch_train_loss[0] == pytest.approx((64 * log.step_loss[0] + 36 * log.step_loss[1]) / 100)


def test_evaluate_matches_a_manual_computation():
    data, net = easy_data(), small_net().eval()
    loss, acc = evaluate(net, data.x_val, data.y_val, batch_size=7)
    with torch.no_grad():
        out = net(data.x_val)
    assert loss == pytest.approx(torch.nn.functional.cross_entropy(out, data.y_val).item(), rel=1e-5)
    assert acc == pytest.approx((out.argmax(1) == data.y_val).float().mean().item())


def test_errors():
    data = easy_data()
    with pytest.raises(ValueError, match="epochs must be an int >= 1"):
        train(small_net(), data, epochs=0)
    wrong = nk.build(ARCH, channels=4, cells_per_stage=1, num_classes=4, in_channels=3)
    with pytest.raises(ValueError, match=r"expected input of shape \(batch, 3, H, W\)"):
        train(wrong, data, epochs=1)


def test_channels_last_computes_the_same_function_up_to_rounding():
    # NHWC only changes the memory layout: the first loss (before any update amplifies rounding)
    # and the evaluation of one fixed net agree with NCHW to float precision
    data = easy_data()
    nchw = train(small_net(), data, epochs=1, seed=3, channels_last=False)
    nhwc = train(small_net(), data, epochs=1, seed=3, channels_last=True)
    assert nhwc.step_loss[0] == pytest.approx(nchw.step_loss[0], rel=1e-5)
    net = small_net()
    a = evaluate(net, data.x_val, data.y_val, channels_last=False)
    net.to(memory_format=torch.channels_last)
    b = evaluate(net, data.x_val, data.y_val, channels_last=True)
    assert b[0] == pytest.approx(a[0], rel=1e-5) and b[1] == a[1]
    again = train(small_net(), data, epochs=1, seed=3, channels_last=True)
    assert again.step_loss == nhwc.step_loss  # deterministic in either layout
