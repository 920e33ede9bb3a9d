"""Per-class F1 grouped by training-pixel frequency (CBP paper, Fig. 5).

CBP paper: Chen et al., "Frozen is better than learning: a new design of
prototype-based classifier for semantic segmentation", Pattern
Recognition 2024, https://doi.org/10.1016/j.patcog.2024.110431.

The paper sorts the classes by their number of pixels in the training set,
splits them into equal groups (15 groups of 10 classes on ADE20K) and plots
each group's mean F1: the least frequent groups show the prior ambiguity.
"""
import glob
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
from mmengine.logging import MMLogger, print_log
from mmengine.utils import mkdir_or_exist
from mmseg.evaluation import IoUMetric
from mmseg.registry import METRICS
from PIL import Image

__all__ = [
    'count_class_pixels', 'f1_by_frequency_groups', 'plot_frequency_f1',
    'FrequencyF1Metric'
]


def count_class_pixels(ann_dir: str,
                       num_classes: int,
                       suffix: str = '.png',
                       reduce_zero_label: bool = False) -> np.ndarray:
    """Pixels of every class in a folder of label maps (mmseg layout).

    Args:
        ann_dir: Folder with the training label images (searched
            recursively).
        num_classes: ``N``; other values (e.g. 255) are not counted.
        suffix: File suffix of the label maps.
        reduce_zero_label: mmseg's ADE20K convention: 0 is ignored and
            label ``k`` is class ``k - 1``.

    Returns:
        ``(N,)`` int64 pixel counts.
    """
    files = sorted(
        glob.glob(osp.join(ann_dir, '**', f'*{suffix}'), recursive=True))
    if not files:
        raise FileNotFoundError(f'no label maps *{suffix} under {ann_dir!r}; '
                                'give the training annotation folder')
    counts = np.zeros(num_classes, dtype=np.int64)
    for f in files:
        lab = np.asarray(Image.open(f)).astype(np.int64).ravel()
        if reduce_zero_label:
            lab = lab - 1
            lab[lab < 0] = 255
        lab = lab[(lab >= 0) & (lab < num_classes)]
        counts += np.bincount(lab, minlength=num_classes)
    return counts


def f1_by_frequency_groups(f1: np.ndarray, pixel_counts: np.ndarray,
                           num_groups: int) -> List[Dict]:
    """Mean F1 of classes grouped by training frequency (rarest first).

    Classes are sorted by ``pixel_counts`` (ties by index) and split into
    ``num_groups`` consecutive groups of (nearly) equal size
    (:func:`numpy.array_split`); NaN F1 (class absent from both prediction
    and ground truth) is left out of its group's mean.

    Returns:
        One dict per group: ``classes`` (indices), ``pixels`` (total
        training pixels) and ``f1`` (mean, NaN when all are NaN).
    """
    if len(f1) != len(pixel_counts):
        raise ValueError(f'{len(f1)} F1 values but {len(pixel_counts)} '
                         'class pixel counts')
    num_groups = max(1, min(int(num_groups), len(f1)))
    order = np.argsort(np.asarray(pixel_counts), kind='stable')
    groups = []
    for idx in np.array_split(order, num_groups):
        vals = f1[idx]
        vals = vals[~np.isnan(vals)]
        groups.append(
            dict(
                classes=[int(i) for i in idx],
                pixels=int(np.asarray(pixel_counts)[idx].sum()),
                f1=float(vals.mean()) if vals.size else float('nan')))
    return groups


def plot_frequency_f1(groups: Sequence[Dict],
                      path: str,
                      title: Optional[str] = None) -> None:
    """Bar chart of the groups' mean F1 (Fig. 5) written to ``path`` (PNG)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(max(4, 0.5 * len(groups) + 2), 3))
    x = np.arange(1, len(groups) + 1)
    ax.bar(x, [100 * g['f1'] for g in groups], color='tab:blue')
    ax.set_xticks(x)
    ax.set_xlabel('class group, rarest -> most frequent training pixels')
    ax.set_ylabel('mean F1 (%)')
    if title:
        ax.set_title(title)
    fig.tight_layout()
    mkdir_or_exist(osp.dirname(osp.abspath(path)))
    fig.savefig(path, dpi=120)
    plt.close(fig)


@METRICS.register_module()
class FrequencyF1Metric(IoUMetric):
    """Per-class F1 grouped by training-pixel frequency, with a PNG plot.

    Accumulates intersections like :class:`mmseg.evaluation.IoUMetric`;
    ``F1_c = 2 TP_c / (2 TP_c + FP_c + FN_c)``. Returns ``mF1`` and
    ``F1_g1 .. F1_gG`` (group 1 = rarest classes), in percent, and writes the
    plot (``plot_file``) and a JSON with every class (``json_file``; an F1
    that is not defined, for a class absent from both prediction and ground
    truth or a group of such classes, is ``null`` there).

    Args:
        class_pixel_counts: ``N`` training pixel counts, or the training
            annotation folder to count them from (once, at the first
            evaluation).
        num_groups: Number of groups (paper: 15 on ADE20K's 150 classes).
        reduce_zero_label: When counting from a folder: ADE20K convention.
        seg_map_suffix: When counting from a folder.
        plot_file: PNG path (``None``: no plot).
        json_file: JSON path (``None``: none).
        **kwargs: :class:`IoUMetric` arguments (``ignore_index``, ...).
    """

    def __init__(self,
                 class_pixel_counts: Union[Sequence[int], str],
                 num_groups: int = 5,
                 reduce_zero_label: bool = False,
                 seg_map_suffix: str = '.png',
                 plot_file: Optional[str] = None,
                 json_file: Optional[str] = None,
                 **kwargs) -> None:
        kwargs.setdefault('iou_metrics', ['mFscore'])
        super().__init__(**kwargs)
        self.class_pixel_counts = class_pixel_counts
        self.num_groups = num_groups
        self.reduce_zero_label = reduce_zero_label
        self.seg_map_suffix = seg_map_suffix
        self.plot_file = plot_file
        self.json_file = json_file

    def _counts(self, num_classes: int) -> np.ndarray:
        if isinstance(self.class_pixel_counts, str):
            self.class_pixel_counts = count_class_pixels(
                self.class_pixel_counts, num_classes, self.seg_map_suffix,
                self.reduce_zero_label).tolist()
        counts = np.asarray(self.class_pixel_counts, dtype=np.int64)
        if counts.shape != (num_classes, ):
            raise ValueError(f'class_pixel_counts has {counts.size} entries '
                             f'but the data set has {num_classes} classes')
        return counts

    def compute_metrics(self, results: list) -> Dict[str, float]:
        logger: MMLogger = MMLogger.get_current_instance()
        classes = list(self.dataset_meta['classes'])
        inter, _, pred, label = (
            sum(r[i] for r in results).numpy() for i in range(4))
        with np.errstate(invalid='ignore', divide='ignore'):
            f1 = 2 * inter / (pred + label)
        groups = f1_by_frequency_groups(f1, self._counts(len(classes)),
                                        self.num_groups)
        metrics = {'mF1': float(np.nanmean(f1) * 100)}
        for k, g in enumerate(groups, 1):
            metrics[f'F1_g{k}'] = g['f1'] * 100
        lines = [
            f'group {k}: F1 {100 * g["f1"]:.2f} train pixels '
            f'{g["pixels"]} classes ' + ', '.join(classes[i]
                                                  for i in g['classes'])
            for k, g in enumerate(groups, 1)
        ]
        print_log(
            'F1 by training-pixel frequency (rarest first):\n' +
            '\n'.join(lines), logger)
        if self.plot_file:
            plot_frequency_f1(groups, self.plot_file)
        if self.json_file:
            mkdir_or_exist(osp.dirname(osp.abspath(self.json_file)))
            with open(self.json_file, 'w') as fh:
                json.dump(
                    dict(
                        classes=classes,
                        f1=[None if np.isnan(v) else float(v) for v in f1],
                        pixel_counts=[int(c) for c in self.class_pixel_counts],
                        # null, not NaN (JSON has none), for a group
                        # whose classes are all absent
                        groups=[
                            dict(g, f1=None if np.isnan(g['f1']) else g['f1'])
                            for g in groups
                        ]),
                    fh,
                    indent=1)
        return metrics
