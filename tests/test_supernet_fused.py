"""The fused mixture (naskit/supernet/fused.py) against the plain edge-by-edge sum it replaces.

The plain path (``fused=False``) is the reference: same outputs, same gradients in every weight
and in alpha, same BatchNorm statistics; float64 to 1e-10 (rounding only), float32 to 1e-4 of
the largest value (the two sums add the same terms in another order); and whole one-shot
searches, step by step, in float64.
"""
import copy
import dataclasses

import pytest
import torch
from torch import nn

import naskit as nk
from naskit.oneshot import DARTS, ENAS, GDAS, RSPS, SETN
from naskit.supernet import SuperNet

TIGHT = dict(rtol=1e-10, atol=1e-12)  # float64


def pair(dtype=torch.float64, space=None, **kw):
    options = dict(channels=4, cells_per_stage=1, num_classes=10, in_channels=1, seed=0)
    fused = SuperNet(space or nk.NB201Space(), **{**options, **kw}).to(dtype)
    with torch.no_grad():  # alpha far from uniform, so that every weight matters
        fused.alpha.copy_(torch.randn(fused.alpha.shape, generator=torch.Generator().manual_seed(1)))
    plain = copy.deepcopy(fused)
    plain.fused = False
    return fused, plain


def run(net, x, y, **forward):
    """Output, loss gradients of every parameter (alpha included), buffers after the pass."""
    out = net(x, **forward)
    loss = nn.functional.cross_entropy(out, y)
    params = dict(net.named_parameters())
    grads = torch.autograd.grad(loss, list(params.values()), allow_unused=True)
    return out.detach(), dict(zip(params, grads)), {k: b.clone() for k, b in net.named_buffers()}


def assert_same(a, b, **tol):
    torch.testing.assert_close(a[0], b[0], **tol)
    assert a[1].keys() == b[1].keys()
    for name in a[1]:
        assert (a[1][name] is None) == (b[1][name] is None), name
        if a[1][name] is not None:
            torch.testing.assert_close(a[1][name], b[1][name], **tol, msg=name)
    for name in a[2]:
        torch.testing.assert_close(a[2][name], b[2][name], **tol, msg=name)


def batch(n=16, dtype=torch.float64, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(n, 1, 16, 16, generator=g, dtype=dtype),
            torch.randint(0, 10, (n,), generator=g))


def test_fused_is_the_default_and_keeps_the_parameter_layout():
    fused, plain = pair()
    assert fused.fused and not plain.fused
    assert list(fused.state_dict()) == list(plain.state_dict())
    assert list(SuperNet(nk.NB201Space(), channels=4, cells_per_stage=1, fused=False).state_dict()) \
        == list(fused.state_dict())
    with pytest.raises(ValueError, match="fused"):
        SuperNet(nk.NB201Space(), channels=4, cells_per_stage=1, fused="yes")


@pytest.mark.parametrize("affine,track", [(False, False), (True, True), (True, False), (False, True)])
@pytest.mark.parametrize("mode", ["train", "eval"])
def test_fused_mixture_equals_plain_in_float64(affine, track, mode):
    fused, plain = pair(affine=affine, track_running_stats=track)
    with torch.no_grad():  # BatchNorm states away from their defaults
        g = torch.Generator().manual_seed(2)
        for (name, a), b in zip(fused.named_parameters(), plain.parameters()):
            if name.endswith(".weight") or name.endswith(".bias"):
                b.copy_(a.add_(0.1 * torch.randn(a.shape, generator=g, dtype=a.dtype)))
        for (name, a), b in zip(fused.named_buffers(), plain.buffers()):
            if "running" in name:
                b.copy_(a.add_(0.1 * torch.rand(a.shape, generator=g, dtype=a.dtype)))
    x, y = batch()
    for net in (fused, plain):
        getattr(net, mode)()
    for step in range(2):  # the second pass reads the running statistics the first one wrote
        assert_same(run(fused, x, y), run(plain, x, y), **TIGHT)


def test_fused_mixture_equals_plain_in_float32_and_channels_last():
    fused, plain = pair(torch.float32)
    x, y = batch(32, torch.float32)
    for net in (fused, plain):
        net.to(memory_format=torch.channels_last).train()
    x = x.contiguous(memory_format=torch.channels_last)
    a, b = run(fused, x, y), run(plain, x, y)
    # float32: the same terms summed in another order; errors of a few units of 1e-7 per term
    scale = max(t.abs().max().item() for t in (a[0], *[g for g in b[1].values() if g is not None]))
    assert_same(a, b, rtol=1e-4, atol=1e-4 * scale)


def test_given_weights_with_zeros_and_spaces_without_some_ops():
    x, y = batch()
    w = torch.rand(6, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    w[:, 0] = 0.0
    w[2] = 0.0  # an edge switched off, as remedies' ablation does
    fused, plain = pair()
    assert_same(run(fused, x, y, weights=w), run(plain, x, y, weights=w), **TIGHT)
    for ops in (("none", "nor_conv_3x3"), ("skip_connect", "avg_pool_3x3"), ("none",),
                ("nor_conv_1x1", "none", "avg_pool_3x3")):
        fused, plain = pair(space=nk.space.CellSpace(ops=ops))
        assert_same(run(fused, x, y), run(plain, x, y), **TIGHT)


def test_single_paths_and_the_hard_sample_are_unchanged():
    fused, plain = pair()
    x, y = batch()
    arch = nk.NB201Space().sample(seed=4)
    assert_same(run(fused, x, y, arch=arch), run(plain, x, y, arch=arch), rtol=0, atol=0)
    hard = torch.zeros(6, 5, dtype=torch.float64)
    hard[torch.arange(6), torch.tensor([1, 2, 3, 4, 0, 3])] = 1.0
    hard = hard + (fused.alpha.softmax(-1) - fused.alpha.softmax(-1).detach())  # GDAS' form
    index = [1, 2, 3, 4, 0, 3]
    a = run(fused, x, y, weights=hard, index=index)
    hard_plain = hard.detach() + (plain.alpha.softmax(-1) - plain.alpha.softmax(-1).detach())
    assert_same(a, run(plain, x, y, weights=hard_plain, index=index), rtol=0, atol=0)


@pytest.fixture(scope="module")
def data64():
    data = nk.datasets.load().subset(n_train=128, n_val=128, seed=0)
    return dataclasses.replace(data, **{f"x_{s}": getattr(data, f"x_{s}").double()
                                        for s in ("train", "val", "test")})


SEARCHES = {
    "darts1": lambda net, data: DARTS(net, data, order=1, epochs=1, batch_size=32),
    "darts2": lambda net, data: DARTS(net, data, order=2, epochs=1, batch_size=32),
    "gdas": lambda net, data: GDAS(net, data, epochs=1, batch_size=32),
    "setn": lambda net, data: SETN(net, data, epochs=1, batch_size=32, n_candidates=2),
    "rsps": lambda net, data: RSPS(net, data, epochs=1, batch_size=32, n_candidates=2),
    "enas": lambda net, data: ENAS(net, data, epochs=1, batch_size=32, n_candidates=2),
}


@pytest.mark.parametrize("method", sorted(SEARCHES))
@pytest.mark.parametrize("affine,track", [(False, False), (True, True)])
def test_every_search_makes_the_same_steps_fused_or_plain(data64, method, affine, track):
    fused, plain = pair(affine=affine, track_running_stats=track, channels=2)
    searches = [SEARCHES[method](net, data64) for net in (fused, plain)]
    for _ in range(3):
        records = [s.step() for s in searches]
        assert records[0].train_loss == pytest.approx(records[1].train_loss, rel=1e-10)
    for (name, a), b in zip(fused.state_dict().items(), plain.state_dict().values()):
        torch.testing.assert_close(a, b, **TIGHT, msg=name)
