"""Metrics and evaluation helpers of dnc_mm (registered on import)."""
from .class_separability import classifier_weights
from .clustering import (clustering_accuracy, clustering_scores,
                         per_class_clustering_scores)
from .features import build_dataset, extract_features, load_model
from .fine_class_modes import (fine_pair_ratios, silhouette_num_subcentroids,
                               split_merge_num_subcentroids)
from .frequency_f1 import (FrequencyF1Metric, count_class_pixels,
                           f1_by_frequency_groups, plot_frequency_f1)
from .induction import evaluate_induction
from .knn import knn_accuracy, knn_predict

__all__ = [
    'FrequencyF1Metric', 'build_dataset', 'classifier_weights',
    'clustering_accuracy', 'clustering_scores', 'count_class_pixels',
    'evaluate_induction', 'extract_features', 'f1_by_frequency_groups',
    'fine_pair_ratios', 'knn_accuracy', 'knn_predict', 'load_model',
    'per_class_clustering_scores', 'plot_frequency_f1',
    'silhouette_num_subcentroids', 'split_merge_num_subcentroids'
]
