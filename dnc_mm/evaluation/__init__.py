"""Metrics and evaluation helpers of dnc_mm (registered on import).

Append new imports below.
"""
