"""dnc_mm: centroid- and prototype-based classifiers for OpenMMLab 2.x.

``import dnc_mm`` (or ``custom_imports = dict(imports=['dnc_mm'])`` in a
config) registers every module of the package into mmpretrain's and
mmsegmentation's registries and applies the stack fixes of
:mod:`dnc_mm.compat` (checkpoint loading; the toolboxes' ``inference_model`` on
classifiers built from a config and on files after arrays).
"""
from .compat import patch_checkpoint_loading, patch_inference_apis
from .version import __version__

patch_checkpoint_loading()

from . import datasets, models  # noqa: E402,F401  (registration)
from . import engine  # noqa: E402,F401  (hooks need the models)
from . import evaluation  # noqa: E402,F401  (metrics)

patch_inference_apis()  # the toolboxes' inference_model() (see compat)

__all__ = ['__version__']
