"""PreparedFashionMNIST reads the split it is asked for, never downloads."""
import pytest

from dnc_mm.datasets import PreparedFashionMNIST


def test_split_chooses_the_files(fashion_mnist_small):
    # the subset has 2,000 train and 1,000 test images; mmpretrain 1.2.0's
    # MNIST would read the training files for split='test'
    test = PreparedFashionMNIST(
        data_root=fashion_mnist_small, split='test', pipeline=[])
    train = PreparedFashionMNIST(
        data_root=fashion_mnist_small, split='train', pipeline=[])
    assert (len(train), len(test)) == (2000, 1000)


def test_contradicting_test_mode_is_refused(fashion_mnist_small):
    with pytest.raises(ValueError, match='contradicts'):
        PreparedFashionMNIST(
            data_root=fashion_mnist_small,
            split='train',
            test_mode=True,
            pipeline=[])


def test_missing_files_name_the_command(tmp_path):
    with pytest.raises(FileNotFoundError, match='prepare_fashion_mnist.py'):
        PreparedFashionMNIST(
            data_root=str(tmp_path), split='train', pipeline=[])


def test_download_is_refused(tmp_path):
    with pytest.raises(ValueError, match='never downloads'):
        PreparedFashionMNIST(data_root=str(tmp_path), download=True)
