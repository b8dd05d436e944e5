"""The argument checks every public entry point shares: seeds, counts and positive numbers.

One rule for all of naskit: numpy integers are integers, bools are not; a seed is an int in
0..2**63-1 (negative seeds would give the same stream as positive ones, and torch refuses seeds past
2**64); numbers must be finite. Each check raises with the argument's name and what is allowed.
"""
from __future__ import annotations

import math
import numbers

__all__ = ["is_int", "check_seed", "check_int", "check_index", "check_positive", "check_number",
           "check_range"]

MAX_SEED = 2 ** 63 - 1


def is_int(value) -> bool:
    """Whether ``value`` is an integer: a Python or numpy int, not a bool (nor numpy's bool_)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and \
        type(value).__name__ != "bool_"




def check_seed(seed, name: str = "seed", allow_none: bool = False) -> int | None:
    """``seed`` as an int in 0..2**63-1 (numpy integers too; ``None`` if ``allow_none``)."""
    if seed is None and allow_none:
        return None
    if not is_int(seed):
        what = "an int or None" if allow_none else "an int"
        raise TypeError(f"{name} must be {what}, got {type(seed).__name__}")
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"{name} must be in 0..2**63-1, got {seed}")
    return int(seed)


def check_int(value, name: str, minimum: int = 1, maximum: int | None = None) -> int:
    """``value`` if it is an int in ``minimum..maximum`` (numpy integers too, bools not), else a
    ValueError naming ``name``."""
    if not is_int(value) or value < minimum or (maximum is not None and value > maximum):
        allowed = f">= {minimum}" if maximum is None else f"in {minimum}..{maximum}"
        raise ValueError(f"{name} must be an int {allowed}, got {value!r}")
    return int(value)


def check_index(index, size: int, what: str) -> int:
    """``index`` as an int in ``-size..size-1`` (numpy integers too), as a sequence takes it:
    a TypeError if it is not an int (bools and floats are not), an IndexError if out of range."""
    if not is_int(index):
        raise TypeError(f"{what} index must be an int in 0..{size - 1}, got {type(index).__name__} {index!r}")
    if not -size <= index < size:
        raise IndexError(f"{what} index must be an int in 0..{size - 1}, got {index!r}")
    return int(index)


def check_number(value, name: str) -> float:
    """``value`` as a finite float (ints and numpy numbers too, bools not), else a ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
            type(value).__name__ == "bool_" or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def check_positive(value, name: str, allow_zero: bool = False) -> float:
    """``value`` as a finite float > 0 (or >= 0), else a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
            type(value).__name__ == "bool_" or not math.isfinite(value) or value < 0 or \
            (value == 0 and not allow_zero):
        need = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {need}, got {value!r}")
    return float(value)


def check_range(value, name: str, low: float = -math.inf, high: float = math.inf,
                low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a finite float in an interval (each end open or closed; numpy numbers too,
    bools not), else a ValueError naming ``name`` and the interval."""
    ok = (not isinstance(value, bool) and isinstance(value, numbers.Real)
          and type(value).__name__ != "bool_" and math.isfinite(value)
          and (low < value if low_open else low <= value)
          and (value < high if high_open else value <= high))
    if not ok:
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be a finite number in {interval}, got {value!r}")
    return float(value)


#: Network sizes past which a request is a typo, not a network: torch cannot allocate the weights
#: (channels), or building the modules alone would take minutes (cells per stage, layers).
MAX_CHANNELS, MAX_CELLS = 2 ** 14, 1000
