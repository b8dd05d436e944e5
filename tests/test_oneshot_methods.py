"""RSPS, GDAS, SETN and ENAS against independent references, and one conformance test for all searches."""
import random

import numpy as np
import pytest
import torch

import naskit as nk
from naskit.oneshot import (DARTS, ENAS, GDAS, RSPS, SETN, Candidate, OneShotSearch, Step,
                            gumbel_hard, gumbel_noise, sample_archs)
from naskit.supernet import SuperNet

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def data():
    return nk.datasets.load().subset(n_train=256, n_val=128, seed=0)


def tiny_net(seed=0):
    return SuperNet(nk.NB201Space(), channels=2, cells_per_stage=1, num_classes=10, in_channels=1,
                    seed=seed)


FEW = dict(n_candidates=4, eval_batches=1)
METHODS = {
    "DARTS": lambda net, data, **kw: DARTS(net, data, **kw),
    "RSPS": lambda net, data, **kw: RSPS(net, data, **FEW, **kw),
    "GDAS": lambda net, data, **kw: GDAS(net, data, **kw),
    "SETN": lambda net, data, **kw: SETN(net, data, **FEW, **kw),
    "ENAS": lambda net, data, **kw: ENAS(net, data, **FEW, **kw),
}


# -- the Gumbel-softmax sampler ----------------------------------------------------------------------
def test_gumbel_hard_is_exactly_one_hot_and_carries_the_soft_gradient():
    logits = torch.randn(6, 5, generator=torch.Generator().manual_seed(1), requires_grad=True)
    tau = 0.7
    hard = gumbel_hard(logits, tau, torch.Generator().manual_seed(3))
    g = gumbel_noise(logits.shape, torch.Generator().manual_seed(3))   # the same noise
    expected = torch.nn.functional.one_hot((logits + g).argmax(-1), 5).float()
    assert torch.equal(hard.detach(), expected)
    # straight-through: the gradient is that of softmax((logits + g) / tau)
    c = torch.randn(6, 5, generator=torch.Generator().manual_seed(4))
    (grad_hard,) = torch.autograd.grad((hard * c).sum(), logits)
    soft = torch.softmax((logits + g) / tau, dim=-1)
    (grad_soft,) = torch.autograd.grad((soft * c).sum(), logits)
    assert grad_hard.abs().max() > 0
    torch.testing.assert_close(grad_hard, grad_soft, rtol=0, atol=1e-7)


def test_gumbel_max_samples_softmax_and_the_noise_is_standard_gumbel():
    logits = torch.tensor([[1.0, 0.0, -1.0, 2.0, 0.5]]).expand(20_000, 5)
    gen = torch.Generator().manual_seed(0)
    hard = gumbel_hard(logits, 1.0, gen)
    freq = hard.mean(0)
    torch.testing.assert_close(freq, torch.softmax(logits[0], -1), rtol=0, atol=0.015)
    noise = gumbel_noise((100_000,), torch.Generator().manual_seed(1))
    assert abs(noise.mean().item() - 0.5772156649) < 0.01          # Euler-Mascheroni constant
    assert abs(noise.var().item() - np.pi ** 2 / 6) < 0.03


def test_gdas_forward_equals_the_single_path_of_the_sampled_arch(data):
    net = tiny_net(seed=2).train()
    search = GDAS(net, data, seed=1)
    search.reset()
    weights, index = search.sample(search.tau_)
    x = data.x_val[:16]
    arch = nk.Arch.from_ops([net.op_names[i] for i in index])
    torch.testing.assert_close(net(x, weights=weights, index=index), net(x, arch=arch),
                               rtol=0, atol=0)
    # the sampled path is differentiable in alpha through the one-hot
    out = net(x, weights=weights, index=index).sum()
    (grad,) = torch.autograd.grad(out, net.alpha)
    assert grad.abs().sum() > 0


def test_gdas_temperature_falls_linearly_from_10_to_0_1(data):
    search = GDAS(tiny_net(), data, epochs=2)        # 8 steps
    assert search.total_steps == 8
    assert search.temperature(0) == 10.0
    assert search.temperature(7) == pytest.approx(0.1, abs=1e-12)
    taus = [search.temperature(t) for t in range(8)]
    np.testing.assert_allclose(np.diff(taus), -9.9 / 7)
    search.run()
    assert [s.info["tau"] for s in search.trace_] == taus


def test_gdas_runs_on_the_darts_cell(data):
    net = SuperNet(nk.DartsSpace(), channels=2, layers=3, num_classes=10, in_channels=1)
    search = GDAS(net, data, epochs=0.25).run()
    assert search.done_ and isinstance(search.derive(), nk.Genotype)
    assert set(search.trace_[-1].info["index"]) == {"normal", "reduce"}


# -- ranking candidates -------------------------------------------------------------------------------
def independent_accuracy(net, data, arch, n):
    """Inherited-weight accuracy on the first n validation images, batch statistics, by hand."""
    net.train()
    with torch.no_grad():
        return (net(data.x_val[:n], arch=arch).argmax(1) == data.y_val[:n]).float().mean().item()


def test_rsps_derives_the_best_candidate_by_inherited_accuracy(data):
    net = tiny_net(seed=3)
    search = RSPS(net, data, n_candidates=6, eval_batches=2, seed=2).run(3)
    best = search.derive()
    found = search.candidates_
    assert len(found) == 6 and len({c.arch for c in found}) == 6
    assert all(isinstance(c, Candidate) for c in found)
    for c in found:
        assert c.val_acc == pytest.approx(independent_accuracy(net, data, c.arch, 128), abs=1e-9)
        assert c.val_acc == search.accuracy(c.arch, n_batches=2)
    assert best == found[int(np.argmax([c.val_acc for c in found]))].arch
    # cached until the next step; the selection's seconds count as search time
    seconds = search.seconds_
    assert search.derive() == best and search.seconds_ == seconds
    assert seconds > search.trace_[-1].seconds
    search.step()
    assert search.candidates_ != found


def test_rsps_trains_uniform_paths_and_records_no_arch(data):
    search = RSPS(tiny_net(), data, epochs=2, **FEW).run()
    assert all(s.arch is None and s.weights == {} for s in search.trace_)
    assert len({s.info["arch"] for s in search.trace_}) > 1


def test_setn_trains_the_template_and_top_proposals_follow_it(data):
    net = tiny_net(seed=4)
    before = net.alpha.detach().clone()
    search = SETN(net, data, proposal="top", n_candidates=5, eval_batches=1).run(2)
    assert not torch.equal(net.alpha.detach(), before)
    found = [c.arch for c in search.candidates_]
    # the most probable cell of a per-edge template is the argmax per edge; then log p falls
    assert found[0] == net.derive()
    logp = torch.log_softmax(net.alpha.detach().double(), -1)
    scores = [sum(logp[e, net.op_names.index(op)].item() for e, op in enumerate(a.ops))
              for a in found]
    assert scores == sorted(scores, reverse=True)


def test_sample_archs_draws_distinct_cells_from_the_distribution():
    space = nk.NB201Space()
    one = np.zeros((6, 5))
    one[:, 3] = 1.0
    rng = np.random.default_rng(0)
    assert sample_archs(one, 10, space, rng) == [nk.Arch.from_ops(["nor_conv_3x3"] * 6)]
    archs = sample_archs(np.full((6, 5), 0.2), 50, space, rng)
    assert len(set(archs)) == 50


def test_enas_controller_learns_from_rewards_and_proposes_candidates(data):
    search = ENAS(tiny_net(), data, controller_steps=2, **FEW).run(3)
    controller = search.controller_
    assert controller.n_observed_ == 6 and len(controller.rewards_) == 6
    assert [r for s in search.trace_ for r in s.info["rewards"]] == controller.rewards_
    assert all(0 <= r <= 100 for r in controller.rewards_)
    np.testing.assert_allclose(search.trace_[-1].weights["cell"], controller.probabilities())
    assert not np.allclose(controller.probabilities(), 0.2)
    assert search.derive() in {c.arch for c in search.candidates_}


# -- one conformance test over every one-shot search ---------------------------------------------------
@pytest.mark.parametrize("name", sorted(METHODS))
def test_one_shot_search_conformance(data, name):
    search = METHODS[name](tiny_net(), data, seed=1)
    assert isinstance(search, OneShotSearch) and name in repr(search)
    assert search.total_steps == 4 and search.step_ == 0 and not search.done_
    record = search.step()
    assert isinstance(record, Step) and record.step == 0 and search.step_ == 1
    search.run(1)
    assert search.step_ == 2
    search.run()
    assert search.done_ and search.step_ == 4
    with pytest.raises(RuntimeError, match="all its 4 steps"):
        search.step()
    assert search.run() is search and search.step_ == 4
    assert [s.step for s in search.trace_] == [0, 1, 2, 3]
    seconds = [s.seconds for s in search.trace_]
    assert seconds == sorted(seconds) and seconds[0] > 0
    arch = search.derive()
    nk.NB201Space().check(arch)
    assert search.seconds_ >= seconds[-1]
    first = [s.train_loss for s in search.trace_]
    search.reset()
    assert search.step_ == 0 and search.trace_ == [] and search.seconds_ == 0.0
    search.run()
    assert [s.train_loss for s in search.trace_] == first and search.derive() == arch


@pytest.mark.parametrize("name", sorted(METHODS))
def test_same_seed_same_trace(data, name):
    runs = [METHODS[name](tiny_net(), data, seed=s).run(3) for s in (7, 7, 8)]
    key = [[(s.train_loss, s.val_loss, repr(s.info), str(s.arch)) for s in r.trace_] for r in runs]
    assert key[0] == key[1] and key[0] != key[2]
    assert runs[0].derive() == runs[1].derive()


def test_no_method_touches_the_global_rng(data):
    nets = {name: tiny_net() for name in METHODS}
    torch_state, py_state, np_state = torch.get_rng_state(), random.getstate(), np.random.get_state()
    for name, make in METHODS.items():
        search = make(nets[name], data).run(2)
        search.derive()
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert random.getstate() == py_state
    assert all(np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b
               for a, b in zip(np.random.get_state(), np_state))


@pytest.mark.parametrize("cls,kw,match", [
    (RSPS, dict(n_candidates=0), "n_candidates"), (RSPS, dict(eval_batches=0), "eval_batches"),
    (SETN, dict(n_candidates=-3), "n_candidates"), (SETN, dict(proposal="best"), "proposal"),
    (GDAS, dict(tau_max=0.05), "tau_max"), (GDAS, dict(tau_min=0), "tau_min"),
    (GDAS, dict(arch_lr=0), "arch_lr"), (ENAS, dict(controller_steps=-1), "controller_steps"),
    (ENAS, dict(baseline_decay=1.0), "baseline_decay"), (ENAS, dict(controller_lr=0), "controller_lr"),
    (ENAS, dict(n_candidates=1.5), "n_candidates")])
def test_bad_options_are_rejected(data, cls, kw, match):
    with pytest.raises(ValueError, match=match):
        cls(tiny_net(), data, **kw)


@pytest.mark.parametrize("cls", [RSPS, SETN, ENAS])
def test_single_path_rankers_need_a_cell_space(data, cls):
    net = SuperNet(nk.DartsSpace(), channels=2, layers=3, num_classes=10, in_channels=1)
    with pytest.raises(TypeError, match="NB201SuperNet"):
        cls(net, data)


# -- constructors: GDAS and SETN take AlphaSearch's arguments without repeating them ---------------
@pytest.mark.parametrize("cls, own", [(GDAS, ["tau_max", "tau_min"]),
                                      (SETN, ["n_candidates", "eval_batches", "proposal"])])
def test_constructor_is_own_arguments_then_the_alpha_searchs(cls, own, data):
    import inspect

    from naskit.oneshot.alpha import AlphaSearch

    base = list(inspect.signature(AlphaSearch).parameters)
    params = inspect.signature(cls).parameters
    assert list(params) == base[:3] + own + base[3:]
    for name in base[3:]:  # keyword-only, with the base's defaults
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY
        assert params[name].default == inspect.signature(AlphaSearch).parameters[name].default
    search = cls(tiny_net(), data, 0.5, lr=0.1, arch_lr=1e-3, seed=4, batch_size=32)
    assert (search.epochs, search.lr, search.arch_lr, search.seed, search.batch_size) == (0.5, 0.1, 1e-3, 4, 32)
    with pytest.raises(TypeError, match="arch_lrr"):
        cls(tiny_net(), data, arch_lrr=1e-3)
    with pytest.raises(ValueError, match="arch_lr"):
        cls(tiny_net(), data, arch_lr=-1.0)
