"""The DARTS cell search space: a normal and a reduction cell, each a small DAG (Liu et al., ICLR 2019).

A DARTS cell has two inputs, the outputs ``c_{k-2}`` and ``c_{k-1}`` of the two previous cells
(states 0 and 1), and ``n`` intermediate nodes (states 2..n+1). Intermediate node ``i`` (0-based)
sums one op applied to each of 2 distinct earlier states, chosen among 0..i+1; the cell output
``c_{k}`` concatenates the intermediate nodes. A ``Genotype`` lists the ``(op, input)`` pairs of
both cells node by node, exactly as the DARTS code prints it. Excluding the zero op, each cell has
prod_{k=1..4} (k+1)k/2 * 7^2 ~ 10^9 DAGs (DARTS, Sec. 3), about 10^18 for the pair. This module is
pure Python.
"""
from __future__ import annotations

import ast
import itertools
import math
from dataclasses import dataclass
from typing import Iterator, Sequence

from .._checks import check_int, is_int
from .cell import MAX_NODES, rng_from

__all__ = ["DARTS_OP_NAMES", "Genotype", "DartsSpace", "DARTS_V1", "DARTS_V2"]

# The order of PRIMITIVES in the DARTS code (cnn/genotypes.py).
DARTS_OP_NAMES = ("none", "max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3",
                  "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5")
CELL_TYPES = ("normal", "reduce")
_FIELDS = ("normal", "normal_concat", "reduce", "reduce_concat")


def state_name(index: int) -> str:
    """Name of cell state ``index``: 0 -> 'c_{k-2}', 1 -> 'c_{k-1}', 2 + i -> intermediate node 'i'."""
    return ("c_{k-2}", "c_{k-1}")[index] if index < 2 else str(index - 2)


def _cell_arg(cell: str) -> str:
    if cell not in CELL_TYPES:
        raise ValueError(f"unknown cell type {cell!r}; choose from {list(CELL_TYPES)}")
    return cell


def _pairs(value, field: str) -> tuple[tuple[str, int], ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise ValueError(f"{field} must be a list of (op, input) pairs, got {value!r}")
    pairs = []
    for pair in value:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise ValueError(f"{field}: {pair!r} is not an (op, input) pair like ('sep_conv_3x3', 0)")
        op, src = pair
        if not isinstance(op, str) or not is_int(src):
            raise ValueError(f"{field}: {pair!r} must be (op name, input index), e.g. ('sep_conv_3x3', 0)")
        pairs.append((op, int(src)))
    return tuple(pairs)


# bounds checked before any work proportional to the input: a genotype text, and the states a
# cell may concatenate (DARTS has 4; a range(0, 10**12) must not be expanded)
MAX_GENOTYPE_CHARS = 20_000
MAX_CONCAT = 1_000


def _concat(value, field: str) -> tuple[int, ...]:
    if isinstance(value, (range, list, tuple)) and len(value) > MAX_CONCAT:
        raise ValueError(f"{field} lists {len(value):,} states; a cell concatenates at most "
                         f"{MAX_CONCAT:,}")
    if not isinstance(value, (range, list, tuple)) or not all(
            is_int(i) for i in value):
        raise ValueError(f"{field} must be a range or a list of node indices, e.g. range(2, 6); "
                         f"got {value!r}")
    return tuple(int(i) for i in value)


def _concat_str(concat: tuple[int, ...]) -> str:
    if concat and concat == tuple(range(concat[0], concat[-1] + 1)):
        return f"range({concat[0]}, {concat[-1] + 1})"
    return repr(list(concat))


@dataclass(frozen=True)
class Genotype:
    """A DARTS architecture: ``(op, input)`` pairs of the normal and reduction cells, 2 per node.

    Equality is literal (pair order matters); ``DartsSpace.canonical`` sorts each node's pairs
    so that two genotypes describing the same DAGs compare equal.
    """

    normal: tuple[tuple[str, int], ...]
    normal_concat: tuple[int, ...]
    reduce: tuple[tuple[str, int], ...]
    reduce_concat: tuple[int, ...]

    def __post_init__(self):
        for field in ("normal", "reduce"):
            object.__setattr__(self, field, _pairs(getattr(self, field), field))
        for field in ("normal_concat", "reduce_concat"):
            object.__setattr__(self, field, _concat(getattr(self, field), field))

    @classmethod
    def from_string(cls, text: str) -> "Genotype":
        """Parse the DARTS text ``Genotype(normal=[...], normal_concat=range(2, 6), ...)`` (no eval)."""
        if not isinstance(text, str):
            raise TypeError(f"a genotype string must be a str, got {type(text).__name__}")
        example = "Genotype(normal=[('sep_conv_3x3', 0), ...], normal_concat=range(2, 6), reduce=[...], " \
                  "reduce_concat=range(2, 6))"
        if len(text) > MAX_GENOTYPE_CHARS:
            raise ValueError(f"a genotype string has at most {MAX_GENOTYPE_CHARS:,} characters, got "
                             f"{len(text):,}")
        try:
            call = ast.parse(text.strip(), mode="eval").body
        except SyntaxError as err:
            raise ValueError(f"not a valid genotype expression ({err.msg}); expected {example}") from None
        except (MemoryError, RecursionError):
            raise ValueError(f"genotype expression nested too deeply; expected {example}") from None
        name = getattr(call, "func", None)
        name = getattr(name, "id", getattr(name, "attr", None))
        if not isinstance(call, ast.Call) or name != "Genotype":
            raise ValueError(f"expected a call Genotype(...), as in {example}")
        if len(call.args) > len(_FIELDS) or any(isinstance(a, ast.Starred) for a in call.args):
            raise ValueError(f"Genotype(...) takes at most {len(_FIELDS)} arguments {list(_FIELDS)}")
        given = dict(zip(_FIELDS, call.args))
        for kw in call.keywords:
            if kw.arg not in _FIELDS:
                raise ValueError(f"unknown Genotype field {kw.arg!r}; the fields are {list(_FIELDS)}")
            if kw.arg in given:
                raise ValueError(f"Genotype field {kw.arg!r} is given twice")
            given[kw.arg] = kw.value
        missing = [f for f in _FIELDS if f not in given]
        if missing:
            raise ValueError(f"Genotype(...) is missing {missing}; it needs all of {list(_FIELDS)}")
        return cls(**{field: _literal(node, field) for field, node in given.items()})

    def nodes(self, cell: str = "normal", inputs_per_node: int = 2) -> tuple[tuple[tuple[str, int], ...], ...]:
        """The ``(op, input)`` pairs grouped by intermediate node."""
        pairs = getattr(self, _cell_arg(cell))
        if inputs_per_node < 1 or len(pairs) % inputs_per_node:
            raise ValueError(f"the {cell} cell has {len(pairs)} pairs, which is not a whole number "
                             f"of nodes with {inputs_per_node} inputs each")
        return tuple(pairs[i:i + inputs_per_node] for i in range(0, len(pairs), inputs_per_node))

    def concat(self, cell: str = "normal") -> tuple[int, ...]:
        """States concatenated into the output of ``cell``."""
        return getattr(self, _cell_arg(cell) + "_concat")

    def edges(self, cell: str = "normal", inputs_per_node: int = 2) -> list[tuple[str, str, str | None]]:
        """``(source, target, op)`` for drawing: states 'c_{k-2}', 'c_{k-1}', '0', '1', ..., output
        'c_{k}'; the concatenation edges into 'c_{k}' carry op None."""
        edges = [(state_name(src), str(i), op)
                 for i, node in enumerate(self.nodes(cell, inputs_per_node)) for op, src in node]
        return edges + [(state_name(s), "c_{k}", None) for s in self.concat(cell)]

    def __str__(self) -> str:
        return (f"Genotype(normal={list(self.normal)!r}, normal_concat={_concat_str(self.normal_concat)}, "
                f"reduce={list(self.reduce)!r}, reduce_concat={_concat_str(self.reduce_concat)})")

    __repr__ = __str__

    def _repr_pretty_(self, p, cycle):
        # IPython/Jupyter show this node-by-node table; repr() stays the DARTS text.
        lines = ["Genotype  # print() it for the DARTS text"]
        for cell in CELL_TYPES:
            pairs = getattr(self, cell)
            nodes = (self.nodes(cell) if len(pairs) % 2 == 0 else (pairs,))
            for i, node in enumerate(nodes):
                terms = " + ".join(f"{op}({state_name(src)})" for op, src in node)
                lines.append(f"  {cell if i == 0 else '':6}  node {i} = {terms}")
            inputs = ", ".join(state_name(s) for s in self.concat(cell))
            lines.append(f"  {'':6}  c_{{k}}  = concat({inputs})")
        p.text("\n".join(lines))


def _literal(node, field: str):
    if field.endswith("concat") and isinstance(node, ast.Call) and getattr(node.func, "id", None) == "range":
        try:
            args = [ast.literal_eval(a) for a in node.args]
        except ValueError:
            args = None
        if not args or node.keywords or len(args) > 3 or not all(type(a) is int for a in args):
            raise ValueError(f"{field}: expected range(start, stop) with int arguments")
        try:
            return range(*args)  # not expanded here: _concat checks its length first
        except ValueError as e:
            raise ValueError(f"{field}: {ast.unparse(node)} is not a range ({e})") from None
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise ValueError(f"{field} must be a literal list (of (op, input) pairs, or of node "
                         f"indices for a concat), got {ast.unparse(node)!r}") from None


# The cells found by first-order (V1) and second-order (V2) DARTS on CIFAR-10, as published in the
# DARTS repository (github.com/quark0/darts, cnn/genotypes.py; paper Fig. 4-5).
DARTS_V1 = Genotype(
    normal=[("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("skip_connect", 0), ("sep_conv_3x3", 1),
            ("skip_connect", 0), ("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("skip_connect", 2)],
    normal_concat=range(2, 6),
    reduce=[("max_pool_3x3", 0), ("max_pool_3x3", 1), ("skip_connect", 2), ("max_pool_3x3", 0),
            ("max_pool_3x3", 0), ("skip_connect", 2), ("skip_connect", 2), ("avg_pool_3x3", 0)],
    reduce_concat=range(2, 6),
)
DARTS_V2 = Genotype(
    normal=[("sep_conv_3x3", 0), ("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("sep_conv_3x3", 1),
            ("sep_conv_3x3", 1), ("skip_connect", 0), ("skip_connect", 0), ("dil_conv_3x3", 2)],
    normal_concat=range(2, 6),
    reduce=[("max_pool_3x3", 0), ("max_pool_3x3", 1), ("skip_connect", 2), ("max_pool_3x3", 1),
            ("max_pool_3x3", 0), ("skip_connect", 2), ("skip_connect", 2), ("max_pool_3x3", 1)],
    reduce_concat=range(2, 6),
)


def _fmt_count(n: int) -> str:
    return f"{n:,}" if n < 10 ** 12 else f"{n:.3g}"


class DartsSpace:
    """All DARTS genotypes with ``n_intermediate`` nodes per cell, each summing ``inputs_per_node``
    ops from distinct earlier states; both cells concatenate every intermediate node."""

    def __init__(self, n_intermediate: int = 4, ops: Sequence[str] = DARTS_OP_NAMES[1:],
                 inputs_per_node: int = 2):
        if isinstance(ops, str) or not hasattr(ops, "__iter__"):
            raise ValueError(f"ops must be a non-empty list of distinct op names, got {ops!r}")
        ops = tuple(ops)
        if not ops or len(set(ops)) != len(ops) or not all(isinstance(op, str) for op in ops):
            raise ValueError(f"ops must be a non-empty list of distinct names, got {list(ops)}")
        n_intermediate = check_int(n_intermediate, "n_intermediate", maximum=MAX_NODES)
        # Node 0 sees only the two cell inputs, so it cannot take more than 2 distinct inputs.
        if not is_int(inputs_per_node) or inputs_per_node not in (1, 2):
            raise ValueError(f"inputs_per_node must be 1 or 2 (the first node has only the two cell "
                             f"inputs to choose from), got {inputs_per_node!r}")
        self.n_intermediate = n_intermediate
        self.ops = ops
        self.inputs_per_node = inputs_per_node

    @property
    def concat(self) -> tuple[int, ...]:
        """The states every cell of this space concatenates: all intermediate nodes."""
        return tuple(range(2, 2 + self.n_intermediate))

    def size(self, cell: str = "normal") -> int:
        """DAGs of one cell type ('normal' or 'reduce'), or of the pair ('joint')."""
        if cell not in (*CELL_TYPES, "joint"):
            raise ValueError(f"unknown cell {cell!r}; choose from ['normal', 'reduce', 'joint']")
        m = self.inputs_per_node
        # Node i picks an unordered set of m distinct inputs among i + 2 states, then an op per edge.
        per_cell = math.prod(math.comb(i + 2, m) * len(self.ops) ** m for i in range(self.n_intermediate))
        return per_cell ** 2 if cell == "joint" else per_cell

    def __repr__(self) -> str:
        return (f"DartsSpace(n_intermediate={self.n_intermediate}, ops={list(self.ops)}, "
                f"inputs_per_node={self.inputs_per_node}) # {_fmt_count(self.size())} DAGs per cell, "
                f"{_fmt_count(self.size('joint'))} genotypes")

    def __eq__(self, other):
        return type(self) is type(other) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def _key(self):
        return (self.n_intermediate, self.ops, self.inputs_per_node)

    # -- validation ----------------------------------------------------------------------------
    def check(self, genotype: Genotype) -> Genotype:
        """Return ``genotype`` if it belongs to this space, else raise ValueError saying why."""
        if not isinstance(genotype, Genotype):
            raise TypeError(f"expected a Genotype, got {type(genotype).__name__}")
        n, m = self.n_intermediate, self.inputs_per_node
        for cell in CELL_TYPES:
            pairs = getattr(genotype, cell)
            if len(pairs) != n * m:
                raise ValueError(f"the {cell} cell has {len(pairs)} (op, input) pairs; this space has "
                                 f"{n} intermediate nodes x {m} inputs = {n * m} pairs")
            for i, node in enumerate(genotype.nodes(cell, m)):
                seen = set()
                for op, src in node:
                    if op not in self.ops:
                        raise ValueError(f"unknown op {op!r} in the {cell} cell (node {i}); choose from "
                                         f"{sorted(self.ops)}")
                    if not 0 <= src < i + 2:
                        what = ("a negative index" if src < 0 else "itself (a cycle)" if src == i + 2
                                else f"node {src - 2}, which comes later (a forward reference)"
                                if src < n + 2 else f"a state that does not exist (states are 0..{n + 1})")
                        raise ValueError(f"node {i} of the {cell} cell takes input {src}, {what}: node {i} "
                                         f"may only take inputs 0..{i + 1} (0, 1 = c_{{k-2}}, c_{{k-1}}; "
                                         f"2.. = earlier nodes)")
                    if src in seen:
                        raise ValueError(f"node {i} of the {cell} cell takes input {src} twice; its {m} "
                                         f"inputs must be distinct earlier states")
                    seen.add(src)
            concat = genotype.concat(cell)
            for s in concat:
                if not 0 <= s < n + 2:
                    raise ValueError(f"{cell}_concat lists {s}, which is not a state of this cell "
                                     f"(states are 0..{n + 1})")
            if len(set(concat)) != len(concat):
                raise ValueError(f"{cell}_concat {list(concat)} lists a state twice")
            if concat != self.concat:
                raise ValueError(f"{cell}_concat is {list(concat)}; this space concatenates every "
                                 f"intermediate node: {_concat_str(self.concat)}")
        return genotype

    def parse(self, text: str) -> Genotype:
        """Parse DARTS genotype text and check it against this space."""
        return self.check(Genotype.from_string(text))

    def canonical(self, genotype: Genotype) -> Genotype:
        """``genotype`` with each node's pairs sorted by input: equal exactly when the DAGs are."""
        self.check(genotype)
        sort = {cell: [p for node in genotype.nodes(cell, self.inputs_per_node)
                       for p in sorted(node, key=lambda p: (p[1], p[0]))] for cell in CELL_TYPES}
        return Genotype(sort["normal"], genotype.normal_concat, sort["reduce"], genotype.reduce_concat)

    # -- enumeration and sampling --------------------------------------------------------------
    def cells(self) -> Iterator[tuple[tuple[str, int], ...]]:
        """Every DAG of one cell as its flat ``(op, input)`` pairs in canonical order."""
        m = self.inputs_per_node
        per_node = [[tuple(zip(ops, inputs)) for inputs in itertools.combinations(range(i + 2), m)
                     for ops in itertools.product(self.ops, repeat=m)]
                    for i in range(self.n_intermediate)]
        for nodes in itertools.product(*per_node):
            yield tuple(p for node in nodes for p in node)

    def __iter__(self) -> Iterator[Genotype]:
        """Every genotype (normal x reduction); only sensible for small spaces."""
        for normal in self.cells():
            for reduce in self.cells():
                yield Genotype(normal, self.concat, reduce, self.concat)

    def _sample_cell(self, rng) -> list[tuple[str, int]]:
        pairs = []
        for i in range(self.n_intermediate):
            for src in sorted(rng.sample(range(i + 2), self.inputs_per_node)):
                pairs.append((rng.choice(self.ops), src))
        return pairs

    def sample(self, seed=None) -> Genotype:
        """A uniformly random genotype, in canonical order."""
        rng = rng_from(seed)
        return Genotype(self._sample_cell(rng), self.concat, self._sample_cell(rng), self.concat)

    def neighbours(self, genotype: Genotype) -> list[Genotype]:
        """Every genotype that differs in the op or the input of exactly one edge (pair order kept)."""
        self.check(genotype)
        m = self.inputs_per_node
        found: dict[Genotype, Genotype] = {}
        for cell in CELL_TYPES:
            pairs = list(getattr(genotype, cell))
            for k, (op, src) in enumerate(pairs):
                i = k // m
                used = {s for _, s in pairs[i * m:(i + 1) * m]}
                changes = [(o, src) for o in self.ops if o != op]
                changes += [(op, s) for s in range(i + 2) if s not in used]
                for change in changes:
                    new = pairs[:k] + [change] + pairs[k + 1:]
                    fields = {"normal": genotype.normal, "reduce": genotype.reduce, cell: new}
                    neighbour = Genotype(fields["normal"], genotype.normal_concat, fields["reduce"],
                                         genotype.reduce_concat)
                    found.setdefault(self.canonical(neighbour), neighbour)
        return list(found.values())

    def mutate(self, genotype: Genotype, seed=None) -> Genotype:
        """Change the op or the input of one random edge (a uniform pick among the neighbours)."""
        options = self.neighbours(genotype)
        if not options:
            raise ValueError(f"{self!r} holds a single genotype; there is nothing to mutate to")
        return rng_from(seed).choice(options)
