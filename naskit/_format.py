"""Formatting shared by reprs, tables and widgets."""
from __future__ import annotations

import math


def seconds(s: float) -> str:
    """A duration with three significant digits in the unit that suits it: µs, ms or s."""
    if not math.isfinite(s):
        return f"{s} s"
    if abs(s) < 1e-3:
        return f"{s * 1e6:.3g} µs"
    return f"{s * 1e3:.3g} ms" if abs(s) < 1 else f"{s:.3g} s"
