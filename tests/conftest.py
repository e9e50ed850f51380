"""Shared fixtures: paths to the bundled data and small deterministic plans."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
BAD = Path(__file__).resolve().parent / "bad_inputs"

SMALL_PLAN = {
    "year": 2026,
    "target": {"kind": "net_profit", "amount_yuan": 1_000_000},
    "gross_margin": 0.1,
    "phasing": {"method": "flat"},
    "branches": [
        {"branch": "北京", "headcount": 10, "gp_per_head_month": 2000},
        {"branch": "上海", "headcount": 8, "gp_per_head_month": 2500},
        {"branch": "海口", "headcount": 5, "gp_per_head_month": 1500},
    ],
}


@pytest.fixture
def small_plan_dict():
    return copy.deepcopy(SMALL_PLAN)


@pytest.fixture(scope="session")
def seed_plan():
    from salesanalytics.io import read_plan

    return read_plan(DATA / "seed_case_2012.yaml")


@pytest.fixture(scope="session")
def history():
    from salesanalytics.io import read_history

    return read_history(DATA / "history_monthly.csv")
