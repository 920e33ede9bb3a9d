"""Packaging for dnc_mm: centroid- and prototype-based classifiers for
OpenMMLab 2.x.

Like mmpretrain and mmsegmentation, the package carries its configs, tools
and model index in ``dnc_mm/.mim`` so that OpenMMLab's ``mim`` finds them
after an install (``mim train dnc_mm CONFIG``, ``mim test``, ``mim search``).
"""
import os
import os.path as osp
import platform
import shutil
import sys
import warnings
from setuptools import find_packages, setup

REPO_ROOT = osp.dirname(osp.abspath(__file__))
# What mim looks for in <package>/.mim (its train, test and search commands).
MIM_FILES = ('tools', 'configs', 'model-index.yml')


def mim_mode(argv: list) -> str:
    """How to fill ``dnc_mm/.mim`` for the setuptools command in ``argv``.

    Args:
        argv: the command line setup.py runs with (``sys.argv``).

    Returns:
        ``'symlink'`` for an editable install (``develop``, or pip's
        ``editable_wheel``; ``'copy'`` on Windows, where symlinks fail),
        ``'copy'`` for a wheel, an sdist or a plain build, ``''`` for other
        commands (metadata queries leave ``.mim`` as it is).
    """
    if 'develop' in argv or 'editable_wheel' in argv:
        return 'copy' if platform.system() == 'Windows' else 'symlink'
    if any(
            cmd in argv
            for cmd in ('sdist', 'bdist_wheel', 'build', 'install')):
        return 'copy'
    return ''


def add_mim_extension(mode: str) -> None:
    """Put the configs, tools and model index into ``dnc_mm/.mim``.

    Symlinks to the originals in editable mode (edits show at once), copies
    otherwise, as mmpretrain's and mmsegmentation's ``setup.py`` do.

    Args:
        mode: ``'symlink'``, ``'copy'`` or ``''`` (do nothing), see
            :func:`mim_mode`.
    """
    if not mode:
        return
    mim_path = osp.join(REPO_ROOT, 'dnc_mm', '.mim')
    os.makedirs(mim_path, exist_ok=True)
    for name in MIM_FILES:
        src_path = osp.join(REPO_ROOT, name)
        tar_path = osp.join(mim_path, name)
        if not osp.exists(src_path):
            continue  # e.g. a build from an sdist: .mim already holds it
        if osp.isfile(tar_path) or osp.islink(tar_path):
            os.remove(tar_path)
        elif osp.isdir(tar_path):
            shutil.rmtree(tar_path)
        if mode == 'symlink':
            os.symlink(osp.relpath(src_path, mim_path), tar_path)
        elif osp.isfile(src_path):
            shutil.copyfile(src_path, tar_path)
        elif osp.isdir(src_path):
            shutil.copytree(
                src_path,
                tar_path,
                ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))
        else:
            warnings.warn(f'cannot copy {src_path} into {mim_path}')


def read_requirements(name: str) -> list:
    """Read one requirements file, dropping comments and blank lines."""
    path = osp.join(REPO_ROOT, 'requirements', name)
    with open(path, encoding='utf-8') as f:
        lines = (line.split('#', 1)[0].strip() for line in f)
        return [line for line in lines if line]


def read_version() -> str:
    """Read ``__version__`` from dnc_mm/version.py without importing it."""
    path = osp.join(REPO_ROOT, 'dnc_mm', 'version.py')
    scope: dict = {}
    with open(path, encoding='utf-8') as f:
        exec(f.read(), scope)
    return scope['__version__']


def read_readme() -> str:
    """The README as the long description ('' when it is missing)."""
    path = osp.join(REPO_ROOT, 'README.md')
    if not osp.exists(path):
        return ''
    with open(path, encoding='utf-8') as f:
        return f.read()


add_mim_extension(mim_mode(sys.argv))
setup(
    name='dnc-mm',
    version=read_version(),
    description=('Deep nearest centroids, hyperspherical prototypes and '
                 'frozen category-basis prototypes for mmpretrain and '
                 'mmsegmentation'),
    long_description=read_readme(),
    long_description_content_type='text/markdown',
    packages=find_packages(include=['dnc_mm', 'dnc_mm.*']),
    # dnc_mm/.mim (configs, tools, model-index.yml), listed in MANIFEST.in
    include_package_data=True,
    python_requires='>=3.9',
    # torch and mmcv are installed by tools/install_env.sh (mmcv must be built
    # against the installed torch), so they are not hard requirements here.
    install_requires=read_requirements('runtime.txt'),
    extras_require={'tests': read_requirements('tests.txt')},
    license='Apache-2.0',
    zip_safe=False,
)
