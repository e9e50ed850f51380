"""Paths and project-wide defaults, built in one place (cookiecutter-data-science)."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
#: The repository root when running from a checkout (``pip install -e .``).
PROJECT_DIR = PACKAGE_DIR.parent


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


#: Bundled data (synthetic history, the handbook's seed case, plans).
DATA_DIR = _env_path("SALESANALYTICS_DATA", PROJECT_DIR / "data")
#: Where rendered reports go.
REPORTS_DIR = _env_path("SALESANALYTICS_REPORTS", PROJECT_DIR / "reports")
#: The notebooks that the report pipeline executes.
NOTEBOOKS_DIR = _env_path("SALESANALYTICS_NOTEBOOKS", PROJECT_DIR / "notebooks")

#: File names of the bundled data set.
PLAN_FILE = "plan_2026.yaml"
HISTORY_FILE = "history_monthly.csv"
INDUSTRY_FILE = "industry_market_size.csv"
ROSTER_FILE = "roster_2026.csv"
ACTUALS_FILE = "actuals_2026.csv"
ACTIVITIES_FILE = "activities_2026.csv"
RATINGS_FILE = "ratings_2026.csv"
SCORECARD_SCHEME_FILE = "scorecard_scheme.yaml"
INCENTIVE_PLANS_FILE = "incentive_plans.yaml"
CUSTOMERS_FILE = "customers_2026.csv"
CUSTOMER_ACTIVITIES_FILE = "customer_activities_2026.csv"


def data_path(name: str, data_dir: Path | str | None = None) -> Path:
    """Path of a bundled data file, under ``data_dir`` or :data:`DATA_DIR`."""
    return Path(data_dir or DATA_DIR) / name

#: Computed quarter states (see salesanalytics.adapters.cache); safe to delete at any time.
CACHE_DIR = _env_path("SALESANALYTICS_CACHE", PROJECT_DIR / ".cache")

#: One number of simulated paths and one seed for every page, the CLI and summary.json.
DEFAULT_DRAWS = 1000
DEFAULT_SEED = 0
