"""The quarterly cycle: everything a quarter's report set needs, computed once, as of one day.

:func:`build_quarter_state` chains the methods in the order a planning team works through a
quarter (监督和反馈, then 结合法 for what must now happen):

1. **targets in force** — the targets file the year was run on (e.g. ``combined --out
   targets.csv``), or the plan's backward tasks (per salesperson with a roster);
2. **actuals to the as-of date** (later rows are ignored) → attainment, pace, funnel;
3. **the rest of the year simulated once** (:meth:`Tracker.year_paths`): a forecaster fitted on
   the history plus this year's closed months, joint sample paths, the run rate where a branch
   has too little history; the same paths also run ``months_beyond`` months past the year for
   the forward page's view of next year;
4. **year-end outlook** with its range and probability, and the **re-plan** of the open months
   at company, branch and salesperson level (to the fen, adding up);
5. **the combined plan as of the quarter** — the requirement against the same paths (closed
   months are actuals), hires and uplift only in the months still open;
6. **scorecard and incentives** for the period, on the same targets and actuals;
7. in Q4 (or on request) **next year's draft**: forward + backward + combined for the next year.

One number of draws and one seed drive every probability, so every page, the CLI and
``summary.json`` show the same figures for the same inputs.  The state holds frames and small
result objects only (no open files, no clock), so an adapter can keep it on disk
(:mod:`salesanalytics.adapters.cache`) and every page reads the same object.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core import config, periods
from ..core import schema as S
from ..core.exceptions import ParameterError
from ..core.labels import check_lang
from ..methods.backward import BackwardPlanner
from ..methods.combined import CombinedPlanner, CombinedRun
from ..methods.plan import Plan
from ..methods.scenarios import default_scenarios
from ..methods.tracking import COMPANY, Tracker, YearPaths
from . import evaluation


@dataclass(frozen=True)
class CycleSettings:
    """How the quarter is computed: the as-of day, the simulation and the views' choices."""

    as_of: str
    n_draws: int = config.DEFAULT_DRAWS
    seed: int = config.DEFAULT_SEED
    scenario: str = "基准"
    period: str = "ytd"
    lang: str = "zh"
    next_year: bool | None = None  # None: only in Q4
    evaluate: bool = True

    def check(self) -> CycleSettings:
        try:
            dt.date.fromisoformat(str(self.as_of))
        except ValueError:
            raise ParameterError(f"as_of '{self.as_of}' is not a date. Fix: write it as YYYY-MM-DD, e.g. 2026-09-30.") from None
        if not isinstance(self.n_draws, int) or self.n_draws < 100:
            raise ParameterError(f"n_draws must be a whole number >= 100, not {self.n_draws!r}.")
        check_lang(self.lang)
        return self


@dataclass
class CycleInputs:
    """The frames and parsed settings a quarter is computed from (read by an adapter)."""

    plan: Plan
    history: pd.DataFrame
    actuals: pd.DataFrame
    activities: pd.DataFrame | None = None
    targets: pd.DataFrame | None = None
    industry: pd.DataFrame | None = None
    scenarios: dict | None = None
    adjustments: pd.DataFrame | None = None
    roster: pd.DataFrame | None = None
    ratings: pd.DataFrame | None = None
    scheme: Any = None
    incentive_plans: Any = None


@dataclass
class QuarterState:
    """The quarter as every page sees it (see the module docstring).

    ``summary`` is the headline every page and ``summary.json`` show: ``as_of``, ``quarter``,
    ``year``, ``annual_target_yuan``, ``ytd_target_yuan``, ``ytd_actual_yuan``,
    ``ytd_attainment_pct``, ``outlook_yuan`` (mean projected year end), ``outlook_p10_yuan`` /
    ``outlook_p90_yuan`` (its 80 % range), ``probability`` (of reaching the annual target),
    ``gap_yuan`` (annual target − outlook, > 0 is a shortfall), ``remaining_task_yuan`` (what the
    open months must still deliver), ``n_draws``, ``seed``, ``targets_source``.
    """

    settings: CycleSettings
    quarter: str
    as_of: pd.Timestamp
    year: int
    targets: pd.DataFrame
    targets_source: str
    summary: dict
    review: dict
    history_to_date: pd.DataFrame
    forecast: pd.DataFrame
    combined: CombinedRun
    combined_scenario: str
    evaluation: dict | None = None
    next_year: dict | None = None
    notes: list = field(default_factory=list)
    #: the fitted planner behind ``combined`` and the adjustments it ran with: a slider panel
    #: re-evaluates on them, so at a scenario's own settings it shows exactly the scenario's tab
    combined_planner: Any = None
    combined_adjustments: pd.DataFrame | None = None
    #: how the re-forecast was made, per branch: ``weights`` (branch, model, weight, backtest_mase) and
    #: ``calendar`` (branch, month, effect_pct, used) of the fitted forecaster; None when every branch
    #: runs at the run rate (no forecaster)
    forecast_method: dict | None = None

    @property
    def headline_result(self):
        """The combined result of the headline scenario."""
        return self.combined.results[self.combined_scenario]


class ConditionedForecast:
    """The plan year as the tracker simulated it, behind the forecaster API the combined planner reads.

    ``series_`` are the tracker's branches, ``months_`` the plan year's 12 months,
    ``closed_months_`` how many of them are actuals; ``simulate`` returns the same paths for any
    seed (they were drawn once, with the state's seed), ``predict`` their mean.
    """

    def __init__(self, yp: YearPaths):
        # only the year's draws are kept (not the paths object with its fitted forecaster): the planner
        # holding this is part of the cached state, which every page unpickles
        self.series_ = tuple(yp.branches)
        self.months_ = yp.months
        self.closed_months_ = int(12 - len(yp.rem_idx))
        self._draws = yp.year_draws

    def fit(self, *args, **kwargs) -> ConditionedForecast:  # already fitted: the paths are the state's
        return self

    def simulate(self, n_draws: int | None = None, seed: int | None = None) -> np.ndarray:
        if n_draws is not None and n_draws != self._draws.shape[0]:
            raise ParameterError(f"the quarter was simulated with {self._draws.shape[0]} draws, not {n_draws}.")
        return self._draws

    def predict(self) -> pd.DataFrame:
        mean = self._draws.mean(axis=0)
        return pd.DataFrame({
            S.MONTH: np.tile(self.months_.to_numpy(), len(self.series_)),
            S.BRANCH: np.repeat(np.asarray(self.series_, dtype=object), 12).astype(str),
            "mean": mean.reshape(-1),
        })


def quarter_settings(quarter: str, **overrides) -> CycleSettings:
    """Settings as of the last day of ``quarter`` (e.g. ``2026Q3`` → 2026-09-30)."""
    return CycleSettings(as_of=periods.quarter_end(quarter), **overrides).check()


def targets_in_force(inputs: CycleInputs) -> tuple[pd.DataFrame, str]:
    """The targets file the year runs on, or the plan's backward tasks (per salesperson with a roster)."""
    if inputs.targets is not None:
        return inputs.targets, "file"
    return plan_targets(inputs.plan, inputs.history), "backward"


def plan_targets(plan: Plan, history: pd.DataFrame | None) -> pd.DataFrame:
    """The plan's backward tasks per salesperson (with a roster) or branch; split by product when the plan
    has a product mix, so tracking shows attainment by product too (the other levels are unchanged)."""
    level = "salesperson" if plan.roster is not None else "branch"
    bw = BackwardPlanner(plan).fit(history=history)
    return bw.mix_targets("product", level) if "product" in getattr(bw, "mix_", {}) else bw.tasks(level)


def history_to_date(history: pd.DataFrame, yp: YearPaths, as_of: pd.Timestamp) -> pd.DataFrame:
    """Monthly revenue per branch: the history, then this year's closed months (actuals) up to ``as_of``."""
    hist = history[history[S.MONTH] < yp.months[0]].groupby([S.MONTH, S.BRANCH], as_index=False)[S.REVENUE].sum()
    hist["kind"] = "history"
    closed = [i for i in range(12) if i not in set(yp.rem_idx.tolist())]
    this = pd.DataFrame({
        S.MONTH: np.tile(yp.months[closed].to_numpy(), len(yp.branches)),
        S.BRANCH: np.repeat(np.asarray(yp.branches, dtype=object), len(closed)).astype(str),
        S.REVENUE: yp.actual[:, closed].reshape(-1),
    })
    this = this[this[S.REVENUE] != 0]
    this["kind"] = "actual"
    return pd.concat([hist, this], ignore_index=True).sort_values([S.BRANCH, S.MONTH]).reset_index(drop=True)


def forecast_frame(yp: YearPaths) -> pd.DataFrame:
    """The months after ``as_of`` (rest of the year, then ``months_beyond``) per branch and company:
    mean and 80 % / 95 % ranges of the state's paths (tidy: branch, month, mean, lo_80, hi_80, lo_95, hi_95)."""
    parts, months = [yp.paths], list(yp.months[yp.rem_idx])
    if yp.beyond is not None and yp.beyond.shape[2]:
        beyond = np.zeros((yp.paths.shape[0], len(yp.branches), yp.beyond.shape[2]))
        for j, name in enumerate(yp.series):
            if name in yp.branches:
                beyond[:, yp.branches.index(name)] = yp.beyond[:, j]
        parts.append(beyond)
        months += list(yp.beyond_months)
    paths = np.concatenate(parts, axis=2)
    names = [COMPANY] + list(yp.branches)
    paths = np.concatenate([paths.sum(axis=1, keepdims=True), paths], axis=1)
    q = np.percentile(paths, [2.5, 10, 90, 97.5], axis=0) if paths.shape[2] else np.zeros((4, len(names), 0))
    n_m = len(months)
    return pd.DataFrame({
        S.BRANCH: np.repeat(names, n_m),
        S.MONTH: np.tile(pd.DatetimeIndex(months).to_numpy(), len(names)),
        "mean": np.round(paths.mean(axis=0).reshape(-1), 2),
        "lo_80": np.round(q[1].reshape(-1), 2),
        "hi_80": np.round(q[2].reshape(-1), 2),
        "lo_95": np.round(q[0].reshape(-1), 2),
        "hi_95": np.round(q[3].reshape(-1), 2),
    })


def as_of_scenarios(scenarios: dict | None, as_of: pd.Timestamp, year: int) -> dict:
    """Scenarios whose hiring can only start after ``as_of``: no action is dated in the past."""
    scenarios = scenarios or default_scenarios()
    first_open = 1 if as_of.year < year else as_of.month + 1 if as_of == as_of + pd.offsets.MonthEnd(0) else as_of.month
    if first_open > 12:
        first_open = 12
    return {name: sc.replace(hiring_from_month=max(sc.hiring_from_month, first_open)) for name, sc in scenarios.items()}


def headline(tracker: Tracker, outlook: pd.DataFrame, review_summary: dict, settings: CycleSettings, quarter: str,
             targets_source: str, replan_company: pd.DataFrame) -> dict:
    """The one set of headline figures (see :class:`QuarterState`), rounded to the fen."""
    company = outlook[outlook[S.BRANCH] == COMPANY].iloc[0]
    annual = float(company["annual_target"])
    open_rows = replan_company[replan_company["month_status"] == "open"]
    remaining = float(open_rows["new_task_fen"].sum()) / 100 - float(open_rows["actual_fen"].sum()) / 100
    return {
        "quarter": quarter,
        "as_of": f"{tracker.as_of_:%Y-%m-%d}",
        "year": int(tracker.year_),
        "annual_target_yuan": round(annual, 2),
        "ytd_target_yuan": round(float(review_summary["ytd_target_yuan"]), 2),
        "ytd_actual_yuan": round(float(review_summary["ytd_actual_yuan"]), 2),
        "ytd_attainment_pct": round(float(review_summary["ytd_attainment_pct"]), 1),
        "outlook_yuan": round(float(company["projected_year_end"]), 2),
        "outlook_p10_yuan": round(float(company["lo_80"]), 2),
        "outlook_p90_yuan": round(float(company["hi_80"]), 2),
        "outlook_attainment_pct": round(float(company["projected_attainment_pct"]), 1),
        "probability": round(float(company["prob_reach_target"]), 4),
        "gap_yuan": round(annual - float(company["projected_year_end"]), 2),
        "remaining_task_yuan": round(remaining, 2),
        "n_draws": settings.n_draws,
        "seed": settings.seed,
        "targets_source": targets_source,
    }


def build_quarter_state(inputs: CycleInputs, settings: CycleSettings) -> QuarterState:
    """Everything the quarter's pages need, computed once (see the module docstring)."""
    settings = settings.check()
    as_of = pd.Timestamp(settings.as_of)
    quarter = periods.quarter_of(as_of.date())
    targets, source = targets_in_force(inputs)
    tracker = Tracker(as_of=as_of).fit(targets, inputs.actuals, inputs.activities)
    evaluate = settings.evaluate and inputs.scheme is not None and inputs.incentive_plans is not None
    # the evaluation's start-of-year forecast (history only) is begun now: with many series its fits run
    # in the worker processes while this year's paths, the re-plan and the combined plan are computed
    reference = evaluation.begin_reference_forecast(inputs.history, int(tracker.year_)) if evaluate else None
    try:
        return _build_state(inputs, settings, as_of, quarter, targets, source, tracker, evaluate, reference)
    except BaseException as exc:
        if reference is not None:
            reference.cancel(interrupted=not isinstance(exc, Exception))
        raise


def _build_state(inputs, settings, as_of, quarter, targets, source, tracker, evaluate, reference) -> QuarterState:
    yp = tracker.year_paths(inputs.history, n_draws=settings.n_draws, seed=settings.seed)
    review = tracker.review(inputs.history, n_draws=settings.n_draws, seed=settings.seed, paths=yp)
    review["replan_company"] = tracker.replan("company")
    summary = headline(tracker, review["outlook"], review["summary"], settings, quarter, source, review["replan_company"])

    # 结合法 as of the quarter: the requirement against the same paths; actions only in open months
    planner = CombinedPlanner(inputs.plan, forecaster=ConditionedForecast(yp), n_draws=settings.n_draws, seed=settings.seed)
    planner.fit(inputs.history)
    scenarios = as_of_scenarios(inputs.scenarios, as_of, tracker.year_)
    run = planner.run(scenarios, adjustments=inputs.adjustments)
    scenario = settings.scenario if settings.scenario in run.results else next(iter(run.results))

    state = QuarterState(
        settings=settings, quarter=quarter, as_of=as_of, year=int(tracker.year_), targets=targets, targets_source=source,
        summary=summary, review=review, history_to_date=history_to_date(inputs.history, yp, as_of),
        forecast=forecast_frame(yp), combined=run, combined_scenario=scenario,
        combined_planner=planner, combined_adjustments=inputs.adjustments,
    )
    if yp.note:
        state.notes.append(yp.note)
    if yp.forecaster is not None and hasattr(yp.forecaster, "model_weights"):
        state.forecast_method = {"weights": yp.forecaster.model_weights(), "calendar": yp.forecaster.calendar_effect(),
                                 "market_pct": yp.forecaster.market_floor_pct()}
    if evaluate:
        state.evaluation = evaluation.evaluate_tracked(
            tracker, inputs.history, inputs.roster if inputs.roster is not None else inputs.plan.roster, inputs.actuals,
            inputs.activities, inputs.ratings, inputs.scheme, inputs.incentive_plans, targets=targets, year_paths=yp,
            period=settings.period, n_draws=settings.n_draws, seed=settings.seed, lang=settings.lang, reference=reference)
    if settings.next_year or (settings.next_year is None and as_of.quarter == 4):
        state.next_year = next_year_draft(inputs, yp, settings, forecast=state.forecast)
    return state


def next_year_draft(inputs: CycleInputs, yp: YearPaths, settings: CycleSettings,
                    forecast: pd.DataFrame | None = None) -> dict:
    """Q4: next year's draft — the forward view of next year from the same paths beside this year's outlook.

    The draft backward plan needs next year's targets (a plan file for next year); without one,
    the draft shows the forecast only and says so.  ``forecast``: :func:`forecast_frame` of ``yp``
    when already computed (the state's).
    """
    fc = forecast if forecast is not None else forecast_frame(yp)
    nxt = fc[pd.DatetimeIndex(fc[S.MONTH]).year == yp.months[0].year + 1]
    annual = nxt.groupby(S.BRANCH, sort=False)["mean"].sum()
    return {"year": int(yp.months[0].year + 1), "forecast": nxt.reset_index(drop=True), "annual_forecast": annual}


def quarter_changes(state: QuarterState) -> dict:
    """What changed since the previous quarter's end, from the state's own company re-plan (nothing recomputed).

    The closed months of ``state.review["replan_company"]`` hold each month's actual and original task
    to the fen, so the year to date *at the previous quarter end* is a sum over the months up to it;
    today's figures are those of ``state.summary``.  Keys: ``quarter``, ``first_review`` (True in
    the year's first quarter: there is no earlier quarter of the year, and no other key), then
    ``previous_quarter``, ``previous_as_of``, ``previous_ytd_actual_yuan``, ``previous_ytd_target_yuan``,
    ``previous_ytd_attainment_pct`` (one decimal, as the summary's), ``ytd_attainment_change_pts``
    (today's rounded attainment minus the previous one, in percentage points), ``quarter_actual_yuan``,
    ``quarter_target_yuan`` and ``quarter_attainment_pct`` (the months after the previous quarter end up to
    the as-of date).  Money to the fen.
    """
    q = int(state.as_of.quarter)
    out: dict = {"quarter": state.quarter, "first_review": q == 1}
    if q == 1:
        return out
    previous = f"{state.as_of.year}Q{q - 1}"
    rc = state.review["replan_company"]
    months = pd.DatetimeIndex(rc[S.MONTH]).month.to_numpy()
    closed = (rc["month_status"] != "open").to_numpy()
    before, since = closed & (months <= 3 * (q - 1)), closed & (months > 3 * (q - 1))

    def fen(mask, column) -> int:
        return int(rc.loc[mask, column].sum())

    def pct(actual: int, target: int):
        return round(actual / target * 100, 1) if target else None

    prev_actual, prev_target = fen(before, "actual_fen"), fen(before, "planned_task_fen")
    q_actual, q_target = fen(since, "actual_fen"), fen(since, "planned_task_fen")
    prev_pct = pct(prev_actual, prev_target)
    now_pct = state.summary["ytd_attainment_pct"]
    out.update({
        "previous_quarter": previous,
        "previous_as_of": f"{periods.quarter_end(previous)}",
        "previous_ytd_actual_yuan": prev_actual / 100,
        "previous_ytd_target_yuan": prev_target / 100,
        "previous_ytd_attainment_pct": prev_pct,
        "ytd_attainment_change_pts": None if prev_pct is None else round(float(now_pct) - prev_pct, 1),
        "quarter_actual_yuan": q_actual / 100,
        "quarter_target_yuan": q_target / 100,
        "quarter_attainment_pct": pct(q_actual, q_target),
    })
    return out
