"""Losses of dnc_mm registered in the OpenMMLab ``MODELS`` registries.

Each loss module registers itself on import; append new imports below.
"""
