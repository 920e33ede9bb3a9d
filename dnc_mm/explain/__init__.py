"""Explanations of DNC predictions (DNC paper §4.3, Figs. 4 and 6).

DNC: Wang, Han, Zhou, Liu, "Visual Recognition with Deep Nearest
Centroids", ICLR 2023, https://arxiv.org/abs/2209.07383.

:mod:`.explainer` picks the image behind every sub-centroid and turns the
head's own similarities into IF…THEN rules; :mod:`.plots` draws galleries,
explanations, similarity heat-maps and feature projections; :mod:`.report`
writes the Markdown report. ``tools/explain.py`` is the command line.
"""
from .explainer import (Explanation, explain_samples, gallery_from_anchors,
                        gallery_nearest_images, load_image,
                        subcentroid_gallery)

__all__ = [
    'Explanation', 'explain_samples', 'gallery_from_anchors',
    'gallery_nearest_images', 'load_image', 'subcentroid_gallery'
]
