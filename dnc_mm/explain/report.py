"""The whole explanation run: features, gallery, rules, figures, report."""
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Union

import torch
from mmengine.config import Config

from dnc_mm.evaluation.features import (build_dataset, extract_features,
                                        load_model)
from .explainer import explain_samples, load_image, subcentroid_gallery
from .plots import (plot_explanation, plot_feature_projection, plot_gallery,
                    plot_similarity_heatmap)


def _pick_rows(test: Dict[str,
                          torch.Tensor], test_indices: Optional[Sequence[int]],
               num_test: int, num_errors: int) -> List[int]:
    pos = {int(i): r for r, i in enumerate(test['indices'])}
    if test_indices:
        missing = [i for i in test_indices if i not in pos]
        if missing:
            raise ValueError(f'test indices {missing} are not in the test set '
                             f'(size {len(pos)})')
        return [pos[i] for i in test_indices]
    rows = list(range(min(num_test, len(pos))))
    wrong = torch.nonzero(test['pred_labels'] != test['labels']).flatten()
    rows += [int(r) for r in wrong if int(r) not in rows][:num_errors]
    return rows


def run_explain(config: Union[str, Config],
                checkpoint: str,
                out_dir: str,
                test_indices: Optional[Sequence[int]] = None,
                num_test: int = 6,
                num_errors: int = 2,
                top: int = 3,
                batch_size: int = 256) -> Dict[str, object]:
    """Write galleries, explanations, plots and ``report.md`` to ``out_dir``.

    Returns a summary (also written as ``explanations.json``).
    """
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    model = load_model(cfg, checkpoint)
    head = getattr(model, 'head', None)
    classifier = getattr(head, 'classifier', None)
    if classifier is None or not hasattr(head, 'similarities'):
        raise ValueError(
            f'{cfg.filename}: explain needs a DNC model (head type '
            f'SubCentroidClsHead), got {type(head).__name__}')
    os.makedirs(out_dir, exist_ok=True)
    train_set = build_dataset(cfg, 'train')
    test_set = build_dataset(cfg, 'test')
    names = list(
        train_set.metainfo.get('classes')
        or [str(c) for c in range(head.num_classes)])
    train = extract_features(model, train_set, batch_size)
    test = extract_features(model, test_set, batch_size)
    gallery = subcentroid_gallery(classifier, train, len(train_set))
    active = classifier.active.cpu()
    protos = classifier.subcentroids.detach().cpu().float()

    files = dict(
        gallery='gallery.png',
        heatmap='subcentroid_similarity.png',
        pca='pca_test_embeddings.png')
    plot_gallery(gallery['indices'], gallery['sims'], active, names,
                 lambda i: load_image(train_set, i),
                 osp.join(out_dir, files['gallery']), gallery['source'])
    plot_similarity_heatmap(protos, active, names,
                            osp.join(out_dir, files['heatmap']))
    plot_feature_projection(test['embed'], test['labels'], protos, active,
                            names, osp.join(out_dir, files['pca']))

    rows = _pick_rows(test, test_indices, num_test, num_errors)
    expls = explain_samples(
        test['sims'],
        active,
        test['pred_labels'],
        test['pred_scores'],
        gallery,
        names,
        rows,
        test['indices'],
        test['labels'],
        top=top)
    for e in expls:
        plot_explanation(e, load_image(test_set, e.index),
                         lambda i: load_image(train_set, i), names,
                         osp.join(out_dir, f'explain_test{e.index}.png'))

    acc = float((test['pred_labels'] == test['labels']).float().mean() * 100)
    summary = dict(
        config=cfg.filename or '<config>',
        checkpoint=checkpoint,
        gallery_source=gallery['source'],
        test_accuracy=acc,
        class_names=names,
        num_subcentroids=classifier.num_subcentroids.tolist(),
        gallery_indices=gallery['indices'].tolist(),
        explanations=[
            dict(
                index=e.index,
                gt_label=e.gt_label,
                prediction=e.prediction,
                rule=e.rule,
                evidence=[vars(v) for v in e.evidence]) for e in expls
        ],
        files=dict(
            files, explanations=[f'explain_test{e.index}.png' for e in expls]))
    with open(osp.join(out_dir, 'explanations.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    _write_markdown(summary, osp.join(out_dir, 'report.md'))
    return summary


def _write_markdown(s: Dict[str, object], path: str) -> None:
    names = s['class_names']
    src = ('the images the sub-centroids are anchored to (§4.3)'
           if s['gallery_source'] == 'anchors' else
           'the most similar training image of each sub-centroid (this '
           'model is not anchored, so a sub-centroid is not itself an '
           'image; distinct images per class)')
    lines = [
        '# What the DNC model learned', '', f'- config: `{s["config"]}`',
        f'- checkpoint: `{s["checkpoint"]}`',
        f'- test accuracy (this run, top-1): {s["test_accuracy"]:.2f}%',
        f'- sub-centroids per class: {s["num_subcentroids"]}', '',
        '## Sub-centroid gallery', '',
        f'Each row is a class, each image {src}; the caption gives the '
        'training index and the cosine similarity between the image\'s '
        'embedding and the sub-centroid.', '',
        f'![gallery]({s["files"]["gallery"]})', '',
        '## Explanations of test predictions', '',
        'The model scores each class by its most similar sub-centroid and '
        'predicts the best class, so each prediction is decided by the rule '
        'below. Similarities (cos) are those the model computed; p is the '
        'model\'s softmax score.', ''
    ]
    for e in s['explanations']:
        status = ('correct' if e['gt_label'] == e['prediction'] else
                  f'wrong, true class "{names[e["gt_label"]]}"')
        lines += [
            f'### Test image #{e["index"]}: "{names[e["prediction"]]}"'
            f' ({status})', '', e['rule'], '',
            f'![test {e["index"]}](explain_test{e["index"]}.png)', ''
        ]
    lines += [
        '## Sub-centroid similarities', '',
        f'![heat-map]({s["files"]["heatmap"]})', '',
        '## Test embeddings and sub-centroids (PCA)', '',
        f'![pca]({s["files"]["pca"]})', ''
    ]
    with open(path, 'w') as f:
        f.write('\n'.join(lines))
