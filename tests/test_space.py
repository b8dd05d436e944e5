"""NB201 cell space: size, index order, isomorphism classes, sampling, mutation, errors."""
import csv
import itertools
import random

import numpy as np
import pytest

import naskit as nk
from naskit.space import NB201_OP_NAMES

SPACE = nk.NB201Space()
BEST = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"


def test_size_and_iteration_cover_every_cell_once():
    archs = list(SPACE)
    assert len(SPACE) == len(archs) == 5 ** 6 == 15625
    assert len(set(archs)) == 15625
    assert set(archs) == {nk.Arch.from_ops(ops) for ops in itertools.product(NB201_OP_NAMES, repeat=6)}
    assert all(SPACE[i] == a and SPACE.index(a) == i for i, a in enumerate(archs[:200]))


@pytest.mark.parametrize("name,index_col,str_col", [
    ("cifar10-valid_200ep.csv", "index", "arch_str"),
    ("all-datasets_12ep.csv", "arch", "cellstr"),
    ("zero-cost_725subset.csv", "nb201_index", "arch_str"),
])
def test_index_order_and_strings_match_published_tables(nb201_sources, name, index_col, str_col):
    path = nb201_sources / name
    rows = list(csv.DictReader(open(path)))
    assert len(rows) > 700
    for row in rows:
        arch = nk.Arch.from_string(row[str_col])
        assert str(arch) == row[str_col]  # round trip
        assert SPACE.index(arch) == int(row[index_col])


def test_isomorphism_classes_reproduce_published_count():
    classes = SPACE.isomorphism_classes()
    assert len(classes) == 6466  # NAS-Bench-201 paper, Section 2.1
    assert sum(map(len, classes)) == 15625
    for members in classes[:300]:
        rep = SPACE.canonical(members[-1])
        assert rep == members[0] == min(members, key=SPACE.index)
        assert SPACE.canonical(rep) == rep


def _function_signature(arch, fns, x):
    value = [x]
    for node in arch.nodes:
        value.append(sum(fns[op](value[src]) for op, src in node))
    return tuple(np.round(value[-1], 9))


def test_function_convention_equals_numerical_function_equivalence():
    # Second method: give every op a random function with f(0) = 0 (like a bias-free
    # ReLU-conv), evaluate each cell on a random vector and group equal outputs.
    rng = np.random.default_rng(0)
    W = {op: rng.normal(size=(6, 6)) for op in ("nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")}
    fns = {"none": lambda v: 0 * v, "skip_connect": lambda v: v}
    fns.update({op: (lambda v, w=w: np.tanh(w @ v)) for op, w in W.items()})
    x = rng.normal(size=6)
    by_output, by_key = {}, {}
    for arch in SPACE:
        out, key = _function_signature(arch, fns, x), SPACE.class_key(arch, "function")
        by_output.setdefault(out, set()).add(key)
        by_key.setdefault(key, set()).add(out)
    assert all(len(v) == 1 for v in by_output.values())
    assert all(len(v) == 1 for v in by_key.values())
    assert len(SPACE.isomorphism_classes("function")) == len(by_key) == 4930


def test_function_classes_merge_whole_nb201_classes():
    for members in SPACE.isomorphism_classes()[::7]:
        assert len({SPACE.class_key(a, "function") for a in members}) == 1
    zero = [m for m in SPACE.isomorphism_classes("function") if SPACE.class_key(m[0], "function") == "#"]
    # cells whose output never sees the input: every path to node 3 crosses a 'none' edge
    brute = [a for a in SPACE if not any(_path_without_none(a))]
    assert len(zero[0]) == len(brute)


def _path_without_none(arch):
    reach = {0}
    for k, node in enumerate(arch.nodes, 1):
        if any(op != "none" and src in reach for op, src in node):
            reach.add(k)
    yield len(arch.nodes) in reach


def test_isomorphic_cells_share_a_class_and_different_ones_do_not():
    a = nk.Arch.from_string("|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|none~1|skip_connect~2|")
    # node 2 = conv1x1(node1) + node0, in either order of edges; the output equals node 2
    b = nk.Arch.from_string("|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|none~1|skip_connect~2|")
    c = nk.Arch.from_string("|nor_conv_1x1~0|+|skip_connect~0|nor_conv_3x3~1|+|none~0|none~1|skip_connect~2|")
    assert SPACE.class_key(a) == SPACE.class_key(b)
    assert SPACE.class_key(a) != SPACE.class_key(c)
    # the output only sees node 3's inputs: a cell whose last node ignores everything is all-zero
    z1 = nk.Arch.from_string("|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|none~0|none~1|none~2|")
    z2 = nk.Arch.from_string("|avg_pool_3x3~0|+|skip_connect~0|none~1|+|none~0|none~1|none~2|")
    assert SPACE.canonical(z1) == SPACE.canonical(z2)


def test_sample_is_seeded_and_uniform():
    assert SPACE.sample(seed=3) == SPACE.sample(seed=3)
    archs = [SPACE.sample(seed=s) for s in range(2000)]
    assert len(set(archs)) > 1800
    counts = np.array([sum(a.ops[0] == op for a in archs) for op in NB201_OP_NAMES])
    assert abs(counts - 400).max() < 80  # about 5 binomial standard deviations
    gen = random.Random(1)
    assert [SPACE.sample(seed=gen) for _ in range(3)] != [SPACE.sample(seed=gen) for _ in range(3)]
    before = random.getstate()
    SPACE.sample(seed=0)
    assert random.getstate() == before  # the library never touches the global generator


def test_neighbours_equal_brute_force_hamming_one():
    arch = nk.Arch.from_string(BEST)
    brute = {b for b in SPACE if sum(x != y for x, y in zip(arch.ops, b.ops)) == 1}
    nbrs = SPACE.neighbours(arch)
    assert len(nbrs) == 6 * 4 and set(nbrs) == brute


def test_mutate_changes_exactly_one_edge():
    arch = nk.Arch.from_string(BEST)
    for seed in range(50):
        child = SPACE.mutate(arch, seed=seed)
        assert sum(x != y for x, y in zip(arch.ops, child.ops)) == 1
    assert SPACE.mutate(arch, seed=7) == SPACE.mutate(arch, seed=7)


def test_arch_is_immutable_hashable_and_repr_round_trips():
    arch = nk.Arch.from_string(BEST)
    with pytest.raises(AttributeError):
        arch.nodes = ()
    assert eval(repr(arch), {"Arch": nk.Arch}) == arch
    assert {arch: 1}[nk.Arch(BEST)] == 1
    assert arch.edges[3] == (0, 3, "skip_connect") and arch.n_nodes == 4
    assert arch.with_op(3, "none").ops[3] == "none" and arch.ops[3] == "skip_connect"


def test_general_cell_space_sizes():
    five = nk.CellSpace(ops=NB201_OP_NAMES, n_nodes=5)
    assert five.n_edges == 10 and len(five) == 5 ** 10
    small = nk.CellSpace(ops=("a", "b"), n_nodes=3)
    assert len(list(small)) == len(small) == 8
    assert small.parse("|a~0|+|b~0|a~1|").ops == ("a", "b", "a")


@pytest.mark.parametrize("text,fragment", [
    ("", "empty cell string"),
    ("|nor_conv_3x3~0|+|none~0|none~1|", "has 3 nodes"),
    ("|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|", "unknown op 'conv'"),
    ("|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|", "choose from ['avg_pool_3x3', 'none'"),
    ("|none~1|+|none~0|none~1|+|none~0|none~1|none~2|", "cycle (1 -> 1)"),
    ("|none~2|+|none~0|none~1|+|none~0|none~1|none~2|", "cycle (2 -> 1 -> 2)"),
    ("|none~0|+|none~0|none~3|+|none~0|none~1|none~2|", "cycle (3 -> 2 -> 3)"),
    ("|none~0|+|none~0|none~4|+|none~0|none~1|none~2|", "node 2 takes input from node 4, but the cell only has nodes 0..3"),
    ("|none~0|+|none~0|none~0|+|none~0|none~1|none~2|", "one edge from each of nodes [0, 1]"),
    ("|none~0|+|none~0|none~1|+|none~0|none~1|", "node 3 has inputs [0, 1]"),
    ("|none~0|+|none~0|none~x|+|none~0|none~1|none~2|", "source 'x'"),
    ("|none~-1|+|none~0|none~1|+|none~0|none~1|none~2|", "negative source"),
    ("|none0|+|none~0|none~1|+|none~0|none~1|none~2|", "must read 'op~source'"),
    ("none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "must start and end with '|'"),
])
def test_bad_strings_get_clear_errors(text, fragment):
    with pytest.raises(ValueError) as err:
        nk.Arch.from_string(text)
    assert fragment in str(err.value)


def test_bad_arguments():
    with pytest.raises(TypeError, match="must be a str"):
        nk.Arch.from_string(42)
    with pytest.raises(TypeError, match="seed must be"):
        SPACE.sample(seed="zero")
    with pytest.raises(IndexError, match="0..15624"):
        SPACE[15625]
    with pytest.raises(ValueError, match="distinct"):
        nk.CellSpace(ops=("a", "a"))
    with pytest.raises(ValueError, match="unknown convention 'x'; choose from"):
        SPACE.class_key(SPACE[0], "x")
    with pytest.raises(ValueError, match="edge 6 does not exist"):
        SPACE[0].with_op(6, "none")


def test_long_cell_strings_are_checked_without_recursion_or_bounded():
    # the recursive cycle check overflowed the stack on a long chain of nodes
    chain = "+".join(f"|none~{k}|" for k in range(5000))
    assert nk.Arch(chain).n_nodes == 5001
    back = "+".join(["|none~4999|"] + [f"|none~{k}|" for k in range(1, 5000)])  # 1 -> ... -> 1
    with pytest.raises(ValueError, match=r"the cell has a cycle \(4999 -> 1 -> 2 -> 3 -> 4 -> \.\.\. 4993 more -> 4998 -> 4999\)"):
        nk.Arch(back)
    with pytest.raises(ValueError, match="at most 100,000 characters"):
        nk.Arch("|none~0|" * 20_000)
