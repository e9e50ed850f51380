"""Year evaluation: the chain backward targets → tracking → forward reference → scorecard → incentives.

Orchestration lives here, above the methods, so no method imports another just to chain it.
"""

from __future__ import annotations

import pandas as pd

from ..core.exceptions import ParameterError
from ..core.schema import BRANCH, SALESPERSON
from ..methods.backward import BackwardPlanner
from ..methods.forward import make_forecaster
from ..methods.incentives import PlanSimulator, annual_branch_draws
from ..methods.scorecard import Scorecard, kpis_from_tracking, prior_actual_from_history
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
    if lang not in ("zh", "en"):
        raise ParameterError(f"lang must be 'zh' or 'en', not '{lang}'.")
    missing = [k for k in ("plan", "history", "roster", "actuals", "scheme", "plans") if inputs.get(k) is None]
    if missing:
        raise ParameterError(f"evaluate_year needs inputs {', '.join(missing)} (see io.read_evaluation_inputs).")
    history = inputs["history"]
    targets = BackwardPlanner(inputs["plan"]).fit(history).tasks("salesperson")
    sales_tr = Tracker(as_of=as_of).fit(targets, inputs["actuals"])
    sales = sales_tr.attainment("salesperson", period)
    gp = Tracker(as_of=as_of, measure="gross_profit").fit(targets, inputs["actuals"]).attainment("salesperson", period)
    start = pd.Timestamp(sales["period_start"].iloc[0])
    end = pd.Timestamp(sales_tr.as_of_)
    months = pd.date_range(start, end.to_period("M").to_timestamp(), freq="MS")
    acts = inputs.get("activities")
    if acts is not None:
        acts = acts[(acts["date"] >= start) & (acts["date"] <= end)]
    kpis = kpis_from_tracking(sales, gross_profit=gp, activities=acts,
                              prior_actual=prior_actual_from_history(history, inputs["roster"], months))
    reference, draws, ref_kind = None, None, "prior_year"
    if use_forecast:
        fc = make_forecaster(12).fit(history)
        pred = fc.predict()
        pred = pred[pd.DatetimeIndex(pred["month"]).isin(months)]
        reference = pred.groupby(BRANCH)["mean"].sum()
        ref_kind = "forecast"
        draws = annual_branch_draws(fc, n_draws=n_draws, seed=seed, months=months)
    extra = [
        ("period", f"{period} {start:%Y-%m-%d} … {end:%Y-%m-%d}"),
        ("people_unscored", ", ".join(f"{r[BRANCH]}/{r[SALESPERSON]}" for r in kpis.attrs.get("unscored", [])) or "—"),
        ("prior_year", "estimated: branch revenue of the same months a year earlier split by roster weight" if lang == "en"
         else "估算: 上年同期分公司销售额按花名册权重分到个人"),
    ]
    return evaluate_kpis(kpis, inputs.get("ratings"), inputs["scheme"], inputs["plans"], reference=reference,
                         reference_kind=ref_kind, branch_draws=draws, n_draws=n_draws, seed=seed, lang=lang, info=extra)


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
) -> dict[str, pd.DataFrame]:
    """Scorecard + plan comparison from a plain per-person KPI frame (no tracking needed).

    ``reference``: forecast revenue per branch for the difficulty check (None:
    prior-year from ``prior_actual``); ``branch_draws``: draws × branch revenue
    for the simulation (None: bootstrap of attainment).  Returns the same dict
    of tables as :func:`evaluate_year` (keys ``EVALUATION_TABLES``).
    """
    if lang not in ("zh", "en"):
        raise ParameterError(f"lang must be 'zh' or 'en', not '{lang}'.")
    card = Scorecard(scheme).fit(kpis, ratings, reference=reference, reference_kind=reference_kind)
    sim = PlanSimulator(plans, n_draws=n_draws, seed=seed).fit(kpis, branch_draws=branch_draws, scores=card.scores_)
    rows = list(info or []) + [
        ("people_scored", len(card.scores_)),
        ("difficulty_reference", card.difficulty_["reference_kind"].iloc[0] if card.difficulty_ is not None else "none"),
        ("simulation", f"{sim.method_}, {n_draws} draws, seed {seed}, person sigma {sim.person_sigma_:.3f}"),
        ("gross_profit_flag_share", f"{sim.flag_share_:.0%}"),
    ]
    info_frame = pd.DataFrame(rows, columns=["item", "value"])
    info_frame["value"] = info_frame["value"].astype(str)
    return {
        "info": info_frame,
        "kpis": kpis,
        "scores": card.scores_,
        "ranking": card.ranking(lang),
        "cards": card.cards(lang),
        "fairness_flags": card.fairness_flags(lang),
        "rater_leniency": card.leniency_,
        "target_difficulty": card.difficulty_ if card.difficulty_ is not None else pd.DataFrame(),
        "grades_by_branch": card.grades_by_branch_,
        "forced_distribution": card.forced_,
        "scheme": card.assumptions(lang),
        "plan_comparison": sim.comparison(lang),
        "plan_summary": sim.summary_,
        "payouts": sim.payouts_,
        "cost_draws": sim.draws_,
    }


#: The keys of :func:`evaluate_year`'s result, in report order.
EVALUATION_TABLES = ("info", "kpis", "scores", "ranking", "cards", "fairness_flags", "rater_leniency", "target_difficulty",
                     "grades_by_branch", "forced_distribution", "scheme", "plan_comparison", "plan_summary", "payouts", "cost_draws")
