import itertools
import random

import pytest

from naskit.space import (DARTS_V2, ENAS_MACRO_OPS, CombinedSpace, DartsSpace, GlobalArch, GlobalSpace,
                          MacroArch, NB201Space)


def _brute_force_global(n_layers, ops, skip_connections):
    """Every chain: an op per layer and, per (earlier, later) layer pair, a skip bit."""
    pairs = [(j, i) for i in range(n_layers) for j in range(i)] if skip_connections else []
    archs = set()
    for op_choice in itertools.product(ops, repeat=n_layers):
        for bits in itertools.product((0, 1), repeat=len(pairs)):
            skips = [[j for (j, i), b in zip(pairs, bits) if b and i == k] for k in range(n_layers)]
            archs.add(GlobalArch(tuple(zip(op_choice, skips))))
    return archs


@pytest.mark.parametrize("n_layers, ops, skip", [(1, "ab", True), (3, "ab", True), (4, "abc", True),
                                                  (3, "abc", False)])
def test_global_size_matches_brute_force(n_layers, ops, skip):
    space = GlobalSpace(n_layers, tuple(ops), skip_connections=skip)
    archs = _brute_force_global(n_layers, tuple(ops), skip)
    assert space.size() == len(archs)
    for arch in archs:
        space.check(arch)
    listed = list(space)
    assert len(listed) == len(set(listed)) and set(listed) == archs


def test_global_size_reproduces_enas_figure():
    # ENAS (Pham et al. 2018, Sec. 2.3): 12 layers, 6 ops: 6^12 x 2^(12*11/2), about 1.6e29.
    size = GlobalSpace(12, ENAS_MACRO_OPS).size()
    assert f"{size:.1e}" == "1.6e+29"
    assert GlobalSpace(12, ENAS_MACRO_OPS, skip_connections=False).size() == 6 ** 12


def test_global_arch_string_round_trip_and_repr():
    space = GlobalSpace(6, ENAS_MACRO_OPS)
    for seed in range(20):
        arch = space.sample(seed=seed)
        assert space.parse(str(arch)) == arch
    arch = GlobalArch.from_string("conv_3x3 > max_pool_3x3+[0] > sep_conv_5x5+[0,1]")
    assert arch.ops == ("conv_3x3", "max_pool_3x3", "sep_conv_5x5")
    assert arch.layers[2] == ("sep_conv_5x5", (0, 1))
    assert repr(arch) == "GlobalArch('conv_3x3 > max_pool_3x3+[0] > sep_conv_5x5+[0,1]')"
    assert hash(arch) == hash(GlobalArch((("conv_3x3", ()), ("max_pool_3x3", [0]), ("sep_conv_5x5", (1, 0)))))


@pytest.mark.parametrize("text, words", [
    ("conv_3x3 > conv_3x3+[1] > conv_3x3", "layer 1 skips from layer 1, which is not an earlier layer"),
    ("conv_3x3+[0] > conv_3x3 > conv_3x3", "no layer (it is the first)"),
    ("conv_3x3 > conv_7x7 > conv_3x3", "unknown op 'conv_7x7' in layer 1; choose from"),
    ("conv_3x3 > conv_3x3 > conv_3x3+[0,0]", "twice"),
    ("conv_3x3", "1 layers; this space has 3"),
])
def test_global_check_explains(text, words):
    with pytest.raises(ValueError) as err:
        GlobalSpace(3, ENAS_MACRO_OPS).parse(text)
    assert words in str(err.value)


def test_global_rejects_malformed_text_and_skips_in_a_chain_only_space():
    with pytest.raises(ValueError, match="op\\+\\[j,k\\]"):
        GlobalArch.from_string("conv_3x3+0")
    with pytest.raises(ValueError, match="layer numbers"):
        GlobalArch.from_string("conv_3x3 > conv_3x3+[a]")
    with pytest.raises(ValueError, match="skip_connections=False"):
        GlobalSpace(2, ENAS_MACRO_OPS, skip_connections=False).parse("conv_3x3 > conv_3x3+[0]")


def test_global_sample_is_seeded_and_uniform():
    space = GlobalSpace(2, ("a", "b"))  # 2^2 * 2^1 = 8 archs
    assert space.sample(seed=5) == space.sample(seed=5)
    state = random.getstate()
    rng = random.Random(0)
    counts = {}
    for _ in range(1600):
        arch = space.sample(seed=rng)
        counts[arch] = counts.get(arch, 0) + 1
    assert random.getstate() == state
    assert len(counts) == 8 and min(counts.values()) > 150 and max(counts.values()) < 250


def test_global_mutate_changes_one_op_or_one_skip():
    space = GlobalSpace(5, ENAS_MACRO_OPS)
    arch = space.sample(seed=0)
    # Per layer i: 5 other ops and i skips to toggle.
    assert len(space.neighbours(arch)) == sum(5 + i for i in range(5))
    for seed in range(20):
        child = space.mutate(arch, seed=seed)
        changed = [(a, b) for a, b in zip(arch.layers, child.layers) if a != b]
        assert len(changed) == 1
        (op_a, sk_a), (op_b, sk_b) = changed[0]
        assert (op_a != op_b and sk_a == sk_b) or (op_a == op_b and len(set(sk_a) ^ set(sk_b)) == 1)


def test_combined_size_is_macro_times_cell():
    nb201 = CombinedSpace(NB201Space(), stages=(3,), cells_per_stage=(1, 2, 3, 5), channels=(8, 16, 32))
    assert nb201.macro_size() == 1 * 4 * 3
    assert nb201.size() == 12 * 15_625
    darts = CombinedSpace(DartsSpace(), stages=(2, 3), cells_per_stage=(2, 4), channels=(16,))
    assert darts.size() == 2 * 2 * 1 * DartsSpace().size("normal") ** 2


def test_combined_size_matches_enumeration_of_a_tiny_space():
    from naskit.space import CellSpace
    cell_space = CellSpace(ops=("a", "b"), n_nodes=3)  # 2^3 cells
    space = CombinedSpace(cell_space, stages=(1, 2), cells_per_stage=(1, 3), channels=(4, 8, 16))
    every = {MacroArch(c, s, n, ch) for c in cell_space for s in space.stages
             for n in space.cells_per_stage for ch in space.channels}
    assert space.size() == len(every) == 8 * 12
    rng = random.Random(1)
    seen = {space.sample(seed=rng) for _ in range(2000)}
    assert seen == every


def test_combined_sample_check_mutate_and_repr():
    space = CombinedSpace(NB201Space())
    arch = space.sample(seed=0)
    assert arch == space.sample(seed=0) and space.check(arch) is arch
    assert "MacroArch(stages=3" in repr(arch) and "Arch('|" in repr(arch)
    for seed in range(10):
        child = space.mutate(arch, seed=seed)
        space.check(child)
        diffs = [f for f in ("cell", "stages", "cells_per_stage", "channels")
                 if getattr(child, f) != getattr(arch, f)]
        assert len(diffs) == 1
    assert "187,500 archs" in repr(space)
    darts = CombinedSpace(DartsSpace())
    darts.check(MacroArch(DARTS_V2, 3, 5, 16))
    with pytest.raises(ValueError, match="choose from \\[1, 2, 3, 5\\]"):
        space.check(MacroArch(arch.cell, 3, 4, 16))
    with pytest.raises(ValueError, match="unknown op"):
        darts.check(MacroArch(DARTS_V2.__class__(DARTS_V2.reduce[:7] + (("conv", 0),), range(2, 6),
                                                 DARTS_V2.reduce, range(2, 6)), 3, 5, 16))
    with pytest.raises(ValueError, match="distinct ints"):
        CombinedSpace(NB201Space(), channels=(8, 8))
    with pytest.raises(TypeError):
        CombinedSpace(object())


def test_every_space_has_size():
    spaces = [NB201Space(), DartsSpace(), GlobalSpace(3, "ab"), CombinedSpace(NB201Space())]
    assert [s.size() for s in spaces][0] == len(NB201Space()) == 15_625
    assert all(isinstance(s.size(), int) and s.size() > 0 for s in spaces)


def test_space_package_stays_free_of_torch():
    # Load naskit.space alone (not naskit/__init__, which builds models) with torch made unimportable.
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    code = f"""
import sys, types
class NoTorch:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "torch":
            raise ImportError("naskit.space must not import torch")
sys.meta_path.insert(0, NoTorch())
pkg = types.ModuleType("naskit")
pkg.__path__ = [{str(root / "naskit")!r}]
sys.modules["naskit"] = pkg
import naskit.space
print(naskit.space.DartsSpace().size(), naskit.space.GlobalSpace(2, "ab").size())
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1037664180", "8"]
