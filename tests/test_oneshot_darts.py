"""DARTS against exact autograd: the finite-difference Hessian-vector product and the second-order step."""
import pytest
import torch
from torch import nn
from torch.func import functional_call

import naskit as nk
from naskit.oneshot import DARTS, hessian_vector_product, parameter_free_share
from naskit.supernet import SuperNet


@pytest.fixture(scope="module")
def data():
    return nk.datasets.load().subset(n_train=256, n_val=128, seed=0)


def tiny_net(seed=0, dtype=torch.float32):
    net = SuperNet(nk.NB201Space(), channels=2, cells_per_stage=1, num_classes=10, in_channels=1,
                   seed=seed)
    return net.to(dtype)


def batch(n=16, dtype=torch.float64, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 1, 16, 16, generator=g, dtype=dtype), torch.randint(0, 10, (n,), generator=g)


def exact_hvp(net, x, y, vector):
    """d/d alpha (grad_w L . v) by double backward."""
    loss = nn.functional.cross_entropy(net(x), y)
    gw = torch.autograd.grad(loss, net.weight_parameters(), create_graph=True)
    dot = sum((g * v).sum() for g, v in zip(gw, vector))
    return torch.autograd.grad(dot, net.arch_parameters())


@pytest.mark.slow
def test_finite_difference_hvp_equals_double_backward_in_float64():
    torch.manual_seed(0)
    net = tiny_net(dtype=torch.float64).train()
    with torch.no_grad():
        net.alpha.normal_(0, 0.5)
    x, y = batch()
    vector = [torch.randn_like(p) for p in net.weight_parameters()]
    exact = exact_hvp(net, x, y, vector)
    assert exact[0].abs().max() > 1e-2   # a non-trivial product
    # ReLU kinks make the loss piecewise smooth: central differences agree once the step is small
    # enough not to cross kinks; DARTS' 0.01 / ||v|| is a float32 compromise, shown in lesson 6
    fd = hessian_vector_product(net, x, y, vector, eps=1e-6)
    torch.testing.assert_close(fd[0], exact[0], rtol=1e-6, atol=1e-7)


def test_hvp_leaves_weights_and_statistics_untouched():
    net = SuperNet(nk.NB201Space(), channels=2, cells_per_stage=1, in_channels=1,
                   track_running_stats=True).double().train()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    x, y = batch()
    hessian_vector_product(net, x, y, [torch.randn_like(p) for p in net.weight_parameters()])
    for k, v in net.state_dict().items():
        assert torch.equal(v, before[k]), k


def test_second_order_gradient_equals_autograd_through_the_unrolled_step(data):
    net = tiny_net(seed=1, dtype=torch.float64)
    search = DARTS(net, data, order=2, momentum=0.0, weight_decay=0.0, eps_scale=1e-7)
    search.reset()
    net.double()
    xt, yt = batch(seed=1)
    xv, yv = batch(seed=2)
    xi = 0.05
    _, fd = search.second_order_grad(xt, yt, xv, yv, xi)
    # exact: L_val(w - xi grad_w L_train(w, alpha), alpha), differentiated in alpha through w'
    names = {id(p): n for n, p in net.named_parameters()}
    weights = net.weight_parameters()
    gw = torch.autograd.grad(nn.functional.cross_entropy(net(xt), yt), weights, create_graph=True)
    params = {names[id(w)]: w - xi * g for w, g in zip(weights, gw)}
    params[names[id(net.alpha)]] = net.alpha
    buffers = {n: b.clone() for n, b in net.named_buffers()}
    loss = nn.functional.cross_entropy(functional_call(net, {**params, **buffers}, (xv,)), yv)
    exact = torch.autograd.grad(loss, net.alpha)[0]
    torch.testing.assert_close(fd[0], exact, rtol=1e-4, atol=1e-7)


def test_order_two_with_xi_zero_equals_order_one(data):
    a = DARTS(tiny_net(seed=2), data, order=1, seed=3).run(4)
    b = DARTS(tiny_net(seed=2), data, order=2, xi=0.0, seed=3).run(4)
    for s, t in zip(a.trace_, b.trace_):
        assert s.train_loss == t.train_loss and s.val_loss == t.val_loss
    torch.testing.assert_close(a.alphas_["cell"], b.alphas_["cell"], rtol=0, atol=0)


def test_second_order_differs_from_first_order(data):
    a = DARTS(tiny_net(seed=2), data, order=1, seed=3).run(3)
    b = DARTS(tiny_net(seed=2), data, order=2, seed=3).run(3)
    assert not torch.equal(a.alphas_["cell"], b.alphas_["cell"])


def test_same_seed_same_trace_and_reset_starts_over(data):
    a = DARTS(tiny_net(), data, seed=5).run(3)
    b = DARTS(tiny_net(), data, seed=5).run(3)
    assert [s.train_loss for s in a.trace_] == [s.train_loss for s in b.trace_]
    first = [s.train_loss for s in a.trace_]
    a.reset()
    a.run(3)
    assert [s.train_loss for s in a.trace_] == first
    c = DARTS(tiny_net(), data, seed=6).run(3)
    assert [s.train_loss for s in c.trace_] != first


def test_trace_records_softmax_alpha_and_the_derived_cell(data):
    search = DARTS(tiny_net(), data, epochs=1, batch_size=64).run(2)
    assert search.total_steps == 4 and search.step_ == 2 and not search.done_
    step = search.trace_[-1]
    assert step.weights["cell"].shape == (6, 5)
    torch.testing.assert_close(torch.as_tensor(step.weights["cell"]).sum(1),
                               torch.ones(6), rtol=0, atol=1e-6)
    assert step.arch == search.derive() and step.val_loss is not None
    search.run()
    assert search.done_
    with pytest.raises(RuntimeError, match="all its 4 steps"):
        search.step()
    # the alpha step moved alpha with Adam's first step: every entry by about arch_lr
    assert search.alphas_["cell"].shape == (6, 5)


def test_alpha_moves_by_the_learning_rate_on_the_first_step(data):
    net = tiny_net()
    before = net.alpha.detach().clone()
    DARTS(net, data, arch_lr=1e-2, arch_weight_decay=0.0).run(1)
    # Adam's first step has size lr in every coordinate whose gradient is not zero
    moved = (net.alpha.detach() - before).abs()
    assert torch.allclose(moved[moved > 0], torch.full_like(moved[moved > 0], 1e-2), rtol=1e-3)


def test_parameter_free_share():
    assert parameter_free_share(nk.Arch.from_ops(["skip_connect"] * 6)) == 1.0
    assert parameter_free_share(nk.Arch.from_ops(["nor_conv_3x3"] * 3 + ["none"] * 3)) == 0.5
    assert 0 < parameter_free_share(nk.DARTS_V2) < 1


@pytest.mark.parametrize("kw,match", [(dict(order=3), "order"), (dict(arch_lr=-1), "arch_lr"),
                                      (dict(epochs=0), "epochs"), (dict(lr=float("nan")), "lr"),
                                      (dict(batch_size=0), "batch_size"), (dict(seed=-1), "seed"),
                                      (dict(arch_betas=(0.5,)), "arch_betas")])
def test_bad_options_are_rejected(data, kw, match):
    with pytest.raises((ValueError, TypeError), match=match):
        DARTS(tiny_net(), data, **kw)


def test_data_must_match_the_supernet(data):
    net = SuperNet(nk.NB201Space(), channels=2, cells_per_stage=1, in_channels=3)
    with pytest.raises(ValueError, match="channel"):
        DARTS(net, data)


def test_unrolled_weights_are_the_optimizer_s_next_step(data):
    # DARTS' virtual step w' = w - xi (momentum buf + grad + wd w) is what SGD itself does next
    net = tiny_net(seed=4)
    search = DARTS(net, data, grad_clip=1e9, weight_decay=3e-4, momentum=0.9)
    search.run(2)               # fill the momentum buffers
    xt, yt = search.batch("train")
    lr = search.w_optimizer_.param_groups[0]["lr"]
    virtual = search.unrolled_weights(xt, yt, lr)
    search.weight_step(xt, yt)
    for v, w in zip(virtual, net.weight_parameters()):
        torch.testing.assert_close(v, w.detach(), rtol=1e-5, atol=1e-6)
