"""One estimator contract for every method class (as scikit-learn's ``check_estimator`` and statsforecast do).

* ``__init__`` stores its arguments unchanged, as attributes of the same names, and does no work:
  ``vars(obj)`` holds exactly the signature's parameters, each the very object passed (or the default).
* A fresh instance raises :class:`NotFittedError` from its result methods.
* ``fit(...)`` returns ``self``, leaves the settings as they were, and every attribute it adds ends in ``_``.
* Result methods (``summary()``, ``tables("zh")``, ``predict()`` ...) never change the state: calling each
  twice leaves ``vars(obj)`` unchanged (same keys, the same objects, equal contents) and gives equal results.

The rhythm: settings (a plan, a scheme, incentive plans — configuration read from YAML) go to
``__init__``; data (history, targets, actuals, KPIs) go to ``fit``.  Only public API is used here.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import math

import numpy as np
import pandas as pd
import pytest

from salesanalytics.core.exceptions import NotFittedError
from salesanalytics.methods.plan import Plan

from .conftest import SMALL_PLAN

YEAR = 2026


# ----------------------------------------------------------------------------
# small inputs
# ----------------------------------------------------------------------------
def _plan() -> Plan:
    return Plan.from_dict({**SMALL_PLAN, "new_branches": [{"branch": "三亚", "opening_month": 7, "headcount": 4, "comparable": "海口"}]},
                          source="small.yaml")


def _history() -> pd.DataFrame:
    """36 months of three branches to 2025-12: seasonal, growing, a little noise (seeded)."""
    rng = np.random.default_rng(0)
    months = pd.date_range("2023-01-01", periods=36, freq="MS")
    rows = []
    for branch, level in (("北京", 250_000.0), ("上海", 240_000.0), ("海口", 90_000.0)):
        season = 1 + 0.15 * np.sin(2 * np.pi * np.arange(36) / 12)
        values = level * season * (1.01 ** np.arange(36)) * (1 + rng.normal(0, 0.03, 36))
        rows.append(pd.DataFrame({"month": months, "branch": branch, "revenue": values}))
    return pd.concat(rows, ignore_index=True)


def _targets() -> pd.DataFrame:
    from salesanalytics.methods.backward import BackwardPlanner

    return BackwardPlanner(Plan.from_dict(SMALL_PLAN)).fit().tasks()[["month", "branch", "sales_task", "gross_profit_task"]]


def _actuals() -> pd.DataFrame:
    return pd.DataFrame({
        "month": pd.to_datetime([f"{YEAR}-01-01", f"{YEAR}-01-01", f"{YEAR}-02-01", f"{YEAR}-02-01", f"{YEAR}-03-01"]),
        "branch": ["北京", "上海", "北京", "海口", "上海"],
        "revenue": [260_000.0, 240_000.0, 270_000.0, 80_000.0, 250_000.0],
    })


SCHEME = {
    "rating_scale": {"min": 1, "max": 5},
    "allow_self_rating": False,
    "kpis": {
        "attainment": {"weight": 50, "normalise": "target", "target": 1.0, "cap_points": 120},
        "collection_rate": {"weight": 20, "normalise": "range", "low": 0.5, "high": 1.0},
    },
    "ratings": {"collaboration": {"weight": 30}},
    "grades": {"S": 90, "A": 80, "B": 60, "C": 40, "D": 0},
    "forced_distribution": {"max_share": {"S+A": 0.25}, "min_share": {"D": 0.25}},
    "fairness": {"leniency_threshold": 0.5, "min_ratings_per_rater": 2},
}


def _kpis() -> pd.DataFrame:
    return pd.DataFrame({
        "salesperson": ["甲", "乙", "丙", "丁"], "branch": ["北京", "北京", "上海", "上海"],
        "actual": [110.0, 90.0, 50.0, 130.0], "target": [100.0] * 4, "collected": [110.0, 72.0, 50.0, 130.0],
    })


def _ratings() -> pd.DataFrame:
    return pd.DataFrame([("经理", p, "collaboration", s) for p, s in [("甲", 5), ("乙", 3), ("丙", 1), ("丁", 4)]],
                        columns=["rater", "salesperson", "dimension", "score"])


PLANS = {"gross_profit_flag_share": 0.1, "plans": {
    "flat": {"label_zh": "统一", "label_en": "Flat", "commission": {"kind": "flat", "rate": 0.01}},
    "tiered": {"label_en": "Tiered", "basis": "signed", "threshold": 0.5, "cap": 1.5, "commission": {"kind": "tiered", "bands": [
        {"from": 0.0, "to": 1.0, "rate": 0.01}, {"from": 1.0, "to": 1.5, "rate": 0.04}]}},
}}


def _people() -> pd.DataFrame:
    return pd.DataFrame({
        "salesperson": ["甲", "乙", "丙", "丁", "戊"], "branch": ["北京", "北京", "北京", "上海", "上海"],
        "actual": [120_000.0, 90_000.0, 40_000.0, 100_000.0, 60_000.0], "target": [100_000.0] * 5,
        "collected": [100_000.0, 90_000.0, 40_000.0, 50_000.0, 60_000.0],
        "gross_profit": [9_600.0, 7_200.0, 3_200.0, 8_000.0, 4_800.0],
    })


# ----------------------------------------------------------------------------
# one case per method class: how to build it, fit it, and which result methods to call
# ----------------------------------------------------------------------------
@dataclasses.dataclass
class Case:
    name: str
    make: object  # () -> (class, args, kwargs)
    fit: object  # (obj) -> fit's return value
    results: list  # (method, args); those the class has are called


def _forecaster():
    from salesanalytics.methods.forward import Forecaster

    return Forecaster, (12,), {"levels": (80, 95), "method": "ets", "n_sims": 300, "seed": 3}


def _backward():
    from salesanalytics.methods.backward import BackwardPlanner

    return BackwardPlanner, (_plan(),), {}


def _combined():
    from salesanalytics.methods.combined import CombinedPlanner
    from salesanalytics.methods.forward import make_forecaster

    return CombinedPlanner, (_plan(), make_forecaster(12, method="ets", n_sims=300)), {"n_draws": 300, "seed": 5}


def _tracker():
    from salesanalytics.methods.tracking import Tracker

    return Tracker, (), {}


def _scorecard():
    from salesanalytics.methods.scorecard import Scorecard

    return Scorecard, (copy.deepcopy(SCHEME),), {}


def _simulator():
    from salesanalytics.methods.incentives import PlanSimulator

    return PlanSimulator, (copy.deepcopy(PLANS),), {"n_draws": 50, "seed": 1}


LANG = ("zh",)
CASES = [
    Case("Forecaster", _forecaster, lambda o: o.fit(_history()),
         [("predict", ()), ("summary", ()), ("tables", LANG), ("target_suggestions", ()), ("outlook", ()), ("report", LANG)]),
    Case("BackwardPlanner", _backward, lambda o: o.fit(history=None),
         [("tasks", ()), ("matrix", ()), ("summary", ()), ("tables", LANG), ("excel_sheets", LANG), ("assumptions", LANG), ("delivered", ())]),
    Case("CombinedPlanner", _combined, lambda o: o.fit(_history()),
         [("evaluate", ()), ("summary", ()), ("tables", LANG), ("run", ())]),
    Case("Tracker", _tracker, lambda o: o.fit(_targets(), _actuals()),
         [("summary", ()), ("tables", LANG), ("attainment", ()), ("standing", ()), ("excel_sheets", LANG)]),
    Case("Scorecard", _scorecard, lambda o: o.fit(_kpis(), _ratings()),
         [("summary", ()), ("tables", LANG), ("ranking", LANG), ("cards", LANG), ("fairness_flags", LANG), ("excel_sheets", LANG)]),
    Case("PlanSimulator", _simulator, lambda o: o.fit(_people()),
         [("summary", ()), ("tables", LANG), ("comparison", LANG), ("cost_percentiles", ()), ("excel_sheets", LANG)]),
]


def _params(case: Case):
    return pytest.param(case, id=case.name)


# ----------------------------------------------------------------------------
# deep comparison: the same objects with the same contents
# ----------------------------------------------------------------------------
def _same(a, b, depth: int = 0) -> bool:
    if depth > 25:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, (pd.DataFrame, pd.Series, pd.Index)):
        return a.equals(b) and (not isinstance(a, pd.DataFrame) or list(a.columns) == list(b.columns))
    if isinstance(a, np.ndarray):
        return a.shape == b.shape and a.dtype == b.dtype and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k], depth + 1) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y, depth + 1) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, (str, int, float, complex, bytes, type(None), pd.Timestamp, np.generic)):
        return bool(a == b) or (a != a and b != b)
    if hasattr(a, "__dict__"):
        return _same(vars(a), vars(b), depth + 1)
    try:
        return bool(a == b)
    except Exception:  # an object without a meaningful ==: its repr stands in
        return repr(a) == repr(b)


def _snapshot(obj) -> dict:
    return {k: (v, copy.deepcopy(v)) for k, v in vars(obj).items()}


def _unchanged(obj, snapshot: dict) -> list[str]:
    now = vars(obj)
    changed = sorted(set(now) ^ set(snapshot))
    for key, (value, copied) in snapshot.items():
        if key in now and (now[key] is not value or not _same(now[key], copied)):
            changed.append(key)
    return changed


def _calls(obj, case: Case):
    present = [(name, args) for name, args in case.results if hasattr(obj, name)]
    assert present, f"{case.name} has none of the result methods {[n for n, _ in case.results]}"
    return present


# ----------------------------------------------------------------------------
# the contract
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("case", [_params(c) for c in CASES])
def test_estimator_contract(case: Case):
    cls, args, kwargs = case.make()
    obj = cls(*args, **kwargs)

    # __init__ stores every argument unchanged under its own name, and nothing else
    bound = inspect.signature(cls).bind(*args, **kwargs)
    bound.apply_defaults()
    assert set(vars(obj)) == set(bound.arguments), f"__init__ must store exactly its parameters: {sorted(vars(obj))}"
    for name, given in bound.arguments.items():
        assert vars(obj)[name] is given, f"{name} is not stored as given"
    settings = _snapshot(obj)

    # a fresh instance has no results
    for name, call_args in _calls(obj, case):
        with pytest.raises(NotFittedError):
            getattr(obj, name)(*call_args)

    # fit returns self, leaves the settings alone, and what it learns ends in _
    assert case.fit(obj) is obj
    assert _unchanged_settings(obj, settings) == []
    learned = sorted(set(vars(obj)) - set(settings))
    assert learned and all(k.endswith("_") for k in learned), f"fitted attributes must end in '_': {learned}"

    # results never change the state, and the same call gives the same answer
    state = _snapshot(obj)
    for name, call_args in _calls(obj, case):
        first = getattr(obj, name)(*call_args)
        second = getattr(obj, name)(*call_args)
        assert _same(first, second), f"{name}{call_args} gave different results on two calls"
        assert _unchanged(obj, state) == [], f"{name}{call_args} changed the state"


def _unchanged_settings(obj, settings: dict) -> list[str]:
    now = vars(obj)
    return [k for k, (v, copied) in settings.items() if now.get(k) is not v or not _same(v, copied)]
