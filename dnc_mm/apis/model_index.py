"""dnc_mm's model index: where it lives and how the toolboxes find names.

The root ``model-index.yml`` imports one ``metafile.yml`` per method folder
of ``configs/`` (OpenMMLab's model-index format, read by ``mim search``).
It lies at the repository root in a source checkout and in
``dnc_mm/.mim/`` (with ``configs/`` and ``tools/``) in an installed package,
the way mmpretrain and mmsegmentation ship theirs.

Importing :mod:`dnc_mm.apis` hooks this index into mmpretrain's model hub:
the first time the hub is used (``mmpretrain.get_model(name)``,
``mmpretrain.list_models(pattern)``, an inferencer given a name), the
classification models of this project are registered next to mmpretrain's
own, so ``get_model('dnc_resnet18-w16_5e_fashion-mnist-10k')`` builds that
config. mmsegmentation has no such hub: ``MMSegInferencer(model=name)``
looks names up only in mmseg's own metafiles, so the segmentation models
are reached through their config path, :func:`get_config_path`.
"""
import functools
import os.path as osp
import warnings
from typing import Dict, List, Optional, Tuple

import yaml

PACKAGE_DIR = osp.dirname(osp.dirname(osp.abspath(__file__)))
MODEL_INDEX = 'model-index.yml'
# The results tasks of mmpretrain's hub (what its ``get_model`` can build).
CLASSIFICATION_TASKS = ('Image Classification', )

_registered_roots: set = set()

try:  # libyaml's parser when PyYAML has it: the index is read in 0.1 s
    _YamlLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _YamlLoader = yaml.SafeLoader


def model_index_root() -> str:
    """The folder that holds ``model-index.yml`` and ``configs/``.

    Returns:
        The repository root of a source checkout (also with an editable
        install: its ``dnc_mm/.mim`` holds symlinks to the same files, or
        stale copies left by a ``pip install .`` from the checkout), else
        ``dnc_mm/.mim`` of the installed package.

    Raises:
        FileNotFoundError: neither place holds the index with its configs.
    """
    checkout = osp.dirname(PACKAGE_DIR)
    candidates = ((checkout, 'setup.py'), (osp.join(PACKAGE_DIR,
                                                    '.mim'), MODEL_INDEX))
    for root, marker in candidates:
        if (osp.isfile(osp.join(root, MODEL_INDEX))
                and osp.isdir(osp.join(root, 'configs'))
                and osp.isfile(osp.join(root, marker))):
            return root
    raise FileNotFoundError(
        f'no {MODEL_INDEX} with configs/ in {checkout} (a source checkout) '
        f'or {candidates[1][0]}: reinstall dnc_mm (pip install .)')


def _load_yaml(path: str) -> dict:
    """Read a YAML file (``{}`` when it is empty)."""
    with open(path, encoding='utf-8') as f:
        return yaml.load(f, Loader=_YamlLoader) or {}


def metafiles(root: Optional[str] = None) -> List[str]:
    """The metafiles ``model-index.yml`` imports, as absolute paths.

    Args:
        root: the folder of the index (default: :func:`model_index_root`).

    Returns:
        One path per ``Import`` entry, in the index's order.
    """
    root = root or model_index_root()
    index = _load_yaml(osp.join(root, MODEL_INDEX))
    return [osp.join(root, rel) for rel in index.get('Import') or []]


def _tasks(model: dict) -> Tuple[str, ...]:
    """The ``Task`` of each result of a metafile's model entry."""
    return tuple(r.get('Task') for r in model.get('Results') or [])


@functools.lru_cache(maxsize=None)
def _models(root: str) -> Dict[str, dict]:
    """``{lower-case name: {'config', 'tasks', 'metafile'}}`` of the index."""
    table = {}
    for meta in metafiles(root):
        for model in _load_yaml(meta).get('Models') or []:
            table[model['Name'].lower()] = dict(
                config=osp.join(root, model['Config']),
                tasks=_tasks(model),
                metafile=meta)
    return table


def list_model_names(root: Optional[str] = None) -> List[str]:
    """Every model name of the index, classification and segmentation.

    Args:
        root: the folder of the index (default: :func:`model_index_root`).

    Returns:
        The names, sorted.
    """
    return sorted(_models(root or model_index_root()))


def get_config_path(name: str, root: Optional[str] = None) -> str:
    """The config file of a model of the index, by its name.

    For any model family; the segmentation models need it, e.g.
    ``MMSegInferencer(model=get_config_path(name), weights=ckpt)`` or
    ``mmseg.apis.init_model(get_config_path(name), ckpt)``.

    Args:
        name: a model name (the config's file name without ``.py``; case
            does not matter).
        root: the folder of the index (default: :func:`model_index_root`).

    Returns:
        The absolute path of the config.

    Raises:
        KeyError: no model of that name.
    """
    table = _models(root or model_index_root())
    try:
        return table[name.lower()]['config']
    except KeyError:
        raise KeyError(f'no model named {name!r} in dnc_mm\'s model index '
                       '(dnc_mm.apis.list_model_names() lists them)') from None


def classification_metafiles(root: Optional[str] = None) -> List[str]:
    """The imported metafiles whose models are all image classifiers.

    A metafile counts when every result of its models names a task of
    :data:`CLASSIFICATION_TASKS` and at least one result does (models
    without results go with their metafile).

    Args:
        root: the folder of the index (default: :func:`model_index_root`).

    Returns:
        Absolute paths, in the index's order.
    """
    root = root or model_index_root()
    tasks: Dict[str, set] = {}
    for info in _models(root).values():
        tasks.setdefault(info['metafile'], set()).update(info['tasks'])
    return [
        meta for meta in metafiles(root)
        if tasks.get(meta) and tasks[meta] <= set(CLASSIFICATION_TASKS)
    ]


def register_model_index(root: Optional[str] = None) -> List[str]:
    """Register the classification models in mmpretrain's model hub.

    Idempotent. Called by the hook of :func:`hook_model_hub`; call it
    directly to register at once.

    Args:
        root: the folder of the index (default: :func:`model_index_root`).

    Returns:
        The names registered by this call (none when already registered).
    """
    from mmpretrain.apis.model import ModelHub

    root = osp.realpath(root or model_index_root())
    if root in _registered_roots:
        return []
    before = set(ModelHub._models_dict)
    for meta in classification_metafiles(root):
        # config paths of the metafiles are relative to the index's folder
        ModelHub.register_model_index(meta, config_prefix=root)
    _registered_roots.add(root)
    return sorted(set(ModelHub._models_dict) - before)


def hook_model_hub() -> None:
    """Make mmpretrain's hub register this index with its own models.

    mmpretrain reads its ``model-index.yml`` on the first
    ``ModelHub.get`` / ``list_models``; the hook registers this project's
    index right after it, so importing dnc_mm costs no parsing. Safe to
    call more than once.
    """
    from mmpretrain.apis.model import ModelHub

    original = ModelHub.__dict__['_register_mmpretrain_models'].__func__
    if getattr(original, '_dnc_mm_hook', False):
        return

    @functools.wraps(original)
    def register_with_dnc_mm(cls) -> None:
        original(cls)
        try:
            register_model_index()
        except FileNotFoundError as err:  # mmpretrain's own names still work
            warnings.warn(f'dnc_mm models not in the model hub: {err}')

    register_with_dnc_mm._dnc_mm_hook = True
    ModelHub._register_mmpretrain_models = classmethod(register_with_dnc_mm)
