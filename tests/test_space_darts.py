import itertools
import math
import random

import pytest

from naskit.space import DARTS_OP_NAMES, DARTS_V1, DARTS_V2, DartsSpace, Genotype


def test_op_names_are_the_darts_op_registry_in_order():
    from naskit.ops import DARTS_OPS
    assert tuple(DARTS_OPS) == DARTS_OP_NAMES


def test_default_size_is_the_papers_formula():
    # DARTS Sec. 3: excluding the zero op, prod_{k=1..4} (k+1)k/2 * 7^2, about 10^9 per cell.
    space = DartsSpace()
    expected = math.prod((k + 1) * k // 2 * 7 ** 2 for k in range(1, 5))
    assert space.size() == space.size("normal") == space.size("reduce") == expected == 1_037_664_180
    assert space.size("joint") == expected ** 2
    assert round(math.log10(space.size())) == 9 and round(math.log10(space.size("joint"))) == 18


def _brute_force_cells(n, ops, m):
    """Every DAG: all (op, input) choices for each slot, distinct earlier inputs, pair order ignored."""
    dags = set()
    slots = [[(op, src) for op in ops for src in range(i + 2)] for i in range(n) for _ in range(m)]
    for choice in itertools.product(*slots):
        nodes = [choice[i * m:(i + 1) * m] for i in range(n)]
        if all(len({src for _, src in node}) == m for node in nodes):
            dags.add(tuple(frozenset(node) for node in nodes))
    return dags


@pytest.mark.parametrize("n, ops, m", [(2, ("a", "b", "c"), 2), (3, ("a", "b"), 2), (3, ("a", "b", "c"), 1)])
def test_size_and_iteration_match_brute_force(n, ops, m):
    space = DartsSpace(n_intermediate=n, ops=ops, inputs_per_node=m)
    dags = _brute_force_cells(n, ops, m)
    assert space.size() == len(dags)
    listed = [tuple(frozenset(c[i * m:(i + 1) * m]) for i in range(n)) for c in space.cells()]
    assert len(listed) == len(set(listed)) and set(listed) == dags


def test_joint_iteration_counts_normal_times_reduce():
    space = DartsSpace(n_intermediate=2, ops=("a", "b"))
    genotypes = list(space)
    assert len(genotypes) == len(set(genotypes))
    assert len(genotypes) == len(_brute_force_cells(2, ("a", "b"), 2)) ** 2 == space.size("joint")
    for g in genotypes[:50]:
        space.check(g)


def test_string_round_trip_and_darts_format():
    text = str(DARTS_V2)
    assert text.startswith("Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ")
    assert "normal_concat=range(2, 6), reduce=[('max_pool_3x3', 0)" in text
    assert text.endswith("reduce_concat=range(2, 6))")
    assert Genotype.from_string(text) == DARTS_V2
    assert hash(Genotype.from_string(str(DARTS_V1))) == hash(DARTS_V1)
    # The DARTS repository writes concat as a list; both spellings parse to the same genotype.
    listed = text.replace("range(2, 6)", "[2, 3, 4, 5]")
    assert Genotype.from_string(listed) == DARTS_V2
    assert repr(DARTS_V2) == text


def test_published_genotypes_are_in_the_default_space():
    space = DartsSpace()
    for g in (DARTS_V1, DARTS_V2):
        assert space.check(g) is g
    assert space.canonical(DARTS_V1) != DARTS_V1  # V1 lists ('sep_conv_3x3', 1) before input 0
    assert space.canonical(space.canonical(DARTS_V1)) == space.canonical(DARTS_V1)


def test_genotype_is_frozen_and_hashable():
    with pytest.raises(Exception):
        DARTS_V2.normal = ()
    assert len({DARTS_V1, DARTS_V2, Genotype.from_string(str(DARTS_V2))}) == 2


@pytest.mark.parametrize("text, words", [
    ("Genotype(normal=[('a', 0)]", "not a valid genotype"),
    ("__import__('os').system('true')", "Genotype(...)"),
    ("Genotype(normal=[], normal_concat=range(2, 6), reduce=[])", "missing ['reduce_concat']"),
    ("Genotype(normal=[], normal_concat=[], reduce=[], reduce_concat=[], extra=1)", "unknown Genotype field"),
    ("Genotype(normal=[('a', x)], normal_concat=[], reduce=[], reduce_concat=[])", "literal"),
    ("Genotype(normal=[('a', 0, 1)], normal_concat=[], reduce=[], reduce_concat=[])", "not an (op, input) pair"),
    ("Genotype(normal=[], normal_concat=range('a'), reduce=[], reduce_concat=[])", "range(start, stop)"),
    ("Genotype(normal=[], normal_concat='2345', reduce=[], reduce_concat=[])", "normal_concat"),
    # a huge range used to be expanded before any check: the kernel hung
    ("Genotype(normal=[], normal_concat=range(0, 10**12), reduce=[], reduce_concat=[])", "range(start"),
    ("Genotype(normal=[], normal_concat=range(0, 1000000000000), reduce=[], reduce_concat=[])",
     "normal_concat lists 1,000,000,000,000 states; a cell concatenates at most 1,000"),
    ("Genotype(normal=[], normal_concat=range(2, 6, 0), reduce=[], reduce_concat=[])", "not a range"),
    ("Genotype(normal=[" + "('a', 0), " * 3000 + "], normal_concat=[], reduce=[], reduce_concat=[])",
     "at most 20,000 characters"),
    ("Genotype(normal=" + "[" * 500 + "]" * 500 + ", normal_concat=[], reduce=[], reduce_concat=[])",
     "not a valid genotype"),
])
def test_from_string_rejects_malformed_text(text, words):
    with pytest.raises(ValueError) as err:
        Genotype.from_string(text)
    assert words in str(err.value)


def _with(genotype, cell, k, pair):
    pairs = list(getattr(genotype, cell))
    pairs[k] = pair
    fields = {"normal": genotype.normal, "reduce": genotype.reduce, cell: pairs}
    return Genotype(fields["normal"], genotype.normal_concat, fields["reduce"], genotype.reduce_concat)


@pytest.mark.parametrize("bad, words", [
    (_with(DARTS_V2, "normal", 0, ("conv_7x7", 0)), "unknown op 'conv_7x7'"),
    (_with(DARTS_V2, "normal", 0, ("none", 0)), "choose from ['avg_pool_3x3'"),
    (_with(DARTS_V2, "normal", 2, ("sep_conv_3x3", 3)), "itself (a cycle)"),
    (_with(DARTS_V2, "reduce", 2, ("skip_connect", 5)), "forward reference"),
    (_with(DARTS_V2, "normal", 1, ("sep_conv_3x3", 0)), "takes input 0 twice"),
    (_with(DARTS_V2, "normal", 0, ("sep_conv_3x3", -1)), "negative"),
    (Genotype(DARTS_V2.normal[:-1], range(2, 6), DARTS_V2.reduce, range(2, 6)), "7 (op, input) pairs"),
    (Genotype(DARTS_V2.normal, [2, 3, 4, 6], DARTS_V2.reduce, range(2, 6)), "not a state"),
    (Genotype(DARTS_V2.normal, [2, 3, 3, 5], DARTS_V2.reduce, range(2, 6)), "twice"),
    (Genotype(DARTS_V2.normal, range(2, 6), DARTS_V2.reduce, [3, 4, 5]), "every intermediate node"),
])
def test_check_explains_what_is_wrong(bad, words):
    with pytest.raises(ValueError) as err:
        DartsSpace().check(bad)
    assert words in str(err.value)


def test_check_rejects_non_genotypes_and_bad_spaces():
    with pytest.raises(TypeError):
        DartsSpace().check(str(DARTS_V2))
    with pytest.raises(ValueError, match="inputs_per_node"):
        DartsSpace(inputs_per_node=3)
    with pytest.raises(ValueError, match="distinct"):
        DartsSpace(ops=("a", "a"))
    with pytest.raises(ValueError, match="joint"):
        DartsSpace().size("both")


def test_sample_is_seeded_valid_and_uniform():
    space = DartsSpace()
    assert space.sample(seed=3) == space.sample(seed=3)
    assert space.sample(seed=3) != space.sample(seed=4)
    state = random.getstate()
    for seed in range(30):
        space.check(space.sample(seed=seed))
    assert random.getstate() == state  # never the global generator
    tiny = DartsSpace(n_intermediate=1, ops=("a", "b"))  # 4 cells, 16 genotypes
    counts = {}
    rng = random.Random(0)
    for _ in range(3200):
        g = tiny.sample(seed=rng)
        counts[g] = counts.get(g, 0) + 1
    assert len(counts) == 16 and min(counts.values()) > 140 and max(counts.values()) < 260


def test_mutate_changes_exactly_one_op_or_input():
    space = DartsSpace()
    for seed in range(40):
        child = space.mutate(DARTS_V2, seed=seed)
        space.check(child)
        diffs = [(cell, a, b) for cell in ("normal", "reduce")
                 for a, b in zip(getattr(DARTS_V2, cell), getattr(child, cell)) if a != b]
        assert len(diffs) == 1
        _, (op_a, src_a), (op_b, src_b) = diffs[0]
        assert (op_a != op_b) != (src_a != src_b)
    assert space.mutate(DARTS_V2, seed=1) == space.mutate(DARTS_V2, seed=1)


def test_neighbours_count_matches_hand_count():
    space = DartsSpace()
    # Each of 16 edges: 6 other ops, plus inputs of its node not used by either edge (i+2-2 = i).
    expected = 2 * sum(2 * (6 + i) for i in range(4))
    assert len(space.neighbours(DARTS_V2)) == expected
    single = DartsSpace(n_intermediate=1, ops=("a",))
    with pytest.raises(ValueError, match="single genotype"):
        single.mutate(single.sample(seed=0))


def test_edges_name_the_dag_for_drawing():
    edges = DARTS_V2.edges("normal")
    assert edges[0] == ("c_{k-2}", "0", "sep_conv_3x3")
    assert ("0", "3", "dil_conv_3x3") in edges  # input 2 is intermediate node 0
    assert [e for e in edges if e[1] == "c_{k}"] == [(str(i), "c_{k}", None) for i in range(4)]
    assert len(edges) == 8 + 4
    assert DARTS_V2.edges("reduce")[2] == ("0", "1", "skip_connect")
    with pytest.raises(ValueError, match="unknown cell type"):
        DARTS_V2.edges("reduction")


def test_pretty_repr_lists_nodes():
    from IPython.lib.pretty import pretty
    text = pretty(DARTS_V2)
    assert "node 3 = skip_connect(c_{k-2}) + dil_conv_3x3(0)" in text
    assert text.count("concat(0, 1, 2, 3)") == 2


def test_space_repr_states_the_sizes():
    text = repr(DartsSpace())
    assert "1,037,664,180" in text and "1.08e+18" in text


def test_a_huge_python_range_is_refused_before_it_is_expanded():
    with pytest.raises(ValueError, match="normal_concat lists 10,000,000,000 states"):
        Genotype([], range(10**10), [], [])
