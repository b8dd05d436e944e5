"""Global (macro) and combined search spaces, to set beside the cell spaces.

A global space searches the whole network layer by layer, as ENAS's macro space does (Pham et al.,
ICML 2018, Sec. 2.3): each of ``L`` chained layers picks one op and any subset of the earlier
layers' outputs as skip connections, |ops|^L * 2^(L(L-1)/2) networks (about 1.6e29 for 12 layers
and 6 ops). A combined space searches a cell (NAS-Bench-201 or DARTS) together with a few macro
choices of the network that stacks it (number of stages, cells per stage, width), as in the
hierarchical spaces surveyed by Elsken et al. (JMLR 2019, Sec. 2). This module is pure Python.
"""
from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

from .._checks import check_int, is_int
from .cell import rng_from
from .darts import DartsSpace, _fmt_count

__all__ = ["ENAS_MACRO_OPS", "GlobalArch", "GlobalSpace", "MacroArch", "CombinedSpace"]

# The six ops of ENAS's macro space (convs, depthwise-separable convs, 3x3 poolings).
ENAS_MACRO_OPS = ("conv_3x3", "conv_5x5", "sep_conv_3x3", "sep_conv_5x5", "max_pool_3x3", "avg_pool_3x3")


@dataclass(frozen=True)
class GlobalArch:
    """A chain of layers: ``layers[i] = (op, skips)``; layer i applies ``op`` to layer i-1's output
    (the stem's for i = 0) and adds the outputs of the earlier layers listed in ``skips``."""

    layers: tuple[tuple[str, tuple[int, ...]], ...]

    def __post_init__(self):
        layers = []
        for layer in self.layers:
            if not isinstance(layer, (list, tuple)) or len(layer) != 2 or isinstance(layer[1], (str, int)):
                raise ValueError(f"a layer is (op, skips) like ('conv_3x3', (0, 2)), got {layer!r}")
            layers.append((str(layer[0]), tuple(sorted(int(j) for j in layer[1]))))
        object.__setattr__(self, "layers", tuple(layers))

    @classmethod
    def from_string(cls, text: str) -> "GlobalArch":
        """Parse ``str(arch)``: layers joined by ' > ', each 'op' or 'op+[j,k]' (its skips)."""
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"expected a string like 'conv_3x3 > max_pool_3x3+[0]', got {text!r}")
        layers = []
        for i, part in enumerate(text.split(">")):
            op, plus, skips = part.strip().partition("+")
            if not op or (plus and not (skips.startswith("[") and skips.endswith("]"))):
                raise ValueError(f"layer {i}: {part.strip()!r} must read 'op' or 'op+[j,k]'")
            try:
                skips = [int(j) for j in skips[1:-1].split(",") if j.strip()] if plus else []
            except ValueError:
                raise ValueError(f"layer {i}: skips {skips!r} must be layer numbers like [0,2]") from None
            layers.append((op, skips))
        return cls(tuple(layers))

    @property
    def n_layers(self) -> int:
        """Number of searched layers."""
        return len(self.layers)

    @property
    def ops(self) -> tuple[str, ...]:
        """The op of every layer."""
        return tuple(op for op, _ in self.layers)

    def __str__(self) -> str:
        return " > ".join(op + (f"+[{','.join(map(str, skips))}]" if skips else "")
                          for op, skips in self.layers)

    def __repr__(self) -> str:
        return f"GlobalArch('{self}')"


class GlobalSpace:
    """Chains of ``n_layers`` layers, each with one op from ``ops`` and (if ``skip_connections``)
    any subset of the earlier layers as skip inputs (ENAS's macro space)."""

    def __init__(self, n_layers: int, ops: Sequence[str], skip_connections: bool = True):
        ops = tuple(ops)
        if not ops or len(set(ops)) != len(ops):
            raise ValueError(f"ops must be a non-empty list of distinct names, got {list(ops)}")
        self.n_layers = check_int(n_layers, "n_layers")
        self.ops = ops
        self.skip_connections = bool(skip_connections)

    def size(self) -> int:
        """|ops|^L op choices times 2^(L(L-1)/2) skip patterns (layer i may skip from i layers)."""
        skips = self.n_layers * (self.n_layers - 1) // 2 if self.skip_connections else 0
        return len(self.ops) ** self.n_layers * 2 ** skips

    def __repr__(self) -> str:
        return (f"GlobalSpace(n_layers={self.n_layers}, ops={list(self.ops)}, "
                f"skip_connections={self.skip_connections}) # {_fmt_count(self.size())} archs")

    def check(self, arch: GlobalArch) -> GlobalArch:
        """Return ``arch`` if it belongs to this space, else raise ValueError saying why."""
        if not isinstance(arch, GlobalArch):
            raise TypeError(f"expected a GlobalArch, got {type(arch).__name__}")
        if arch.n_layers != self.n_layers:
            raise ValueError(f"the arch has {arch.n_layers} layers; this space has {self.n_layers}")
        for i, (op, skips) in enumerate(arch.layers):
            if op not in self.ops:
                raise ValueError(f"unknown op {op!r} in layer {i}; choose from {sorted(self.ops)}")
            if skips and not self.skip_connections:
                raise ValueError(f"layer {i} has skip connections {list(skips)}, but this space has "
                                 "none (skip_connections=False)")
            if len(set(skips)) != len(skips):
                raise ValueError(f"layer {i} lists a skip connection twice: {list(skips)}")
            for j in skips:
                if not 0 <= j < i:
                    allowed = f"layers 0..{i - 1}" if i else "no layer (it is the first)"
                    raise ValueError(f"layer {i} skips from layer {j}, which is not an earlier layer; "
                                     f"layer {i} may skip from {allowed}")
        return arch

    def parse(self, text: str) -> GlobalArch:
        """Parse ``str(arch)`` and check it against this space."""
        return self.check(GlobalArch.from_string(text))

    def _skip_sets(self, i: int) -> list[tuple[int, ...]]:
        if not self.skip_connections:
            return [()]
        return [s for r in range(i + 1) for s in itertools.combinations(range(i), r)]

    def __iter__(self) -> Iterator[GlobalArch]:
        """Every arch; only sensible for tiny spaces."""
        per_layer = [[(op, s) for op in self.ops for s in self._skip_sets(i)] for i in range(self.n_layers)]
        for layers in itertools.product(*per_layer):
            yield GlobalArch(layers)

    def sample(self, seed=None) -> GlobalArch:
        """A uniformly random arch: each op uniform, each possible skip present with probability 1/2."""
        rng = rng_from(seed)
        layers = []
        for i in range(self.n_layers):
            op = rng.choice(self.ops)
            skips = [j for j in range(i) if rng.random() < 0.5] if self.skip_connections else []
            layers.append((op, skips))
        return GlobalArch(tuple(layers))

    def neighbours(self, arch: GlobalArch) -> list[GlobalArch]:
        """Every arch that differs in one layer's op or in one skip connection."""
        self.check(arch)
        found = []
        for i, (op, skips) in enumerate(arch.layers):
            changes = [(o, skips) for o in self.ops if o != op]
            if self.skip_connections:
                changes += [(op, tuple(sorted(set(skips) ^ {j}))) for j in range(i)]
            for change in changes:
                found.append(GlobalArch(arch.layers[:i] + (change,) + arch.layers[i + 1:]))
        return found

    def mutate(self, arch: GlobalArch, seed=None) -> GlobalArch:
        """Change one layer's op or toggle one skip connection (uniform among the neighbours)."""
        options = self.neighbours(arch)
        if not options:
            raise ValueError(f"{self!r} holds a single arch; there is nothing to mutate to")
        return rng_from(seed).choice(options)


@dataclass(frozen=True)
class MacroArch:
    """A network of a combined space: ``stages`` stages of ``cells_per_stage`` copies of ``cell``,
    ``channels`` wide in the first stage."""

    cell: Any
    stages: int
    cells_per_stage: int
    channels: int

    def __repr__(self) -> str:
        return (f"MacroArch(stages={self.stages}, cells_per_stage={self.cells_per_stage}, "
                f"channels={self.channels}, cell={self.cell!r})")


def _options(values, name: str) -> tuple[int, ...]:
    values = tuple(values)
    if not values or len(set(values)) != len(values) or not all(
            is_int(v) and v >= 1 for v in values):
        raise ValueError(f"{name} must be a non-empty list of distinct ints >= 1, got {list(values)}")
    return tuple(int(v) for v in values)


class CombinedSpace:
    """A cell space times macro choices: number of stages, cells per stage and width."""

    def __init__(self, cell_space, stages: Sequence[int] = (3,),
                 cells_per_stage: Sequence[int] = (1, 2, 3, 5), channels: Sequence[int] = (8, 16, 32)):
        if not all(hasattr(cell_space, a) for a in ("size", "sample", "check")):
            raise TypeError(f"cell_space must be a space with size(), sample() and check(), "
                            f"got {type(cell_space).__name__}")
        self.cell_space = cell_space
        self.stages = _options(stages, "stages")
        self.cells_per_stage = _options(cells_per_stage, "cells_per_stage")
        self.channels = _options(channels, "channels")

    def cell_size(self) -> int:
        """Archs of the cell space (for a DartsSpace: normal x reduction genotypes)."""
        if isinstance(self.cell_space, DartsSpace):
            return self.cell_space.size("joint")
        return self.cell_space.size()

    def macro_size(self) -> int:
        """Macro skeletons: stages x cells per stage x widths."""
        return len(self.stages) * len(self.cells_per_stage) * len(self.channels)

    def size(self) -> int:
        """Networks in the space: macro skeletons times cells."""
        return self.macro_size() * self.cell_size()

    def __repr__(self) -> str:
        return (f"CombinedSpace({self.cell_space.__class__.__name__}(...), stages={list(self.stages)}, "
                f"cells_per_stage={list(self.cells_per_stage)}, channels={list(self.channels)}) "
                f"# {_fmt_count(self.macro_size())} skeletons x {_fmt_count(self.cell_size())} cells = "
                f"{_fmt_count(self.size())} archs")

    def check(self, arch: MacroArch) -> MacroArch:
        """Return ``arch`` if it belongs to this space, else raise ValueError saying why."""
        if not isinstance(arch, MacroArch):
            raise TypeError(f"expected a MacroArch, got {type(arch).__name__}")
        for name in ("stages", "cells_per_stage", "channels"):
            if getattr(arch, name) not in getattr(self, name):
                raise ValueError(f"{name}={getattr(arch, name)!r} is not an option; choose from "
                                 f"{list(getattr(self, name))}")
        self.cell_space.check(arch.cell)
        return arch

    def sample(self, seed=None) -> MacroArch:
        """A uniformly random network: macro choices uniform, cell from the cell space's sampler."""
        rng = rng_from(seed)
        return MacroArch(cell=self.cell_space.sample(seed=rng), stages=rng.choice(self.stages),
                         cells_per_stage=rng.choice(self.cells_per_stage), channels=rng.choice(self.channels))

    def mutate(self, arch: MacroArch, seed=None) -> MacroArch:
        """Change one macro choice, or mutate the cell."""
        self.check(arch)
        rng = rng_from(seed)
        fields = [f for f in ("stages", "cells_per_stage", "channels") if len(getattr(self, f)) > 1]
        field = rng.choice(fields + ["cell"])
        if field == "cell":
            return MacroArch(self.cell_space.mutate(arch.cell, seed=rng), arch.stages,
                             arch.cells_per_stage, arch.channels)
        value = rng.choice([v for v in getattr(self, field) if v != getattr(arch, field)])
        return dataclasses.replace(arch, **{field: value})
