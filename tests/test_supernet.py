"""The supernet against independent references: the single op, nk.build, DARTS' derivation rule."""
import pytest
import torch

import naskit as nk
from naskit.supernet import DartsSuperNet, MixedOp, NB201SuperNet, SuperNet, derive


def tiny(**kw):
    options = dict(channels=4, cells_per_stage=1, num_classes=10, in_channels=1)
    return SuperNet(nk.NB201Space(), **{**options, **kw})


def test_supernet_dispatches_on_the_space():
    assert isinstance(tiny(), NB201SuperNet)
    assert isinstance(SuperNet(nk.DartsSpace(), channels=2, layers=3, in_channels=1), DartsSuperNet)
    with pytest.raises(TypeError, match="CellSpace"):
        SuperNet("nb201")


@pytest.mark.parametrize("op_set,ops", [("nb201", nk.space.cell.NB201_OP_NAMES),
                                        ("darts", nk.space.darts.DARTS_OP_NAMES)])
def test_mixed_op_with_one_hot_weights_is_the_single_op(op_set, ops):
    torch.manual_seed(0)
    mixed = MixedOp(4, 4, 1, ops, op_set).eval()
    x = torch.randn(2, 4, 8, 8)
    for k in range(len(ops)):
        w = torch.zeros(len(ops))
        w[k] = 1.0
        torch.testing.assert_close(mixed(x, w), mixed.ops[k](x), rtol=0, atol=1e-6)
        torch.testing.assert_close(mixed(x, index=k), mixed.ops[k](x), rtol=0, atol=0)


def test_mixed_op_is_the_weighted_sum():
    torch.manual_seed(1)
    ops = nk.space.cell.NB201_OP_NAMES
    mixed = MixedOp(3, 3, 1, ops).eval()
    x, w = torch.randn(2, 3, 6, 6), torch.rand(len(ops))
    expected = sum(w[k] * mixed.ops[k](x) for k in range(len(ops)))
    torch.testing.assert_close(mixed(x, w), expected)
    with pytest.raises(ValueError, match="shape"):
        mixed(x, torch.rand(3))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_single_path_equals_nk_build_with_the_same_weights(seed):
    net = tiny(affine=True, track_running_stats=True, seed=seed)
    arch = nk.NB201Space().sample(seed=seed)
    built = net.extract(arch)
    # a freshly built net has other weights: the copy, not the topology alone, makes them equal
    fresh = nk.build(arch, 4, 1, 10, 1, seed=seed + 100)
    assert set(built.state_dict()) == set(fresh.state_dict())
    x = torch.randn(8, 1, 16, 16)
    for mode in ("train", "eval"):
        getattr(net, mode)(), getattr(built, mode)()
        torch.testing.assert_close(net(x, arch=arch), built(x), rtol=1e-5, atol=1e-6)


def test_single_path_equals_build_without_affine_in_train_mode():
    net = tiny()          # NB201's search settings: no affine, no running statistics
    arch = nk.Arch("|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|")
    built = net.extract(arch).train()
    x = torch.randn(8, 1, 16, 16)
    torch.testing.assert_close(net(x, arch=arch), built(x), rtol=1e-5, atol=1e-6)


def test_extract_follows_the_supernet_dtype():
    net = tiny(affine=True, track_running_stats=True, seed=1).double()
    arch = nk.NB201Space().sample(seed=1)
    built = net.extract(arch)
    assert {p.dtype for p in built.parameters()} == {torch.float64}
    x = torch.randn(4, 1, 16, 16, dtype=torch.float64)
    for mode in ("train", "eval"):
        getattr(net, mode)(), getattr(built, mode)()
        # float64 weights copied without a float32 round trip: agreement far below float32's resolution
        torch.testing.assert_close(net(x, arch=arch), built(x), rtol=1e-12, atol=1e-12)


def test_mixture_with_one_hot_weights_is_the_single_path():
    net = tiny(seed=3)
    arch = nk.NB201Space().sample(seed=5)
    w = torch.zeros(6, 5)
    for e, k in enumerate(net.arch_index(arch)):
        w[e, k] = 1.0
    x = torch.randn(4, 1, 16, 16)
    torch.testing.assert_close(net(x, weights=w), net(x, arch=arch), rtol=1e-5, atol=1e-6)


def test_derive_nb201_is_the_argmax_including_none():
    space = nk.NB201Space()
    arch = nk.Arch("|none~0|+|skip_connect~0|nor_conv_1x1~1|+|nor_conv_3x3~0|avg_pool_3x3~1|none~2|")
    alpha = torch.randn(6, 5) * 0.1
    for e, op in enumerate(arch.ops):
        alpha[e, space.ops.index(op)] = 5.0
    assert derive(alpha, space) == arch
    net = tiny()
    with torch.no_grad():
        net.alpha.copy_(alpha)
    assert net.derive() == arch


def test_derive_darts_keeps_the_two_strongest_edges_without_none():
    space = nk.DartsSpace()
    names = nk.space.darts.DARTS_OP_NAMES
    target = nk.DARTS_V2
    alpha = {}
    for cell in ("normal", "reduce"):
        a = torch.zeros(14, 8)
        a[:, names.index("none")] = 10.0   # none dominates every edge and must be ignored
        rows = [(i, j) for i in range(4) for j in range(i + 2)]
        for rank, (op, src) in enumerate(getattr(target, cell)):
            node = rank // 2
            # the first pair of a node is the stronger one, as DARTS prints them
            a[rows.index((node, src)), names.index(op)] = 3.0 - (rank % 2)
        alpha[cell] = a
    assert derive(alpha, space) == target
    net = SuperNet(space, channels=2, layers=3, in_channels=1)
    with torch.no_grad():
        net.alpha_normal.copy_(alpha["normal"])
        net.alpha_reduce.copy_(alpha["reduce"])
    assert net.derive() == target


def test_darts_single_path_runs_only_the_genotype_edges():
    net = SuperNet(nk.DartsSpace(), channels=2, layers=3, in_channels=1, seed=0)
    index = net.arch_index(nk.DARTS_V1)
    assert all(sum(i >= 0 for i in index[c]) == 8 for c in ("normal", "reduce"))
    x = torch.randn(2, 1, 8, 8)
    assert net(x, arch=nk.DARTS_V1).shape == (2, 10)
    # the mixture with alpha placing all weight on the genotype's ops equals its single path,
    # up to the unused edges, which contribute the weighted zero op
    w = {}
    for c in ("normal", "reduce"):
        t = torch.zeros(14, 8)
        for e, k in enumerate(index[c]):
            t[e, k if k >= 0 else 0] = 1.0
        w[c] = t
    net.eval()
    torch.testing.assert_close(net(x, weights=w), net(x, arch=nk.DARTS_V1), rtol=1e-4, atol=1e-5)


def test_same_seed_same_supernet_and_global_rng_untouched():
    state = torch.random.get_rng_state()
    a, b = tiny(seed=7), tiny(seed=7)
    assert torch.equal(torch.random.get_rng_state(), state)
    for (n, p), (_, q) in zip(a.state_dict().items(), b.state_dict().items()):
        assert torch.equal(p, q), n
    assert not torch.equal(tiny(seed=8).alpha, a.alpha)


def test_arch_and_weight_parameters_partition_the_parameters():
    net = tiny()
    arch, weights = net.arch_parameters(), net.weight_parameters()
    assert len(arch) == 1 and arch[0] is net.alpha
    assert len(arch) + len(weights) == len(list(net.parameters()))


@pytest.mark.parametrize("kw,match", [(dict(channels=0), "channels"), (dict(channels=True), "channels"),
                                      (dict(cells_per_stage=-1), "cells_per_stage")])
def test_bad_options_are_rejected(kw, match):
    with pytest.raises(ValueError, match=match):
        tiny(**kw)


def test_bad_forward_arguments_name_the_problem():
    net = tiny()
    x = torch.randn(2, 1, 16, 16)
    with pytest.raises(ValueError, match="shape"):
        net(x, weights=torch.rand(5, 5))
    with pytest.raises(ValueError, match="one op index"):
        net(x, index=[9] * 6)
    with pytest.raises(ValueError, match="either arch"):
        net(x, arch=nk.NB201Space().sample(seed=0), weights=torch.rand(6, 5))
    assert "alpha cell (6, 5)" in repr(net)
