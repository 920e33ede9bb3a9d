"""Load a trained mmpretrain model and pass whole datasets through it.

Shared by the explanation tool, the induction (k-NN) evaluation and the
clustering evaluation. Everything runs in eval mode under ``no_grad``.
"""
import copy
from typing import Dict, Optional, Union

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from torch import Tensor, nn


def load_model(config: Union[str, Config],
               checkpoint: Optional[str] = None,
               device: str = 'cpu') -> nn.Module:
    """Build the model of ``config`` and load ``checkpoint`` (eval mode)."""
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    if cfg.get('custom_imports'):
        from mmengine.utils import import_modules_from_strings
        import_modules_from_strings(**cfg.custom_imports)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    from mmpretrain.registry import MODELS
    model_cfg = copy.deepcopy(cfg.model)
    # as the Runner does: the top-level data_preprocessor (normalisation)
    if cfg.get('data_preprocessor') and 'data_preprocessor' not in model_cfg:
        model_cfg.data_preprocessor = copy.deepcopy(cfg.data_preprocessor)
    model = MODELS.build(model_cfg)
    if checkpoint is not None:
        load_checkpoint(
            model,
            checkpoint,
            map_location='cpu',
            strict=True,
            logger='silent')
    return model.to(device).eval()


def dataset_cfg(cfg: Config, split: str) -> dict:
    """Dataset config of ``split`` ('train' or 'test') with the test pipeline.

    The training images are read without augmentation, as in the anchoring
    hook, so galleries and k-NN use the features the model gives at test
    time.
    """
    test = cfg.get('test_dataloader') or cfg.get('val_dataloader')
    if test is None:
        raise ValueError(
            'the config needs a test_dataloader or val_dataloader')
    if split == 'test':
        return copy.deepcopy(test.dataset)
    if split != 'train':
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    ds = copy.deepcopy(cfg.train_dataloader.dataset)
    if 'pipeline' not in ds:
        raise ValueError('the train dataset config has no `pipeline` to '
                         'replace by the test pipeline (wrapped datasets are '
                         'not supported)')
    ds.pipeline = copy.deepcopy(test.dataset.pipeline)
    return ds


def build_dataset(cfg: Config, split: str):
    """The ``split`` dataset of ``cfg`` (test pipeline)."""
    from mmpretrain.registry import DATASETS
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    return DATASETS.build(dataset_cfg(cfg, split))


def _head_of(model: nn.Module):
    return getattr(model, 'head', None)


@torch.no_grad()
def extract_features(model: nn.Module,
                     dataset,
                     batch_size: int = 256,
                     num_workers: int = 0,
                     max_samples: Optional[int] = None) -> Dict[str, Tensor]:
    """Run ``dataset`` (in order) through ``model``.

    Returns a dict of tensors over the ``N`` samples:
    ``neck`` ``(N, F)`` the pooled backbone/neck feature, ``labels`` and
    ``indices`` ``(N,)``, ``fine_labels`` ``(N,)`` when the dataset stores
    them, ``pred_labels`` ``(N,)`` and ``pred_scores`` ``(N, C)`` from the
    head's ``predict``; for a DNC head also ``embed`` ``(N, D)`` (the
    l2-normalised embedding) and ``sims`` ``(N, C, K)`` (its sub-centroid
    similarities, as computed by the head).
    """
    from mmengine.dataset import pseudo_collate
    from torch.utils.data import Subset
    if max_samples is not None:
        subset = list(range(min(max_samples, len(dataset))))
        dataset_view = Subset(dataset, subset)
    else:
        dataset_view = dataset
    loader = torch.utils.data.DataLoader(
        dataset_view,
        batch_size=batch_size,
        shuffle=False,
        num_workers=num_workers,
        collate_fn=pseudo_collate)
    head = _head_of(model)
    out = {
        k: []
        for k in ('neck', 'labels', 'indices', 'pred_labels', 'pred_scores',
                  'embed', 'sims')
    }
    for data in loader:
        samples = data['data_samples']
        data = model.data_preprocessor(data, False)
        feats = model.extract_feat(data['inputs'])
        out['neck'].append(feats[-1].float())
        if hasattr(head, 'similarities'):
            x, sims = head.similarities(feats)
            out['embed'].append(x.float())
            out['sims'].append(sims.float())
        preds = head.predict(feats, data['data_samples'])
        out['pred_labels'].append(torch.cat([p.pred_label for p in preds]))
        out['pred_scores'].append(torch.stack([p.pred_score for p in preds]))
        out['labels'].append(torch.cat([s.gt_label for s in samples]))
        out['indices'].append(
            torch.as_tensor([s.sample_idx for s in samples], dtype=torch.long))
    result = {k: torch.cat(v) for k, v in out.items() if v}
    infos = [dataset.get_data_info(int(i)) for i in result['indices']]
    if infos and 'fine_label' in infos[0]:
        result['fine_labels'] = torch.as_tensor(
            [int(i['fine_label']) for i in infos], dtype=torch.long)
    return result
