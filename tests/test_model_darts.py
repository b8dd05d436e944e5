import pytest
import torch

from naskit.model.darts import DartsNetwork, build_darts
from naskit.space import DARTS_V1, DARTS_V2, DartsSpace, Genotype

torch.set_num_threads(1)


def n_params(net):
    return sum(p.numel() for p in net.parameters())


def test_darts_v2_cifar_network_has_the_published_parameter_count():
    # DARTS (Liu et al. 2019), Table 1: 3.3M params for the second-order cell, 20 cells at C=36.
    # The repository's README gives 3.349M for the same model; its count_parameters_in_MB skips
    # parameters named "auxiliary", so both figures exclude the auxiliary head, as build_darts does.
    n = n_params(build_darts(DARTS_V2, channels=36, layers=20, num_classes=10))
    assert round(n / 1e6, 1) == 3.3
    assert round(n / 1e6, 3) == 3.349


def test_forward_shapes_and_reduction_cells_halve_the_resolution():
    torch.manual_seed(0)
    for size, halves in ((32, [32, 16, 16, 8, 8]), (33, [33, 17, 17, 9, 9])):
        net = build_darts(DARTS_V2, channels=8, layers=5, num_classes=7).eval()
        seen = []
        hooks = [c.register_forward_hook(lambda m, i, o: seen.append((o.shape[1], o.shape[2])))
                 for c in net.cells]
        with torch.no_grad():
            out = net(torch.randn(2, 3, size, size))
        for h in hooks:
            h.remove()
        assert out.shape == (2, 7)
        reductions = [i for i, c in enumerate(net.cells) if c.reduction]
        assert reductions == [5 // 3, 2 * 5 // 3] == [1, 3]
        assert [hw for _, hw in seen] == halves
        # Cell output = concat of 4 nodes; the width doubles at each reduction cell.
        assert [ch for ch, _ in seen] == [4 * 8, 4 * 16, 4 * 16, 4 * 32, 4 * 32]


def test_non_square_input_and_other_input_channels():
    net = build_darts(DARTS_V1, channels=4, layers=3, num_classes=3, in_channels=1).eval()
    with torch.no_grad():
        assert net(torch.randn(1, 1, 20, 13)).shape == (1, 3)


def test_transfer_stacks_more_cells_of_the_same_genotype():
    small, large = build_darts(DARTS_V2, channels=8, layers=5), build_darts(DARTS_V2, channels=8, layers=11)
    assert len(large.cells) == 11 and n_params(large) > n_params(small)
    assert [c.reduction for c in large.cells].count(True) == 2


def test_wrong_input_shape_is_a_clear_error():
    net = build_darts(DARTS_V2, channels=4, layers=3)
    with pytest.raises(ValueError) as err:
        net(torch.randn(2, 1, 32, 32))
    assert "(batch, 3, height, width)" in str(err.value) and "(2, 1, 32, 32)" in str(err.value)
    with pytest.raises(ValueError, match="got shape \\(3, 32, 32\\)"):
        net(torch.randn(3, 32, 32))


def test_invalid_genotypes_are_rejected_at_build_time():
    bad_op = Genotype([("conv_7x7", 0)] + list(DARTS_V2.normal[1:]), range(2, 6), DARTS_V2.reduce, range(2, 6))
    with pytest.raises(ValueError, match="unknown op 'conv_7x7'.*choose from"):
        build_darts(bad_op)
    forward = Genotype(DARTS_V2.normal[:7] + (("skip_connect", 6),), range(2, 6), DARTS_V2.reduce, range(2, 6))
    with pytest.raises(ValueError, match="takes input 6, a state that does not exist"):
        build_darts(forward)
    odd = Genotype(DARTS_V2.normal[:7], range(2, 6), DARTS_V2.reduce, range(2, 6))
    with pytest.raises(ValueError, match="2 \\(op, input\\) pairs per intermediate node"):
        build_darts(odd)
    with pytest.raises(ValueError, match=r"channels must be an int in 1\.\."):
        build_darts(DARTS_V2, channels=0)
    with pytest.raises(ValueError, match="drop_path"):
        build_darts(DARTS_V2, drop_path=1.0)
    with pytest.raises(TypeError):
        build_darts(None)


def test_builds_from_darts_text_and_other_cell_sizes():
    net = build_darts(str(DARTS_V2), channels=4, layers=3)
    assert net.genotype == DARTS_V2
    three_nodes = DartsSpace(n_intermediate=3, ops=("sep_conv_3x3", "skip_connect", "none")).sample(seed=0)
    net = build_darts(three_nodes, channels=4, layers=3).eval()
    with torch.no_grad():
        assert net(torch.randn(1, 3, 16, 16)).shape == (1, 10)
    assert net.cells[0].out_channels == 3 * 4


def test_drop_path_acts_only_in_training():
    torch.manual_seed(0)
    net = build_darts(DARTS_V2, channels=4, layers=3, drop_path=0.5)
    x = torch.randn(4, 3, 16, 16)
    net.eval()
    with torch.no_grad():
        assert torch.equal(net(x), net(x))
    net.train()
    with torch.no_grad():
        assert not torch.allclose(net(x), net(x))
        net.drop_path = 0.0
        assert torch.allclose(net(x), net(x))


def test_repr_is_a_short_summary():
    text = repr(build_darts(DARTS_V2, channels=36, layers=20))
    assert text.startswith("DartsNetwork(channels=36, layers=20") and "3.35M params" in text
    assert "reduction cells at [6, 13]" in text and isinstance(build_darts(DARTS_V2), DartsNetwork)


@pytest.mark.parametrize("size", [8, 9])
@pytest.mark.parametrize("channels_last", [False, True])
def test_factorized_reduce_equals_its_two_strided_convolutions(size, channels_last):
    import torch.nn.functional as F

    from naskit.ops import FactorizedReduce

    torch.manual_seed(0)
    op = FactorizedReduce(4, 4).double().train()
    x = torch.randn(3, 4, size, size, dtype=torch.float64, requires_grad=True)
    inp = x.contiguous(memory_format=torch.channels_last) if channels_last else x
    out = op(inp)
    # the definition (Liu et al. 2019's code): two 1x1 convolutions of stride 2, the second of
    # the input shifted by one pixel, concatenated and batch-normalised
    r = F.relu(x)
    s = F.pad(r, (0, 1, 0, 1))[:, :, 1:, 1:]
    z = torch.cat([F.conv2d(r, op.conv_1.weight, stride=2), F.conv2d(s, op.conv_2.weight, stride=2)], 1)
    ref = F.batch_norm(z, None, None, op.bn.weight, op.bn.bias, training=True, eps=op.bn.eps)
    assert out.shape == ref.shape == (3, 4, (size + 1) // 2, (size + 1) // 2)
    torch.testing.assert_close(out, ref, rtol=1e-12, atol=1e-12)
    g = torch.randn_like(ref)
    (gx,) = torch.autograd.grad(out, x, g, retain_graph=True)
    (rx,) = torch.autograd.grad(ref, x, g)
    torch.testing.assert_close(gx, rx, rtol=1e-12, atol=1e-12)


def test_factorized_reduce_backward_in_channels_last_does_not_corrupt_memory():
    # torch 2.14's CPU backward of a strided 1x1 convolution on channels-last inputs with few
    # channels frees memory twice; run it in a process of its own so a crash fails only this test
    import subprocess
    import sys

    code = ("import torch\nfrom naskit.ops import FactorizedReduce\n"
            "for c in (2, 4, 8):\n"
            "    op = FactorizedReduce(c, c)\n"
            "    x = torch.randn(64, c, 8, 8).contiguous(memory_format=torch.channels_last)\n"
            "    op(x.requires_grad_()).sum().backward()\n"
            "print('ok')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.strip() == "ok", (out.returncode, out.stderr[-500:])
