"""salesanalytics: set and run sales targets (正推法 forward, 倒推法 backward, 结合法 combined).

The public API is small and imports lazily, so ``import salesanalytics`` stays
light (no statsmodels, matplotlib or Jupyter at import time)::

    import salesanalytics as sa
    plan = sa.read_plan("data/seed_case_2012.yaml")
    planner = sa.BackwardPlanner(plan).fit()
    planner.matrix()
    sa.text("title_backward_plan", "en")   # every user-facing word, in zh and en
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

from .core.exceptions import (  # noqa: E402  (light: stdlib only)
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
    "BackwardPlanner": "methods.backward",
    "plan_backward": "methods.backward",
    "Plan": "methods.plan",
    "read_plan": "adapters.io",
    "read_history": "adapters.io",
    "read_roster": "adapters.io",
    "read_industry": "adapters.io",
    "read_targets": "adapters.io",
    "read_forecast": "adapters.io",
    "write_table": "adapters.io",
    "write_excel": "adapters.io",
    "render_reports": "adapters.report",
    "Forecaster": "methods.forward",
    "make_forecaster": "methods.forward",
    "forecast": "methods.forward",
    "CombinedPlanner": "methods.combined",
    "plan_combined": "methods.combined",
    "Scenario": "methods.scenarios",
    "read_scenarios": "adapters.io",
    "read_adjustments": "adapters.io",
    "Scorecard": "methods.scorecard",
    "PlanSimulator": "methods.incentives",
    "evaluate_year": "orchestration.evaluation",
    "evaluate_kpis": "orchestration.evaluation",
    "read_evaluation_inputs": "adapters.io",
    "read_ratings": "adapters.io",
    "read_scorecard_scheme": "adapters.io",
    "read_incentive_plans": "adapters.io",
    "Tracker": "methods.tracking",
    "track": "methods.tracking",
    "read_actuals": "adapters.io",
    "read_activities": "adapters.io",
    "CustomerValue": "methods.customers",
    "LifetimeValue": "methods.clv",
    "read_customer_inputs": "adapters.io",
    "read_customer_deals": "adapters.io",
    "read_customer_activities": "adapters.io",
    "read_customers": "adapters.io",
    "label": "core.labels",
    "text": "core.labels",
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
