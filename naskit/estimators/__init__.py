"""Performance estimators: predict how good an architecture is without training it fully.

Two layers. Network-level functions score one given net on one batch: ``naswot`` /
``naswot_kernel`` (Mellor et al., ICML 2021) and the zero-cost proxies ``synflow``, ``snip``,
``grad_norm``, ``grasp``, ``fisher``, ``jacob_cov`` (Abdelfattah et al., ICLR 2021). Arch-level
estimators follow one protocol, ``score = est(arch)`` (bigger = predicted better) with
``est.cost_`` the seconds of that call: zero-cost ones (``NASWOT``, ``Synflow``, ...; baselines
``Params``, ``FLOPs``) build the arch's untrained net; training-based ones read a benchmark's
curves (``TSE``, ``TSEE``, ``TSEEMA`` after Ru et al., NeurIPS 2021; ``EarlyStopping``;
``CurveExtrapolation`` after Domhan et al., IJCAI 2015) or train on a subset (``SubsetTraining``).
``ESTIMATORS`` (``registry``) lists them by name; ``supported(bench, data)`` says which can run
there, ``unsupported`` why the others cannot, ``make(name, bench, data, ...)`` builds one.
``kendall_tau``, ``spearman_rho``, ``top_k_precision``, ``bootstrap_ci`` and ``rank_agreement``
(tau and rho with their intervals) measure how well a score ranks archs against the truth;
``compare`` runs many estimators on one sample of archs (``sample_archs``) and collects those
measures and each estimator's cost in a ``Comparison``.
"""
from .base import Estimator
from .ceiling import NoiseCeiling, noise_ceiling, truth_agreement
from .compare import Comparison, EstimatorResult, compare, sample_archs
from .curves import CURVES, MIN_POINTS, CurveFit, fit_curve
from .naswot import naswot, naswot_kernel
from .precomputed import Precomputed, read_scores, save_scores
from .proxies import (FLOPs, NASWOT, SNIP, ZERO_COST, Fisher, GradNorm, GraSP, JacobCov, Params,
                      Synflow)
from .rank import (RankAgreement, bootstrap_ci, kendall_tau, rank_agreement, spearman_rho,
                   top_k_precision)
from .registry import ESTIMATORS, epochs_for, make, supported, unsupported
from .training import (TSE, TSEE, TSEEMA, CurveExtrapolation, EarlyStopping, SubsetTraining,
                       epoch_losses, tse, tse_e, tse_ema)
from .zero_cost import fisher, grad_norm, grasp, jacob_cov, snip, synflow

__all__ = ["Estimator", "naswot", "naswot_kernel", "synflow", "snip", "grad_norm", "grasp",
           "fisher", "jacob_cov", "NASWOT", "Synflow", "SNIP", "GradNorm", "GraSP", "Fisher",
           "JacobCov", "Params", "FLOPs", "ZERO_COST", "TSE", "TSEE", "TSEEMA", "EarlyStopping",
           "CurveExtrapolation", "SubsetTraining", "epoch_losses", "tse", "tse_e", "tse_ema",
           "CURVES", "CurveFit", "fit_curve", "kendall_tau", "spearman_rho", "top_k_precision",
           "bootstrap_ci", "rank_agreement", "RankAgreement", "ESTIMATORS", "supported",
           "unsupported", "make", "epochs_for", "compare", "Comparison", "EstimatorResult",
           "sample_archs", "NoiseCeiling", "noise_ceiling", "truth_agreement", "Precomputed",
           "read_scores", "save_scores", "MIN_POINTS"]
