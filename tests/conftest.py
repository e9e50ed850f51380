"""Shared fixtures: paths to the bundled data and small deterministic plans."""

from __future__ import annotations

import copy
import os
import tempfile
from pathlib import Path

import pytest

from .bad_inputs.make_corpus import BASE_PLAN

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
BAD = Path(__file__).resolve().parent / "bad_inputs"

# computed results (quarter state, CLI results) are kept in a folder of this test session, never in the
# checkout's .cache: every session starts cold, and kernels/subprocesses inherit the variable
os.environ.setdefault("SALESANALYTICS_CACHE", tempfile.mkdtemp(prefix="sa-cache-"))

# the same small plan the bad-input corpus is made from (one mistake per file)
SMALL_PLAN = BASE_PLAN


@pytest.fixture
def small_plan_dict():
    return copy.deepcopy(SMALL_PLAN)


@pytest.fixture(scope="session")
def seed_plan():
    from salesanalytics.adapters.io import read_plan

    return read_plan(DATA / "seed_case_2012.yaml")


@pytest.fixture(scope="session")
def history():
    from salesanalytics.adapters.io import read_history

    return read_history(DATA / "history_monthly.csv")
