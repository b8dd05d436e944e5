"""BilevelExplorer: its answer is the argmin of the chosen bench column, and moves with the controls."""
import numpy as np
import pytest

import naskit as nk
from naskit.widgets import BilevelExplorer


@pytest.fixture(scope="module")
def bench():
    return nk.bench.load("mini")


def test_winner_is_the_argmin_of_the_chosen_column(bench):
    archs = [bench.space.sample(seed=i) for i in range(6)]
    w = BilevelExplorer(bench, archs)
    idx = [bench.index(a) for a in archs]
    assert w.epoch == bench.final_epoch and w.image.value
    for epoch in bench.fidelities:
        for objective, column in (("validation loss", "valid_loss"), ("training loss", "train_loss")):
            w.epoch_picker.value, w.objective_picker.value = epoch, objective
            want = np.argmin(bench.columns[column][idx, bench.fidelities.index(epoch)])
            assert w.winner_ == want and f"arch {want} wins" in w.summary.value
    assert "BilevelExplorer(6 archs" in repr(w)


def test_some_handful_changes_winner_with_the_inner_epochs(bench):
    for seed in range(20):  # the first handful whose winner moves ends the search
        w = BilevelExplorer(bench, [bench.space.sample(seed=100 * seed + i) for i in range(4)])
        first = w.winner_
        w.epoch = 1
        if w.winner_ != first:
            break
    else:
        raise AssertionError("in 20 handfuls the winner never changed with the inner epochs")


def test_bad_inputs_fail_helpfully(bench):
    with pytest.raises(ValueError, match="at least two"):
        BilevelExplorer(bench, [bench.space.sample(seed=0)])
    w = BilevelExplorer(bench, [bench.space.sample(seed=i) for i in range(2)])
    with pytest.raises(Exception, match="not recorded"):
        w.epoch = 7
