"""The Sphinx API reference (docs/api/*.rst) covers every public module.

Sphinx itself does not notice a module that no page names; the docs build
(``tools/build_docs.sh``, a step of ``.ci/run``) checks everything else.
"""
import os
import os.path as osp
import re

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
API_DIR = osp.join(REPO_ROOT, 'docs', 'api')


def _public_modules():
    """Dotted names of dnc_mm's packages and modules, ``_private`` left out."""
    names = set()
    pkg_root = osp.join(REPO_ROOT, 'dnc_mm')
    for dirpath, dirnames, filenames in os.walk(pkg_root):
        dirnames[:] = [
            d for d in dirnames if not d.startswith(('_', '.'))
            and osp.isfile(osp.join(dirpath, d, '__init__.py'))
        ]
        rel = osp.relpath(dirpath, REPO_ROOT).replace(os.sep, '.')
        for name in filenames:
            if name == '__init__.py':
                names.add(rel)
            elif name.endswith('.py') and not name.startswith('_'):
                names.add(rel + '.' + name[:-3])
    return names


def _documented_modules():
    names = set()
    for name in os.listdir(API_DIR):
        if name.endswith('.rst'):
            with open(osp.join(API_DIR, name)) as f:
                names.update(
                    re.findall(r'^\.\. automodule:: (\S+)', f.read(), re.M))
    return names


def test_every_public_module_has_an_api_entry():
    missing = _public_modules() - _documented_modules() - {
        'dnc_mm', 'dnc_mm.version'
    }
    assert not missing, (
        f'add these modules to their package page under docs/api/: '
        f'{sorted(missing)}')


def test_api_entries_name_existing_modules():
    stale = _documented_modules() - _public_modules()
    assert not stale, f'docs/api/ names modules that are gone: {sorted(stale)}'


def test_every_api_page_is_in_the_index():
    with open(osp.join(REPO_ROOT, 'docs', 'index.rst')) as f:
        index = f.read()
    pages = sorted(n[:-4] for n in os.listdir(API_DIR) if n.endswith('.rst'))
    assert pages
    missing = [
        p for p in pages if not re.search(rf'^\s+api/{p}$', index, re.M)
    ]
    assert not missing, f'add to the toctree of docs/index.rst: {missing}'
