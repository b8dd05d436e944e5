import os
import pathlib

import pytest


@pytest.fixture
def nb201_table_dir():
    path = os.environ.get("NASKIT_DATA")
    if not path or not pathlib.Path(path).is_dir():
        pytest.skip("set NASKIT_DATA to a folder holding the NAS-Bench-201 CSVs to run this test")
    return pathlib.Path(path)
