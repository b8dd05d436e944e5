"""NB201-topology networks: published parameter counts, shapes, cell semantics, errors."""

import pytest
import torch

import naskit as nk
from naskit.model.nb201 import Cell

BEST = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"


def n_params(net):
    return sum(p.numel() for p in net.parameters())


def test_parameter_counts_equal_nas_bench_201():
    # Every edge maps C channels to C, so a cell's parameters depend only on how many of its edges
    # are 1x1 and 3x3 convolutions: the table's 725 cells hold one published count per such pair
    # (checked), and one network built per pair checks every count the table has.
    t = nk.bench.zero_cost_table(dataset="cifar10")  # NAS-Bench-Suite-Zero's counts, shipped
    assert len(t["index"]) == 725
    space, by_convs = nk.NB201Space(), {}
    for i, params in zip(t["index"], t["params"]):
        arch = space[int(i)]
        by_convs.setdefault((arch.ops.count("nor_conv_1x1"), arch.ops.count("nor_conv_3x3")),
                            []).append((arch, float(params)))
    assert len(by_convs) >= 20
    for convs, members in by_convs.items():
        assert len({p for _, p in members}) == 1, (convs, members[:3])
        arch, params = members[0]
        net = nk.build(arch, channels=16, cells_per_stage=5, num_classes=10)
        assert round(n_params(net) / 1e6, 6) == pytest.approx(params, abs=1e-6), str(arch)


def test_parameter_count_by_hand_for_all_none_cell():
    # stem conv 3*16*9 + BN 32; reductions 16->32 and 32->64 (two 3x3 convs + BN each, 1x1 shortcut);
    # last BN 128; linear 64*10+10. 'none' cells have no parameters.
    red = lambda a, b: a * b * 9 + 2 * b + b * b * 9 + 2 * b + a * b
    expected = 3 * 16 * 9 + 32 + red(16, 32) + red(32, 64) + 128 + 64 * 10 + 10
    arch = nk.Arch.from_ops(["none"] * 6)
    assert n_params(nk.build(arch)) == expected


def test_forward_shapes_and_sizes():
    torch.manual_seed(0)
    net = nk.build(BEST, channels=8, cells_per_stage=1, num_classes=7, in_channels=1)
    assert net(torch.randn(2, 1, 16, 16)).shape == (2, 7)
    assert net(torch.randn(1, 1, 13, 9)).shape == (1, 7)


def test_cell_computes_the_sum_over_its_edges():
    torch.manual_seed(0)
    arch = nk.Arch.from_string("|skip_connect~0|+|skip_connect~0|skip_connect~1|+|none~0|skip_connect~1|skip_connect~2|")
    x = torch.randn(1, 4, 5, 5)
    # node1 = x, node2 = x + x, node3 = 0 + node1 + node2 = 3x
    assert torch.allclose(Cell(arch, 4, 4)(x), 3 * x)
    conv = nk.Arch.from_string("|nor_conv_1x1~0|+|none~0|none~1|+|none~0|skip_connect~1|none~2|")
    cell = Cell(conv, 4, 4).eval()
    assert torch.allclose(cell(x), cell.edges[0](x))


def test_cells_in_one_isomorphism_class_compute_the_same_function():
    space = nk.NB201Space()
    x = torch.randn(2, 4, 6, 6)
    # node 1 feeds nothing that reaches the output, so its op does not matter: output = x
    a = nk.Arch.from_string("|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|")
    b = nk.Arch.from_string("|avg_pool_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|")
    assert space.canonical(a) == space.canonical(b)
    assert torch.equal(Cell(a, 4, 4)(x), x) and torch.equal(Cell(b, 4, 4)(x), x)
    c = nk.Arch.from_string("|avg_pool_3x3~0|+|none~0|none~1|+|skip_connect~0|skip_connect~1|none~2|")
    assert space.canonical(a) != space.canonical(c)
    assert not torch.allclose(Cell(c, 4, 4)(x), x)


@pytest.mark.parametrize("kwargs,fragment", [
    (dict(arch="|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|"), "unknown op 'conv'"),
    (dict(arch=BEST, channels=0), r"channels must be an int in 1\.\.16384, got 0"),
    (dict(arch=BEST, channels=True), r"channels must be an int in 1\.\.16384, got True"),
    (dict(arch=BEST, num_classes=-1), r"num_classes must be an int in 1\.\."),
    (dict(arch=BEST, seed=2 ** 70), "seed must be in 0..2"),
    (dict(arch=BEST, seed=-1), "seed must be in 0..2"),
])
def test_build_errors(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment.replace("(", r"\(")):
        nk.build(**kwargs)


def test_wrong_input_shapes():
    net = nk.build(BEST, channels=8, cells_per_stage=1)
    with pytest.raises(ValueError, match=r"expected input of shape \(batch, 3, H, W\), got \(2, 1, 32, 32\)"):
        net(torch.randn(2, 1, 32, 32))
    with pytest.raises(ValueError, match="at least 4x4"):
        net(torch.randn(2, 3, 2, 2))
    with pytest.raises(TypeError, match="build_darts"):
        nk.build(42)


def test_seed_fixes_initial_weights_without_touching_global_state():
    state = torch.random.get_rng_state()
    a, b = nk.build(BEST, channels=8, cells_per_stage=1, seed=3), nk.build(BEST, channels=8, cells_per_stage=1, seed=3)
    c = nk.build(BEST, channels=8, cells_per_stage=1, seed=4)
    assert torch.equal(torch.random.get_rng_state(), state)
    pa, pb, pc = (torch.cat([p.flatten() for p in n.parameters()]) for n in (a, b, c))
    assert torch.equal(pa, pb) and not torch.equal(pa, pc)
    d1 = nk.build_darts(nk.DARTS_V2, channels=8, layers=3, seed=1)
    d2 = nk.build_darts(nk.DARTS_V2, channels=8, layers=3, seed=1)
    assert all(torch.equal(p, q) for p, q in zip(d1.parameters(), d2.parameters()))


def test_numpy_integers_are_integers_and_bools_are_not():
    import numpy as np
    a = nk.build(BEST, channels=np.int64(4), cells_per_stage=np.int32(1), seed=np.int64(3))
    b = nk.build(BEST, channels=4, cells_per_stage=1, seed=3)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    with pytest.raises(TypeError, match="seed must be an int or None, got bool"):
        nk.build(BEST, seed=True)
    with pytest.raises(ValueError, match=r"cells_per_stage must be an int in 0\.\.1000, got True"):
        nk.build(BEST, cells_per_stage=True)
