"""Hardware cost of a network: parameters, FLOPs, measured latency, lookup tables and devices.

Hardware-aware NAS (HW-NAS-Bench, Li et al., ICLR 2021; HELP, Lee et al., NeurIPS 2021) ranks
architectures by what they cost on a device, not only by accuracy. ``counts``: parameters and
FLOPs, cheap proxies computed from the network alone. ``measure``: latency measured as a
distribution, with its statistics and environment. ``lookup``: a per-op latency table built on
this machine, the additive predictor from it (ProxylessNAS, FBNet) and live per-arch measurement.
``devices``: latency across devices you don't own, their rank correlation and Pareto fronts.
"""
from .counts import count_flops, count_layer_flops, count_params
from .devices import (DeviceCorrelation, DeviceOverlap, best_under, device_kind, pareto_front,
                      pareto_overlap, rank_correlation)
from .lookup import (AdditivePredictor, LatencyTable, MeasuredLatency, Part, PredictionError,
                     build_latency_table, prediction_error)
from .measure import (Environment, Latency, MachineBusyWarning, environment, measure_latency,
                      median_ci)

__all__ = ["count_params", "count_flops", "count_layer_flops", "measure_latency", "Latency", "Environment",
           "environment", "MachineBusyWarning", "median_ci", "LatencyTable", "build_latency_table",
           "AdditivePredictor", "Part", "MeasuredLatency", "PredictionError", "prediction_error",
           "device_kind", "DeviceCorrelation", "rank_correlation", "DeviceOverlap",
           "pareto_overlap", "pareto_front", "best_under"]
