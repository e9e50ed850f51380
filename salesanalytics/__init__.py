"""salesanalytics: set and run sales targets (正推法 forward, 倒推法 backward, 结合法 combined).

The public API is small and imports lazily, so ``import salesanalytics`` stays
light (no statsmodels, matplotlib or Jupyter at import time)::

    import salesanalytics as sa
    plan = sa.read_plan("data/seed_case_2012.yaml")
    planner = sa.BackwardPlanner(plan).fit()
    planner.matrix()
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

from .exceptions import (  # noqa: E402  (light: stdlib only)
    DataError,
    ForecastError,
    GoalSeekError,
    NotFittedError,
    ParameterError,
    PlanError,
    ReportError,
    SalesAnalyticsError,
)

#: public name -> module that defines it (imported on first use)
_LAZY = {
    "BackwardPlanner": "backward",
    "plan_backward": "backward",
    "Plan": "plan",
    "read_plan": "io",
    "read_history": "io",
    "read_roster": "io",
    "read_industry": "io",
    "read_targets": "io",
    "read_forecast": "io",
    "write_table": "io",
    "write_excel": "io",
    "render_reports": "report",
    "Forecaster": "forward",
    "forecast": "forward",
    "CombinedPlanner": "combined",
    "plan_combined": "combined",
    "Scenario": "scenarios",
    "read_scenarios": "io",
    "read_adjustments": "io",
    "Scorecard": "scorecard",
    "PlanSimulator": "incentives",
    "evaluate_year": "incentives",
    "evaluate_kpis": "incentives",
    "read_evaluation_inputs": "io",
    "read_ratings": "io",
    "read_scorecard_scheme": "io",
    "read_incentive_plans": "io",
    "Tracker": "tracking",
    "track": "tracking",
    "read_actuals": "io",
    "read_activities": "io",
}

__all__ = [
    "__version__",
    "SalesAnalyticsError",
    "DataError",
    "PlanError",
    "ParameterError",
    "GoalSeekError",
    "NotFittedError",
    "ForecastError",
    "ReportError",
    *_LAZY,
]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'salesanalytics' has no attribute '{name}'")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(__all__)
