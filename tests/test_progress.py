"""One progress bar for naskit's long loops: shown when asked, never inside a Voila app."""
import pytest

import naskit as nk
from naskit import _progress


def test_a_bar_only_when_asked_and_never_in_voila(monkeypatch):
    monkeypatch.delenv("VOILA_KERNEL_ID", raising=False)
    monkeypatch.delenv("VOILA_BASE_URL", raising=False)
    assert _progress.progress_bar(False, total=3, desc="x", unit="step") is None
    bar = _progress.progress_bar(True, total=3, desc="x", unit="step")
    assert bar.total == 3 and bar.desc == "x" and not bar.leave
    bar.close()
    for name in ("VOILA_KERNEL_ID", "VOILA_BASE_URL"):
        monkeypatch.setenv(name, "1")
        assert _progress.in_voila()
        assert _progress.progress_bar(True, total=3, desc="x", unit="step") is None
        monkeypatch.delenv(name)
    assert not _progress.in_voila()


@pytest.mark.parametrize("voila", [False, True])
def test_training_makes_its_bar_through_the_helper(monkeypatch, voila):
    made = []

    class Recorder(_progress.tqdm):
        def __init__(self, *args, **kwargs):
            made.append(kwargs["desc"])
            super().__init__(*args, **{**kwargs, "disable": True})

    monkeypatch.setattr(_progress, "tqdm", Recorder)
    if voila:
        monkeypatch.setenv("VOILA_KERNEL_ID", "k")
    else:
        monkeypatch.delenv("VOILA_KERNEL_ID", raising=False)
        monkeypatch.delenv("VOILA_BASE_URL", raising=False)
    data = nk.datasets.load().subset(n_train=32, n_val=32, seed=0)
    net = nk.build(nk.NB201Space()[0], channels=2, cells_per_stage=1, in_channels=1)
    nk.train(net, data, epochs=1, batch_size=32, progress=True)
    assert made == ([] if voila else ["training"])
