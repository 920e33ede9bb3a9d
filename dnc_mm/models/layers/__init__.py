from .category_basis_classifier import CategoryBasisClassifier
from .embedding import (LOGIT_NORMALIZATIONS, PROJECTIONS, RANK_PRESERVING,
                        ChannelLayerNorm, LearnedScale, Temperature,
                        build_logit_normalization, build_projection)
from .subcentroid_classifier import (MOVED_HEAD_OPTIONS, SubCentroidClassifier,
                                     build_subcentroid_classifier)

__all__ = [
    'LOGIT_NORMALIZATIONS', 'PROJECTIONS', 'RANK_PRESERVING',
    'ChannelLayerNorm', 'LearnedScale', 'Temperature',
    'build_logit_normalization', 'build_projection', 'SubCentroidClassifier',
    'MOVED_HEAD_OPTIONS', 'build_subcentroid_classifier',
    'CategoryBasisClassifier'
]
