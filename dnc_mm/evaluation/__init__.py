"""Metrics and evaluation helpers of dnc_mm (registered on import).

Append new imports below.
"""
from .class_separability import (ClassSeparabilityHook,  # noqa: F401
                                 classifier_weights)
from .clustering import (clustering_accuracy, clustering_scores,  # noqa: E402
                         per_class_clustering_scores)
from .features import build_dataset, extract_features, load_model  # noqa
from .knn import knn_accuracy, knn_predict  # noqa: E402
from .frequency_f1 import (FrequencyF1Metric, count_class_pixels,  # noqa
                           f1_by_frequency_groups, plot_frequency_f1)
from .induction import evaluate_induction  # noqa: E402
