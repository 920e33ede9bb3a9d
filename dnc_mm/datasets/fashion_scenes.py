"""``fashion_scenes``: Fashion-MNIST garments pasted on real photographs."""
from mmseg.registry import DATASETS

from .coarse_labels import FASHION_MNIST_FINE_CLASSES
from .seg_benchmark import SegBenchmarkDataset


@DATASETS.register_module()
class FashionScenesDataset(SegBenchmarkDataset):
    """The composed multi-class data set of the bundled benchmark.

    Real Fashion-MNIST garments (real pixels, real classes) pasted onto crops
    of real photographs shipped with scikit-image; the label maps are exact
    by construction. Index 0 is ``background``, index ``k + 1`` the
    Fashion-MNIST class ``k``. Build it with
    ``python tools/data/build_seg_benchmark.py`` and see
    ``docs/datasets.md`` for what is real and what is composed.

    Args:
        **kwargs: See :class:`SegBenchmarkDataset`.
    """

    BENCHMARK_NAME = 'fashion_scenes'
    METAINFO = dict(
        classes=('background', ) + FASHION_MNIST_FINE_CLASSES,
        palette=[[0, 0, 0], [230, 25, 75], [60, 180, 75], [255, 225, 25],
                 [0, 130, 200], [245, 130, 48], [145, 30, 180], [70, 240, 240],
                 [240, 50, 230], [210, 245, 60], [250, 190, 212]])
