"""Network-level scores against independent computations: brute force, algebra, a second method."""
import copy
import itertools
import math
import random

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F

import naskit as nk
from naskit.estimators import (fisher, grad_norm, grasp, jacob_cov, naswot, naswot_kernel, snip,
                               synflow)

ARCH = ("|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+"
        "|avg_pool_3x3~0|nor_conv_3x3~1|skip_connect~2|")



@pytest.fixture(scope="module")
def batch():
    data = nk.datasets.load().subset(n_train=64, n_val=8, seed=0)
    return data.x_train[:12], data.y_train[:12]


def nb201_net(seed=0):
    return nk.build(ARCH, channels=4, cells_per_stage=1, num_classes=10, in_channels=1, seed=seed)


# -- NASWOT ---------------------------------------------------------------------------------
def relu_codes(net, x):
    """Binary code of every input: 1 where a ReLU unit's input is positive, per ReLU, by hooks."""
    parts = []
    hooks = [m.register_forward_hook(lambda m, inp, out: parts.append((inp[0] > 0).flatten(1)))
             for m in net.modules() if isinstance(m, nn.ReLU)]
    with torch.no_grad():
        net.train()
        net(x)
    for h in hooks:
        h.remove()
    codes = torch.cat(parts, 1).int().tolist()
    return codes


def test_naswot_kernel_is_units_minus_brute_force_hamming(batch):
    x, _ = batch
    x = x[:8]
    codes = relu_codes(nb201_net(), x)
    n_units = len(codes[0])
    expected = np.empty((len(x), len(x)))
    for i, j in itertools.product(range(len(x)), repeat=2):
        expected[i, j] = n_units - sum(a != b for a, b in zip(codes[i], codes[j]))
    K = naswot_kernel(nb201_net(), x)
    assert K.dtype == torch.float64 and K.shape == (8, 8)
    assert np.array_equal(K.numpy(), expected)
    assert (K.diagonal() == n_units).all()
    assert math.isclose(naswot(nb201_net(), x), np.linalg.slogdet(expected)[1], rel_tol=1e-12)


def test_naswot_of_identical_inputs_is_minus_infinity(batch):
    x = batch[0][:1].repeat(4, 1, 1, 1)  # equal codes: K has equal rows
    # BatchNorm on a batch of identical images normalises everything to 0: codes all equal
    assert naswot(nb201_net(), x) == -math.inf


def test_naswot_needs_relus():
    with pytest.raises(ValueError, match="no nn.ReLU"):
        naswot(nn.Sequential(nn.Flatten(), nn.Linear(4, 2)), torch.randn(3, 4))
    with pytest.raises(ValueError, match="at least 2"):
        naswot(nb201_net(), torch.randn(1, 1, 16, 16))


# -- synflow --------------------------------------------------------------------------------
def test_synflow_of_a_linear_chain_equals_the_hand_derived_value():
    # With abs weights, no bias and an all-ones input, R = 1^T |W2| |W1| 1 is homogeneous of
    # degree 1 in each layer's weights, so sum |w * dR/dw| over one layer is R (Euler's
    # theorem): two layers give 2R. BatchNorm is switched off, so adding it changes nothing.
    g = torch.Generator().manual_seed(0)
    w1, w2 = torch.randn(4, 3, generator=g), torch.randn(2, 4, generator=g)
    net = nn.Sequential(nn.Linear(3, 4, bias=False), nn.BatchNorm1d(4), nn.ReLU(),
                        nn.Linear(4, 2, bias=False))
    with torch.no_grad():
        net[0].weight.copy_(w1)
        net[3].weight.copy_(w2)
    w1d, w2d = w1.abs().double(), w2.abs().double()
    R = float(torch.ones(2).double() @ w2d @ w1d @ torch.ones(3).double())
    assert math.isclose(synflow(net, (3,)), 2 * R, rel_tol=1e-12)
    assert net[0].weight.dtype == torch.float32 and torch.equal(net[0].weight, w1)  # untouched


def test_synflow_rejects_a_batch_shape():
    with pytest.raises(ValueError, match="without the batch"):
        synflow(nb201_net(), (0, 16, 16))


# -- gradient saliencies on a tiny net, recomputed functionally ---------------------------------
def tiny_net():
    torch.manual_seed(0)  # test code only: the library never touches the global generator
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 3 * 3, 3))


def tiny_forward(params, x):
    w1, b1, w2, b2 = params
    a1 = F.conv2d(x, w1, b1)
    a2 = F.linear(F.relu(a1).flatten(1), w2, b2)
    return a1, a2


def tiny_data():
    g = torch.Generator().manual_seed(1)
    return torch.randn(5, 1, 5, 5, generator=g), torch.tensor([0, 1, 2, 1, 0])


def tiny_params(net):
    return [net[0].weight, net[0].bias, net[3].weight, net[3].bias]


def test_snip_equals_the_mask_gradient():
    # The SNIP paper's definition: the gradient of the loss w.r.t. a multiplicative mask at 1.
    net, (x, y) = tiny_net(), tiny_data()
    w1, b1, w2, b2 = [p.detach() for p in tiny_params(net)]
    m1, m2 = torch.ones_like(w1, requires_grad=True), torch.ones_like(w2, requires_grad=True)
    loss = F.cross_entropy(tiny_forward([w1 * m1, b1, w2 * m2, b2], x)[1], y)
    g1, g2 = torch.autograd.grad(loss, [m1, m2])
    assert math.isclose(snip(net, x, y), float(g1.abs().sum() + g2.abs().sum()), rel_tol=1e-5)


def test_snip_and_grad_norm_of_an_nb201_net_equal_backward_on_a_copy(batch):
    x, y = batch
    net = nb201_net()
    other = copy.deepcopy(net).train()
    F.cross_entropy(other(x), y).backward()
    layers = [m for m in other.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    grads = [torch.zeros_like(m.weight) if m.weight.grad is None else m.weight.grad for m in layers]
    assert math.isclose(snip(net, x, y),
                        sum(float((g * m.weight.detach()).abs().sum())
                            for m, g in zip(layers, grads)),
                        rel_tol=1e-5)
    assert math.isclose(grad_norm(net, x, y), sum(float(g.norm()) for g in grads), rel_tol=1e-5)


def test_grad_norm_equals_the_manual_autograd_value():
    net, (x, y) = tiny_net(), tiny_data()
    params = [p.detach().requires_grad_(True) for p in tiny_params(net)]
    loss = F.cross_entropy(tiny_forward(params, x)[1], y)
    g1, _, g2, _ = torch.autograd.grad(loss, params)
    assert math.isclose(grad_norm(net, x, y), float(g1.norm() + g2.norm()), rel_tol=1e-5)


def test_grasp_equals_minus_w_dot_full_hessian_times_gradient():
    net, (x, y) = tiny_net(), tiny_data()
    w1, b1, w2, b2 = [p.detach().double() for p in tiny_params(net)]
    x = x.double()
    sizes = [w1.numel(), w2.numel()]

    def loss_of(flat):
        a, b = flat[:sizes[0]].view_as(w1), flat[sizes[0]:].view_as(w2)
        return F.cross_entropy(tiny_forward([a, b1, b, b2], x)[1], y)

    flat = torch.cat([w1.flatten(), w2.flatten()])
    H = torch.autograd.functional.hessian(loss_of, flat)
    g = torch.autograd.functional.jacobian(loss_of, flat)
    expected = float(-(flat * (H @ g)).sum())
    assert math.isclose(grasp(net.double(), x, y), expected, rel_tol=1e-9)


def test_fisher_equals_the_activation_gradient_formula():
    net, (x, y) = tiny_net(), tiny_data()
    params = [p.detach() for p in tiny_params(net)]
    a1, a2 = tiny_forward(params, x)
    a1.requires_grad_(True)
    a2 = F.linear(F.relu(a1).flatten(1), params[2], params[3])
    a2.retain_grad()
    F.cross_entropy(a2, y).backward()
    expected = 0.0
    for a, fan_in in ((a1, 1 * 3 * 3), (a2, 2 * 3 * 3)):
        prod = a.detach() * a.grad
        per_sample = prod.sum((2, 3)) if prod.dim() == 4 else prod
        # each channel counted once per weight of that channel, as the released code does
        expected += float(0.5 * (per_sample ** 2).mean(0).sum()) * fan_in
    assert math.isclose(fisher(net, x, y), expected, rel_tol=1e-5)


def test_jacob_cov_equals_a_direct_jacobian_computation():
    # f(x) = w2 relu(W1 x + b1): d(sum f)/dx_n = W1^T (sum_rows(w2) * [W1 x_n + b1 > 0])
    g = torch.Generator().manual_seed(3)
    net = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))
    x = torch.randn(7, 4, generator=g)
    W1, b1 = net[0].weight.detach().numpy(), net[0].bias.detach().numpy()
    w2 = net[2].weight.detach().numpy().sum(0)
    X = x.numpy()
    J = np.stack([W1.T @ (w2 * (W1 @ X[n] + b1 > 0)) for n in range(len(X))]).astype(float)
    assert (J.std(1) > 0).all()  # every input reaches the output: the score is finite
    v = np.linalg.eigvals(np.corrcoef(J)).real  # the released code's eig
    expected = -np.sum(np.log(v + 1e-5) + 1 / (v + 1e-5))
    assert math.isclose(jacob_cov(net, x), expected, rel_tol=1e-4)


def test_jacob_cov_of_a_net_that_ignores_its_input_is_minus_infinity():
    net = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    with torch.no_grad():
        net[0].weight.zero_()
    assert jacob_cov(net, torch.randn(5, 4)) == -math.inf


def test_gradient_proxies_check_their_labels(batch):
    x, y = batch
    for fn in (snip, grad_norm, grasp, fisher):
        with pytest.raises(ValueError, match="class labels"):
            fn(nb201_net(), x, y[:3])


# -- none of them changes the net or the global generators ---------------------------------------
@pytest.mark.parametrize("train_mode", [True, False])
def test_scores_leave_the_net_and_global_rng_untouched(batch, train_mode):
    x, y = batch
    net = nb201_net().train(train_mode)
    state = copy.deepcopy(net.state_dict())
    rng = (torch.get_rng_state(), np.random.get_state()[1].copy(), random.getstate())
    calls = [lambda: naswot(net, x), lambda: naswot_kernel(net, x),
             lambda: synflow(net, (1, 16, 16)),
             lambda: snip(net, x, y), lambda: grad_norm(net, x, y), lambda: grasp(net, x, y),
             lambda: fisher(net, x, y), lambda: jacob_cov(net, x)]
    for call in calls:
        a, b = call(), call()
        assert torch.equal(a, b) if torch.is_tensor(a) else a == b
    after = net.state_dict()
    assert all(torch.equal(state[k], after[k]) for k in state)
    assert all(p.grad is None for p in net.parameters())
    assert all(m.training == train_mode for m in net.modules())
    assert not x.requires_grad and x.grad is None
    assert torch.equal(rng[0], torch.get_rng_state())
    assert np.array_equal(rng[1], np.random.get_state()[1]) and rng[2] == random.getstate()
    assert not any(m._forward_hooks for m in net.modules())
