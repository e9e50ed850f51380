"""结合法, the combined method: the forecast against the required target.

The handbook's 结合法 puts 正推 (forward: what the business will likely do) and
倒推 (backward: what it must do) side by side.  :class:`CombinedPlanner` is
built from the two existing objects, never a copy of them:

* :class:`salesanalytics.methods.backward.BackwardPlanner` gives the required sales
  task per branch x month in exact fen, the team's capacity, new branches with
  their ramp-up, and ``plan.replace(...)`` for slider-style changes;
* :class:`salesanalytics.methods.forward.Forecaster` gives the forecast mean and
  joint sample paths (``simulate``) whose correlation across branches and
  months comes from the history's residuals.

Rhythm (the estimator contract of every method class): the plan is a *setting*
(configuration read from a YAML), the history is data::

    planner = CombinedPlanner(plan, n_draws=2000, seed=0).fit(history)
    result = planner.evaluate(blend=0.5)    # one scenario: a CombinedResult
    result.targets()                        # month, branch, sales_task, gross_profit_task: tracking reads it
    planner.run(scenarios, adjustments=...) # several scenarios side by side: a CombinedRun

``fit`` fits the forecast and simulates once; ``evaluate(...)`` re-uses both, so a
slider that moves the blend weight or the margin re-runs the whole combined plan
in milliseconds.  ``summary()`` / ``tables(lang)`` are those of ``evaluate()``.

Definitions (all amounts are sales/revenue in yuan, the unit of the forecast):

* **gap** = required task - forecast mean (positive: the forecast falls
  short); gap % = gap / required task.
* **probability of attainment** = share of simulated paths whose sum over the
  period reaches the task; **expected shortfall** = mean of
  max(task - simulated sales, 0) in yuan.
* **status**, from that probability (:data:`STATUS_THRESHOLDS`):
  on track >= 50 % (the forecast median reaches it), stretch 20-50 % (up to
  a P80 "stretch" forecast), at risk 5-20 %, out of reach < 5 %.  A task of 0
  (a new branch before it opens) is on track.
* **new branches** have no history: their forecast is their capacity
  (headcount x gross profit per head x ramp x phasing / margin, from the
  backward planner) and it varies, month by month and path by path, like its
  ``comparable`` branch (or the company total when none is named).

The bridge from forecast to requirement (per branch, then the company
waterfall): forecast of today's branches, + new branches, + productivity
uplift of today's team (a fraction of its forecast), + new hires (sized
per branch to close what is left; hired from ``hiring_from_month``, working
``hire_lead_time_months`` later but not before the plan's
``hires_productive_from`` nor the branch's opening, ramping up, leaving at the
attrition rate, at most ``max_hires_per_branch_month`` a month), - surplus of
branches that beat their task, + what is still open (not closable by hiring
this year) = the requirement.  Every step adds up to the requirement exactly.
"""

from __future__ import annotations

import copy
import math
from decimal import Decimal
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core import schema as S
from ..core.exceptions import ForecastError, NotFittedError, ParameterError, PlanError, suggest
from ..core.labels import check_lang, label_columns, label_values, text, value
from ..core.money import allocate, allocate_grouped, to_fen
from .adjustments import Adjustment, apply_adjustments, parse_adjustments
from .backward import BackwardPlanner, branch_arrays, wide_matrix
from .plan import Plan
from .scenarios import BASE, Scenario, check_fraction, default_scenarios

#: lower probability bounds of on track / stretch / at risk; below the last: out of reach
STATUS_THRESHOLDS = (0.5, 0.2, 0.05)
STATUSES = ("on track", "stretch", "at risk", "out of reach")
#: the forecast range shown in the gap tables: the 80 % interval (P10..P90) of the simulated paths
RANGE_QUANTILES = (0.10, 0.90)
#: quantiles of the annual sums reported per branch and company: P10, P20, P50, P80, P90
ANNUAL_QUANTILES = (0.1, 0.2, 0.5, 0.8, 0.9)

#: coded values of the tables and the label kind that shows them as words
VALUE_KINDS = {"status": "gap_status", "is_new_branch": "bool", "adjusted": "bool", "step": "bridge_step",
               "kind": "bridge_kind", "level": "combined_level"}


# ----------------------------------------------------------------------------
# numeric kernels (arrays only)
# ----------------------------------------------------------------------------
def attainment(draws: np.ndarray, task: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Probability that the simulated amount reaches ``task``, and the expected shortfall.

    ``draws``: (n_draws, ...) simulated amounts; ``task`` broadcasts against one
    draw.  Returns ``(P(X >= task), E[max(task - X, 0)])`` per element.
    """
    d = np.asarray(draws, dtype=float)
    t = np.asarray(task, dtype=float)
    prob = (d >= t).mean(axis=0)
    shortfall = np.maximum(t - d, 0.0).mean(axis=0)
    return prob, shortfall


def status_of(probability, thresholds=STATUS_THRESHOLDS) -> np.ndarray:
    """Status label per probability (see :data:`STATUS_THRESHOLDS`)."""
    p = np.asarray(probability, dtype=float)
    on, stretch, risk = thresholds
    out = np.full(p.shape, STATUSES[3], dtype=object)
    out[p >= risk] = STATUSES[2]
    out[p >= stretch] = STATUSES[1]
    out[p >= on] = STATUSES[0]
    return out


def allocate_rows(total_fen: int, weights: np.ndarray, row_totals_fen: np.ndarray | None = None) -> np.ndarray:
    """Split a total over (rows x months) rows first, then each row over its months.

    Rows are branches: each branch's annual total is exact first (largest
    remainder), so a rule like "not below the requirement" holds to the fen
    for the branch, and months then reconcile to their branch.
    ``row_totals_fen`` skips the first split when the branch totals are given.
    """
    w = np.asarray(weights, dtype=float)
    n_rows, n_cols = w.shape
    rows = allocate(int(total_fen), w.sum(axis=1)) if row_totals_fen is None else np.asarray(row_totals_fen, dtype=np.int64)
    flat = w.reshape(-1).copy()
    group = np.repeat(np.arange(n_rows), n_cols)
    empty = (w.sum(axis=1) <= 0) & (rows != 0)
    if empty.any():  # a row with a total but no shape: spread it evenly
        flat.reshape(n_rows, n_cols)[empty] = 1.0
    return allocate_grouped(rows, group, flat).reshape(n_rows, n_cols)


def hire_value(rpm: np.ndarray, first_ok: np.ndarray, lead: int, ramp, keep_monthly: float) -> np.ndarray:
    """Sales of one hire per month: (branches x hiring month x month), yuan.

    ``rpm``: full-productivity sales per head per month (branches x 12);
    ``first_ok``: first month index (0-based) a hire of each branch may work.
    A hire started in month h works from p = max(h + lead, first_ok), at
    ``ramp[k]`` of full productivity in its k-th month, and is still there with
    probability ``keep_monthly ** k``.
    """
    n = rpm.shape[0]
    ramp = np.asarray(ramp, dtype=float)
    out = np.zeros((n, 12, 12))
    months = np.arange(12)
    for b in range(n):
        for h in range(12):
            p = max(h + lead, int(first_ok[b]))
            if p > 11:
                continue
            k = months[p:] - p
            r = np.where(k < ramp.size, ramp[np.minimum(k, ramp.size - 1)], 1.0)
            out[b, h, p:] = rpm[b, p:] * r * keep_monthly ** k
    return out


def hire_schedule(gap: np.ndarray, value: np.ndarray, start: int, max_per_month: int) -> np.ndarray:
    """Hires per branch x hiring month that close ``gap`` (yuan) as early as possible.

    Greedy: from month ``start`` (0-based) on, hire up to ``max_per_month``
    a month until the expected sales of the hires cover the gap; the last
    month's number is rounded up.  Returns int hires (branches x 12).
    """
    n = gap.shape[0]
    hires = np.zeros((n, 12), dtype=np.int64)
    per_hire = value.sum(axis=2)  # (branches, hiring month)
    for b in range(n):
        remaining = float(gap[b])
        for h in range(start, 12):
            if remaining <= 1e-6 or max_per_month <= 0:
                break
            v = per_hire[b, h]
            if v <= 0:
                break
            k = min(max_per_month, math.ceil(round(remaining / v, 9)))
            hires[b, h] = k
            remaining -= k * v
    return hires


# ----------------------------------------------------------------------------
# results
# ----------------------------------------------------------------------------
def _labelled(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` with every header and coded value in words (the same columns, in the same order)."""
    return label_columns(label_values(frame, lang, VALUE_KINDS), lang, "combined")


@dataclass
class CombinedResult:
    """Every table of one combined plan (one scenario), tidy and in yuan.

    ``gap_month`` (branch x month), ``gap_branch`` (branch-year),
    ``gap_company`` (one row), ``target_table`` (branch x month: the
    recommended target in exact fen and yuan, before adjustments, the
    requirement and the forecast), ``bridge`` (company waterfall steps),
    ``bridge_branch``, ``staffing`` (hires per branch x hiring month),
    ``staffing_branch``, ``adjustment_log`` and ``summary`` (the headline
    figures, a dict of raw numbers: see :meth:`CombinedPlanner.evaluate`).

    :meth:`targets` gives the recommended targets in the targets format that
    tracking reads; :meth:`tables` every table by name, labelled.
    """

    scenario: Scenario
    plan: Plan
    gap_month: pd.DataFrame
    gap_branch: pd.DataFrame
    gap_company: pd.DataFrame
    target_table: pd.DataFrame
    bridge: pd.DataFrame
    bridge_branch: pd.DataFrame
    staffing: pd.DataFrame
    staffing_branch: pd.DataFrame
    adjustment_log: pd.DataFrame
    summary: dict = field(default_factory=dict)

    #: table name (as in :meth:`tables` and the workbook) -> attribute
    TABLES = {"gap_month": "gap_month", "gap_branch": "gap_branch", "gap_company": "gap_company", "targets": "target_table",
              "bridge": "bridge", "bridge_branch": "bridge_branch", "staffing": "staffing", "staffing_branch": "staffing_branch",
              "adjustment_log": "adjustment_log"}

    def raw_tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name with its column keys and coded values (what :meth:`tables` labels)."""
        return {name: getattr(self, attr) for name, attr in self.TABLES.items()}

    def tables(self, lang: str = "zh") -> dict[str, pd.DataFrame]:
        """All tables by name, headers and coded values (status, yes/no, bridge steps) in ``lang``."""
        check_lang(lang)
        return {name: _labelled(frame, lang) for name, frame in self.raw_tables().items()}

    def targets(self) -> pd.DataFrame:
        """The recommended targets in the targets format tracking reads (``io.read_targets``, ``Tracker.fit``).

        Columns: month, branch, sales_task (yuan, exactly the fen of ``target_table.target_fen``
        / 100) and gross_profit_task: each branch's annual sales target times its gross margin
        (the branch's own, else the plan's), rounded to the fen, then spread over its months in
        proportion to their sales targets by largest remainder, so months sum exactly to the branch
        and branches to the company.
        """
        t = self.target_table
        names = list(self.plan.branch_names)
        n_b = len(names)
        sales_fen = t["target_fen"].to_numpy(dtype=np.int64).reshape(n_b, 12)
        margin = branch_arrays(self.plan)["margin"]
        gp_branch = np.array([to_fen(Decimal(int(row)) * Decimal(str(m)) / 100) for row, m in zip(sales_fen.sum(axis=1), margin)],
                             dtype=np.int64)
        gp_fen = allocate_rows(int(gp_branch.sum()), sales_fen.astype(float), gp_branch)
        return pd.DataFrame({
            S.MONTH: t[S.MONTH].to_numpy(),
            S.BRANCH: t[S.BRANCH].to_numpy(),
            "sales_task": sales_fen.reshape(-1) / 100,
            "gross_profit_task": gp_fen.reshape(-1) / 100,
        })

    def target_matrix(self, lang: str = "zh") -> pd.DataFrame:
        """The wide 任务分解表 of the recommended targets (branches x months + totals, yuan)."""
        return wide_matrix(self.target_table, self.plan.branch_names, "target_fen", lang)

    def headline(self, lang: str = "zh") -> str:
        """The company-level answer in a few lines: forecast vs requirement, probability, hires."""
        s = self.summary
        return "\n".join([
            text("cb_headline_forecast", lang, name=self.scenario.label(lang), forecast=s["forecast_yuan"], p10=s["forecast_p10_yuan"],
                 p90=s["forecast_p90_yuan"], required=s["required_yuan"], gap=s["gap_yuan"], gap_pct=s["gap_pct"],
                 status=value("gap_status", s["status"], lang)),
            text("cb_headline_odds", lang, probability=s["probability"], shortfall=s["expected_shortfall_yuan"],
                 with_actions=s["probability_with_actions"]),
            text("cb_headline_actions", lang, target=s["target_yuan"], probability_target=s["probability_target"], hires=s["hires"],
                 uplift=self.scenario.productivity_uplift, open=s["open_yuan"]),
        ])


@dataclass
class CombinedRun:
    """Several scenarios side by side: ``results[name]`` and the ``comparison`` table."""

    results: dict[str, CombinedResult]
    comparison: pd.DataFrame

    def tables(self, lang: str = "zh") -> dict[str, pd.DataFrame]:
        """Every table, all scenarios stacked in long format (a ``scenario`` column first), plus the comparison."""
        check_lang(lang)
        out = {"comparison": _labelled(self.comparison, lang)}
        for name in CombinedResult.TABLES:
            frames = []
            for key, res in self.results.items():
                frame = res.raw_tables()[name]
                frames.append(frame.assign(scenario=key)[["scenario", *frame.columns]])
            frames = [f for f in frames if not f.empty] or frames[:1]
            out[name] = _labelled(pd.concat(frames, ignore_index=True), lang)
        return out

    def excel_sheets(self, lang: str = "zh") -> dict[str, pd.DataFrame]:
        """Sheets for ``io.write_excel``: the comparison, then one sheet per table (all scenarios), named in ``lang``."""
        return {text(f"cb_sheet_{name}", lang): frame for name, frame in self.tables(lang).items()}


# ----------------------------------------------------------------------------
# the planner
# ----------------------------------------------------------------------------
class CombinedPlanner:
    """结合法: compare the forward forecast with the backward requirement.

    Parameters
    ----------
    plan : Plan
        The backward plan's settings (target, margin, branches, new branches,
        phasing): configuration, like the other settings.
    forecaster : object, optional
        A :class:`salesanalytics.methods.forward.Forecaster` (fitted or not) or any
        object with its ``fit``/``predict``/``simulate``/``series_``/``months_``
        contract.  A fitted one is used as it is; an unfitted one is copied and the
        copy fitted (the setting itself is never changed).  Default:
        ``make_forecaster(horizon)``, the product's one forecaster configuration.
    n_draws, seed : int
        Simulated paths for the probabilities (seeded: the same inputs give
        the same numbers).
    thresholds : tuple
        Probability bounds of on track / stretch / at risk.

    ``fit(history)`` learns ``forecaster_`` (the fitted forecaster),
    ``forecast_`` (its tidy prediction), ``draws_`` (paths of today's
    branches, n_draws x branches x 12, yuan), ``mean_``, ``new_noise_``,
    ``backward_`` (the plan's :class:`BackwardPlanner`) and the quantiles no
    slider can move; ``evaluate(...)`` returns a :class:`CombinedResult`,
    ``run(scenarios, adjustments)`` a :class:`CombinedRun`; ``summary()`` and
    ``tables(lang)`` are those of ``evaluate()``.
    """

    def __init__(self, plan: Plan, forecaster=None, *, n_draws: int = 2000, seed: int = 0, thresholds=STATUS_THRESHOLDS):
        self.plan = plan
        self.forecaster = forecaster
        self.n_draws = n_draws
        self.seed = seed
        self.thresholds = thresholds

    # -- fit -----------------------------------------------------------------
    def fit(self, history: pd.DataFrame, *, industry: pd.DataFrame | None = None) -> CombinedPlanner:
        """Fit the forecast on ``history`` (unless the forecaster is fitted already) and simulate once."""
        if not isinstance(self.n_draws, int) or self.n_draws < 100:
            raise ParameterError(f"n_draws must be a whole number >= 100, not {self.n_draws!r}.")
        if len(self.thresholds) != 3 or not (1 >= self.thresholds[0] >= self.thresholds[1] >= self.thresholds[2] >= 0):
            raise ParameterError(f"thresholds must be three probabilities, highest first (e.g. {STATUS_THRESHOLDS}), not {self.thresholds!r}.")
        plan = self.plan
        self.history_ = history
        branch_history = history.groupby([S.MONTH, S.BRANCH], as_index=False, sort=True)[S.REVENUE].sum()
        last = branch_history[S.MONTH].max()
        if last.year >= plan.year:
            raise PlanError(
                f"the history runs to {last:%Y-%m}, inside the plan year {plan.year}; the combined plan forecasts the whole plan year. "
                f"Fix: pass history up to {plan.year - 1}-12 (track the year with the tracking tools instead)."
            )
        horizon = 12 * (plan.year - last.year) + (12 - last.month)
        fc = self.forecaster
        if fc is None:
            from .forward import make_forecaster  # statsmodels is imported only when a forecast is needed

            fc = make_forecaster(horizon)
        elif not hasattr(fc, "series_"):
            fc = copy.deepcopy(fc)  # the setting stays as given; the fitted copy is state
        if not hasattr(fc, "series_"):
            fc.fit(branch_history, industry=industry)
        self.forecaster_ = fc
        self.forecast_ = fc.predict()
        draws = np.asarray(fc.simulate(n_draws=self.n_draws, seed=self.seed), dtype=float)
        months = pd.DatetimeIndex(fc.months_)
        cols = np.flatnonzero(months.year == plan.year)
        if cols.size != 12:
            raise ForecastError(
                f"the forecast covers {months.min():%Y-%m}…{months.max():%Y-%m}, not all 12 months of {plan.year}. "
                f"Fix: fit the forecaster with horizon >= {horizon} on history ending {plan.year - 1}-12."
            )
        series = [s if isinstance(s, str) else str(s[0] if isinstance(s, tuple) else s) for s in fc.series_]
        existing = plan.branches[S.BRANCH].tolist()
        missing = [b for b in existing if b not in series]
        if missing:
            raise ForecastError(
                f"the forecast has no series for branch {', '.join(missing)}.{suggest(missing[0], series)} "
                "Fix: give history for every existing branch of the plan, or list it under new_branches."
            )
        new_names = [nb.branch for nb in plan.new_branches]
        extra = [s for s in series if s not in existing and s not in new_names]
        if extra:
            warnings.warn(f"history branches not in the plan are left out of the combined plan: {', '.join(extra)}", stacklevel=2)
        rows = np.array([series.index(b) for b in existing])
        self.draws_ = draws[:, rows][:, :, cols]
        # a forecast conditioned on this year's actuals (the quarter's state) may carry paths for new
        # branches too (their actuals, then their run rate): those replace capacity x noise below
        self.new_draws_ = {b: draws[:, series.index(b)][:, cols] for b in new_names if b in series}
        # months already closed (actuals): no uplift or hire can change them any more
        self.first_open_ = int(getattr(fc, "closed_months_", 0))
        mean = self.forecast_[self.forecast_[S.MONTH].dt.year == plan.year]
        table = mean.pivot_table(index=S.BRANCH, columns=S.MONTH, values="mean", aggfunc="sum").reindex(index=existing)
        self.mean_ = table.to_numpy(dtype=float)
        if not np.isfinite(self.mean_).all():
            raise ForecastError("the forecast mean is missing for some branch x month of the plan year.")
        # relative noise of each new branch: its comparable's (or the company's) paths over their mean
        self.new_noise_ = {}
        for nb in plan.new_branches:
            if nb.branch in self.new_draws_:
                continue
            if nb.comparable in existing:
                i = existing.index(nb.comparable)
                ref, ref_mean = self.draws_[:, i], self.mean_[i]
            else:
                ref, ref_mean = self.draws_.sum(axis=1), self.mean_.sum(axis=0)
            self.new_noise_[nb.branch] = ref / np.where(ref_mean > 0, ref_mean, 1.0)
        # quantiles that no slider can move, computed once: today's branches per month and per year,
        # and each new branch's relative noise (its paths are capacity x noise, and a quantile of
        # c x X is c x the quantile of X for c >= 0)
        self.quantiles_cell_ = np.quantile(self.draws_, RANGE_QUANTILES, axis=0)
        self.quantiles_annual_ = np.quantile(self.draws_.sum(axis=2), ANNUAL_QUANTILES, axis=0)
        self.quantiles_noise_ = {name: np.quantile(noise, RANGE_QUANTILES, axis=0) for name, noise in self.new_noise_.items()}
        self.quantiles_new_ = {name: np.quantile(d, RANGE_QUANTILES, axis=0) for name, d in self.new_draws_.items()}
        self.backward_ = self._fit_backward(plan)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "draws_"):
            raise NotFittedError("CombinedPlanner is not fitted yet; call fit(history) first.")

    def _fit_backward(self, plan: Plan) -> BackwardPlanner:
        # the combined plan works per branch: the salesperson split is the backward report's job
        lean = plan.replace(roster=None) if plan.roster is not None else plan
        return BackwardPlanner(lean).fit(history=self.history_, forecast=self.forecast_)

    def _backward(self, plan: Plan) -> BackwardPlanner:
        """The backward plan of ``plan``: the fitted one for the planner's own plan, else a fresh fit (ms)."""
        return self.backward_ if plan is self.plan else self._fit_backward(plan)

    def _paths(self, bw: BackwardPlanner) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Forecast mean (branches x 12), paths (n x branches x 12) and the new-branch mask, in plan order."""
        plan = bw.plan
        n_old = len(plan.branches)
        names = bw.branch_names_
        existing = self.plan.branches[S.BRANCH].tolist()
        if names[:n_old] != existing:
            raise PlanError("the plan given to evaluate() must have the same existing branches as the one given to fit().")
        # a new branch's expected sales: its capacity at today's productivity (the target's phasing shapes tasks, not capacity)
        capacity_sales = bw.today_capacity_ / bw.margin_[:, None]
        mean = np.empty((len(names), 12))
        draws = np.empty((self.draws_.shape[0], len(names), 12))
        mean[:n_old] = self.mean_
        draws[:, :n_old] = self.draws_
        for i in range(n_old, len(names)):
            given = self.new_draws_.get(names[i])
            if given is not None:
                mean[i] = given.mean(axis=0)
                draws[:, i] = given
                continue
            noise = self.new_noise_.get(names[i])
            if noise is None:
                raise PlanError(f"new branch {names[i]} was not in the plan given to fit(); fit again with it.")
            mean[i] = capacity_sales[i]
            draws[:, i] = capacity_sales[i] * noise
        is_new = np.arange(len(names)) >= n_old
        return mean, draws, is_new

    # -- evaluate --------------------------------------------------------------
    def evaluate(
        self,
        scenario: Scenario | None = None,
        *,
        plan: Plan | None = None,
        blend: float | None = None,
        quantile: float | None = None,
        total_yuan: float | None = None,
        adjustments: pd.DataFrame | list[Adjustment] | None = None,
        **changes,
    ) -> CombinedResult:
        """The combined plan for one scenario, re-using the fitted forecast and paths.

        ``blend`` (0..1) / ``quantile`` (0..1) override the scenario's target
        rule; ``total_yuan`` fixes the company total of the recommended
        targets (they are re-spread to it to the fen); ``plan`` replaces the
        plan (e.g. ``plan.replace(gross_margin=0.09)``); other keywords
        change scenario settings (``productivity_uplift=0.05``).

        The result's ``summary`` (headline figures, raw numbers, yuan as floats): ``scenario``,
        ``scenario_en``, ``year``, ``forecast_yuan`` with ``forecast_p10_yuan`` /
        ``forecast_p90_yuan``, ``required_yuan``, ``gap_yuan``, ``gap_pct`` (percent),
        ``probability`` (of reaching the requirement), ``expected_shortfall_yuan``, ``status``
        (a ``gap_status`` code), ``target_yuan`` and ``probability_target`` (the recommended
        targets), ``hires``, ``uplift_yuan``, ``hires_yuan``, ``new_branches_yuan``,
        ``open_yuan``, ``probability_with_actions``, ``adjustments`` (count), ``n_draws``, ``seed``.
        """
        self._check_fitted()
        sc = scenario or BASE
        if blend is not None:
            changes.update(target_rule="blend", blend=check_fraction(blend, "blend"))
        if quantile is not None:
            changes.update(target_rule="quantile", quantile=check_fraction(quantile, "quantile"))
        if changes:
            sc = sc.replace(**changes)
        base_plan = plan or self.plan
        plan_changes = sc.plan_changes()
        plan_eval = base_plan.replace(**plan_changes) if plan_changes else base_plan
        bw = self._backward(plan_eval)
        names = bw.branch_names_
        year = plan_eval.year
        months = plan_eval.months
        n_b = len(names)
        required_fen = bw.tasks_["sales_task_fen"].to_numpy(dtype=np.int64).reshape(n_b, 12)
        required = required_fen / 100
        mean, draws, is_new = self._paths(bw)

        # -- gap and odds: month, branch-year, company-year --------------------
        annual = draws.sum(axis=2)
        company = annual.sum(axis=1)
        p_cell, es_cell = attainment(draws, required)
        p_branch, es_branch = attainment(annual, required.sum(axis=1))
        p_company, es_company = attainment(company, required_fen.sum() / 100)
        n_old = self.draws_.shape[1]
        capacity_new = mean[n_old:]
        q_cell = np.concatenate([self.quantiles_cell_, np.stack([self.quantiles_new_[b] if b in self.quantiles_new_ else c * self.quantiles_noise_[b]
                                                                 for b, c in zip(names[n_old:], capacity_new)], axis=1)
                                 if n_b > n_old else np.zeros((2, 0, 12))], axis=1)
        q_branch = np.concatenate([self.quantiles_annual_, np.quantile(annual[:, n_old:], ANNUAL_QUANTILES, axis=0).reshape(len(ANNUAL_QUANTILES), -1)], axis=1)
        q_company = np.quantile(company, ANNUAL_QUANTILES)

        def _gap(*columns):
            return gap_frame(*columns, self.thresholds)

        gap_month = _gap(
            {S.MONTH: np.tile(months.to_numpy(), n_b), S.BRANCH: np.repeat(np.asarray(names, dtype=object), 12).astype(str),
             "is_new_branch": np.repeat(is_new, 12)},
            mean.reshape(-1), q_cell[0].reshape(-1), q_cell[1].reshape(-1), required.reshape(-1), p_cell.reshape(-1), es_cell.reshape(-1),
        )
        gap_branch = _gap(
            {S.BRANCH: list(names), "is_new_branch": is_new},
            mean.sum(axis=1), q_branch[0], q_branch[-1], required.sum(axis=1), p_branch, es_branch,
        )
        gap_company = _gap(
            {"level": ["company"]}, np.array([mean.sum()]), np.array([q_company[0]]), np.array([q_company[-1]]),
            np.array([required_fen.sum() / 100]), np.atleast_1d(p_company), np.atleast_1d(es_company),
        )

        # -- recommended targets, then the managers' adjustments ----------------
        target_fen = recommend_targets(sc, required_fen, mean, annual, total_yuan)
        adjusted = np.zeros_like(target_fen, dtype=bool)
        log = apply_adjustments(target_fen, [], names, year)[1]
        before = target_fen
        if adjustments is not None:
            adj = adjustments if isinstance(adjustments, list) else parse_adjustments(adjustments, names, year)
            target_fen, log = apply_adjustments(target_fen, adj, names, year, source=_source(adjustments))
            for a in adj:
                b = names.index(a.branch)
                adjusted[b, :] |= a.month is None
                if a.month is not None:
                    adjusted[b, a.month - 1] = True
        target = target_fen / 100
        p_target_branch, _ = attainment(annual, target.sum(axis=1))
        p_target_company, _ = attainment(company, target_fen.sum() / 100)
        target_table = pd.DataFrame({
            S.MONTH: np.tile(months.to_numpy(), n_b),
            S.BRANCH: np.repeat(np.asarray(names, dtype=object), 12).astype(str),
            "target_fen": target_fen.reshape(-1),
            "target": target.reshape(-1),
            "target_before_adjustments": (before / 100).reshape(-1),
            "adjusted": adjusted.reshape(-1),
            "required": required.reshape(-1),
            "forecast_mean": np.round(mean.reshape(-1), 2),
        })
        gap_branch["target"] = target.sum(axis=1)
        gap_branch["probability_target"] = p_target_branch
        for col, q in zip(("forecast_p20", "forecast_p50", "forecast_p80"), q_branch[1:4]):
            gap_branch[col] = np.round(q, 2)
        gap_company["target"] = target_fen.sum() / 100
        gap_company["probability_target"] = p_target_company
        for col, q in zip(("forecast_p20", "forecast_p50", "forecast_p80"), q_company[1:4]):
            gap_company[col] = np.round(q, 2)

        # -- what closes the gap: uplift, hires, new branches -------------------
        bridge_branch, staffing, staffing_branch, actions = self._bridge(sc, bw, mean, required, is_new)
        steps = ["forecast", "new_branches", "uplift", "hires", "surplus", "open"]
        amounts = [bridge_branch[k].sum() for k in steps]
        amounts[4] = -amounts[4]
        bridge = _waterfall(steps, amounts, required_fen.sum() / 100)
        p_actions, _ = attainment(company + actions.sum(), required_fen.sum() / 100)

        summary = {
            "scenario": sc.name,
            "scenario_en": sc.label_en,
            "year": year,
            "forecast_yuan": float(mean.sum()),
            "forecast_p10_yuan": float(q_company[0]),
            "forecast_p90_yuan": float(q_company[-1]),
            "required_yuan": required_fen.sum() / 100,
            "gap_yuan": float(required_fen.sum() / 100 - mean.sum()),
            "gap_pct": float((required_fen.sum() / 100 - mean.sum()) / (required_fen.sum() / 100) * 100),
            "probability": float(p_company),
            "expected_shortfall_yuan": float(es_company),
            "status": str(status_of(p_company, self.thresholds)),
            "target_yuan": target_fen.sum() / 100,
            "probability_target": float(p_target_company),
            "hires": int(staffing_branch["hires_total"].sum()),
            "uplift_yuan": float(bridge_branch["uplift"].sum()),
            "hires_yuan": float(bridge_branch["hires"].sum()),
            "new_branches_yuan": float(bridge_branch["new_branches"].sum()),
            "open_yuan": float(bridge_branch["open"].sum()),
            "probability_with_actions": float(p_actions),
            "adjustments": len(log),
            "n_draws": int(draws.shape[0]),
            "seed": self.seed,
        }
        return CombinedResult(sc, plan_eval, gap_month, gap_branch, gap_company, target_table, bridge, bridge_branch,
                              staffing, staffing_branch, log, summary)

    def _bridge(self, sc: Scenario, bw: BackwardPlanner, mean: np.ndarray, required: np.ndarray, is_new: np.ndarray):
        plan = bw.plan
        names = bw.branch_names_
        f = np.where(is_new[:, None], 0.0, mean)
        nbc = np.where(is_new[:, None], mean, 0.0)
        closed = np.arange(12) < self.first_open_
        uplift = np.where(closed[None, :], 0.0, sc.productivity_uplift * f)  # an uplift can't change a closed month
        gap = required.sum(axis=1) - (f + nbc + uplift).sum(axis=1)
        month_idx = np.arange(12)
        opened = month_idx[None, :] >= (bw.opening_[:, None] - 1)
        # a hire's monthly sales at full productivity: today's gross profit per head (not grown with the target's phasing)
        rpm = np.where(opened, bw.productivity_ / bw.margin_[:, None], 0.0)
        first_ok = np.maximum(plan.hires_productive_from - 1, bw.opening_ - 1)
        keep = (1.0 - sc.attrition_rate_annual) ** (1 / 12)
        value = hire_value(rpm, first_ok, sc.hire_lead_time_months, sc.hire_ramp, keep)
        # no hire can start in a month already closed: the first possible month is the first open one
        start = max(sc.hiring_from_month - 1, self.first_open_)
        hires = hire_schedule(np.maximum(gap, 0.0), value, start, sc.max_hires_per_branch_month)
        hire_sales = np.einsum("bh,bhm->bm", hires, value)  # expected sales of the hires per branch x month
        achieved = (f + nbc + uplift + hire_sales).sum(axis=1)
        req_b = required.sum(axis=1)
        bridge_branch = pd.DataFrame({
            S.BRANCH: list(names),
            "forecast": np.round(f.sum(axis=1), 2),
            "new_branches": np.round(nbc.sum(axis=1), 2),
            "uplift": np.round(uplift.sum(axis=1), 2),
            "hires": np.round(hire_sales.sum(axis=1), 2),
            "surplus": np.round(np.maximum(achieved - req_b, 0.0), 2),
            "open": np.round(np.maximum(req_b - achieved, 0.0), 2),
            "required": req_b,
        })
        rows = []
        months = plan.months
        for b, h in zip(*np.nonzero(hires)):
            p = max(h + sc.hire_lead_time_months, int(first_ok[b]))
            rows.append({
                S.BRANCH: names[b], "start_hiring": months[h], "on_board_by": months[p], "new_hires": int(hires[b, h]),
                "contribution_yuan": round(float(hires[b, h] * value[b, h].sum()), 2),
            })
        staffing = pd.DataFrame(rows, columns=[S.BRANCH, "start_hiring", "on_board_by", "new_hires", "contribution_yuan"])
        first = [months[np.flatnonzero(hires[b])[0]] if hires[b].any() else pd.NaT for b in range(len(names))]
        last = [months[np.flatnonzero(hires[b])[-1]] if hires[b].any() else pd.NaT for b in range(len(names))]
        staffing_branch = pd.DataFrame({
            S.BRANCH: list(names),
            "gap_to_close": np.round(np.maximum(gap, 0.0), 2),
            "hires_total": hires.sum(axis=1),
            "first_start_hiring": pd.to_datetime(pd.Series(first, dtype="datetime64[ns]")),
            "last_start_hiring": pd.to_datetime(pd.Series(last, dtype="datetime64[ns]")),
            "contribution_yuan": np.round(hire_sales.sum(axis=1), 2),
            "open": bridge_branch["open"],
        })
        actions = uplift + hire_sales
        return bridge_branch, staffing, staffing_branch, actions

    # -- several scenarios -------------------------------------------------------
    def run(
        self,
        scenarios: dict[str, Scenario] | None = None,
        *,
        adjustments: pd.DataFrame | list[Adjustment] | None = None,
        plan: Plan | None = None,
    ) -> CombinedRun:
        """Every scenario (default: the built-in 保守 / 基准 / 激进) with the same adjustments, side by side."""
        self._check_fitted()
        scenarios = scenarios or default_scenarios()
        if adjustments is not None and not isinstance(adjustments, list):
            names = (plan or self.plan).branch_names
            source = _source(adjustments)
            adjustments = parse_adjustments(adjustments, names, (plan or self.plan).year, source=source)
        results = {name: self.evaluate(sc, plan=plan, adjustments=adjustments) for name, sc in scenarios.items()}
        return CombinedRun(results, compare_scenarios(results))

    def summary(self) -> dict:
        """Headline figures of ``evaluate()`` (the default scenario): see :meth:`evaluate` for the keys."""
        return self.evaluate().summary

    def tables(self, lang: str = "zh") -> dict[str, pd.DataFrame]:
        """Every table of ``evaluate()`` (the default scenario), labelled in ``lang``."""
        return self.evaluate().tables(lang)


def gap_frame(keys: dict, mean_v, lo, hi, req, prob, es, thresholds) -> pd.DataFrame:
    """One gap table: forecast and its range vs the requirement, the gap, the odds and the status."""
    req = np.asarray(req, dtype=float)
    gap = req - mean_v
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(req > 0, gap / req * 100, np.nan)
    frame = pd.DataFrame({
        **keys,
        "forecast_mean": np.round(mean_v, 2), "forecast_p10": np.round(lo, 2), "forecast_p90": np.round(hi, 2),
        "required": req, "gap_yuan": np.round(gap, 2), "gap_pct": np.round(pct, 2),
        "probability": prob, "expected_shortfall": np.round(es, 2),
        "status": status_of(prob, thresholds),
    })
    frame["status"] = frame["status"].astype(str)
    return frame


def recommend_targets(sc: Scenario, required_fen: np.ndarray, mean: np.ndarray, annual: np.ndarray, total_yuan) -> np.ndarray:
    """Recommended targets in fen (branches x 12), reconciled to the company total exactly."""
    required = required_fen / 100
    if sc.target_rule == "blend":
        w = sc.blend
        ideal = w * required + (1 - w) * np.clip(mean, 0, None)
        total = int(round(w * int(required_fen.sum()) + (1 - w) * float(np.clip(mean, 0, None).sum()) * 100))
        row_totals = None
    else:
        branch = np.quantile(annual, sc.quantile, axis=0)
        if sc.floor_at_requirement:
            branch = np.maximum(branch, required.sum(axis=1))
        row_totals = np.round(branch * 100).astype(np.int64)
        if sc.floor_at_requirement:  # to the fen: never below the requirement
            row_totals = np.maximum(row_totals, required_fen.sum(axis=1))
        shape = np.clip(mean, 0, None)
        ideal = shape * (branch / np.where(shape.sum(axis=1) > 0, shape.sum(axis=1), 1.0))[:, None]
        total = int(row_totals.sum())
    if total_yuan is not None:
        total = to_fen(total_yuan)
        if total < 0:
            raise ParameterError(f"total_yuan {total_yuan} must not be negative.")
        row_totals = None
    return allocate_rows(total, ideal, row_totals)


def _source(adjustments) -> str:
    if isinstance(adjustments, pd.DataFrame):
        return adjustments.attrs.get("source", "<adjustments>")
    return getattr(adjustments, "source", "<adjustments>")


def _step_words(step: str) -> tuple[str, str]:
    return value("bridge_step", step, "zh"), value("bridge_step", step, "en")


def _waterfall(steps: list[str], amounts: list[float], end: float) -> pd.DataFrame:
    """Waterfall rows: each step's amount with where its bar starts and ends, then the total bar."""
    rows, level = [], 0.0
    for i, (step, amount) in enumerate(zip(steps, amounts)):
        kind = "start" if i == 0 else "step"
        start = 0.0 if i == 0 else level
        level = amount if i == 0 else level + amount
        rows.append((step, *_step_words(step), round(amount, 2), round(start, 2), round(level, 2), kind))
    rows.append(("required", *_step_words("required"), round(end, 2), 0.0, round(end, 2), "total"))
    return pd.DataFrame(rows, columns=["step", "label_zh", "label_en", "amount_yuan", "start_yuan", "end_yuan", "kind"])


def compare_scenarios(results: dict[str, CombinedResult]) -> pd.DataFrame:
    """One row per scenario: targets, gap, probabilities and hires (yuan)."""
    rows = []
    for name, res in results.items():
        s = res.summary
        rows.append({
            "scenario": name,
            "label_en": res.scenario.label_en,
            "target_rule": res.scenario.target_rule + (f" {res.scenario.blend:g}" if res.scenario.target_rule == "blend" else f" P{res.scenario.quantile * 100:g}"),
            "forecast_mean": round(s["forecast_yuan"], 2),
            "required": s["required_yuan"],
            "target": s["target_yuan"],
            "gap_yuan": round(s["gap_yuan"], 2),
            "gap_pct": round(s["gap_pct"], 2),
            "probability": s["probability"],
            "probability_target": s["probability_target"],
            "probability_with_actions": s["probability_with_actions"],
            "expected_shortfall": round(s["expected_shortfall_yuan"], 2),
            "uplift": round(s["uplift_yuan"], 2),
            "hires_total": s["hires"],
            "open": round(s["open_yuan"], 2),
            "status": s["status"],
        })
    return pd.DataFrame(rows)


def plan_combined(history: pd.DataFrame, plan: Plan, scenarios=None, adjustments=None, *, forecaster=None, n_draws: int = 2000, seed: int = 0) -> CombinedRun:
    """One call for notebooks: fit once, run every scenario; ``.results[name]``, ``.comparison``, ``.tables(lang)``."""
    planner = CombinedPlanner(plan, forecaster, n_draws=n_draws, seed=seed).fit(history)
    return planner.run(scenarios, adjustments=adjustments)
