from .embedding import (LOGIT_NORMALIZATIONS, PROJECTIONS, ChannelLayerNorm,
                        Temperature, build_logit_normalization,
                        build_projection)
from .subcentroid_classifier import SubCentroidClassifier

__all__ = [
    'LOGIT_NORMALIZATIONS', 'PROJECTIONS', 'ChannelLayerNorm', 'Temperature',
    'build_logit_normalization', 'build_projection', 'SubCentroidClassifier'
]
