"""The weight-sharing table's runs: rows that round-trip, and a reader that names the bad line."""
import json

import pytest

import naskit as nk
from naskit.oneshot.table import (METHODS, NB201_WEIGHT_SHARING, SEARCHES, make_search, read_runs,
                                  run_seed, write_runs)


@pytest.fixture(scope="module")
def tiny_rows():
    data = nk.datasets.load().subset(n_train=128, n_val=128, seed=0)
    return run_seed(data, seed=0, methods=["DARTS-V1"], epochs=1.0)


@pytest.mark.slow
def test_darts_v1_gives_its_row_and_the_two_remedies(tiny_rows):
    assert [r["method"] for r in tiny_rows] == ["DARTS-V1", "DARTS-V1 + early stop", "DARTS-V1 + PT"]
    space = nk.NB201Space()
    for r in tiny_rows:
        space.check(nk.Arch(r["arch"]))
        assert r["seconds"] > 0 and r["seed"] == 0
    # PT costs what DARTS cost plus its own selection
    assert tiny_rows[2]["seconds"] >= tiny_rows[0]["seconds"]


@pytest.mark.slow
def test_rows_round_trip(tmp_path, tiny_rows):
    path = tmp_path / "runs.jsonl"
    write_runs(path, tiny_rows)
    back = read_runs(path)
    assert [str(r["arch"]) for r in back] == [r["arch"] for r in tiny_rows]
    assert [r["seconds"] for r in back] == [r["seconds"] for r in tiny_rows]
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.slow
@pytest.mark.parametrize("edit,match", [
    (lambda r: "{not json", "line 2: not JSON"),
    (lambda r: json.dumps({**r, "method": "DARTS-V9"}), "line 2: unknown method 'DARTS-V9'"),
    (lambda r: json.dumps({**r, "seed": 1, "seconds": float("nan")}), "line 2: seconds"),
    (lambda r: json.dumps({**r, "seed": 1, "arch": "|bogus~0|+|none~0|none~1|+|none~0|none~1|none~2|"}), "line 2: arch"),
    (lambda r: json.dumps({k: v for k, v in r.items() if k != "steps"}), "line 2: a row is an object with the keys"),
    (lambda r: json.dumps(r), "line 2: DARTS-V1 seed 0 .* already run on line 1"),
])
def test_a_damaged_file_names_file_and_line(tmp_path, tiny_rows, edit, match):
    path = tmp_path / "runs.jsonl"
    write_runs(path, tiny_rows[:1])
    good = path.read_text()
    path.write_text(good + edit(json.loads(good)) + "\n")
    with pytest.raises(ValueError, match=match):
        read_runs(path)


def test_unknown_methods_and_missing_files():
    data = nk.datasets.load().subset(n_train=64, n_val=64)
    with pytest.raises(ValueError, match="unknown methods"):
        run_seed(data, methods=["DARTS-V1 + PT"])
    with pytest.raises(ValueError, match="unknown method"):
        make_search("NASNet", data)
    with pytest.raises(FileNotFoundError, match="precompute_oneshot"):
        read_runs("/nonexistent/runs.jsonl")


def test_the_published_rows_cover_every_search():
    assert set(NB201_WEIGHT_SHARING) == set(SEARCHES) and set(SEARCHES) < set(METHODS)
    # the collapse row of NB201: the all-skip cell's 39.77 (checked against the table in test_bench_tables)
    assert NB201_WEIGHT_SHARING["DARTS-V1"]["valid"] == (39.77, 0.0)
