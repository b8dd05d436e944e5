"""Training protocols of the weight-sharing searches: the DARTS paper's and NAS-Bench-201's.

A protocol is the recipe a search is run under: how long, at which batch size, with which
optimizer, augmentation and order of updates. ``Protocol.darts(method)`` is the DARTS paper's
(Liu et al., ICLR 2019), naskit's default; ``Protocol.nb201(method)`` is what NAS-Bench-201 (Dong &
Yang, ICLR 2020) ran for its weight-sharing table, read from its code, D-X-Y/AutoDL-Projects:
``configs/nas-benchmark/algos/{DARTS,GDAS,SETN,RANDOM,ENAS}.config`` (epochs, batch, lr, eta_min,
T_max, decay, nesterov), ``scripts-search/NAS-Bench-201-algos/*.sh`` (arch lr and decay, tau,
select_num, controller settings) and ``exps/NAS-Bench-201-algos/*.py`` (order of the updates,
gradient clipping, candidate selection; ``xautodl/datasets/SearchDatasetWrap.py``: architecture
batches drawn with replacement; ``get_dataset_with_transform.py``: crop and flip of both).

What still differs from NB201's runs, and why:

=========================  ==================================  ===================================
 what                       NB201                               naskit under ``nb201``
=========================  ==================================  ===================================
 data                       CIFAR-10, 25k/25k train/arch split  embedded digits, 8,000 train and
                                                                4,000 validation images: offline
 network                    16 channels, 5 cells per stage      8 channels, 1 cell per stage: the
                                                                mini benchmark's network, on a CPU
 steps per epoch            391 (ENAS 196)                      125 (ENAS 63): fewer images
 augmentation               random crop (pad 4) and             random shift (pad 2, as NB201's
                            horizontal flip                     16x16 ImageNet16 crop), no flip:
                                                                a mirrored digit is not a digit
 BatchNorm                  track_running_stats per script      batch statistics in search cells
 ENAS controller            LSTM, 50 Adam steps of 20 averaged  one softmax per edge
                            samples after each epoch, betas     (``nk.search.Reinforce``), one
                            (0, 0.999), eps 1e-3                update per weight step, on one
                                                                sample; Adam's default betas
 ENAS entropy weight        1e-4 on a reward in [0, 1]          0.01 on a reward in percent: equal
 candidates (RSPS, SETN,    each on its own validation batch    all on the same images (512; ENAS
 ENAS)                      (512; ENAS 128)                     128): cells, not batches, compared
 RSPS, SETN, ENAS arch      a fresh random path per batch       ``accuracy`` of a fixed path
 evaluation                 (valid_func)
=========================  ==================================  ===================================
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["Protocol", "NB201_CONFIGS", "PROTOCOLS"]

PROTOCOLS = ("darts", "nb201")
_METHODS = ("RSPS", "DARTS-V1", "DARTS-V2", "GDAS", "SETN", "ENAS")
_ALPHA = ("DARTS-V1", "DARTS-V2", "GDAS", "SETN")

# NB201's settings per method, as its files give them (file paths in the module docstring):
# configs/nas-benchmark/algos/<config>.config and the method's exps/NAS-Bench-201-algos/*.py.
NB201_CONFIGS = {
    # DARTS.config; DARTS-V1.py steps w_optimizer before a_optimizer, clips at --gradient_clip 5
    "DARTS-V1": dict(config="DARTS", epochs=50, batch_size=64, lr=0.025, eta_min=0.001,
                     T_max=None, decay=5e-4, momentum=0.9, nesterov=True, grad_clip=5.0,
                     weights_first=True),
    # DARTS.config; DARTS-V2.py: backward_step_unrolled and a_optimizer, then w_optimizer
    "DARTS-V2": dict(config="DARTS", epochs=50, batch_size=64, lr=0.025, eta_min=0.001,
                     T_max=None, decay=5e-4, momentum=0.9, nesterov=True, grad_clip=5.0,
                     weights_first=False),
    # GDAS.config; GDAS.py clips at 5, weights first (naskit's GDAS always is)
    "GDAS": dict(config="GDAS", epochs=250, batch_size=64, lr=0.025, eta_min=0.001, T_max=None,
                 decay=5e-4, momentum=0.9, nesterov=True, grad_clip=5.0, weights_first=True),
    # SETN.config; SETN.py calls no clip_grad_norm_
    "SETN": dict(config="SETN", epochs=250, batch_size=64, lr=0.025, eta_min=0.001, T_max=None,
                 decay=5e-4, momentum=0.9, nesterov=True, grad_clip=None, weights_first=True),
    # RANDOM.config (RANDOM-NAS.sh runs RANDOM-NAS.py with it); clips at 5
    "RSPS": dict(config="RANDOM", epochs=250, batch_size=64, lr=0.025, eta_min=0.001, T_max=None,
                 decay=5e-4, momentum=0.9, nesterov=True, grad_clip=5.0, weights_first=None),
    # ENAS.config: lr 0.05, eta_min 5e-4, T_max 10, and decay 2.5e-4 (not 5e-4); ENAS.py clips at 5
    "ENAS": dict(config="ENAS", epochs=250, batch_size=128, lr=0.05, eta_min=0.0005, T_max=10,
                 decay=2.5e-4, momentum=0.9, nesterov=True, grad_clip=5.0, weights_first=None),
}


@dataclass(frozen=True)
class Protocol:
    """How a one-shot search of ``method`` is run; ``search_kwargs()`` are its constructor's."""

    name: str
    method: str
    epochs: float
    batch_size: int = 64
    lr: float = 0.025
    lr_min: float = 0.001
    lr_period: float | None = None    # cosine period in epochs; None: the whole search
    momentum: float = 0.9
    nesterov: bool = False
    weight_decay: float = 3e-4
    grad_clip: float | None = 5.0
    weights_first: bool | None = None  # DARTS only: step the weights before alpha
    augment_pad: int = 0               # random shifts of up to this many pixels
    val_replacement: bool = False      # architecture batches drawn with replacement
    method_kwargs: tuple = ()          # (name, value) pairs for the method's own arguments

    def __post_init__(self):
        if self.name not in PROTOCOLS:
            raise ValueError(f"unknown protocol {self.name!r}; choose from {list(PROTOCOLS)}")
        if self.method not in _METHODS:
            raise ValueError(f"unknown method {self.method!r}; choose from {list(_METHODS)}")

    @classmethod
    def darts(cls, method: str, epochs: float = 4.0) -> "Protocol":
        """The DARTS paper's settings (naskit's defaults) for ``method``, ``epochs`` passes."""
        if method not in _METHODS:
            raise ValueError(f"unknown method {method!r}; choose from {list(_METHODS)}")
        first = {"DARTS-V1": False, "DARTS-V2": False}.get(method)
        return cls("darts", method, float(epochs), weights_first=first)

    @classmethod
    def nb201(cls, method: str) -> "Protocol":
        """NAS-Bench-201's settings for ``method`` (``NB201_CONFIGS``; differences: module doc)."""
        if method not in _METHODS:
            raise ValueError(f"unknown method {method!r}; choose from {list(_METHODS)}")
        c = NB201_CONFIGS[method]
        own = {"RSPS": dict(n_candidates=100, eval_batches=8),
               # SETN.sh --select_num 100; SETN.py ranks the template's top cells (return_topK)
               "SETN": dict(n_candidates=100, eval_batches=8, proposal="top"),
               # ENAS.sh: --controller_num_samples 100 candidates, one batch of 128 each
               "ENAS": dict(n_candidates=100, eval_batches=1),
               # GDAS.sh: --tau_max 10 --tau_min 0.1
               "GDAS": dict(tau_max=10.0, tau_min=0.1)}.get(method, {})
        if method in _ALPHA:  # *.sh: --arch_learning_rate 0.0003 --arch_weight_decay 0.001
            own = dict(own, arch_lr=3e-4, arch_weight_decay=1e-3)
        # architecture batches come from the search loader (augmented, with replacement); ENAS
        # rewards its controller on the plain validation loader instead
        return cls("nb201", method, float(c["epochs"]), batch_size=c["batch_size"], lr=c["lr"],
                   lr_min=c["eta_min"], lr_period=c["T_max"], momentum=c["momentum"],
                   nesterov=c["nesterov"], weight_decay=c["decay"], grad_clip=c["grad_clip"],
                   weights_first=c["weights_first"] if method.startswith("DARTS") else None,
                   augment_pad=2, val_replacement=method != "ENAS",
                   method_kwargs=tuple(sorted(own.items())))

    def search_kwargs(self) -> dict:
        """Keyword arguments of the method's search class (its ``__init__``) for this protocol."""
        out = dict(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr, lr_min=self.lr_min,
                   lr_period=self.lr_period, momentum=self.momentum, nesterov=self.nesterov,
                   weight_decay=self.weight_decay, grad_clip=self.grad_clip,
                   augment_pad=self.augment_pad, val_replacement=self.val_replacement)
        if self.weights_first is not None:
            out["weights_first"] = self.weights_first
        return dict(out, **dict(self.method_kwargs))

    def to_dict(self) -> dict:
        """Plain data, for a run's recorded settings."""
        out = asdict(self)
        out["method_kwargs"] = dict(self.method_kwargs)
        return out
