"""numpy integers are integers wherever naskit takes an index or a count; bools and floats are not.

The reference is the plain Python int: the same value as any numpy integer type gives the same arch,
space or network.
"""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import naskit as nk
from naskit._checks import is_int
from naskit.ofa import OFASpace, OFASuperNet
from naskit.space import CellSpace, DartsSpace, NB201Space
from naskit.space.macro import CombinedSpace, GlobalSpace
from naskit.supernet import SuperNet

SPACE = NB201Space()
INT_TYPES = [int, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
             np.intp]
NOT_INTS = [True, False, np.bool_(True), 3.0, np.float64(3), np.float32(2), "3", None]


def _as(kind, value):
    """``value`` as ``kind``, or None where the type cannot hold it."""
    info = np.iinfo(kind) if kind is not int else None
    return kind(value) if info is None or info.min <= value <= info.max else None


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(INT_TYPES), index=st.integers(-15625, 15624))
def test_nb201_getitem_takes_any_integer_type(kind, index):
    i = _as(kind, index)
    if i is None:  # e.g. a negative index as an unsigned type
        return
    assert SPACE[i] == SPACE[index]
    assert SPACE.index(SPACE[i]) == index % len(SPACE)


@settings(max_examples=30, deadline=None)
@given(kind=st.sampled_from(INT_TYPES), index=st.one_of(st.integers(15625, 2 ** 31),
                                                         st.integers(-2 ** 31, -15626)))
def test_nb201_getitem_out_of_range_is_an_index_error(kind, index):
    i = _as(kind, index)
    if i is None:
        return
    with pytest.raises(IndexError, match="0..15624"):
        SPACE[i]


@pytest.mark.parametrize("bad", NOT_INTS)
def test_nb201_getitem_rejects_bools_and_floats(bad):
    with pytest.raises(TypeError, match="NB201 index must be an int"):
        SPACE[bad]


def test_getitem_agrees_with_the_benchmark_index():
    bench = nk.bench.load("mini")
    for i in (np.int64(0), np.int32(3), np.uint16(15624), 7):
        assert bench.index(SPACE[i]) == int(i)


@settings(max_examples=40, deadline=None)
@given(kind=st.sampled_from(INT_TYPES), n=st.integers(2, 6), edge=st.integers(0, 5))
def test_counts_of_cell_spaces(kind, n, edge):
    space = CellSpace(n_nodes=kind(n))
    assert space.n_nodes == n and type(space.n_nodes) is int
    assert space.size() == CellSpace(n_nodes=n).size()
    arch = space.sample(seed=0)
    if edge < space.n_edges:
        assert arch.with_op(kind(edge), "none") == arch.with_op(edge, "none")


@settings(max_examples=30, deadline=None)
@given(kind=st.sampled_from(INT_TYPES), n=st.integers(1, 5))
def test_counts_of_darts_macro_and_ofa_spaces(kind, n):
    assert DartsSpace(n_intermediate=kind(n)).size() == DartsSpace(n_intermediate=n).size()
    ops = ("conv3x3", "conv5x5")
    assert GlobalSpace(kind(n), ops).size() == GlobalSpace(n, ops).size()
    combined = CombinedSpace(SPACE, stages=(kind(n),), channels=(kind(8), kind(16)))
    assert combined.stages == (n,) and combined.channels == (8, 16)
    assert combined.size() == CombinedSpace(SPACE, stages=(n,), channels=(8, 16)).size()
    assert OFASpace(n_stages=kind(n)).size == OFASpace(n_stages=n).size
    assert OFASpace(kernels=(kind(3), kind(5))) == OFASpace(kernels=(3, 5))


@pytest.mark.parametrize("bad", [True, 2.0, np.float64(2), "2"])
def test_counts_reject_bools_and_floats(bad):
    for make in (lambda: CellSpace(n_nodes=bad), lambda: DartsSpace(n_intermediate=bad),
                 lambda: GlobalSpace(bad, ("conv3x3",)), lambda: CombinedSpace(SPACE, stages=(bad,)),
                 lambda: OFASpace(n_stages=bad), lambda: OFASpace(kernels=(3, bad)),
                 lambda: SPACE.sample(seed=0).with_op(bad, "none")):
        with pytest.raises(ValueError):
            make()


@settings(max_examples=10, deadline=None)
@given(kind=st.sampled_from(INT_TYPES), channels=st.integers(1, 8))
def test_channels_of_networks(kind, channels):
    arch = SPACE[5]
    a = nk.build(arch, channels=kind(channels), cells_per_stage=kind(1), num_classes=kind(3))
    b = nk.build(arch, channels=channels, cells_per_stage=1, num_classes=3)
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))
    net = SuperNet(SPACE, channels=kind(channels), cells_per_stage=1)
    assert net.channels == channels


def test_channels_of_ofa_and_darts_networks():
    a = OFASuperNet(channels=(np.int64(8), np.int32(8), np.uint8(8)), stem_channels=np.int16(8))
    b = OFASuperNet(channels=(8, 8, 8), stem_channels=8)
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))
    g = DartsSpace().sample(seed=0)
    assert sum(p.numel() for p in nk.model.build_darts(g, channels=np.int64(4), layers=np.int8(2)).parameters()) \
        == sum(p.numel() for p in nk.model.build_darts(g, channels=4, layers=2).parameters())


@pytest.mark.parametrize("bad", [True, 8.0, np.float64(8)])
def test_channels_reject_bools_and_floats(bad):
    for make in (lambda: nk.build(SPACE[5], channels=bad), lambda: OFASuperNet(channels=(bad, 8, 8)),
                 lambda: OFASuperNet(stem_channels=bad), lambda: SuperNet(SPACE, channels=bad),
                 lambda: nk.model.build_darts(DartsSpace().sample(seed=0), channels=bad)):
        with pytest.raises(ValueError, match="must be an int"):
            make()


@given(st.one_of(st.integers(), st.sampled_from([np.int64(-3), np.uint64(2 ** 63)])))
def test_is_int_matches_python_ints(value):
    assert is_int(value) and int(value) == value


@pytest.mark.parametrize("value", NOT_INTS)
def test_is_int_rejects_the_rest(value):
    assert not is_int(value)
