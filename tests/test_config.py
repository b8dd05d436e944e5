"""Fast mode and the user's data folder come from the environment (loud errors for typos); the
shipped files are found in both layouts, an installed package and a source checkout."""
from pathlib import Path

import pytest

import naskit
from naskit import _config
from naskit._config import fast_mode, shipped_data_dir, shipped_file, user_data_dir


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", " Yes "])
def test_fast_mode_on(monkeypatch, value):
    monkeypatch.setenv("NASKIT_FAST", value)
    assert fast_mode() is True


@pytest.mark.parametrize("value", ["", "0", "false", "no", "No"])
def test_fast_mode_off(monkeypatch, value):
    monkeypatch.setenv("NASKIT_FAST", value)
    assert fast_mode() is False


def test_fast_mode_off_when_unset(monkeypatch):
    monkeypatch.delenv("NASKIT_FAST", raising=False)
    assert fast_mode() is False


@pytest.mark.parametrize("value", ["ture", "2", "fast"])
def test_fast_mode_rejects_unknown_values(monkeypatch, value):
    monkeypatch.setenv("NASKIT_FAST", value)
    with pytest.raises(ValueError, match="NASKIT_FAST") as err:
        fast_mode()
    assert repr(value) in str(err.value) and "'1'" in str(err.value)


def test_user_data_dir_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv("NASKIT_DATA", str(tmp_path / "tables"))
    assert user_data_dir() == tmp_path / "tables"
    assert not (tmp_path / "tables").exists()  # reading the setting creates nothing


def test_user_data_dir_expands_user(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NASKIT_DATA", "~/nb201")
    assert user_data_dir() == tmp_path / "nb201"


def test_user_data_dir_defaults_to_xdg_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("NASKIT_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert user_data_dir() == tmp_path / "naskit"
    assert not (tmp_path / "naskit").exists()


@pytest.mark.parametrize("xdg", [None, "", "relative/cache"])
def test_user_data_dir_defaults_to_home_cache(monkeypatch, tmp_path, xdg):
    monkeypatch.delenv("NASKIT_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    assert user_data_dir() == Path(tmp_path) / ".cache" / "naskit"


def test_empty_naskit_data_means_unset(monkeypatch, tmp_path):
    monkeypatch.setenv("NASKIT_DATA", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert user_data_dir() == tmp_path / "naskit"


def test_one_name_per_folder():
    assert naskit.user_data_dir is user_data_dir and naskit.shipped_data_dir is shipped_data_dir
    assert not hasattr(naskit, "data_dir") and not hasattr(naskit.datasets, "DATA_DIR")


SHIPPED = ("nb201-mini.npz", "cluttered-mnist.npz", "nb201-mini-oneshot.jsonl", "nb201-mini-naswot.npz",
           "ofa-supernet.pt", "ofa-supernet.json", "ofa-subnets.csv")


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_file_is_found(name):
    path = shipped_file(name)
    assert path.is_file() and path.stat().st_size > 0 and path.parent == shipped_data_dir()


def _layout(monkeypatch, tmp_path, installed: bool, checkout: bool):
    inst, co = tmp_path / "site" / "naskit" / "data", tmp_path / "repo" / "data"
    for folder, present in ((inst, installed), (co, checkout)):
        if present:
            folder.mkdir(parents=True)
            (folder / "nb201-mini.npz").write_bytes(b"x")
    monkeypatch.setattr(_config, "_INSTALLED", inst)
    monkeypatch.setattr(_config, "_CHECKOUT", co)
    return inst, co


def test_installed_package_data_wins(monkeypatch, tmp_path):
    inst, _ = _layout(monkeypatch, tmp_path, installed=True, checkout=True)
    assert shipped_data_dir() == inst and shipped_file("nb201-mini.npz") == inst / "nb201-mini.npz"


def test_source_checkout_data_is_found(monkeypatch, tmp_path):
    _, co = _layout(monkeypatch, tmp_path, installed=False, checkout=True)
    assert shipped_file("nb201-mini.npz") == co / "nb201-mini.npz"


def test_missing_shipped_file_says_how_to_get_it(monkeypatch, tmp_path):
    inst, _ = _layout(monkeypatch, tmp_path, installed=False, checkout=False)
    with pytest.raises(FileNotFoundError) as err:
        shipped_file("cluttered-mnist.npz", "rebuild it with `naskit build-dataset`")
    msg = str(err.value)
    assert "cluttered-mnist.npz" in msg and str(inst) in msg and "pip install" in msg
    assert "naskit build-dataset" in msg


def test_loaders_report_a_missing_shipped_file(monkeypatch, tmp_path):
    _layout(monkeypatch, tmp_path, installed=False, checkout=False)
    with pytest.raises(FileNotFoundError, match="naskit build-dataset"):
        naskit.datasets.load()
    with pytest.raises(FileNotFoundError, match="naskit build-bench"):
        naskit.bench.load_mini()
    with pytest.raises(FileNotFoundError, match="train_ofa"):
        naskit.ofa.load()
    with pytest.raises(FileNotFoundError, match="precompute_oneshot"):
        naskit.oneshot.load_runs()
