"""dnc_mm: centroid- and prototype-based classifiers for OpenMMLab 2.x.

``import dnc_mm`` (or ``custom_imports = dict(imports=['dnc_mm'])`` in a
config) registers every module of the package into mmpretrain's and
mmsegmentation's registries and applies the stack fixes of
:mod:`dnc_mm.compat` (checkpoint loading; the toolboxes' ``inference_model`` on
classifiers built from a config and on files after arrays), and lets
mmpretrain's ``get_model`` / ``list_models`` resolve this project's model
names (:mod:`dnc_mm.apis.model_index`).
"""
from .compat import patch_checkpoint_loading, patch_inference_apis
from .version import __version__

patch_checkpoint_loading()

from . import engine  # noqa: E402,F401  (hooks need the models)
from . import evaluation  # noqa: E402,F401  (metrics)
from . import datasets, models  # noqa: E402,F401  (registration)

patch_inference_apis()  # the toolboxes' inference_model() (see compat)

from .apis.model_index import hook_model_hub  # noqa: E402

hook_model_hub()  # mmpretrain's get_model / list_models know our names

__all__ = ['__version__']
