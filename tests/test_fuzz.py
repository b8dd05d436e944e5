"""Property-based fuzzing of every reader, parser and constructor a careless or hostile user reaches.

The contract (issue 13): any input either gives a valid object or raises ValueError, TypeError or
FileNotFoundError with a message that names the file (and line) or the argument; never another
exception, never a hang, never a silently wrong number. ``CORPUS`` keeps each damaged file of the
issue, written fresh into ``tmp_path`` by the tests.
"""
import csv
import json
import math

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import naskit as nk  # noqa: E402
from naskit import bench  # noqa: E402
from naskit.bench.builder import read_runs  # noqa: E402
from naskit.bench.tables import LATENCY_DEVICES, read_table  # noqa: E402
from naskit.datasets import load, shipped_data_dir  # noqa: E402
from naskit.search import RandomSearch, RegularizedEvolution, Reinforce  # noqa: E402
from naskit.space import Arch, DartsSpace, Genotype, NB201Space  # noqa: E402

SPACE = NB201Space()
CLEAR = (ValueError, TypeError, FileNotFoundError)
FAST = settings(max_examples=40, deadline=2000, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
SLOW = settings(FAST, max_examples=12, deadline=10_000)


def clear(call, *names):
    """``call()``'s value, or None if it raised a clear error whose message holds every name."""
    try:
        return call()
    except CLEAR as e:
        assert str(e).strip(), f"{type(e).__name__} without a message"
        for name in names:
            assert str(name) in str(e), f"{name!r} not in {e}"
        return None


# -- the damaged-file corpus: each example of the issue --------------------------------------------
def _write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    return path


def _table_200ep(path, change=None):
    rng = np.random.default_rng(0)
    header = ["index", "arch_str", "train-per-time", "valid-per-time", "valid-accuracy",
              "test-accuracy", "train-loss", "valid-loss"]
    rows = [[i, str(a), 5 + rng.random(), 1 + rng.random(), 100 * rng.random(),
             100 * rng.random(), rng.random(), rng.random()] for i, a in enumerate(SPACE)]
    if change:
        change(rows)
    return _write_csv(path / "cifar10-valid_200ep.csv", header, rows)


def _latency(path, change=None):
    rows = [[i, *([1.5] * len(LATENCY_DEVICES))] for i in range(len(SPACE))]
    if change:
        change(rows)
    return _write_csv(path / "latency_27devices.csv", ["index", *LATENCY_DEVICES], rows)


def _table_12ep(path, change=None):
    rows = [[i, str(a), 50, 50, 20, 20, 10, 10] for i, a in enumerate(SPACE)]
    if change:
        change(rows)
    return _write_csv(path / "all-datasets_12ep.csv",
                      ["arch", "cellstr", "cifar10-test", "cifar10-val", "cifar100-test",
                       "cifar100-val", "imagenet-test", "imagenet-val"], rows)


def _small_dataset(path, **changes):
    with np.load(shipped_data_dir() / "cluttered-mnist.npz") as f:
        arrays = {k: f[k][:40] for k in f.files}
    arrays.update(changes)
    np.savez_compressed(path / "cluttered-mnist.npz", **arrays)
    return path / "cluttered-mnist.npz"


def _damage_bytes(file, how):
    data = bytearray(file.read_bytes())
    if how == "truncate":
        data = data[: len(data) * 2 // 3]
    else:
        for k in range(64, len(data) - 64, 331):
            data[k] ^= 0x5A
    file.write_bytes(bytes(data))
    return file


CORPUS = {
    # a row with one extra field shifted every value one column to the right
    "200ep-extra-field": (lambda p: _table_200ep(p, lambda r: r[7].insert(3, 0.5)),
                          lambda p: read_table(p / "cifar10-valid_200ep.csv"), "line 9: 9 field(s)"),
    "latency-extra-field": (lambda p: _latency(p, lambda r: r[0].append(2.0)),
                            lambda p: bench.load("nb201-latency", root=p), "line 2: 29 field(s)"),
    # a short or cut-off row became NaN
    "200ep-cut-off-row": (lambda p: _table_200ep(p, lambda r: r.__setitem__(-1, r[-1][:4])),
                          lambda p: read_table(p / "cifar10-valid_200ep.csv"), "line 15626: 4 field(s)"),
    # one non-numeric cell dropped a device / a whole accuracy column (then a bare KeyError)
    "latency-text-cell": (lambda p: _latency(p, lambda r: r[3].__setitem__(5, "fast")),
                          lambda p: bench.load("nb201-latency", root=p),
                          f"line 5, column '{LATENCY_DEVICES[4]}': 'fast'"),
    "12ep-text-cell": (lambda p: _table_12ep(p, lambda r: r[2].__setitem__(3, "?")),
                       lambda p: bench.load("nb201-12ep", root=p), "line 4, column 'cifar10-val'"),
    "200ep-nan-accuracy": (lambda p: _table_200ep(p, lambda r: r[9].__setitem__(4, "nan")),
                           lambda p: read_table(p / "cifar10-valid_200ep.csv"),
                           "line 11, column 'valid-accuracy': 'nan'"),
    "200ep-accuracy-over-100": (lambda p: _table_200ep(p, lambda r: r[9].__setitem__(5, 140)),
                                lambda p: read_table(p / "cifar10-valid_200ep.csv"),
                                "line 11, column 'test-accuracy': '140'"),
    # the data-set reader trusted its file
    "dataset-truncated": (lambda p: _damage_bytes(_small_dataset(p), "truncate"),
                          lambda p: load(root=p), "not a naskit data set file"),
    "dataset-bit-flipped": (lambda p: _damage_bytes(_small_dataset(p), "flip"),
                            lambda p: load(root=p), "not a naskit data set file"),
    "dataset-label-out-of-range": (lambda p: _small_dataset(p, y_val=np.full(40, 12, np.uint8)),
                                   lambda p: load(root=p), "y_val holds label 12"),
    "dataset-shapes-differ": (lambda p: _small_dataset(p, x_test=np.zeros((40, 8, 8), np.uint8)),
                              lambda p: load(root=p), "x_test images are (8, 8)"),
    "dataset-fewer-labels": (lambda p: _small_dataset(p, y_train=np.zeros(39, np.uint8)),
                             lambda p: load(root=p), "39 labels y_train for 40 images"),
    # parsers that hung or overflowed the stack
    "genotype-huge-range": (lambda p: (p / "g.txt").write_text(
        "Genotype(normal=[], normal_concat=range(0, 10000000000), reduce=[], reduce_concat=[])"),
        lambda p: Genotype.from_string((p / "g.txt").read_text()), "normal_concat lists"),
    "cell-long-cycle": (lambda p: (p / "c.txt").write_text(
        "+".join(["|none~2999|"] + [f"|none~{k}|" for k in range(1, 3000)])),
        lambda p: Arch((p / "c.txt").read_text()), "the cell has a cycle"),
    # a run log written by two builds, or cut by a kill, or not a log at all
    "runs-not-records": (lambda p: (p / "runs.jsonl").write_text('{"index": 0, "seed": 0}\n[1]\n{}\n'),
                         lambda p: read_runs(p / "runs.jsonl"), "line 2: a run record"),
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_of_damaged_files_gives_clear_errors(tmp_path, name):
    make, read, fragment = CORPUS[name]
    folder = tmp_path / name
    folder.mkdir()
    make(folder)
    with pytest.raises(CLEAR) as err:
        read(folder)
    assert fragment in str(err.value)


def test_runs_logged_twice_count_once(tmp_path):
    log = tmp_path / "runs.jsonl"
    log.write_text("".join(json.dumps(dict(index=i, seed=0)) + "\n" for i in (1, 2, 1, 2, 3)) +
                   '{"index": 4, "se')  # and a torn tail
    assert [(r["index"], r["seed"]) for r in read_runs(log)] == [(1, 0), (2, 0), (3, 0)]


# -- table readers -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def table_text(tmp_path_factory):
    folder = tmp_path_factory.mktemp("table")
    return _table_200ep(folder).read_text().splitlines(keepends=True)


@SLOW
@given(line=st.integers(1, len(SPACE)), column=st.integers(0, 9),
       cell=st.one_of(st.text(max_size=8), st.sampled_from(["nan", "inf", "-1", "1e400", "",
                                                            "101", "0", "1,2", '"'])),
       op=st.sampled_from(["replace", "insert", "cut", "drop-line", "truncate-file"]))
def test_any_damaged_table_row_is_read_right_or_named(tmp_path, table_text, line, column, cell, op):
    lines = list(table_text)
    fields = lines[line].rstrip("\n").split(",")
    if op == "replace":
        fields[column % len(fields)] = cell
    elif op == "insert":
        fields.insert(column % len(fields), cell)
    elif op == "cut":
        fields = fields[:column % len(fields)]
    if op == "drop-line":
        del lines[line]
    elif op == "truncate-file":
        lines = lines[:line] + [lines[line][:column]]
    else:
        lines[line] = ",".join(fields) + "\n"
    path = tmp_path / "cifar10-valid_200ep.csv"
    path.write_text("".join(lines))
    table = clear(lambda: read_table(path), path)
    if table is not None:  # accepted: then every number is finite and in range
        for name, column_values in table.items():
            assert len(column_values) == len(SPACE) and np.all(np.isfinite(column_values)), name
        for name in ("valid-accuracy", "test-accuracy"):
            assert np.all((0 <= table[name]) & (table[name] <= 100))


@SLOW
@given(text=st.text(alphabet=st.sampled_from(list("abc,01.9-\n\"|~+e")) | st.characters(),
                    max_size=300))
def test_any_zero_cost_file_is_read_or_named(tmp_path, text):
    header = ("dataset,nb201_index,arch_str,naslib_op_indices,val_accuracy,flops,params,synflow,"
              "grasp,fisher,grad_norm,l2_norm,plain,nwot,epe_nas,jacov,snip\n")
    path = tmp_path / "zero-cost_725subset.csv"
    path.write_text(header + f"cifar10,0,{SPACE[0]},(),50" + ",1" * 12 + "\n" + text,
                    encoding="utf-8", errors="replace")
    out = clear(lambda: bench.zero_cost_table(root=tmp_path), path)
    if out is not None:
        assert np.all((0 <= out["val_accuracy"]) & (out["val_accuracy"] <= 100))
        assert all(len(v) == len(out["index"]) for v in out.values())


# -- npz files: the data set and the mini benchmark ---------------------------------------------------
@pytest.fixture(scope="module")
def npz_bytes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("npz")
    return _small_dataset(folder).read_bytes()


@FAST
@given(data=st.data())
def test_any_damaged_data_set_file_loads_valid_or_is_named(tmp_path, npz_bytes, data):
    raw = bytearray(npz_bytes)
    how = data.draw(st.sampled_from(["flip", "truncate", "splice"]))
    if how == "flip":
        for k in data.draw(st.lists(st.integers(0, len(raw) - 1), min_size=1, max_size=8)):
            raw[k] ^= data.draw(st.integers(1, 255))
    elif how == "truncate":
        raw = raw[:data.draw(st.integers(0, len(raw) - 1))]
    else:
        k = data.draw(st.integers(0, len(raw)))
        raw[k:k] = data.draw(st.binary(max_size=64))
    path = tmp_path / "cluttered-mnist.npz"
    path.write_bytes(bytes(raw))
    ds = clear(lambda: load(root=tmp_path), path)
    for mini in ("nb201-mini.npz",):
        (tmp_path / mini).write_bytes(bytes(raw))
        clear(lambda: bench.load("mini", root=tmp_path), tmp_path / mini)
    if ds is not None:
        for split in ("train", "val", "test"):
            x, y = getattr(ds, f"x_{split}"), getattr(ds, f"y_{split}")
            assert len(x) == len(y) and int(y.min()) >= 0 and int(y.max()) < ds.num_classes
            assert tuple(x.shape[1:]) == ds.input_shape


@FAST
@given(arrays=st.dictionaries(
    st.sampled_from(["x_train", "y_train", "x_val", "y_val", "x_test", "y_test", "other"]),
    st.tuples(st.sampled_from([np.uint8, np.int64, np.float32, np.bool_]),
              st.lists(st.integers(0, 5), min_size=1, max_size=3), st.integers(-3, 14)),
    max_size=7))
def test_any_data_set_contents_load_valid_or_are_named(tmp_path, arrays):
    path = tmp_path / "cluttered-mnist.npz"
    np.savez(path, **{k: np.full(shape, fill).astype(dtype) for k, (dtype, shape, fill)
                      in arrays.items()})
    ds = clear(lambda: load(root=tmp_path), path)
    if ds is not None:
        assert all(len(getattr(ds, f"x_{s}")) == len(getattr(ds, f"y_{s}")) > 0
                   for s in ("train", "val", "test"))


# -- run logs -------------------------------------------------------------------------------------------
@FAST
@given(body=st.one_of(st.binary(max_size=200),
                      st.lists(st.one_of(st.from_type(dict).map(json.dumps),
                                         st.builds(lambda i, s: json.dumps(dict(index=i, seed=s)),
                                                   st.integers(-2, 5) | st.floats() | st.none(),
                                                   st.integers(-2, 3) | st.booleans()),
                                         st.text(max_size=20)),
                               max_size=6).map(lambda ls: ("\n".join(ls) + "\n").encode())))
def test_any_run_log_reads_distinct_records_or_names_the_line(tmp_path, body):
    path = tmp_path / "runs.jsonl"
    path.write_bytes(body)
    runs = clear(lambda: read_runs(path), path)
    if runs is not None:
        keys = [(r["index"], r["seed"]) for r in runs]
        assert len(keys) == len(set(keys)) and all(type(k) is int and k >= 0
                                                   for key in keys for k in key)


# -- parsers ------------------------------------------------------------------------------------------
CELL_PIECES = st.sampled_from(["|", "+", "~", "0", "1", "2", "3", "9", "-1", "none", "skip_connect",
                               "nor_conv_3x3", "avg_pool_3x3", " ", "", "99999999999999999999"])


@FAST
@given(text=st.one_of(st.lists(CELL_PIECES, max_size=60).map("".join), st.text(max_size=60),
                      st.integers(1, 4000).map(lambda n: "+".join(f"|none~{n - k}|"
                                                                  for k in range(n)))))
def test_any_cell_string_parses_to_a_valid_arch_or_says_why(text):
    arch = clear(lambda: Arch(text))
    if arch is not None:
        assert Arch(str(arch)) == arch
        for dst, node in enumerate(arch.nodes, 1):
            assert all(0 <= src < dst for _, src in node)
    parsed = clear(lambda: SPACE.parse(text))
    if parsed is not None:
        assert SPACE.index(parsed) in range(len(SPACE))


GENOTYPE_PIECES = st.sampled_from([
    "Genotype(", ")", "normal=", "reduce=", "normal_concat=", "reduce_concat=", "[", "]", "(", ",",
    "'sep_conv_3x3'", "'skip_connect'", "0", "1", "2", "5", "-1", "range(", "range(2, 6)",
    "range(0, 10**9)", "10**9", "*", "x", "'", "None", "True", "2.5", "{", "}", " "])


@FAST
@given(text=st.one_of(st.lists(GENOTYPE_PIECES, max_size=50).map("".join), st.text(max_size=80),
                      st.integers(0, 10 ** 15).map(
                          lambda n: f"Genotype(normal=[], normal_concat=range({n}), reduce=[], "
                                    f"reduce_concat=range(2, 6))")))
def test_any_genotype_text_parses_or_says_why(text):
    genotype = clear(lambda: Genotype.from_string(text))
    if genotype is not None:
        assert Genotype.from_string(str(genotype)) == genotype
        clear(lambda: DartsSpace().check(genotype))


# -- constructors and arguments -------------------------------------------------------------------
ANYTHING = st.one_of(st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70),
                     st.integers(-3, 3).map(np.int64), st.floats(allow_nan=True, allow_infinity=True),
                     st.text(max_size=3), st.just(np.float32(1.5)), st.just([1]))


@FAST
@given(seed=ANYTHING, lr=ANYTHING, population=ANYTHING)
def test_strategy_constructors_accept_valid_numbers_or_name_the_argument(seed, lr, population):
    s = clear(lambda: RandomSearch(SPACE, seed=seed), "seed")
    if s is not None:
        assert s.seed is None or 0 <= s.seed < 2 ** 63
        assert not isinstance(seed, bool)
    r = clear(lambda: Reinforce(SPACE, lr=lr), "lr")
    if r is not None:
        assert math.isfinite(r.lr) and r.lr > 0 and not isinstance(lr, bool)
    clear(lambda: RegularizedEvolution(SPACE, population_size=population, sample_size=2),
          "population_size")
    a = clear(lambda: SPACE.sample(seed=seed), "seed")
    if a is not None:
        SPACE.check(a)


@FAST
@given(channels=ANYTHING, cells=ANYTHING, seed=ANYTHING)
def test_build_accepts_small_valid_settings_or_names_the_argument(channels, cells, seed):
    small = lambda v: not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v <= 4  # noqa: E731
    if not (small(channels) and small(cells)):
        return  # large sizes are valid and only slow
    net = clear(lambda: nk.build(SPACE[7], channels=channels, cells_per_stage=cells, seed=seed))
    if net is not None:
        assert not isinstance(channels, bool) and int(channels) >= 1


# -- the command line -----------------------------------------------------------------------------
@FAST
@given(option=st.sampled_from(["--jobs", "--threads", "--limit", "--seeds", "--extra-seed-classes",
                               "--device"]),
       value=st.one_of(st.integers(-5, 5).map(str), st.text(max_size=6)))
def test_build_bench_options_are_valid_or_a_usage_error(tmp_path, monkeypatch, option, value):
    import naskit.bench.builder as builder
    from naskit.cli import main

    reached = []

    def fake(out_dir, *args, **kwargs):
        reached.append(kwargs)
        raise FileExistsError("stop")
    monkeypatch.setattr(builder, "build_runs", fake)
    with pytest.raises(SystemExit) as err:
        main(["build-bench", "--work-dir", str(tmp_path / "w"), option, value])
    assert err.value.code in (1, 2)
    if err.value.code == 1:  # accepted: the values reach the build valid
        kw = reached[0]
        assert kw["n_jobs"] in (-1,) or kw["n_jobs"] >= 1
        assert kw["threads"] >= 1 and kw["seeds"] >= 1 and kw["extra_seed_classes"] >= 0
        assert kw["limit"] is None or kw["limit"] >= 0
