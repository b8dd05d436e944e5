"""Every estimator that ranks archs by itself, what each one needs, and how to make one by name.

``ESTIMATORS`` maps a name to its class, in the order a lab lists them: the zero-cost proxies and
their parameter and FLOP baselines (they need a data set to build and feed untrained nets), then
the estimators that read a benchmark's curves (training speed, early stopping, curve
extrapolation) and subset training (which trains for real). Each class carries its own
requirements (``needs``, ``why_unsupported``, ``supports``), so this module only asks them:
``supported(bench, data)`` lists the names that can run, ``unsupported(bench, data)`` says why
the others cannot, and ``make(name, bench, data, ...)`` builds one from the settings a lab
shares. ``Precomputed`` is not here: it replays the stored scores of one of these.
"""
from __future__ import annotations

from .base import Estimator
from .proxies import ZERO_COST
from .training import TSE, TSEE, TSEEMA, CurveExtrapolation, EarlyStopping, SubsetTraining

__all__ = ["ESTIMATORS", "supported", "unsupported", "make", "epochs_for"]

# name -> class, in the order a lab lists them
ESTIMATORS: dict[str, type[Estimator]] = {
    **ZERO_COST, **{c.name: c for c in (TSE, TSEE, TSEEMA, EarlyStopping, CurveExtrapolation,
                                        SubsetTraining)}}


def supported(bench=None, data=None) -> list[str]:
    """The names of the estimators that can score archs with ``bench`` and ``data``."""
    return [name for name, cls in ESTIMATORS.items() if cls.supports(bench, data)]


def unsupported(bench=None, data=None) -> dict[str, str]:
    """Name -> why that estimator cannot score archs with ``bench`` and ``data``."""
    out = {}
    for name, cls in ESTIMATORS.items():
        reason = cls.why_unsupported(bench, data)
        if reason is not None:
            out[name] = reason
    return out


def _cls(name: str) -> type[Estimator]:
    if name not in ESTIMATORS:
        raise ValueError(f"unknown estimator {name!r}; choose from {list(ESTIMATORS)}")
    return ESTIMATORS[name]


def epochs_for(name: str, bench) -> tuple[int, ...]:
    """The ``epochs`` that estimator ``name`` accepts on ``bench`` (empty: it reads no epochs)."""
    cls = _cls(name)
    return cls.epochs_for(bench) if hasattr(cls, "epochs_for") else ()


def make(name: str, bench=None, data=None, *, epochs: int | None = None, batch_size: int = 64,
         channels: int = 8, cells_per_stage: int = 1, seed: int = 0, device="cpu") -> Estimator:
    """The estimator ``name`` for ``bench`` and ``data``; each takes the settings it uses.

    ``epochs``: what the training-based ones may see (None: the fewest they can read);
    ``batch_size``: the minibatch of the zero-cost ones (and subset training's); ``channels``,
    ``cells_per_stage``, ``seed``, ``device``: the networks they build. A ValueError says why it
    cannot run there.
    """
    return _cls(name).make(bench, data, epochs=epochs, batch_size=batch_size, channels=channels,
                           cells_per_stage=cells_per_stage, seed=seed, device=device)
