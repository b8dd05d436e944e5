"""Shared test set-up: a headless matplotlib backend and the published NB201 CSVs where present."""
import os

# Before anything imports matplotlib: tests draw to memory, never to a window.
os.environ.setdefault("MPLBACKEND", "Agg")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402


# The published CSVs the shipped NAS-Bench-201 tables were converted from, where a checkout sits
# beside them (CI's layout); tests that compare against the sources skip elsewhere.
NB201_SOURCES = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "nb201"


@pytest.fixture(scope="session")
def nb201_sources() -> Path:
    """The folder of the published NAS-Bench-201 CSVs beside the checkout; skips when absent."""
    if not (NB201_SOURCES / "cifar10-valid_200ep.csv").is_file():
        pytest.skip(f"the published NAS-Bench-201 CSVs are not beside the checkout ({NB201_SOURCES})")
    return NB201_SOURCES


@pytest.fixture(autouse=True, scope="session")
def one_torch_thread():
    """Tiny nets run far faster on one thread than on a thread pool fighting for a shared CPU."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
