"""Sphinx configuration of the dnc_mm documentation.

Build it with ``bash tools/build_docs.sh`` (installs requirements/docs.txt
into .venv when missing, then runs sphinx-build with warnings as errors).
"""
import os
import os.path as osp
import sys

from docutils import nodes

DOCS = osp.dirname(osp.abspath(__file__))
ROOT = osp.dirname(DOCS)
sys.path.insert(0, ROOT)

# The API pages import dnc_mm (and so torch and the OpenMMLab toolboxes):
# one intra-op thread is enough and keeps the build light.
os.environ.setdefault('OMP_NUM_THREADS', '1')
os.environ.setdefault('MKL_NUM_THREADS', '1')


def _read_version():
    scope = {}
    with open(osp.join(ROOT, 'dnc_mm', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


project = 'dnc_mm'
author = 'dnc_mm contributors'
copyright = '2026, dnc_mm contributors'
version = release = _read_version()

extensions = [
    'sphinx.ext.autodoc',
    'sphinx.ext.napoleon',
    'sphinx.ext.viewcode',
    'myst_parser',
]

source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
root_doc = 'index'
exclude_patterns = ['_build']
templates_path = []

# Markdown pages (myst-parser): GitHub-style heading anchors, so that links
# such as ``dnc_segmentation.md#benchmarks`` resolve as they do on GitHub.
myst_heading_anchors = 4
myst_enable_extensions = ['dollarmath']

# API reference from the Google-style docstrings.
autodoc_default_options = {
    'members': True,
    'show-inheritance': True,
    'member-order': 'bysource',
}
autodoc_typehints = 'signature'
autoclass_content = 'both'
napoleon_google_docstring = True
napoleon_numpy_docstring = False
# "Attributes:" as :ivar: fields: NamedTuple fields are members already.
napoleon_use_ivar = True

html_theme = 'sphinx_rtd_theme'
html_title = f'dnc_mm {release}'
html_static_path = []
html_show_sourcelink = False


def _orphan_table_fragments(app, doctree):
    """Let generated benchmark tables without a heading stand alone.

    ``tools/benchmarks/bench_dnc_ablation.py --markdown`` writes bare
    tables under ``docs/benchmarks/``; the pages that discuss them link to
    them. Such a page has no title to show in a toctree, so it is marked
    orphan (as ``:orphan:`` would) instead of being listed in one.
    """
    docname = app.env.docname
    if (docname.startswith('benchmarks/')
            and doctree.next_node(nodes.section) is None):
        app.env.metadata[docname]['orphan'] = True


def setup(app):
    app.connect('doctree-read', _orphan_table_fragments)
