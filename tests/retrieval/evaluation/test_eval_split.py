"""The temporal split protocol on a basket set whose cut, customers and targets are known."""

from __future__ import annotations

import pandas as pd
import pytest

from retrieval.errors import DataError
from retrieval.evaluation import cut_for, mode_cases, temporal_split, validation_split

from .conftest import make_baskets

ROWS = [
    ("b00", "A", "2020-12-01 10:00", ["x"]),
    ("b01", "A", "2021-01-10 10:00", ["x", "y"]),
    ("b02", "A", "2021-02-01 10:00", ["y", "z"]),
    # A's first basket after the cut; its lines are a minute apart (basket time = earliest).
    ("b03", "A", "2021-03-20 10:00", ["y", ("w", "2021-03-20 10:01")]),
    ("b04", "A", "2021-04-01 10:00", ["q"]),  # second basket after the cut: not the target
    ("b05", "B", "2021-03-14 23:59", ["x"]),  # a minute before the cut
    ("b06", "B", "2021-03-15 00:00", ["x"]),  # exactly at the cut: after; nothing new
    ("b07", "C", "2021-05-01 10:00", ["x"]),  # only after the cut: no history
    ("b08", "D", "2021-01-05 10:00", ["z"]),  # only before the cut: no target
    ("b09", None, "2021-02-02 10:00", ["x", "z"]),  # anonymous: train only
    ("b13", "E", "2021-01-01 10:00", ["a"]),
    ("b12", "E", "2021-04-02 10:00", ["c"]),  # same time as b11: the lower basket id wins
    ("b11", "E", "2021-04-02 10:00", ["b", "a"]),
    # F's basket straddles the cut; it starts before, so all of it is train.
    ("b14", "F", "2021-03-14 23:59:30", ["k", ("m", "2021-03-15 00:00:30")]),
    ("b15", "F", "2021-05-05 10:00", ["k"]),
    ("b10", None, "2021-06-15 15:00", ["q"]),  # the last basket: cut = 2021-03-15 00:00
]


@pytest.fixture
def split():
    return temporal_split(make_baskets(ROWS))


def test_cut_is_midnight_three_calendar_months_before_the_last_day(split):
    assert split.cut == pd.Timestamp("2021-03-15 00:00")
    assert cut_for(make_baskets(ROWS)) == split.cut


def test_train_is_every_basket_before_the_cut(split):
    assert set(split.train.lines["basket_id"]) == {
        "b00",
        "b01",
        "b02",
        "b05",
        "b08",
        "b09",
        "b13",
        "b14",
    }
    assert len(split.train.lines[split.train.lines["basket_id"] == "b14"]) == 2


def test_test_customers_targets_and_histories(split):
    cases = {c.customer_id: c for c in split.cases}
    assert list(cases) == ["A", "B", "E", "F"]
    assert cases["A"].target == ("y", "w")
    assert cases["A"].new_target == ("w",)
    assert [b.basket_id for b in cases["A"].history.baskets] == ["b00", "b01", "b02"]
    assert cases["A"].history.items == ("y", "z", "x")  # most recent first
    assert cases["A"].history.counts == {"x": 2, "y": 2, "z": 1}
    assert cases["B"].target == ("x",) and cases["B"].new_target == ()
    assert cases["E"].target == ("b", "a") and cases["E"].new_target == ("b",)
    assert cases["F"].target == ("k",) and cases["F"].new_target == ()
    assert [b.basket_id for b in cases["F"].history.baskets] == ["b14"]


def test_new_mode_skips_empty_targets_and_excludes_past_items(split):
    histories, targets, excludes = mode_cases(split, "new")
    assert [h.customer_id for h in histories] == ["A", "E"]
    assert targets == [("w",), ("b",)]
    assert excludes == [frozenset({"x", "y", "z"}), frozenset({"a"})]
    histories, targets, excludes = mode_cases(split, "all")
    assert len(histories) == 4 and all(not e for e in excludes)
    assert split.summary()["test_customers_with_new_items"] == 2


def test_validation_split_is_the_same_protocol_on_train_only(split):
    val = validation_split(make_baskets(ROWS))
    # last train basket: 2021-03-14 23:59:30 -> midnight of 2020-12-14
    assert val.cut == pd.Timestamp("2020-12-14 00:00")
    assert val.cut < split.cut
    assert set(val.train.lines["basket_id"]) == {"b00"}
    assert [(c.customer_id, c.target, c.new_target) for c in val.cases] == [
        ("A", ("x", "y"), ("y",))
    ]
    assert val.name == "validation"


def test_split_needs_baskets_and_timestamps():
    with pytest.raises(DataError):
        temporal_split(make_baskets([]))
    baskets = make_baskets(ROWS)
    baskets.lines.loc[0, "timestamp"] = pd.NaT
    with pytest.raises(DataError):
        temporal_split(baskets)
