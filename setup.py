"""Packaging for dnc_mm: centroid- and prototype-based classifiers for OpenMMLab 2.x."""
import os.path as osp

from setuptools import find_packages, setup


def read_requirements(name: str) -> list:
    """Read one requirements file, dropping comments and blank lines."""
    path = osp.join(osp.dirname(osp.abspath(__file__)), 'requirements', name)
    with open(path, encoding='utf-8') as f:
        lines = (line.split('#', 1)[0].strip() for line in f)
        return [line for line in lines if line]


def read_version() -> str:
    path = osp.join(osp.dirname(osp.abspath(__file__)), 'dnc_mm', 'version.py')
    scope: dict = {}
    with open(path, encoding='utf-8') as f:
        exec(f.read(), scope)
    return scope['__version__']


setup(
    name='dnc-mm',
    version=read_version(),
    description=('Deep nearest centroids, hyperspherical prototypes and frozen '
                 'category-basis prototypes for mmpretrain and mmsegmentation'),
    long_description=open('README.md', encoding='utf-8').read()
    if osp.exists('README.md') else '',
    long_description_content_type='text/markdown',
    packages=find_packages(include=['dnc_mm', 'dnc_mm.*']),
    python_requires='>=3.9',
    # torch and mmcv are installed by tools/install_env.sh (mmcv must be built
    # against the installed torch), so they are not hard requirements here.
    install_requires=read_requirements('runtime.txt'),
    extras_require={'tests': read_requirements('tests.txt')},
    license='Apache-2.0',
    zip_safe=False,
)
