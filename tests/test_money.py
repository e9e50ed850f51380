"""Exact money: largest-remainder splits always sum to their totals, to the fen."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesanalytics.core.exceptions import PlanError
from salesanalytics.core.money import allocate, allocate_grouped, allocate_matrix, fen_to_yuan, to_fen


def test_to_fen_rounds_half_up_exactly():
    assert to_fen("850000000") == 85_000_000_000
    assert to_fen(0.015) == 2
    assert to_fen("0.005") == 1
    assert to_fen("1234.564") == 123456


def test_allocate_hand_computed():
    # 100 fen over 1:1:1 -> 33.33 each; one leftover fen to the first (ties go to the earlier part)
    assert allocate(100, [1, 1, 1]).tolist() == [34, 33, 33]
    # remainders .5, .3, .2 with 1 fen left -> goes to the largest remainder
    assert allocate(10, [2.5, 3.3, 4.2]).tolist() == [3, 3, 4]
    assert allocate(0, [1, 2]).tolist() == [0, 0]
    assert allocate(-100, [1, 1, 1]).tolist() == [-34, -33, -33]


@pytest.mark.parametrize(
    ("weights", "words"),
    [([1, -1], "not negative"), ([0, 0], "every weight is zero"), ([np.nan, 1], "finite")],
)
def test_allocate_rejects_bad_weights(weights, words):
    with pytest.raises(PlanError, match=words):
        allocate(100, weights)


@given(
    total=st.integers(min_value=0, max_value=10**13),
    weights=st.lists(st.floats(min_value=0, max_value=1e9, allow_nan=False), min_size=1, max_size=50).filter(lambda w: sum(w) > 0),
)
@settings(max_examples=300, deadline=None)
def test_allocate_always_sums_and_stays_within_one_fen(total, weights):
    parts = allocate(total, weights)
    assert int(parts.sum()) == total
    w = np.asarray(weights, dtype=float)
    exact = w / w.sum() * total
    assert np.all(np.abs(parts - exact) <= 1 + 1e-6 * max(1.0, float(exact.max())))
    assert np.all(parts >= 0)


@given(
    totals=st.lists(st.integers(min_value=0, max_value=10**11), min_size=1, max_size=8),
    data=st.data(),
)
@settings(max_examples=200, deadline=None)
def test_allocate_grouped_matches_per_group_allocation(totals, data):
    groups, weights = [], []
    for g in range(len(totals)):
        n = data.draw(st.integers(min_value=1, max_value=6))
        w = data.draw(st.lists(st.floats(min_value=0.01, max_value=1000), min_size=n, max_size=n))
        groups += [g] * n
        weights += w
    order = data.draw(st.permutations(range(len(groups))))
    g = np.asarray(groups)[order]
    w = np.asarray(weights)[order]
    parts = allocate_grouped(totals, g, w)
    for k, total in enumerate(totals):
        assert int(parts[g == k].sum()) == total
        assert parts[g == k].tolist() == allocate(total, w[g == k]).tolist()


@given(
    total=st.integers(min_value=0, max_value=10**12),
    shape=st.tuples(st.integers(1, 20), st.integers(1, 12)),
    seed=st.integers(0, 2**32 - 1),
)
@settings(max_examples=200, deadline=None)
def test_allocate_matrix_rows_columns_and_total_reconcile(total, shape, seed):
    rng = np.random.default_rng(seed)
    w = rng.random(shape) * (rng.random(shape) > 0.2)
    if w.sum() == 0:
        w[0, 0] = 1.0
    cells = allocate_matrix(total, w)
    assert cells.dtype == np.int64
    assert int(cells.sum()) == total
    # column totals are the largest-remainder split of the total over the column weights
    assert cells.sum(axis=0).tolist() == allocate(total, w.sum(axis=0)).tolist()
    assert np.all(cells[w == 0] == 0)


def test_fen_to_yuan():
    assert fen_to_yuan(12345) == 123.45
    assert fen_to_yuan(np.array([1, 250])).tolist() == [0.01, 2.5]


# ----------------------------------------------------------------------------
# bounds: every amount up to 10^15 yuan (10^17 fen) splits exactly; beyond is a clear error
# ----------------------------------------------------------------------------
@given(
    total=st.integers(min_value=2**50, max_value=10**17),
    weights=st.lists(st.floats(min_value=0, max_value=1e9, allow_nan=False), min_size=1, max_size=30).filter(lambda w: sum(w) > 0),
)
@settings(max_examples=200, deadline=None)
def test_large_totals_split_exactly(total, weights):
    from fractions import Fraction

    parts = allocate(total, weights)
    assert int(parts.sum()) == total
    exact = [Fraction(w) / sum(Fraction(v) for v in weights) * total for w in weights]
    assert all(abs(int(p) - e) < 1 for p, e in zip(parts, exact))  # within one fen of the exact share


@given(totals=st.lists(st.integers(min_value=0, max_value=10**17), min_size=1, max_size=5), data=st.data())
@settings(max_examples=100, deadline=None)
def test_large_grouped_totals_split_exactly(totals, data):
    groups, weights = [], []
    for g in range(len(totals)):
        n = data.draw(st.integers(min_value=1, max_value=5))
        groups += [g] * n
        weights += data.draw(st.lists(st.floats(min_value=0.01, max_value=1000), min_size=n, max_size=n))
    g = np.asarray(groups)
    parts = allocate_grouped(totals, g, weights)
    for k, total in enumerate(totals):
        assert int(parts[g == k].sum()) == total
        assert parts[g == k].tolist() == allocate(total, np.asarray(weights)[g == k]).tolist()


def test_matrix_at_the_largest_amount_reconciles():
    w = np.random.default_rng(0).random((40, 12))
    cells = allocate_matrix(10**17, w)
    assert int(cells.sum()) == 10**17 and cells.dtype == np.int64


@pytest.mark.parametrize("amount", ["1000000000000000.01", 2e18, 1e25, "1e26", 10**30, "-1e16"])
def test_to_fen_beyond_the_bound_is_a_plan_error(amount):
    with pytest.raises(PlanError, match="beyond the largest amount the tool accepts"):
        to_fen(amount)


@pytest.mark.parametrize("amount", ["nan", "inf", float("nan")])
def test_to_fen_not_finite(amount):
    with pytest.raises(PlanError, match="not a finite amount"):
        to_fen(amount)


def test_to_fen_at_the_bound():
    assert to_fen("1000000000000000") == 10**17
    assert to_fen(-(10**15)) == -(10**17)


@pytest.mark.parametrize("totals", [[10**17 + 1], [2 * 10**18], [10**20], [-(10**18)]])
def test_grouped_totals_beyond_the_bound_never_wrap(totals):
    with pytest.raises(PlanError, match="beyond the largest amount"):
        allocate_grouped(totals, [0, 0], [1, 1])


def test_to_fen_array_bounds_values_and_total():
    from salesanalytics.core.exceptions import DataError
    from salesanalytics.core.money import to_fen_array

    assert to_fen_array([1.005, 2.5, -3.0]).tolist() == [100, 250, -300]
    with pytest.raises(DataError) as info:
        to_fen_array([1.0, 1e17, 3.0], source="a.csv", column="revenue", rows=[2, 5, 9])
    assert str(info.value).startswith("a.csv, column revenue, row 5: 100,000,000,000,000,000 is beyond")
    with pytest.raises(DataError, match="add up to 1,800,000,000,000,000 yuan"):
        to_fen_array([9e14, 9e14])
    with pytest.raises(DataError, match="'nan' is not a finite amount"):
        to_fen_array([float("nan")])
