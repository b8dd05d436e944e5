"""The Once-for-All search space: per-stage depth, per-block kernel size and expansion ratio.

Once-for-All (Cai et al., ICLR 2020) searches the subnets of one trained supernet of MobileNetV3
blocks (Howard et al., ICCV 2019) along three elastic dimensions: the kernel size of each block's
depthwise convolution, the expansion ratio of each block's inverted bottleneck (its width), and the
number of blocks in each stage (its depth; the first blocks are kept). An ``OFAArch`` is plain,
immutable data listing only the blocks that run; an ``OFASpace`` samples, mutates, crosses over,
checks and one-hot encodes them (the encoding OFA's accuracy predictor reads). Pure Python.
"""
from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass

from .._checks import check_int, is_int
from ..space.cell import rng_from

__all__ = ["OFAArch", "OFASpace"]

_BLOCK = re.compile(r"k(\d+)e(\d+)")


def _int_tuples(value, name: str) -> tuple[tuple[int, ...], ...]:
    try:
        out = tuple(tuple(int(v) for v in stage) for stage in value)
    except TypeError:
        raise ValueError(f"{name} must be one sequence of ints per stage, got {value!r}") from None
    for stage in value:
        for v in stage:
            if not is_int(v):
                raise ValueError(f"{name} must hold ints, got {v!r}")
    return out


@dataclass(frozen=True)
class OFAArch:
    """A subnet: ``kernels[s][b]`` and ``expands[s][b]`` of every block ``b`` that runs in stage ``s``.

    The depth of stage ``s`` is ``len(kernels[s])``. ``str()`` is 'k7e6-k5e4|k3e3-k3e3-k5e6|...'
    (stages split by '|', blocks by '-'); ``OFAArch.from_string`` reads it back.
    """

    kernels: tuple[tuple[int, ...], ...]
    expands: tuple[tuple[int, ...], ...]

    def __post_init__(self):
        kernels, expands = _int_tuples(self.kernels, "kernels"), _int_tuples(self.expands, "expands")
        if [len(s) for s in kernels] != [len(s) for s in expands]:
            raise ValueError(f"kernels and expands must have the same blocks per stage, got depths "
                             f"{[len(s) for s in kernels]} and {[len(s) for s in expands]}")
        if not kernels or any(len(s) == 0 for s in kernels):
            raise ValueError(f"every stage needs at least one block, got depths {[len(s) for s in kernels]}")
        object.__setattr__(self, "kernels", kernels)
        object.__setattr__(self, "expands", expands)

    @property
    def depths(self) -> tuple[int, ...]:
        """Blocks that run in each stage."""
        return tuple(len(s) for s in self.kernels)

    @property
    def n_stages(self) -> int:
        return len(self.kernels)

    def blocks(self):
        """``(stage, index, kernel, expand)`` of every block that runs, in order."""
        for s, (ks, es) in enumerate(zip(self.kernels, self.expands)):
            for b, (k, e) in enumerate(zip(ks, es)):
                yield s, b, k, e

    @classmethod
    def uniform(cls, depths, kernel: int, expand: int) -> "OFAArch":
        """Every block with the same kernel and expansion, ``depths[s]`` blocks in stage ``s``."""
        return cls(tuple((kernel,) * d for d in depths), tuple((expand,) * d for d in depths))

    @classmethod
    def from_string(cls, text: str) -> "OFAArch":
        """Parse 'k7e6-k5e4|k3e3-...' (the ``str()`` form)."""
        if not isinstance(text, str):
            raise TypeError(f"expected a string like 'k7e6-k5e4|k3e3-k3e3', got {type(text).__name__}")
        kernels, expands = [], []
        for stage in text.strip().split("|"):
            blocks = [_BLOCK.fullmatch(b.strip()) for b in stage.split("-")]
            if not all(blocks):
                raise ValueError(f"cannot read {text!r}: each block is written k<kernel>e<expand>, "
                                 f"blocks split by '-', stages by '|', e.g. 'k7e6-k5e4|k3e3-k3e3'")
            kernels.append(tuple(int(m.group(1)) for m in blocks))
            expands.append(tuple(int(m.group(2)) for m in blocks))
        return cls(tuple(kernels), tuple(expands))

    def __str__(self):
        return "|".join("-".join(f"k{k}e{e}" for k, e in zip(ks, es))
                        for ks, es in zip(self.kernels, self.expands))

    def __repr__(self):
        return f"OFAArch('{self}')"


def _choices(value, name: str) -> tuple[int, ...]:
    try:
        if not all(is_int(v) for v in value):
            raise TypeError
        out = tuple(sorted({int(v) for v in value}))
    except TypeError:
        raise ValueError(f"{name} must be a sequence of positive ints, got {value!r}") from None
    if not out or out[0] < 1 or len(out) != len(tuple(value)):
        raise ValueError(f"{name} must be distinct positive ints, got {value!r}")
    return out


class OFASpace:
    """The subnets of an elastic supernet with ``n_stages`` stages.

    ``kernels`` (odd), ``expands`` and ``depths`` are the allowed kernel sizes, expansion ratios and
    blocks per stage; OFA's are (3, 5, 7), (3, 4, 6) and (2, 3, 4).
    """

    def __init__(self, n_stages: int = 3, kernels=(3, 5, 7), expands=(3, 4, 6), depths=(2, 3, 4)):
        self.n_stages = check_int(n_stages, "n_stages", maximum=16)  # OFA's MobileNetV3 space has 5
        self.kernels = _choices(kernels, "kernels")
        if any(k % 2 == 0 for k in self.kernels):
            raise ValueError(f"kernel sizes must be odd (a centre crop needs a centre), got {kernels!r}")
        self.expands = _choices(expands, "expands")
        self.depths = _choices(depths, "depths")

    def __repr__(self):
        return (f"OFASpace(n_stages={self.n_stages}, kernels={self.kernels}, expands={self.expands}, "
                f"depths={self.depths}) # {self.size:,} subnets")

    def __eq__(self, other):
        return isinstance(other, OFASpace) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def _key(self):
        return self.n_stages, self.kernels, self.expands, self.depths

    @property
    def max_depth(self) -> int:
        return self.depths[-1]

    @property
    def size(self) -> int:
        """Number of subnets (``len()`` too, while it fits an index)."""
        per_block = len(self.kernels) * len(self.expands)
        return sum(per_block ** d for d in self.depths) ** self.n_stages

    def __len__(self) -> int:
        return self.size

    def __iter__(self):
        """Every subnet (only sensible for tiny spaces: ``len(space)`` says how many)."""
        per_block = list(itertools.product(self.kernels, self.expands))
        stages = [blocks for d in self.depths for blocks in itertools.product(per_block, repeat=d)]
        for combo in itertools.product(stages, repeat=self.n_stages):
            yield OFAArch(tuple(tuple(k for k, _ in s) for s in combo),
                          tuple(tuple(e for _, e in s) for s in combo))

    def check(self, arch: OFAArch) -> OFAArch:
        """``arch`` if it is a subnet of this space, else a ValueError saying what is allowed."""
        if not isinstance(arch, OFAArch):
            raise TypeError(f"expected an OFAArch, got {type(arch).__name__}")
        if arch.n_stages != self.n_stages:
            raise ValueError(f"{arch} has {arch.n_stages} stages; this space has {self.n_stages}")
        for s, d in enumerate(arch.depths):
            if d not in self.depths:
                raise ValueError(f"stage {s} of {arch} has depth {d}; choose from {list(self.depths)}")
        for s, b, k, e in arch.blocks():
            if k not in self.kernels:
                raise ValueError(f"block {b} of stage {s} of {arch} has kernel {k}; choose from "
                                 f"{list(self.kernels)}")
            if e not in self.expands:
                raise ValueError(f"block {b} of stage {s} of {arch} has expand {e}; choose from "
                                 f"{list(self.expands)}")
        return arch

    def _subset(self, value, allowed, name):
        if value is None:
            return allowed
        value = _choices(value, name)
        bad = sorted(set(value) - set(allowed))
        if bad:
            raise ValueError(f"{name} {bad} are not in this space; choose from {list(allowed)}")
        return value

    def sample(self, seed=None, kernels=None, expands=None, depths=None) -> OFAArch:
        """A uniformly random subnet; ``kernels``, ``expands``, ``depths`` restrict the choices."""
        rng = rng_from(seed)
        ks = self._subset(kernels, self.kernels, "kernels")
        es = self._subset(expands, self.expands, "expands")
        ds = self._subset(depths, self.depths, "depths")
        stages = [rng.choice(ds) for _ in range(self.n_stages)]
        return OFAArch(tuple(tuple(rng.choice(ks) for _ in range(d)) for d in stages),
                       tuple(tuple(rng.choice(es) for _ in range(d)) for d in stages))

    def largest(self) -> OFAArch:
        """The full network: every block, the largest kernel and expansion."""
        return OFAArch.uniform([self.depths[-1]] * self.n_stages, self.kernels[-1], self.expands[-1])

    def smallest(self) -> OFAArch:
        """The fewest blocks, the smallest kernel and expansion."""
        return OFAArch.uniform([self.depths[0]] * self.n_stages, self.kernels[0], self.expands[0])

    # -- evolution's operators, on genes padded to the maximum depth (as OFA keeps them) ----------
    def _genes(self, arch: OFAArch, rng):
        """Per stage: depth and max_depth (kernel, expand) pairs; unused ones drawn at random."""
        return [(d, [(arch.kernels[s][b], arch.expands[s][b]) if b < d else
                     (rng.choice(self.kernels), rng.choice(self.expands))
                     for b in range(self.max_depth)])
                for s, d in enumerate(arch.depths)]

    @staticmethod
    def _from_genes(genes) -> OFAArch:
        return OFAArch(tuple(tuple(k for k, _ in blocks[:d]) for d, blocks in genes),
                       tuple(tuple(e for _, e in blocks[:d]) for d, blocks in genes))

    def mutate(self, arch: OFAArch, prob: float = 0.1, seed=None) -> OFAArch:
        """OFA's mutation: each block's kernel and expansion, and each stage's depth, redrawn w.p. ``prob``."""
        self.check(arch)
        if not 0 <= prob <= 1:
            raise ValueError(f"prob must be in [0, 1], got {prob!r}")
        rng = rng_from(seed)
        genes = []
        for d, blocks in self._genes(arch, rng):
            blocks = [(rng.choice(self.kernels) if rng.random() < prob else k,
                       rng.choice(self.expands) if rng.random() < prob else e) for k, e in blocks]
            genes.append((rng.choice(self.depths) if rng.random() < prob else d, blocks))
        return self._from_genes(genes)

    def crossover(self, a: OFAArch, b: OFAArch, seed=None) -> OFAArch:
        """OFA's uniform crossover: every gene (a depth, a kernel, an expansion) from either parent."""
        self.check(a)
        self.check(b)
        rng = rng_from(seed)
        genes = []
        for (da, ba), (db, bb) in zip(self._genes(a, rng), self._genes(b, rng)):
            blocks = [(ka if rng.random() < 0.5 else kb, ea if rng.random() < 0.5 else eb)
                      for (ka, ea), (kb, eb) in zip(ba, bb)]
            genes.append((da if rng.random() < 0.5 else db, blocks))
        return self._from_genes(genes)

    # -- the predictor's input ---------------------------------------------------------------------
    @property
    def encoding_size(self) -> int:
        return self.n_stages * self.max_depth * (len(self.kernels) + len(self.expands))

    def encode(self, arch: OFAArch) -> list[float]:
        """OFA's one-hot encoding: per block slot, one-hot kernel then expansion; zeros if it is skipped."""
        self.check(arch)
        nk, ne = len(self.kernels), len(self.expands)
        out = [0.0] * self.encoding_size
        for s, b, k, e in arch.blocks():
            base = (s * self.max_depth + b) * (nk + ne)
            out[base + self.kernels.index(k)] = 1.0
            out[base + nk + self.expands.index(e)] = 1.0
        return out

    def log10_size(self) -> float:
        """log10 of the number of subnets (OFA's MobileNetV3 space: about 19)."""
        return math.log10(self.size)
