"""PNG figures of the explanation tool (matplotlib, Agg backend)."""
from typing import Callable, List, Optional, Sequence

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import Tensor  # noqa: E402

ImageFn = Callable[[int], np.ndarray]


def _show(ax, img: np.ndarray) -> None:
    if img.ndim == 2:
        ax.imshow(img, cmap='gray', vmin=0, vmax=255)
    else:
        ax.imshow(img)
    ax.set_xticks([])
    ax.set_yticks([])


def plot_gallery(indices: Tensor, sims: Tensor, active: Tensor,
                 class_names: Sequence[str], image_fn: ImageFn, path: str,
                 source: str) -> None:
    """One row per class, one column per sub-centroid slot."""
    c_num, k_num = indices.shape
    fig, axes = plt.subplots(
        c_num, k_num, squeeze=False, figsize=(1.6 * k_num + 1.5, 1.6 * c_num))
    for c in range(c_num):
        for k in range(k_num):
            ax = axes[c, k]
            ax.set_xticks([])
            ax.set_yticks([])
            if not bool(active[c, k]) or int(indices[c, k]) < 0:
                ax.axis('off')
                continue
            _show(ax, image_fn(int(indices[c, k])))
            ax.set_title(
                f'#{int(indices[c, k])}  cos {float(sims[c, k]):.2f}',
                fontsize=7)
        axes[c, 0].set_ylabel(
            str(class_names[c]),
            fontsize=8,
            rotation=0,
            ha='right',
            va='center')
    what = ('anchor images' if source == 'anchors' else
            'nearest training image of each sub-centroid (not anchored)')
    fig.suptitle(f'Sub-centroids as training images ({what})', fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_explanation(expl,
                     test_img: np.ndarray,
                     image_fn: ImageFn,
                     class_names: Sequence[str],
                     path: str,
                     title: Optional[str] = None) -> None:
    """Test image, then each top class's closest sub-centroid image.

    ``title`` replaces the test image's caption (``test #<index>`` and
    the true class).
    """
    n = len(expl.evidence)
    fig, axes = plt.subplots(1, n + 1, figsize=(2.0 * (n + 1), 2.6))
    _show(axes[0], test_img)
    truth = ('' if expl.gt_label is None else
             f'\ntrue: {class_names[expl.gt_label]}')
    axes[0].set_title(
        title if title is not None else f'test #{expl.index}{truth}',
        fontsize=8)
    for ax, ev in zip(axes[1:], expl.evidence):
        if ev.train_index >= 0:
            _show(ax, image_fn(ev.train_index))
        else:
            ax.axis('off')
        mark = ' (prediction)' if ev.label == expl.prediction else ''
        ax.set_title(
            f'{ev.name}{mark}\nsub-centroid {ev.subcentroid}\n'
            f'cos {ev.similarity:.3f}  p {ev.score:.2f}',
            fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_similarity_heatmap(subcentroids: Tensor, active: Tensor,
                            class_names: Sequence[str], path: str) -> None:
    """Cosine similarity between all active sub-centroids."""
    c_idx, k_idx = torch.nonzero(active, as_tuple=True)
    protos = subcentroids[c_idx, k_idx].float()
    sims = (protos @ protos.t()).numpy()
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    im = ax.imshow(sims, cmap='viridis', vmin=-1, vmax=1)
    # class boundaries and labels
    bounds = np.flatnonzero(np.diff(c_idx.numpy())) + 0.5
    for b in bounds:
        ax.axhline(b, color='w', lw=0.6)
        ax.axvline(b, color='w', lw=0.6)
    starts = np.concatenate([[0], np.ceil(bounds).astype(int)])
    ends = np.concatenate([np.ceil(bounds).astype(int), [len(c_idx)]])
    centres = (starts + ends - 1) / 2
    names = [str(class_names[int(c_idx[s])]) for s in starts]
    ax.set_xticks(centres, names, rotation=90, fontsize=7)
    ax.set_yticks(centres, names, fontsize=7)
    fig.colorbar(im, ax=ax, label='cosine similarity')
    ax.set_title('Sub-centroid similarities', fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_feature_projection(embed: Tensor,
                            labels: Tensor,
                            subcentroids: Tensor,
                            active: Tensor,
                            class_names: Sequence[str],
                            path: str,
                            title: str = 'PCA of test embeddings') -> None:
    """2-D PCA of embeddings (dots) with the sub-centroids (stars)."""
    from sklearn.decomposition import PCA
    c_idx, k_idx = torch.nonzero(active, as_tuple=True)
    protos = subcentroids[c_idx, k_idx].float().numpy()
    pca = PCA(n_components=2, random_state=0).fit(embed.numpy())
    pts = pca.transform(embed.numpy())
    stars = pca.transform(protos)
    cmap = plt.get_cmap('tab10' if len(class_names) <= 10 else 'tab20')
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    for c, name in enumerate(class_names):
        sel = (labels == c).numpy()
        if sel.any():
            ax.scatter(
                pts[sel, 0],
                pts[sel, 1],
                s=3,
                alpha=0.35,
                color=cmap(c % cmap.N),
                label=str(name))
    ax.scatter(
        stars[:, 0],
        stars[:, 1],
        marker='*',
        s=140,
        c=[cmap(int(c) % cmap.N) for c in c_idx],
        edgecolors='k',
        linewidths=0.8,
        label='sub-centroids')
    ax.legend(fontsize=6, markerscale=2, loc='best')
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_k_history(steps: List[int],
                   ks: np.ndarray,
                   class_names: Sequence[str],
                   path: str,
                   truth: Optional[Sequence[int]] = None) -> None:
    """Number of active sub-centroids per class over training.

    Classes with the same K draw on top of each other; each line is
    thinner than the one before, so all stay visible.
    """
    fig, ax = plt.subplots(figsize=(6, 3.5))
    widths = np.linspace(4.0, 1.5, max(len(class_names), 2))
    for c, name in enumerate(class_names):
        line, = ax.step(
            steps, ks[:, c], where='post', label=str(name), lw=widths[c])
        if truth is not None:
            ax.axhline(
                truth[c], color=line.get_color(), ls=':', lw=widths[c] / 2)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel('iteration')
    ax.set_ylabel('active sub-centroids K')
    ax.set_title(
        'K per class over training (dotted: true number of fine '
        'classes)' if truth is not None else 'K per class',
        fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
