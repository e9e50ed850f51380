"""The :class:`Tracker` facade: settings, ``fit``, and one thin method per view."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields

import pandas as pd

from ...core import schema as S
from ...core.exceptions import NotFittedError
from . import attainment as _attainment
from . import cadence as _cadence
from . import display as _display
from . import outlook as _outlook
from . import replan as _replan
from .data import TrackingData, prepare


class Tracker:
    """Track actuals against targets (监督和反馈).

    Parameters
    ----------
    as_of : date-like or None
        The day the review is made.  Actuals after it are left out; it must lie in
        the plan year.  ``None``: the last day with actuals (the month end for
        monthly actuals).  The tracker does not know today's date: a caller that
        takes the date from a person checks that it is not in the future.
    thresholds : mapping, optional
        Status light thresholds in percent of the time-adjusted target,
        ``{"green": 100, "yellow": 90}`` by default.
    measure : ``"sales"`` or ``"gross_profit"``
        ``sales`` compares actual ``revenue`` with ``sales_task``;
        ``gross_profit`` compares ``gross_profit`` with ``gross_profit_task``.
    duplicates : ``"error"`` or ``"sum"``
        What to do with actual rows sharing a key: stop with a DataError naming
        the rows (default), or add them up (reported in :meth:`duplicates_found`).

    After :meth:`fit`: ``data_`` (the :class:`~.data.TrackingData` every view
    reads) and, for reading, each of its fields with a trailing ``_``:
    ``year_``, ``as_of_``, ``granularity_``, ``thresholds_``, ``targets_``
    (month × keys, integer fen), ``credits_`` (credited actuals per day or
    month × keys, integer fen), ``monthly_`` (actual and target per month ×
    keys), ``keys_``, ``product_monthly_``, ``unmatched_``, ``duplicates_``,
    ``activities_``, ``rows_after_as_of_`` ...  The views never change the tracker.
    """

    def __init__(self, as_of=None, thresholds: Mapping[str, float] | None = None, measure: str = "sales", duplicates: str = "error"):
        self.as_of = as_of
        self.thresholds = thresholds
        self.measure = measure
        self.duplicates = duplicates

    def fit(self, targets: pd.DataFrame, actuals: pd.DataFrame, activities: pd.DataFrame | None = None) -> Tracker:
        """Check and align targets, actuals and (optional) activity records; returns ``self``."""
        data = prepare(targets, actuals, activities, as_of=self.as_of, thresholds=self.thresholds, measure=self.measure, duplicates=self.duplicates)
        self.data_ = data
        for f in fields(TrackingData):  # the same objects under the estimator's names (year_, as_of_, monthly_, ...)
            setattr(self, f"{f.name}_", getattr(data, f.name))
        return self

    def _data(self) -> TrackingData:
        if not hasattr(self, "data_"):
            raise NotFittedError("Tracker is not fitted yet; call fit(targets, actuals) first.")
        return self.data_

    # -- where do we stand -----------------------------------------------------
    def attainment(self, level: str = "branch", period: str = "ytd") -> pd.DataFrame:
        """Actual vs target for one level and period; see :func:`.attainment.attainment`."""
        return _attainment.attainment(self._data(), level, period)

    def standing(self) -> pd.DataFrame:
        """Company and branch standing: one row per company/branch with month, QTD and YTD attainment."""
        return _attainment.standing(self._data())

    def summary(self, lang: str = "zh") -> dict:
        """Headline numbers of the company (floats in yuan); ``status`` as a word in ``lang``."""
        return _attainment.summary(self._data(), lang)

    def unmatched(self) -> pd.DataFrame:
        """Actuals whose branch (or branch/salesperson) has no target: keys, in_targets (branch known), rows, actual."""
        return self._data().unmatched.copy()

    def duplicates_found(self) -> pd.DataFrame:
        """The duplicated actual rows detected (empty when there were none), with their file row."""
        return self._data().duplicates.copy()

    # -- where will we end the year, what must each key now deliver -------------
    def year_paths(self, history: pd.DataFrame | None = None, *, n_draws: int = 1000, seed: int = 0, min_months: int = 24,
                   forecaster=None, months_beyond: int = _outlook.MONTHS_BEYOND) -> _outlook.YearPaths:
        """The plan year simulated once (actuals + re-forecast paths); pass it as ``paths=`` to the views."""
        return _outlook.year_paths(self._data(), history, n_draws=n_draws, seed=seed, min_months=min_months,
                                   forecaster=forecaster, months_beyond=months_beyond)

    def outlook(self, history: pd.DataFrame | None = None, *, n_draws: int = 1000, seed: int = 0, min_months: int = 24, forecaster=None,
                paths: _outlook.YearPaths | None = None) -> pd.DataFrame:
        """Projected year-end per branch and for the company; see :func:`.outlook.year_end_outlook`.

        Why the run rate was used for every branch, if it was, is in ``.attrs["note"]`` (None otherwise).
        """
        return _outlook.year_end_outlook(self._data(), history, n_draws=n_draws, seed=seed, min_months=min_months,
                                         forecaster=forecaster, paths=paths).table

    def outlook_monthly(self, history: pd.DataFrame | None = None, **kwargs) -> pd.DataFrame:
        """The outlook month by month, for charts: branch (``全公司`` first), month, ``target``,
        ``actual`` (NaN for months not started), ``projected`` (actual + mean re-forecast),
        ``lo_80``/``hi_80`` and ``kind`` (actual / forecast); same arguments as :meth:`outlook`."""
        return _outlook.year_end_outlook(self._data(), history, **kwargs).monthly

    def replan(self, level: str = "branch") -> pd.DataFrame:
        """Re-plan the rest of the year, exact to the fen and consistent between levels; see :func:`.replan.replan`."""
        return _replan.replan(self._data(), level)

    # -- cadence ----------------------------------------------------------------
    def daily_pace(self, level: str = "branch") -> pd.DataFrame:
        """Required pace per remaining working day of the month ahead; see :func:`.cadence.daily_pace`."""
        return _cadence.daily_pace(self._data(), level)

    def weekly(self, level: str = "branch") -> pd.DataFrame:
        """每周进程管理: per week up to the as-of date; see :func:`.cadence.weekly`."""
        return _cadence.weekly(self._data(), level)

    def daily_checks(self, start=None, end=None, level: str = "branch") -> pd.DataFrame:
        """The daily three checks per branch and day; see :func:`.cadence.daily_checks`."""
        return _cadence.daily_checks(self._data(), start, end, level)

    def funnel(self, period: str = "ytd", level: str = "branch") -> pd.DataFrame:
        """Process → result funnel from the activity records; see :func:`.cadence.funnel`."""
        return _cadence.funnel(self._data(), period, level)

    # -- everything at once -------------------------------------------------------
    def review(self, history: pd.DataFrame | None = None, *, n_draws: int = 1000, seed: int = 0,
               paths: _outlook.YearPaths | None = None) -> dict[str, pd.DataFrame | dict]:
        """Everything a quarterly review needs, in one call (tidy frames keyed by name).

        Keys: ``summary`` (dict), ``standing``, ``attainment_branch``,
        ``attainment_salesperson`` / ``attainment_product`` (when available, all
        three periods stacked), ``outlook``, ``outlook_monthly``, ``replan_branch``,
        ``replan_salesperson``, ``pace_branch``, ``pace_salesperson``,
        ``weekly``, ``daily_checks``, ``funnel``, ``unmatched``, ``duplicates``.
        The outlook is computed once for both outlook tables (or taken from ``paths``).
        """
        d = self._data()
        # the re-forecast (the longest part with many branches) is begun first and runs in the forecaster's
        # worker processes while the other views are computed here; the same paths as computed in turn
        later = _outlook.begin_year_paths(d, history, n_draws=n_draws, seed=seed) if paths is None else None
        try:
            out, views = self._review_views(d)
            outlook = _outlook.year_end_outlook(d, paths=later() if later is not None else paths)
        except BaseException as exc:
            if later is not None:
                later.cancel(interrupted=not isinstance(exc, Exception))
            raise
        out["outlook"] = outlook.table
        out["outlook_monthly"] = outlook.monthly
        out.update(views)
        return out

    def _review_views(self, d) -> tuple[dict, dict]:
        """The review's views other than the outlook: those before it and those after it, in order."""
        out: dict = {"summary": self.summary("en"), "standing": self.standing(), "attainment_branch": self.attainment("branch", "all")}
        if S.SALESPERSON in d.keys:
            out["attainment_salesperson"] = self.attainment("salesperson", "all")
        if d.product_monthly is not None:
            out["attainment_product"] = self.attainment("product", "all")
        rest: dict = {}
        rest["replan_branch"] = self.replan("branch")
        if S.SALESPERSON in d.keys:
            rest["replan_salesperson"] = self.replan("salesperson")
        if d.as_of + pd.Timedelta(days=1) <= pd.Timestamp(year=d.year, month=12, day=31):
            rest["pace_branch"] = self.daily_pace("branch")
            if S.SALESPERSON in d.keys:
                rest["pace_salesperson"] = self.daily_pace("salesperson")
        if d.granularity == "day":
            rest["weekly"] = self.weekly("branch")
            rest["daily_checks"] = self.daily_checks()
        rest["funnel"] = self.funnel()
        rest["unmatched"] = self.unmatched()
        rest["duplicates"] = self.duplicates_found()
        return out, rest

    def excel_sheets(self, lang: str = "zh", history: pd.DataFrame | None = None, *, review: dict | None = None) -> dict[str, pd.DataFrame]:
        """Sheets for the Excel output, with Chinese or English headers (exact ``*_fen`` columns dropped)."""
        return _display.excel_sheets(review if review is not None else self.review(history), lang)


def track(targets: pd.DataFrame, actuals: pd.DataFrame, activities: pd.DataFrame | None = None, **settings) -> Tracker:
    """Convenience: ``Tracker(**settings).fit(targets, actuals, activities)``."""
    return Tracker(**settings).fit(targets, actuals, activities)
