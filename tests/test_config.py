"""Fast mode and the data folder are read from the environment, with loud errors for typos."""
from pathlib import Path

import pytest

from naskit._config import data_dir, fast_mode


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


def test_data_dir_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv("NASKIT_DATA", str(tmp_path / "tables"))
    assert data_dir() == tmp_path / "tables"
    assert not (tmp_path / "tables").exists()  # reading the setting creates nothing


def test_data_dir_expands_user(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NASKIT_DATA", "~/nb201")
    assert data_dir() == tmp_path / "nb201"


def test_data_dir_defaults_to_xdg_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("NASKIT_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert data_dir() == tmp_path / "naskit"
    assert not (tmp_path / "naskit").exists()


@pytest.mark.parametrize("xdg", [None, "", "relative/cache"])
def test_data_dir_defaults_to_home_cache(monkeypatch, tmp_path, xdg):
    monkeypatch.delenv("NASKIT_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    assert data_dir() == Path(tmp_path) / ".cache" / "naskit"


def test_empty_naskit_data_means_unset(monkeypatch, tmp_path):
    monkeypatch.setenv("NASKIT_DATA", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert data_dir() == tmp_path / "naskit"
