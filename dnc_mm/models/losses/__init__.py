"""Losses of dnc_mm registered in the OpenMMLab ``MODELS`` registries.

Each loss module registers itself on import; append new imports below.
"""
from .ipm_loss import IPMLoss  # noqa: F401  (HPL, Eq. 6)
from .occl_loss import OnlineCentroidContrastiveLoss  # noqa: F401
from .subcentroid_contrast_loss import SubCentroidContrastLoss  # noqa: F401
