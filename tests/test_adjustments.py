"""Manager adjustments: lock this, re-spread the others — the total holds to the fen."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesanalytics.adapters import io
from salesanalytics.methods.adjustments import Adjustment, apply_adjustments, parse_adjustments
from salesanalytics.core.exceptions import DataError

from .conftest import DATA

BRANCHES = ["北京", "上海", "杭州", "三亚"]
HEADER = "分公司,月份,新金额,调整比例,原因,调整人,调整日期\n"


def _cells() -> np.ndarray:
    rng = np.random.default_rng(3)
    cells = rng.integers(100_000, 10_000_000, size=(4, 12)).astype(np.int64)
    cells[3, :6] = 0  # a new branch, open from July
    return cells


def _read(tmp_path, body: str, name: str = "adj.csv") -> pd.DataFrame:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return io.read_adjustments(path)


def test_bundled_adjustments_read_and_parse():
    frame = io.read_adjustments(DATA / "adjustments_2026.csv")
    plan = io.read_plan(DATA / "plan_2026.yaml")
    adj = parse_adjustments(frame, plan.branch_names, plan.year)
    assert [(a.branch, a.month) for a in adj] == [("北京", 3), ("杭州", None), ("三亚", 6)]
    assert adj[0].change_pct == 10 and adj[1].amount_fen == 950_000_000
    assert all(a.reason and a.author for a in adj) and adj[0].row == 2
    assert adj.source.endswith("adjustments_2026.csv")


@pytest.mark.parametrize(
    "text, month",
    [("2026-03", 3), ("2026/3", 3), ("2026年3月", 3), ("202603", 3), ("2026", None), ("全年", None), ("year", None), ("", None)],
)
def test_period_spellings(tmp_path, text, month):
    frame = _read(tmp_path, f"北京,{text},100,,r,a,2026-01-02\n")
    assert parse_adjustments(frame, BRANCHES, 2026)[0].month == month


def test_cell_lock_and_year_lock_hold_the_total():
    cells = _cells()
    adj = [
        Adjustment("北京", 3, None, 10.0, "大单", "王总", row=2),
        Adjustment("杭州", None, 40_000_000, None, "延期", "李经理", row=3),
    ]
    new, log = apply_adjustments(cells, adj, BRANCHES, 2026)
    assert new.sum() == cells.sum()
    assert new[0, 2] == round(cells[0, 2] * 1.1)
    assert new[2].sum() == 40_000_000
    # the year lock keeps the branch's monthly shape (to the fen)
    assert np.allclose(new[2] / new[2].sum(), cells[2] / cells[2].sum(), atol=1e-8)
    # the new branch's closed months stay zero when the others are re-spread
    assert (new[3, :6] == 0).all()
    assert log["reason"].tolist() == ["大单", "延期"] and log["author"].tolist() == ["王总", "李经理"]
    assert log.loc[0, "period"] == "2026-03" and log.loc[1, "period"] == "2026 全年"
    assert log.loc[0, "others_respread_yuan"] == pytest.approx(-(log["change_yuan"].sum()), abs=0.01)


def test_no_adjustments_changes_nothing():
    cells = _cells()
    new, log = apply_adjustments(cells, [], BRANCHES, 2026)
    assert (new == cells).all() and log.empty


# ----------------------------------------------------------------------------
# bad input: exact error class and the words that help
# ----------------------------------------------------------------------------
BAD_FILES = [
    ("unknown branch", "北平,2026-03,100,,r,a,2026-01-02\n", ["row 2", "unknown branch '北平'", "Did you mean '北京'"]),
    ("month outside the year", "北京,2025-03,100,,r,a,2026-01-02\n", ["row 2", "'2025-03' is not a month of the plan year 2026"]),
    ("month 13", "北京,2026-13,100,,r,a,2026-01-02\n", ["'2026-13' is not a month"]),
    ("not a month", "北京,三月份,100,,r,a,2026-01-02\n", ["'三月份' is not a month"]),
    ("both amount and pct", "北京,2026-03,100,5,r,a,2026-01-02\n", ["exactly one of amount_yuan", "not both"]),
    ("neither amount nor pct", "北京,2026-03,,,r,a,2026-01-02\n", ["exactly one of amount_yuan", "both are empty"]),
    ("cut below -100 %", "北京,2026-03,,-150,r,a,2026-01-02\n", ["-150", "negative"]),
    ("negative amount", "北京,2026-03,-5,,r,a,2026-01-02\n", ["row 2", "below the minimum"]),
    ("missing reason", "北京,2026-03,100,,,a,2026-01-02\n", ["row 2", "missing", "reason"]),
    ("text amount", "北京,2026-03,一百,,r,a,2026-01-02\n", ["'一百' is not a number"]),
]


@pytest.mark.parametrize("case, body, words", BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_adjustment_files(tmp_path, case, body, words):
    with pytest.raises(DataError) as info:
        frame = _read(tmp_path, body)
        parse_adjustments(frame, BRANCHES, 2026)
    message = str(info.value)
    assert "adj.csv" in message
    for word in words:
        assert word in message, message


BAD_LOCKS = [
    ("same cell twice", [Adjustment("北京", 3, 100, None, "r", "a", row=2), Adjustment("北京", 3, None, 5.0, "r", "a", row=5)],
     ["two adjustments lock the same cell 北京 2026-03", "rows 2 and 5"]),
    ("year lock over a cell lock", [Adjustment("上海", 7, 100, None, "r", "a", row=2), Adjustment("上海", None, 100, None, "r", "a", row=3)],
     ["same cell 上海 2026-07", "rows 2 and 3"]),
    ("locks above the total", [Adjustment("北京", None, 10**13, None, "r", "a", row=2)],
     ["more than the company total", "cannot hold", "row 2"]),
    ("everything locked at another total", [Adjustment(b, None, 100, None, "r", "a", row=i + 2) for i, b in enumerate(BRANCHES)],
     ["every branch and month is locked", "cannot hold"]),
    ("unknown branch given in code", [Adjustment("广州", 3, 100, None, "r", "a", row=2)], ["unknown branch '广州'"]),
]


@pytest.mark.parametrize("case, adj, words", BAD_LOCKS, ids=[c[0] for c in BAD_LOCKS])
def test_impossible_locks(case, adj, words):
    with pytest.raises(DataError) as info:
        apply_adjustments(_cells(), adj, BRANCHES, 2026, source="adj.csv")
    message = str(info.value)
    assert message.startswith("adj.csv")
    for word in words:
        assert word in message, message


def test_everything_locked_at_the_same_total_is_fine():
    cells = _cells()
    adj = [Adjustment(b, None, int(cells[i].sum()), None, "r", "a", row=i + 2) for i, b in enumerate(BRANCHES)]
    new, _ = apply_adjustments(cells, adj, BRANCHES, 2026)
    assert (new == cells).all()


# ----------------------------------------------------------------------------
# property: totals reconcile exactly after any feasible adjustments
# ----------------------------------------------------------------------------
@st.composite
def _case(draw):
    n = draw(st.integers(2, 6))
    cells = np.array(draw(st.lists(st.lists(st.integers(0, 10**9), min_size=12, max_size=12), min_size=n, max_size=n)), dtype=np.int64)
    cells[0, 0] = max(cells[0, 0], 1)  # something to re-spread over
    branches = [f"B{i}" for i in range(n)]
    cells_free = {(b, m) for b in range(n) for m in range(12)}
    adjustments = []
    for row in range(draw(st.integers(0, 5))):
        b = draw(st.integers(0, n - 1))
        whole_year = draw(st.booleans())
        months = set(range(12)) if whole_year else {draw(st.integers(0, 11))}
        if any((b, m) not in cells_free for m in months):
            continue
        cells_free -= {(b, m) for m in months}
        if draw(st.booleans()):
            amount, pct = draw(st.integers(0, 10**8)), None
        else:
            amount, pct = None, draw(st.floats(-100, 100, allow_nan=False).map(lambda x: round(x, 2)))
        adjustments.append(Adjustment(branches[b], None if whole_year else next(iter(months)) + 1, amount, pct, "r", "a", row=row + 2))
    return cells, branches, adjustments


@settings(max_examples=150, deadline=None)
@given(_case())
def test_totals_reconcile_exactly_after_adjustments(case):
    cells, branches, adjustments = case
    try:
        new, log = apply_adjustments(cells, adjustments, branches, 2026)
    except DataError as exc:
        assert "cannot hold" in str(exc)  # the only way feasible-looking locks may fail
        return
    assert new.dtype == np.int64
    assert int(new.sum()) == int(cells.sum())  # the company total holds to the fen
    assert (new >= 0).all()
    for adj in adjustments:
        b = branches.index(adj.branch)
        before = cells[b].sum() if adj.month is None else cells[b, adj.month - 1]
        expected = adj.amount_fen if adj.amount_fen is not None else None
        got = new[b].sum() if adj.month is None else new[b, adj.month - 1]
        if expected is not None:
            assert got == expected
        else:
            assert abs(got - before * (1 + adj.change_pct / 100)) <= 0.5 + 1e-6 * abs(before)
    assert len(log) == len(adjustments)


@pytest.mark.parametrize("month_header", ["month", "period", "月份"])
def test_english_headers_and_month_aliases(tmp_path, month_header):
    path = tmp_path / "adj.csv"
    path.write_text(f"branch,{month_header},amount_yuan,change_pct,reason,author,adjusted_on\n上海,2026-07,,-5,r,a,2026-01-02\n", encoding="utf-8")
    adj = parse_adjustments(io.read_adjustments(path), BRANCHES, 2026)
    assert (adj[0].branch, adj[0].month, adj[0].change_pct, adj[0].amount_fen) == ("上海", 7, -5.0, None)
