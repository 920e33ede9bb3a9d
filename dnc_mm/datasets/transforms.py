"""Image transforms registered by dnc_mm (mmpretrain ``TRANSFORMS``).

:class:`ToGrayscale` lets a model trained on greyscale images (the
Fashion-MNIST configs, ``in_channels=1``) read any image: mmpretrain's
inferencers (``ImageClassificationInferencer``, ``FeatureExtractor``,
``inference_model``) load a file with ``mmcv.imread``, which always
returns 3 BGR channels, and then run the config's test pipeline; with
``ToGrayscale`` first in that pipeline a colour or grey file, or a colour
array, reaches the model as one channel. The images of the datasets
(``HxW`` arrays) pass through unchanged, so evaluation is not affected.
"""
from typing import Dict

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS

__all__ = ['ToGrayscale']

_CONVERSIONS = {
    'bgr': {
        3: cv2.COLOR_BGR2GRAY,
        4: cv2.COLOR_BGRA2GRAY
    },
    'rgb': {
        3: cv2.COLOR_RGB2GRAY,
        4: cv2.COLOR_RGBA2GRAY
    },
}

#: ITU-R BT.601 luma weights of R, G, B (those of ``cv2.COLOR_*2GRAY``)
_LUMA = np.array([0.299, 0.587, 0.114])


@TRANSFORMS.register_module()
class ToGrayscale(BaseTransform):
    """Convert a colour image to one channel; leave grey images alone.

    ``HxW`` and ``HxWx1`` images are returned as they are (the same
    object, no copy). ``HxWx3`` and ``HxWx4`` images are converted with
    OpenCV's ITU-R BT.601 luma weights (``cv2.cvtColor``); for a grey
    image stored with three equal channels (a greyscale PNG read by
    ``mmcv.imread``) the result equals the grey values exactly. The alpha
    channel of an ``HxWx4`` image is dropped.

    Required keys: ``img``. Modified keys: ``img`` (``HxW``, same dtype).

    Args:
        color_order: Channel order of colour images: ``'bgr'`` (what
            ``mmcv.imread`` and ``LoadImageFromFile`` return, the default)
            or ``'rgb'``.
        keepdim: Return ``HxWx1`` instead of ``HxW`` for converted images.
            Defaults to False.
    """

    def __init__(self,
                 color_order: str = 'bgr',
                 keepdim: bool = False) -> None:
        if color_order not in _CONVERSIONS:
            raise ValueError(f"color_order must be 'bgr' or 'rgb', got "
                             f'{color_order!r}')
        self.color_order = color_order
        self.keepdim = keepdim

    def transform(self, results: Dict) -> Dict:
        """Convert ``results['img']`` in place of the dict.

        Args:
            results: The pipeline's dict with ``img``.

        Returns:
            The same dict with a one-channel ``img``.

        Raises:
            ValueError: The image has another shape than ``HxW`` or
                ``HxWxC`` with ``C`` in 1, 3, 4.
        """
        img = results['img']
        if img.ndim == 2 or (img.ndim == 3 and img.shape[2] == 1):
            return results
        channels = img.shape[2] if img.ndim == 3 else None
        code = _CONVERSIONS[self.color_order].get(channels)
        if code is None:
            raise ValueError(
                f'ToGrayscale: expected an HxW, HxWx1, HxWx3 or HxWx4 '
                f'image, got shape {tuple(img.shape)}')
        if img.dtype in (np.uint8, np.uint16, np.float32):
            gray = cv2.cvtColor(np.ascontiguousarray(img), code)
        else:  # dtypes OpenCV does not convert: same weights in numpy
            rgb = img[..., :3] if self.color_order == 'rgb' else img[...,
                                                                     2::-1]
            gray = (rgb.astype(np.float64) @ _LUMA).astype(img.dtype)
        results['img'] = gray[..., None] if self.keepdim else gray
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(color_order='
                f'{self.color_order!r}, keepdim={self.keepdim})')
