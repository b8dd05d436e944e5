"""Shared test set-up: a headless matplotlib backend and the optional reference-table folder."""
import os

# Before anything imports matplotlib: tests draw to memory, never to a window.
os.environ.setdefault("MPLBACKEND", "Agg")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def nb201_table_dir() -> Path:
    """The ``NASKIT_DATA`` folder holding the NAS-Bench-201 CSVs; skips the test when it is absent."""
    folder = os.environ.get("NASKIT_DATA", "")
    if not folder:
        pytest.skip("set NASKIT_DATA to a folder holding the NAS-Bench-201 CSVs (see README) to run this test")
    path = Path(folder).expanduser()
    if not path.is_dir():
        pytest.skip(f"NASKIT_DATA={folder!r} is not a folder; point it at the NAS-Bench-201 CSVs (see README)")
    return path


@pytest.fixture(autouse=True, scope="session")
def one_torch_thread():
    """Tiny nets run far faster on one thread than on a thread pool fighting for a shared CPU."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
