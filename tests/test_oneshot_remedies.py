"""Remedies for DARTS' collapse: perturbation-based selection and early stopping, checked by hand."""
import pytest
import torch

import naskit as nk
from naskit.oneshot import DARTS, Step, early_stop, perturbation_select
from naskit.supernet import SuperNet


@pytest.fixture(scope="module")
def trained():
    data = nk.datasets.load().subset(n_train=256, n_val=128, seed=0)
    net = SuperNet(nk.NB201Space(), channels=2, cells_per_stage=1, in_channels=1, seed=0)
    return DARTS(net, data, epochs=1).run()


@pytest.mark.slow
def test_perturbation_picks_the_op_whose_removal_costs_most(trained):
    # without tuning between edges, each decision can be recomputed independently by brute force
    state = {k: v.clone() for k, v in trained.supernet.state_dict().items()}
    arch, decisions = perturbation_select(trained, tune_steps=0, n_batches=1, seed=1)
    net = trained.supernet
    weights = torch.softmax(net.alpha.detach(), dim=-1)
    assert sorted(d.edge for d in decisions) == list(range(6))
    for d in decisions:
        accs = []
        for k in range(len(net.op_names)):
            masked = weights.clone()
            masked[d.edge, k] = 0.0
            accs.append(trained.accuracy(weights=masked, n_batches=1))
        assert [d.accuracy_without[name] for name in net.op_names] == accs
        assert d.op == net.op_names[min(range(len(accs)), key=lambda k: (accs[k], k))]
        weights[d.edge] = 0.0
        weights[d.edge, net.op_names.index(d.op)] = 1.0
    assert arch.ops == tuple(d.op for d in sorted(decisions, key=lambda d: d.edge))
    for k, v in net.state_dict().items():   # no tuning: the weights are untouched
        assert torch.equal(v, state[k]), k


@pytest.mark.slow
def test_perturbation_with_tuning_is_seeded(trained):
    state = {k: v.clone() for k, v in trained.supernet.state_dict().items()}
    a, da = perturbation_select(trained, tune_steps=2, n_batches=1, seed=3)
    trained.supernet.load_state_dict(state)
    b, db = perturbation_select(trained, tune_steps=2, n_batches=1, seed=3)
    trained.supernet.load_state_dict(state)
    assert a == b and [d.edge for d in da] == [d.edge for d in db]


@pytest.mark.slow
def test_perturbation_rejects_bad_input(trained):
    with pytest.raises(ValueError, match="tune_steps"):
        perturbation_select(trained, tune_steps=-1)
    with pytest.raises(ValueError, match="tune_lr"):
        perturbation_select(trained, tune_lr=0)
    fresh = DARTS(SuperNet(nk.NB201Space(), channels=2, cells_per_stage=1, in_channels=1),
                  trained.data)
    with pytest.raises(ValueError, match="train the supernet first"):
        perturbation_select(fresh)


def test_early_stop_returns_the_last_arch_before_the_share_exceeds_the_threshold():
    convs = nk.Arch.from_ops(["nor_conv_3x3"] * 6)
    half = nk.Arch.from_ops(["nor_conv_3x3"] * 3 + ["skip_connect"] * 3)
    skips = nk.Arch.from_ops(["skip_connect"] * 5 + ["nor_conv_1x1"])
    trace = [Step(i, 1.0, float(i), arch=a) for i, a in enumerate([convs, half, half, skips, convs])]
    # no warm-up and a patience of one step: the plain rule, stopping at the first excess
    plain = dict(warmup=0.0, patience=1)
    assert early_stop(trace, 0.5, **plain) == (half, 2)
    assert early_stop(trace, 0.9, **plain) == (convs, 4)
    assert early_stop(trace, 0.0, **plain) == (convs, 0)
    with pytest.raises(ValueError, match="max_parameter_free"):
        early_stop(trace, 1.0)
    with pytest.raises(ValueError, match="no derived archs"):
        early_stop([Step(0, 1.0, 0.0)])
