"""Losses of dnc_mm registered in the OpenMMLab ``MODELS`` registries.

Each loss module registers itself on import; append new imports below.
"""
from .occl_loss import OnlineCentroidContrastiveLoss  # noqa: F401
from .ipm_loss import IPMLoss  # noqa: F401  (HPL, Eq. 6)
