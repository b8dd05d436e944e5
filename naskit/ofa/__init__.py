"""Once-for-All (Cai et al., ICLR 2020): train one elastic supernet, then search its subnets per device.

``OFASpace`` and ``OFAArch`` (the subnets as plain data), ``OFASuperNet`` (elastic kernel, width
and depth; ``extract`` a standalone subnet), ``ProgressiveShrinking`` (OFA's training order), the
shipped supernet (``load``), the accuracy and latency predictors, and the hardware-aware
evolutionary search ``OFAEvolution``.
"""
from .evolution import Candidate, Generation, OFAEvolution
from .predictors import AccuracyPredictor, LatencyTable, measure_ms, rmse
from .shipped import load, load_record, load_subnets
from .shrinking import (PHASES, EpochRecord, Phase, ProgressiveShrinking, probe_archs,
                        shrinking_schedule, subnet_accuracy)
from .space import OFAArch, OFASpace
from .supernet import ElasticBlock, ElasticDepthwise, OFASuperNet, Subnet, recalibrate_bn

__all__ = ["OFAArch", "OFASpace", "OFASuperNet", "Subnet", "ElasticBlock", "ElasticDepthwise",
           "recalibrate_bn", "Phase", "PHASES", "EpochRecord", "ProgressiveShrinking",
           "shrinking_schedule", "probe_archs", "subnet_accuracy", "load", "load_record",
           "load_subnets", "AccuracyPredictor", "LatencyTable", "measure_ms", "rmse", "Candidate",
           "Generation", "OFAEvolution"]
