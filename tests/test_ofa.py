"""Once-for-All against independent references: extraction, kernel crops, channel sorting, predictors, evolution."""
import itertools
import random

import pytest
import torch

from naskit.datasets import load as load_data
from naskit.ofa import (AccuracyPredictor, ElasticDepthwise, LatencyTable, OFAArch, OFAEvolution,
                        OFASpace, OFASuperNet, ProgressiveShrinking, probe_archs, recalibrate_bn,
                        shrinking_schedule)
from naskit.ofa import predictors as predictors_module


@pytest.fixture(scope="module")
def space():
    return OFASpace()


@pytest.fixture(scope="module")
def tiny():
    """A tiny supernet with trained-looking (non-default) BatchNorm statistics."""
    net = OFASuperNet(OFASpace(), channels=(4, 8, 8), head_channels=16, seed=0)
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.weight.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.num_features, generator=g) * 0.1)
    return net.eval()


# -- the arch and the space ------------------------------------------------------------------------
def test_arch_is_plain_data(space):
    a = space.sample(seed=3)
    assert a == OFAArch.from_string(str(a)) and hash(a) == hash(OFAArch.from_string(str(a)))
    assert repr(a) == f"OFAArch('{a}')"
    assert a.depths == tuple(len(s) for s in a.kernels)
    assert str(OFAArch.uniform([2, 3], 5, 4)) == "k5e4-k5e4|k5e4-k5e4-k5e4"
    with pytest.raises(AttributeError):
        a.kernels = ()


def test_space_size_matches_enumeration():
    tiny = OFASpace(n_stages=2, kernels=(3, 5), expands=(3,), depths=(1, 2))
    archs = list(tiny)
    assert len(archs) == len(set(archs)) == len(tiny) == (2 + 4) ** 2
    assert OFASpace().size == (9 ** 2 + 9 ** 3 + 9 ** 4) ** 3


def test_bad_archs_and_options_name_what_is_allowed(space):
    with pytest.raises(ValueError, match=r"kernel 4.*choose from \[3, 5, 7\]"):
        space.check(OFAArch(((4, 3), (3, 3), (3, 3)), ((3, 3), (3, 3), (3, 3))))
    with pytest.raises(ValueError, match=r"expand 5.*choose from \[3, 4, 6\]"):
        space.check(OFAArch(((3, 3), (3, 3), (3, 3)), ((5, 3), (3, 3), (3, 3))))
    with pytest.raises(ValueError, match=r"depth 1; choose from \[2, 3, 4\]"):
        space.check(OFAArch(((3,), (3, 3), (3, 3)), ((3,), (3, 3), (3, 3))))
    with pytest.raises(ValueError, match="has 1 stages; this space has 3"):
        space.check(OFAArch(((3, 3),), ((3, 3),)))
    with pytest.raises(ValueError, match="same blocks per stage"):
        OFAArch(((3, 3),), ((3,),))
    with pytest.raises(ValueError, match="k<kernel>e<expand>"):
        OFAArch.from_string("k3e3-x|k3")
    with pytest.raises(ValueError, match="odd"):
        OFASpace(kernels=(3, 4))
    with pytest.raises(ValueError, match=r"\[9\] are not in this space; choose from \[3, 5, 7\]"):
        space.sample(seed=0, kernels=(9,))
    with pytest.raises(ValueError, match=r"kernel 9 is not elastic here; choose from \[3, 5, 7\]"):
        ElasticDepthwise(4).kernel(9)


def test_sampling_is_seeded_and_leaves_global_rng_alone(space):
    state = random.getstate()
    assert [space.sample(seed=s) for s in range(5)] == [space.sample(seed=s) for s in range(5)]
    assert space.sample(seed=0, kernels=(3,), depths=(4,)).kernels == ((3,) * 4,) * 3
    assert random.getstate() == state


def test_encoding_is_one_hot_per_block(space):
    a = OFAArch(((3, 7), (5, 5, 5), (7, 3, 3, 3)), ((6, 3), (4, 4, 4), (3, 3, 6, 6)))
    x = space.encode(a)
    assert len(x) == space.encoding_size == 3 * 4 * 6
    slots = [x[i:i + 6] for i in range(0, len(x), 6)]
    for s, b in itertools.product(range(3), range(4)):
        slot = slots[s * 4 + b]
        if b < a.depths[s]:
            assert slot[:3] == [float(k == a.kernels[s][b]) for k in (3, 5, 7)]
            assert slot[3:] == [float(e == a.expands[s][b]) for e in (3, 4, 6)]
        else:
            assert slot == [0.0] * 6  # a skipped block


def test_mutation_and_crossover(space):
    a, b = space.largest(), space.smallest()
    assert space.mutate(a, prob=0.0, seed=0) == a
    for seed in range(20):
        assert space.check(space.mutate(a, prob=0.5, seed=seed))
        child = space.crossover(a, b, seed=seed)
        for _, blk, k, e in child.blocks():
            if blk < 2:  # blocks both parents run; deeper ones come from the deeper parent's genes
                assert k in (3, 7) and e in (3, 6)
    assert space.crossover(a, a, seed=1) == a


# -- the supernet ------------------------------------------------------------------------------------
def test_identity_kernel_transform_gives_the_centre_crop():
    dw = ElasticDepthwise(6, kernels=(3, 5, 7))
    w = dw.weight.detach()
    assert torch.equal(dw.kernel(7), dw.weight)
    assert torch.equal(dw.kernel(5).detach(), w[:, :, 1:6, 1:6])
    assert torch.equal(dw.kernel(3).detach(), w[:, :, 2:5, 2:5])
    assert torch.equal(dw.kernel(3, channels=2).detach(), w[:2, :, 2:5, 2:5])


def test_kernel_transform_is_applied_and_learned():
    dw = ElasticDepthwise(2, kernels=(3, 5, 7))
    m = torch.randn(25, 25)
    with torch.no_grad():
        dw.transforms["7to5"].copy_(m)
    crop = dw.weight.detach()[:, :, 1:6, 1:6].reshape(2, 25)
    assert torch.allclose(dw.kernel(5).detach(), (crop @ m.T).reshape(2, 1, 5, 5), atol=1e-5)
    x = torch.randn(1, 2, 6, 6)
    dw(x, 3).sum().backward()
    assert dw.transforms["5to3"].grad is not None and dw.transforms["7to5"].grad is not None


def test_extracted_subnet_equals_the_supernet_at_that_arch(tiny):
    x = torch.randn(5, 1, 16, 16, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():  # a transform away from the identity, so that it has to be applied
        tiny.block(0, 1).depthwise.transforms["7to5"].add_(
            0.01 * torch.randn(25, 25, generator=torch.Generator().manual_seed(4)))
        for seed in range(6):
            arch = tiny.space.sample(seed=seed)
            sub = tiny.extract(arch).eval()
            assert sub.arch == arch
            assert torch.allclose(sub(x), tiny(x, arch=arch), atol=1e-5), arch
            assert sum(isinstance(m, torch.nn.Conv2d) and m.groups > 1 for m in sub.modules()) == sum(arch.depths)


def test_extracted_subnet_of_a_float64_supernet_runs_in_float64(tiny):
    import copy

    net = copy.deepcopy(tiny).double()
    arch = net.space.sample(seed=2)
    sub = net.extract(arch).eval()
    assert {p.dtype for p in sub.parameters()} | {b.dtype for b in sub.buffers() if b.is_floating_point()} == {torch.float64}
    x = torch.randn(3, 1, 16, 16, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        # float64 all the way: agreement far below float32's resolution
        torch.testing.assert_close(sub(x), net.eval()(x, arch=arch), rtol=1e-12, atol=1e-12)


def test_extracted_subnet_has_the_arch_layers(tiny):
    arch = OFAArch(((3, 5), (7, 7, 3), (5, 5)), ((3, 6), (4, 4, 6), (3, 3)))
    sub = tiny.extract(arch)
    dws = [m for m in sub.modules() if isinstance(m, torch.nn.Conv2d) and m.groups > 1]
    assert [m.kernel_size[0] for m in dws] == [k for _, _, k, _ in arch.blocks()]
    ins = [16, 4, 4, 8, 8, 8, 8]  # block inputs: the stem's 16, then the stage channels (4, 8, 8)
    assert [m.out_channels for m in dws] == [c * e for c, (_, _, _, e) in zip(ins, arch.blocks())]


def test_channel_sorting_keeps_the_full_network_and_orders_importance(tiny):
    net = OFASuperNet(OFASpace(), channels=(4, 8, 8), head_channels=16, seed=1)
    net.load_state_dict(tiny.state_dict())
    net.eval()
    x = torch.randn(3, 1, 16, 16, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        before = net(x)
        net.sort_channels()
        assert torch.allclose(net(x), before, atol=1e-5)
    imp = net.block(1, 0).project.weight.abs().sum(dim=(0, 2, 3))
    assert torch.all(imp[:-1] >= imp[1:])


def test_fresh_subnet_has_the_extracted_shapes(tiny):
    arch = tiny.space.sample(seed=4)
    fresh, sub = tiny.fresh(arch, seed=0), tiny.extract(arch)
    assert [p.shape for p in fresh.parameters()] == [p.shape for p in sub.parameters()]
    assert not torch.equal(next(fresh.parameters()), next(sub.parameters()))


def test_recalibrated_bn_holds_the_images_statistics(tiny):
    sub = tiny.extract(tiny.space.smallest())
    x = torch.randn(40, 1, 16, 16, generator=torch.Generator().manual_seed(3))
    recalibrate_bn(sub, x, batch_size=40)
    bn = sub.stem[1]
    h = sub.stem[0](x)
    assert torch.allclose(bn.running_mean, h.mean(dim=(0, 2, 3)), atol=1e-5)
    assert not sub.training


# -- progressive shrinking ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small_data():
    return load_data().subset(n_train=96, n_val=32, seed=0)


def _tiny_run(data, tmp, epochs, max_epochs=None, seed=0):
    net = OFASuperNet(OFASpace(), channels=(4, 4, 8), head_channels=8, seed=seed)
    trainer = ProgressiveShrinking(net, data, phases=shrinking_schedule(net.space, epochs=epochs),
                                   batch_size=32, n_calib=32, n_val=32, seed=seed)
    return trainer.run(checkpoint=tmp, max_epochs=max_epochs)


def test_shrinking_follows_ofas_order(space):
    phases = shrinking_schedule(space)
    assert [p.name for p in phases] == ["full", "kernel", "depth", "depth", "expand", "expand"]
    assert phases[0].kernels == (7,) and phases[0].expands == (6,) and phases[0].depths == (4,)
    assert phases[1].kernels == (3, 5, 7) and phases[1].depths == (4,)
    assert phases[2].depths == (3, 4) and phases[3].depths == (2, 3, 4) and phases[3].expands == (6,)
    assert phases[4].expands == (4, 6) and phases[4].sort_channels and phases[5].expands == (3, 4, 6)
    with pytest.raises(ValueError, match="unknown phase 'width'"):
        type(phases[0])("width", 1, 0.1, (3,), (3,), (2,))


@pytest.mark.slow
def test_shrinking_resumes_exactly_from_its_checkpoint(small_data, tmp_path):
    epochs = (1, 1, 0, 1, 1, 0)
    straight = _tiny_run(small_data, tmp_path / "a.ckpt", epochs)
    _tiny_run(small_data, tmp_path / "b.ckpt", epochs, max_epochs=2)
    resumed = _tiny_run(small_data, tmp_path / "b.ckpt", epochs)
    assert [r.phase for r in resumed.record_] == ["full", "kernel", "depth", "expand"]
    assert [r.train_loss for r in resumed.record_] == [r.train_loss for r in straight.record_]
    for (k, a), b in zip(straight.supernet.state_dict().items(), resumed.supernet.state_dict().values()):
        assert torch.equal(a, b), k
    assert set(resumed.record_[-1].probes) == set(probe_archs(resumed.supernet.space))
    assert not list(tmp_path.glob("*.part"))


# -- predictors -------------------------------------------------------------------------------------
def test_latency_table_sums_its_entries(tiny, monkeypatch):
    calls = []

    def fake(net, input_shape, min_run_time=0.1):
        calls.append(tuple(input_shape))
        return type("L", (), {"median_ms": float(len(calls))})()
    monkeypatch.setattr(predictors_module, "measure_ms", fake)
    table = LatencyTable.build(tiny)
    assert set(table.entries) == set(LatencyTable.keys(tiny.space)) and len(calls) == 2 + 3 * 2 * 9
    assert calls[0] == (1, 1, 16, 16) and calls[-1] == (1, 8, 4, 4)  # stem input; head input
    for seed in range(5):
        arch = tiny.space.sample(seed=seed)
        keys = table.block_keys(arch)
        assert len(keys) == sum(arch.depths) + 2
        assert table(arch) == sum(table.entries[k] for k in keys)


def test_calibrated_table_scales_every_entry(tiny):
    table = LatencyTable(tiny.space, {k: 0.1 + 0.01 * i for i, k in enumerate(LatencyTable.keys(tiny.space))})
    archs = [tiny.space.sample(seed=s) for s in range(4)]
    fixed = table.calibrated(archs, [2 * table(a) for a in archs])
    assert fixed.scale_ == pytest.approx(2.0)
    for a in archs:
        assert fixed(a) == pytest.approx(2 * table(a))
    with pytest.raises(ValueError, match="one measured latency per arch"):
        table.calibrated(archs, [1.0])


@pytest.mark.slow
def test_latency_table_measures_blocks_with_the_real_timer(tiny):
    table = LatencyTable.build(tiny, min_run_time=0.001)
    assert all(v > 0 for v in table.entries.values())
    with pytest.raises(ValueError, match="lacks"):
        LatencyTable(tiny.space, {"stem": 1.0})


def test_accuracy_predictor_learns_a_linear_target(space):
    archs = [space.sample(seed=s) for s in range(300)]

    def truth(a):
        return sum(k + e for _, _, k, e in a.blocks())
    pred = AccuracyPredictor(space, epochs=150, seed=0).fit(archs[:250], [truth(a) for a in archs[:250]])
    test = archs[250:]
    err = predictors_module.rmse(pred.predict(test), [truth(a) for a in test])
    spread = torch.tensor([float(truth(a)) for a in test]).std().item()
    assert err < 0.15 * spread
    assert pred(test[0]) == pytest.approx(float(pred.predict(test[:1])[0]))
    again = AccuracyPredictor(space, epochs=150, seed=0).fit(archs[:250], [truth(a) for a in archs[:250]])
    assert (again.predict(test) == pred.predict(test)).all()
    with pytest.raises(RuntimeError, match="not fitted"):
        AccuracyPredictor(space).predict(test)


# -- evolution --------------------------------------------------------------------------------------
def _toy():
    space = OFASpace(n_stages=2, kernels=(3, 5, 7), expands=(3, 4, 6), depths=(1, 2))

    def accuracy(a):
        return sum(k * e for _, _, k, e in a.blocks())   # bigger is better, everywhere

    def latency(a):
        return sum(e for _, _, _, e in a.blocks())       # expansion costs
    return space, accuracy, latency


def test_evolution_finds_the_known_optimum_under_a_constraint():
    space, accuracy, latency = _toy()
    constraint = 13
    best = max((a for a in space if latency(a) <= constraint), key=accuracy)   # brute force
    search = OFAEvolution(space, accuracy, latency, constraint, population_size=30, seed=0).run(25)
    assert search.best_.accuracy == accuracy(best)
    assert all(c.latency <= constraint for g in search.generations_ for c in g.population)
    assert list(search.best_so_far()) == sorted(search.best_so_far())


def test_evolution_records_each_step_and_is_seeded():
    space, accuracy, latency = _toy()
    state = random.getstate()
    a = OFAEvolution(space, accuracy, latency, 10, population_size=20, seed=1)
    g0 = a.step()
    assert g0.index == 0 and len(g0.population) == 20 and all(c.origin == "random" for c in g0.population)
    g1 = a.step()
    assert len(g1.parents) == a.n_parents == 5 and len(g1.children) == 20
    assert len(g1.population) == 25 and g1.parents == g0.population[:5]
    assert {c.origin for c in g1.children} <= {"mutation", "crossover", "copy"}
    assert sum(c.origin == "mutation" for c in g1.children) + sum(
        c.origin == "copy" and len(c.parents) == 1 for c in g1.children) == 10
    b = OFAEvolution(space, accuracy, latency, 10, population_size=20, seed=1).run(2)
    assert [g.population for g in b.generations_] == [g0.population, g1.population]
    assert random.getstate() == state


def test_evolution_redraws_violations_and_fails_clearly_when_impossible():
    space, accuracy, latency = _toy()
    tight = OFAEvolution(space, accuracy, latency, 6, population_size=10, seed=0).run(3)
    assert sum(g.redrawn for g in tight.generations_) > 0
    assert all(c.latency <= 6 for c in tight.generations_[-1].population)
    with pytest.raises(ValueError, match=r"constraint of 2 ms.*smallest subnet's: 6 ms"):
        OFAEvolution(space, accuracy, latency, 2, population_size=4, max_tries=20, seed=0).step()
    for bad, match in ((dict(constraint=0), "constraint must be a positive"),
                       (dict(parent_ratio=0), "parent_ratio must be"),
                       (dict(mutation_prob=1.5), "mutation_prob must be"),
                       (dict(population_size=1), "population_size must be")):
        kwargs = dict(constraint=10) | bad
        with pytest.raises(ValueError, match=match):
            OFAEvolution(space, accuracy, latency, **kwargs)


def test_evolution_accepts_a_batch_predictor():
    space, accuracy, latency = _toy()

    class Batch:
        def predict(self, archs):
            return [accuracy(a) for a in archs]
    a = OFAEvolution(space, Batch(), latency, 12, population_size=10, seed=0).run(3)
    b = OFAEvolution(space, accuracy, latency, 12, population_size=10, seed=0).run(3)
    assert a.best_ == b.best_


# -- the shipped supernet ---------------------------------------------------------------------------
def test_shipped_supernet_record_and_subnets_load_and_agree():
    from naskit import plot
    from naskit.ofa import load, load_record, load_subnets

    net, record = load(), load_record()
    archs, accs = load_subnets()
    assert not net.training and len(archs) == len(accs) >= 100 and all(0 <= a <= 1 for a in accs)
    assert [p["name"] for p in record["recipe"]["phases"]] == ["full", "kernel", "depth", "depth",
                                                                 "expand", "expand"]
    assert len(record["epochs"]) == sum(p["epochs"] for p in record["recipe"]["phases"])
    x = load_data().x_val[:8]
    with torch.no_grad():
        assert torch.allclose(net.extract(archs[0]).eval()(x), net(x, arch=archs[0]), atol=1e-5)
    ax = plot.shrinking(record["epochs"])
    assert len(ax.get_lines()) == len(record["epochs"][0]["probes"])
