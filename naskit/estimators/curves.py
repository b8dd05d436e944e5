"""Learning-curve extrapolation: fit a parametric curve to the first epochs, read off the last.

Domhan, Springenberg & Hutter, "Speeding up Automatic Hyperparameter Optimization of Deep Neural
Networks by Extrapolation of Learning Curves" (IJCAI 2015) model a validation-accuracy curve y(x)
over epochs x with a family of saturating functions; we use three of them, each fitted by least
squares (``scipy.optimize.curve_fit``) and evaluated at the final epoch:

- ``pow3``: y = a - b * x**(-c)
- ``exp3``: y = a - b * exp(-c * x)
- ``log_power``: y = a / (1 + (x / exp(b))**c)

(Domhan et al. combine eleven such models in a Bayesian ensemble; a single least-squares fit is
the teaching version.) Fewer points than parameters (``MIN_POINTS``) cannot be fitted at all: that
is a ValueError. When a fit of enough points fails or predicts a non-finite value, the last
observed value is returned instead and ``CurveFit.ok`` is False.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.optimize import OptimizeWarning, curve_fit

__all__ = ["CURVES", "CurveFit", "fit_curve", "MIN_POINTS"]


def pow3(x, a, b, c):
    """a - b * x**(-c)"""
    return a - b * np.power(x, -c)


def exp3(x, a, b, c):
    """a - b * exp(-c * x)"""
    return a - b * np.exp(-c * x)


def log_power(x, a, b, c):
    """a / (1 + (x / exp(b))**c)"""
    return a / (1 + np.power(x / np.exp(b), c))


def _guess_pow3(x, y):
    return [y[-1], y[-1] - y[0], 0.5], ([-np.inf, -np.inf, 1e-6], [np.inf, np.inf, 20])


def _guess_exp3(x, y):
    c = 1.0 / max(x[-1] - x[0], 1.0)
    return [y[-1], (y[-1] - y[0]) * np.exp(c * x[0]), c], ([-np.inf, -np.inf, 1e-6],
                                                          [np.inf, np.inf, 20])


def _guess_log_power(x, y):
    return [y[-1], np.log(max(x[0], 1e-3)), -1.0], ([-np.inf, -20, -20], [np.inf, 20, 20])


# name -> (function, initial guess and bounds from the observed points)
CURVES = {"pow3": (pow3, _guess_pow3), "exp3": (exp3, _guess_exp3),
          "log_power": (log_power, _guess_log_power)}
#: every model has three parameters: it needs at least three points
MIN_POINTS = 3


@dataclass(frozen=True)
class CurveFit:
    """A fitted curve: ``value`` predicted at ``at``; ``ok`` False means the fallback was used."""

    model: str
    params: tuple[float, ...]
    at: float
    value: float
    ok: bool

    def __call__(self, x):
        """The fitted curve at ``x`` (NaN everywhere when the fit failed)."""
        if not self.ok:
            return np.full(np.shape(x), np.nan)
        return CURVES[self.model][0](np.asarray(x, dtype=float), *self.params)

    def __repr__(self):
        how = "" if self.ok else ", fit failed: last observed value"
        return f"CurveFit({self.model}, value at {self.at:g} = {self.value:.4g}{how})"


def fit_curve(y, at: float, x=None, model: str = "pow3") -> CurveFit:
    """Fit ``model`` to the points ``(x, y)`` (x defaults to 1, 2, ...) and predict y at ``at``."""
    if model not in CURVES:
        raise ValueError(f"unknown curve model {model!r}; choose from {sorted(CURVES)}")
    y = np.asarray(y, dtype=float).ravel()
    x = np.arange(1, len(y) + 1, dtype=float) if x is None else np.asarray(x, dtype=float).ravel()
    if len(x) != len(y) or not len(y):
        raise ValueError(f"need one x per y and at least one point, got {len(x)} and {len(y)}")
    if (x <= 0).any() or not np.isfinite(y).all():
        raise ValueError("x must be positive (epochs count from 1) and y finite")
    if len(y) < MIN_POINTS:
        raise ValueError(f"{model} has {MIN_POINTS} parameters: fitting it needs at least "
                         f"{MIN_POINTS} points, got {len(y)}")
    fn, guess = CURVES[model]
    fallback = CurveFit(model, (), float(at), float(y[-1]), False)
    p0, bounds = guess(x, y)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", OptimizeWarning)
            params, _ = curve_fit(fn, x, y, p0=p0, bounds=bounds, maxfev=5000)
            value = float(fn(float(at), *params))
    except (RuntimeError, ValueError):
        return fallback
    if not np.isfinite(value):
        return fallback
    return CurveFit(model, tuple(float(p) for p in params), float(at), value, True)
