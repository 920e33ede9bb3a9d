"""The package's layering (docs/architecture.md), read from the source.

Every ``import`` and ``from ... import`` of every module under ``dnc_mm/``
(module level and inside functions) is resolved to the sub-package it
reaches; a sub-package may only reach the ones listed for it in
:data:`MAY_IMPORT`, and the core no OpenMMLab package at all.
"""
import ast
import os
import os.path as osp
from typing import Dict, Iterator, Set, Tuple

PACKAGE = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'dnc_mm')

#: sub-package -> the other sub-packages of dnc_mm it may import.
MAY_IMPORT: Dict[str, Set[str]] = {
    'core': set(),
    'datasets': set(),
    'compat': set(),
    'models': {'core'},
    'evaluation': {'core', 'models', 'datasets'},
    'visualization': {'core', 'models'},
    'explain': {'core', 'models', 'evaluation', 'datasets', 'visualization'},
    'engine': {'core', 'models', 'evaluation', 'datasets'},
    'apis': {
        'core', 'models', 'evaluation', 'datasets', 'visualization', 'explain',
        'engine', 'compat'
    },
}
OPENMMLAB = {'mmengine', 'mmcv', 'mmpretrain', 'mmseg'}


def _modules() -> Iterator[Tuple[str, str]]:
    """``(dotted module name, path)`` of every module of the package."""
    for root, dirs, files in os.walk(PACKAGE):
        dirs[:] = [d for d in dirs if not d.startswith(('.', '__'))]
        for name in files:
            if name.endswith('.py'):
                path = osp.join(root, name)
                rel = osp.relpath(path, osp.dirname(PACKAGE))[:-3]
                yield rel.replace(os.sep, '.'), path


def _imports(module: str, path: str) -> Iterator[str]:
    """Absolute dotted names of everything ``module`` imports."""
    is_package = path.endswith('__init__.py')
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if not node.level:
                yield node.module
                continue
            parts = module.split('.')
            base = parts if is_package else parts[:-1]
            base = base[:len(base) - node.level + 1]
            yield '.'.join(base + ([node.module] if node.module else []))


def _layer(module: str) -> str:
    """The sub-package of a module (``''`` for ``dnc_mm/*.py``)."""
    parts = module.split('.')  # a package's module ends in '__init__'
    return parts[1] if len(parts) > 2 else ''


def test_every_sub_package_has_a_rule():
    found = {_layer(m) for m, _ in _modules()} - {''}
    assert found == set(MAY_IMPORT), (
        'a sub-package without a layering rule: add it to MAY_IMPORT and '
        'to docs/architecture.md')


def test_sub_packages_import_only_the_layers_below():
    wrong = []
    for module, path in _modules():
        layer = _layer(module)
        if not layer:
            continue
        for target in _imports(module, path):
            if not target.startswith('dnc_mm.'):
                continue
            other = target.split('.')[1]
            if other in MAY_IMPORT and other != layer \
                    and other not in MAY_IMPORT[layer]:
                wrong.append(f'{module} imports {target}')
    assert not wrong, '\n'.join(wrong)


def test_core_is_pure_pytorch():
    wrong = [
        f'{module} imports {target}' for module, path in _modules()
        if _layer(module) == 'core' for target in _imports(module, path)
        if target.split('.')[0] in OPENMMLAB
    ]
    assert not wrong, '\n'.join(wrong)


def test_the_checker_sees_a_violation(tmp_path):
    """The resolver is not blind: relative imports resolve as Python does."""
    path = tmp_path / 'update.py'
    path.write_text('from ..models.utils import dist\n'
                    'from . import sinkhorn\n'
                    'def f():\n    import mmengine\n')
    got = list(_imports('dnc_mm.core.update', str(path)))
    assert got == ['dnc_mm.models.utils', 'dnc_mm.core', 'mmengine']
