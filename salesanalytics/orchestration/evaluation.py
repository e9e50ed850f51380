"""Year evaluation: the chain backward targets → tracking → forward reference → scorecard → incentives.

Orchestration lives here, above the methods, so no method imports another just to chain it.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..core.exceptions import ParameterError
from ..core.labels import check_lang, label, label_columns, text, value
from ..core.schema import BRANCH, SALESPERSON
from ..methods.backward import BackwardPlanner
from ..methods.forward import make_forecaster
from ..methods.incentives import PlanSimulator, annual_branch_draws, payouts_table, payouts_wide
from ..methods.scorecard import (
    DOMAIN,
    Scorecard,
    difficulty_table,
    kpis_from_tracking,
    leniency_table,
    prior_actual_from_history,
)
from ..methods.tracking import Tracker


# ----------------------------------------------------------------------------
# one call for a report: the bundled year (or any year) end to end
# ----------------------------------------------------------------------------
def evaluate_year(
    inputs: Mapping,
    *,
    period: str = "ytd",
    as_of=None,
    n_draws: int = 1000,
    seed: int = 0,
    use_forecast: bool = True,
    lang: str = "zh",
) -> dict[str, pd.DataFrame]:
    """Scorecards, fairness flags and the plan comparison of one year, as tables.

    ``inputs`` is what :func:`salesanalytics.io.read_evaluation_inputs` returns
    (plan, history, roster, actuals, activities, ratings, scheme, plans).
    Steps: person targets from the backward plan
    (``BackwardPlanner(plan).fit(history).tasks("salesperson")``); actual vs
    target per person for ``period`` (``ytd``/``qtd``/``month``, credit splits
    applied) with :class:`salesanalytics.tracking.Tracker`, gross profit the same
    way; new customers and collected cash from the activity records; prior-year
    revenue estimated from branch history (:func:`~salesanalytics.scorecard.prior_actual_from_history`);
    the forward forecast (:class:`salesanalytics.forward.Forecaster`) of the
    period's months gives the target-difficulty reference and the draws for the
    plan simulation (``use_forecast=False``: prior-year reference and the
    bootstrap of attainment).

    Returns a dict of DataFrames (see ``EVALUATION_TABLES``).
    """
    check_lang(lang)
    missing = [k for k in ("plan", "history", "roster", "actuals", "scheme", "plans") if inputs.get(k) is None]
    if missing:
        raise ParameterError(f"evaluate_year needs inputs {', '.join(missing)} (see io.read_evaluation_inputs).")
    history = inputs["history"]
    # the start-of-year forecast needs the history only: begun first, its series are fitted by the worker
    # processes (many branches) while the targets and the tracking are computed here; the same fit either way
    reference = begin_reference_forecast(history, inputs["plan"].year) if use_forecast else None
    try:
        targets = BackwardPlanner(inputs["plan"]).fit(history).tasks("salesperson")
        sales_tr = Tracker(as_of=as_of).fit(targets, inputs["actuals"])
        return evaluate_tracked(sales_tr, history, inputs["roster"], inputs["actuals"], inputs.get("activities"), inputs.get("ratings"),
                                inputs["scheme"], inputs["plans"], targets=targets, period=period, n_draws=n_draws, seed=seed,
                                use_forecast=use_forecast, lang=lang, reference=reference)
    except BaseException as exc:
        if reference is not None:
            reference.cancel(interrupted=not isinstance(exc, Exception))
        raise


def _before_year(history: pd.DataFrame, year: int) -> pd.DataFrame:
    return history[history["month"] < pd.Timestamp(year=int(year), month=1, day=1)]


def begin_reference_forecast(history: pd.DataFrame, year: int) -> ReferenceForecast:
    """Begin the start-of-year forecast of ``year`` (the product's forecaster on the history before it).

    It is the reference of the target difficulty and the source of the incentive simulation's
    draws (:func:`evaluate_tracked`); begun early, its series are fitted while other work runs.
    """
    return ReferenceForecast(int(year), make_forecaster(12).fit_begin(_before_year(history, year)))


class ReferenceForecast:
    """The start-of-year forecast of one plan year, begun (or fitted) once: call it for the fitted forecaster.

    ``ReferenceForecast(year, fitted)`` also wraps a forecaster fitted before (kept from an earlier
    run of the same history): anything callable that returns the fitted forecaster.
    """

    def __init__(self, year: int, fitted):
        self.year = int(year)
        self._fitted = fitted

    def __call__(self):
        return self._fitted()

    def cancel(self, *, interrupted: bool = False) -> None:
        """Drop a fit still running (see :meth:`salesanalytics.methods.forward.PendingFit.cancel`)."""
        cancel = getattr(self._fitted, "cancel", None)
        if cancel is not None:
            cancel(interrupted=interrupted)


def evaluate_tracked(
    tracker: Tracker,
    history: pd.DataFrame,
    roster: pd.DataFrame | None,
    actuals: pd.DataFrame,
    activities: pd.DataFrame | None,
    ratings: pd.DataFrame | None,
    scheme,
    plans,
    *,
    targets: pd.DataFrame | None = None,
    year_paths=None,
    period: str = "ytd",
    n_draws: int = 1000,
    seed: int = 0,
    use_forecast: bool = True,
    lang: str = "zh",
    reference: ReferenceForecast | None = None,
) -> dict[str, pd.DataFrame]:
    """The evaluation of one period on a fitted sales :class:`Tracker` (the quarter's state reuses its tracker).

    ``targets``: the targets the tracker was fitted on (needed for the gross-profit view; default:
    the tracker's own).  The reference for the target difficulty and the draws of the incentive
    cost simulation come from the forecast made at the start of the year (history only) for the
    period's months, so the simulated cost and the actual cost cover the same months.
    ``year_paths`` is accepted for symmetry with the other views of the quarter and not used here.
    ``reference``: that start-of-year forecast begun already (:func:`begin_reference_forecast`), used
    when it is the tracker's year (else dropped, and the forecast fitted here).
    """
    check_lang(lang)
    if targets is None:
        raise ParameterError("evaluate_tracked needs the targets the tracker was fitted on (targets=...).")
    sales = tracker.attainment("salesperson", period)
    gp = Tracker(as_of=tracker.as_of_, measure="gross_profit").fit(targets, actuals).attainment("salesperson", period)
    start = pd.Timestamp(sales["period_start"].iloc[0])
    end = pd.Timestamp(tracker.as_of_)
    months = pd.date_range(start, end.to_period("M").to_timestamp(), freq="MS")
    acts = activities
    if acts is not None:
        acts = acts[(acts["date"] >= start) & (acts["date"] <= end)]
    roster_frame = roster if roster is not None else pd.DataFrame({SALESPERSON: [], BRANCH: []})
    # everybody with a target in the period is in the KPI frame (actual 0 where they sold nothing)
    kpis = kpis_from_tracking(sales, gross_profit=gp, activities=acts,
                              prior_actual=prior_actual_from_history(history, roster_frame, months))
    names = set(roster_frame[SALESPERSON]) | set(targets[SALESPERSON]) if SALESPERSON in targets.columns else set(roster_frame[SALESPERSON])
    reference_fit, reference, draws, ref_kind = reference, None, None, "prior_year"
    if reference_fit is not None and (not use_forecast or reference_fit.year != int(tracker.year_)):
        reference_fit.cancel()  # not this evaluation's forecast
        reference_fit = None
    if use_forecast:
        fc = reference_fit() if reference_fit is not None else make_forecaster(12).fit(_before_year(history, tracker.year_))
        pred = fc.predict()
        pred = pred[pd.DatetimeIndex(pred["month"]).isin(months)]
        reference = pred.groupby(BRANCH)["mean"].sum()
        ref_kind = "forecast"
        draws = annual_branch_draws(fc, n_draws=n_draws, seed=seed, months=months)
    extra = [
        ("period", text("info_period", lang, period=value("period_kind", period, lang), start=f"{start:%Y-%m-%d}", end=f"{end:%Y-%m-%d}")),
        ("people_unscored", ", ".join(f"{r[BRANCH]}/{r[SALESPERSON]}" for r in kpis.attrs.get("unscored", [])) or "—"),
        ("prior_year", text("info_prior_year", lang)),
    ]
    return evaluate_kpis(kpis, ratings, scheme, plans, reference=reference,
                         reference_kind=ref_kind, branch_draws=draws, n_draws=n_draws, seed=seed, lang=lang, info=extra,
                         roster=names)


def evaluate_kpis(
    kpis: pd.DataFrame,
    ratings: pd.DataFrame | None,
    scheme,
    plans,
    *,
    reference: pd.Series | None = None,
    reference_kind: str = "forecast",
    branch_draws: pd.DataFrame | None = None,
    n_draws: int = 1000,
    seed: int = 0,
    lang: str = "zh",
    info: list[tuple[str, object]] | None = None,
    roster=None,
) -> dict[str, pd.DataFrame]:
    """Scorecard + plan comparison from a plain per-person KPI frame (no tracking needed).

    ``reference``: forecast revenue per branch for the difficulty check (None:
    prior-year from ``prior_actual``); ``branch_draws``: draws × branch revenue
    for the simulation (None: bootstrap of attainment).  ``info``: more (code,
    display value) rows for the notes table.  ``roster``: names on the year's
    roster; ratings of those not in ``kpis`` (no target in the period) are left
    out with a :class:`~salesanalytics.methods.scorecard.ScorecardWarning` and
    named in the notes (see :meth:`Scorecard.fit`).  Returns the same dict of tables as
    :func:`evaluate_year` (keys ``EVALUATION_TABLES``).

    The display tables (``DISPLAY_TABLES``: info, ranking, cards, fairness flags,
    grades by branch, forced distribution, scheme, plan comparison) are labelled in
    ``lang``; the others are the raw frames, with column keys and codes, for
    further computation (:func:`excel_sheets` labels them for a workbook).  The
    notes table ``info`` has the item codes as its index (``info.loc["simulation"]``).
    """
    check_lang(lang)
    card = Scorecard(scheme).fit(kpis, ratings, reference=reference, reference_kind=reference_kind, roster=roster)
    sim = PlanSimulator(plans, n_draws=n_draws, seed=seed).fit(kpis, branch_draws=branch_draws, scores=card.scores_)
    kind = card.difficulty_["reference_kind"].iloc[0] if card.difficulty_ is not None else "none"
    rows = list(info or []) + [
        ("people_scored", len(card.scores_)),
        ("difficulty_reference", value("reference_kind", kind, lang)),
        ("simulation", text("info_simulation", lang, method=value("simulation_method", sim.method_, lang), n=n_draws,
                             seed=seed, sigma=f"{sim.person_sigma_:.3f}")),
        ("gross_profit_flag_share", f"{sim.flag_share_:.0%}"),
    ]
    if len(card.ratings_left_out_):
        rows.append(("ratings_left_out", ", ".join(map(str, pd.unique(card.ratings_left_out_[SALESPERSON])))))
    info_frame = pd.DataFrame({label("item", lang, DOMAIN): [label(code, lang, DOMAIN) for code, _ in rows],
                               label("value", lang, DOMAIN): [str(v) for _, v in rows]},
                              index=pd.Index([code for code, _ in rows]))
    return {
        "info": info_frame,
        "kpis": kpis,
        "scores": card.scores_,
        "ranking": card.ranking(lang),
        "cards": card.cards(lang),
        "fairness_flags": card.fairness_flags(lang),
        "rater_leniency": card.leniency_,
        "target_difficulty": card.difficulty_ if card.difficulty_ is not None else pd.DataFrame(),
        "grades_by_branch": card.grades_by_branch(lang),
        "forced_distribution": card.forced_distribution(lang),
        "scheme": card.assumptions(lang),
        "plan_comparison": sim.comparison(lang),
        "plan_summary": sim.summary_,
        "payouts": sim.payouts_,
        "cost_draws": sim.draws_,
    }


#: The keys of :func:`evaluate_year`'s result, in report order.
EVALUATION_TABLES = ("info", "kpis", "scores", "ranking", "cards", "fairness_flags", "rater_leniency", "target_difficulty",
                     "grades_by_branch", "forced_distribution", "scheme", "plan_comparison", "plan_summary", "payouts", "cost_draws")

#: The keys of the result that are labelled display tables (the rest are raw frames).
DISPLAY_TABLES = ("info", "ranking", "cards", "fairness_flags", "grades_by_branch", "forced_distribution", "scheme", "plan_comparison")

_SCORECARD_SHEETS = (("ranking", "sheet_ranking"), ("cards", "sheet_cards"), ("fairness_flags", "sheet_fairness"),
                     ("grades_by_branch", "sheet_grades_by_branch"), ("rater_leniency", "sheet_leniency"),
                     ("target_difficulty", "sheet_difficulty"), ("forced_distribution", "sheet_forced"),
                     ("scheme", "sheet_scheme"), ("info", "sheet_info"))
_INCENTIVE_SHEETS = (("plan_comparison", "sheet_plan_comparison"), ("payouts_by_person", "sheet_payouts_by_person"),
                     ("payouts", "sheet_payout_detail"), ("cost", "sheet_cost_percentiles"), ("info", "sheet_info"))


def excel_sheets(result: Mapping[str, pd.DataFrame], lang: str = "zh", part: str = "scorecard") -> dict[str, pd.DataFrame]:
    """Sheet name -> labelled frame of an :func:`evaluate_year` / :func:`evaluate_kpis` result, for ``io.write_excel``.

    ``part``: ``"scorecard"`` (ranking, person cards, fairness flags, grades by branch,
    rater leniency, target difficulty, forced distribution, scheme, notes) or
    ``"incentives"`` (plan comparison, payouts by person, payout detail, cost, notes).
    ``lang`` must be the language the result was made in (its display tables are in it).
    """
    check_lang(lang)
    if part not in ("scorecard", "incentives"):
        raise ParameterError(f"part must be 'scorecard' or 'incentives', not '{part}'.")
    names = dict(zip(result["plan_summary"]["plan"], result["plan_summary"][f"label_{lang}"]))
    tables = {
        "rater_leniency": lambda: leniency_table(result["rater_leniency"], lang),
        "target_difficulty": lambda: difficulty_table(result["target_difficulty"], lang),
        "payouts_by_person": lambda: payouts_wide(result["payouts"], names, lang),
        "payouts": lambda: payouts_table(result["payouts"], names, lang),
        "cost": lambda: label_columns(result["plan_summary"][list(_COST_COLUMNS)].assign(
            plan=lambda f: f["plan"].map(names)), lang, DOMAIN),
    }
    sheets = {}
    for key, sheet in _SCORECARD_SHEETS if part == "scorecard" else _INCENTIVE_SHEETS:
        frame = tables[key]() if key in tables else result[key]
        if key == "target_difficulty" and frame.empty:
            continue
        sheets[text(sheet, lang)] = frame
    return sheets


_COST_COLUMNS = ("plan", "cost_p10_yuan", "cost_p50_yuan", "cost_p90_yuan", "total_cost_yuan", "cost_pct_revenue", "cost_pct_gross_profit")
