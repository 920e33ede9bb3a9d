from .category_basis_classifier import CategoryBasisClassifier
from .embedding import (LOGIT_NORMALIZATIONS, PROJECTIONS, RANK_PRESERVING,
                        ChannelLayerNorm, LearnedScale, Temperature,
                        build_logit_normalization, build_projection)
from .subcentroid_classifier import SubCentroidClassifier

__all__ = [
    'LOGIT_NORMALIZATIONS', 'PROJECTIONS', 'RANK_PRESERVING',
    'ChannelLayerNorm', 'LearnedScale', 'Temperature',
    'build_logit_normalization', 'build_projection', 'SubCentroidClassifier',
    'CategoryBasisClassifier'
]
