"""``nuclei``: real annotated fluorescence nuclei (binary)."""
from mmseg.registry import DATASETS

from .seg_benchmark import SegBenchmarkDataset


@DATASETS.register_module()
class NucleiDataset(SegBenchmarkDataset):
    """The real binary data set of the bundled benchmark.

    Tiles of the 512x512 fluorescence image ``img2d.tif`` and its human
    instance annotation ``mask2d.tif`` shipped in the ``stardist`` wheel
    (2018 Data Science Bowl), instances merged into one ``nucleus`` class.
    Build it with ``python tools/data/build_seg_benchmark.py`` (see
    ``docs/datasets.md``). Images are single-channel PNGs; mmseg's default
    ``LoadImageFromFile`` reads them as 3-channel.

    Args:
        **kwargs: See :class:`SegBenchmarkDataset`.
    """

    BENCHMARK_NAME = 'nuclei'
    METAINFO = dict(
        classes=('background', 'nucleus'), palette=[[0, 0, 0], [255, 255, 0]])
