"""Two fixes for the toolboxes' one-call inference APIs.

**mmpretrain** 1.x picks the inferencer of ``inference_model(model, img)``
from the model's *model-hub* entry: ``get_model(name)`` stores the
``model-index.yml`` metadata of ``name`` as ``model._metainfo`` and
``inference_model`` maps the task of its ``Results``
(``'Image Classification'``) to ``ImageClassificationInferencer``. A model
built from a config *file* (``get_model('configs/.../x.py',
pretrained=ckpt)``, the usual way for a plugin's or one's own config) gets
``_metainfo = None``, and ``inference_model`` fails with ``No available
inferencer for the model`` -- for every config, mmpretrain's own included.
:func:`patch_inference_task` gives mmpretrain's ``ImageClassifier`` a
default: when a model has no model-hub metadata, or metadata without
results, ``model._metainfo`` reads as metadata whose one result has the
task ``'Image Classification'``, the task an ``ImageClassifier`` performs
(mmpretrain's own TorchServe handler maps ``ImageClassifier`` to
``ImageClassificationInferencer`` the same way). Metadata that names a
task (from the model hub) is returned unchanged.

**mmseg** 1.2's ``inference_model(model, img)`` switches the first step of
``model.cfg.test_pipeline`` to ``LoadImageFromNDArray`` when it is given
an array and never switches it back, so a later call with a file name
fails with ``KeyError: 'img'``. :func:`patch_seg_inference_loader` makes
each call start from the config's own loading step (arrays still get
``LoadImageFromNDArray``, as in mmseg).

Both are applied on ``import dnc_mm``, which every config of this project
triggers through ``custom_imports`` when it is loaded. Neither changes
weights, forward passes, configs or the results of files-only or
arrays-only use.
"""
from typing import Any, Optional

__all__ = [
    'IMAGE_CLASSIFICATION', 'default_metainfo', 'patch_inference_apis',
    'patch_inference_task', 'patch_seg_inference_loader'
]

#: The task name mmpretrain's ``inference_model`` maps to
#: ``ImageClassificationInferencer``.
IMAGE_CLASSIFICATION = 'Image Classification'

_PATCHED = {'cls': False, 'seg': False}
#: attribute of a segmentor that remembers its config's loading step
_LOADER_ATTR = '_dnc_mm_test_loader'


def default_metainfo(name: Optional[str] = None) -> Any:
    """Model-hub style metadata of an image classifier without an entry.

    Args:
        name: The model's name, when known (the model hub's, if the model
            had metadata without results).

    Returns:
        A ``modelindex.models.Model.Model`` with one result of task
        :data:`IMAGE_CLASSIFICATION` (no dataset, no metrics).
    """
    from modelindex.models.Model import Model
    from modelindex.models.Result import Result
    return Model(
        name=name or 'image-classifier',
        results=[Result(task=IMAGE_CLASSIFICATION, dataset=None, metrics={})])


class _ClassifierMetainfo:
    """Data descriptor for ``ImageClassifier._metainfo``.

    Stores what is assigned (``get_model`` assigns the model-hub metadata,
    or None) in the instance and reads it back, replacing metadata that
    names no task by :func:`default_metainfo`.
    """

    def __get__(self, obj: Any, owner: Optional[type] = None) -> Any:
        if obj is None:
            return self
        meta = obj.__dict__.get('_metainfo')
        if meta is not None and getattr(meta, 'results', None):
            return meta
        return default_metainfo(getattr(meta, 'name', None))

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__['_metainfo'] = value

    def __delete__(self, obj: Any) -> None:
        obj.__dict__.pop('_metainfo', None)


def patch_inference_task() -> None:
    """Give mmpretrain's ``ImageClassifier`` the default task (idempotent).

    See the module docstring. Subclasses of ``ImageClassifier`` inherit
    it; other model types (retrievers, self-supervised models) are not
    touched.
    """
    if _PATCHED['cls']:
        return
    from mmpretrain.models.classifiers import ImageClassifier
    if not isinstance(
            ImageClassifier.__dict__.get('_metainfo'), _ClassifierMetainfo):
        ImageClassifier._metainfo = _ClassifierMetainfo()
    _PATCHED['cls'] = True


def _wrap_prepare_data(prepare):
    """``mmseg.apis.utils._preprare_data`` that restores the loader."""

    def prepare_data(imgs: Any, model: Any):
        pipeline = model.cfg.test_pipeline
        if pipeline and isinstance(pipeline[0], dict):
            first = pipeline[0]
            if not hasattr(model, _LOADER_ATTR):
                setattr(model, _LOADER_ATTR, first.get('type'))
            first['type'] = getattr(model, _LOADER_ATTR)
        return prepare(imgs, model)

    prepare_data.__wrapped__ = prepare
    prepare_data.__doc__ = prepare.__doc__
    return prepare_data


def patch_seg_inference_loader() -> None:
    """Make mmseg's ``inference_model`` reusable across files and arrays
    (idempotent; see the module docstring).

    ``inference_model`` looks ``_preprare_data`` up in its module at each
    call, so this works however ``inference_model`` was imported.
    """
    if _PATCHED['seg']:
        return
    from mmseg.apis import inference
    if not hasattr(inference._preprare_data, '__wrapped__'):
        inference._preprare_data = _wrap_prepare_data(inference._preprare_data)
    _PATCHED['seg'] = True


def patch_inference_apis() -> None:
    """Apply :func:`patch_inference_task` and
    :func:`patch_seg_inference_loader` (idempotent)."""
    patch_inference_task()
    patch_seg_inference_loader()
