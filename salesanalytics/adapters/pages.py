"""The tables and charts of each report page, built from the methods' outputs.

Notebooks stay thin (a ``parameters`` cell and calls into here); every table a
page shows has labelled headers: a method's own labelled tables where it
provides them, otherwise the tidy frame through :func:`labelled`.
"""

from __future__ import annotations

import html
import inspect
import re

import pandas as pd

from ..core import schema as S
from ..core.exceptions import ParameterError
from ..core.labels import COLUMNS, check_lang, label, label_columns, t, value
from ..methods import tracking
from . import formatting as fmt

#: The staffing check of the backward page, in this order (multiples are shown as "8.7倍").
CAPACITY_COLUMNS = ("headcount", "gp_per_head_month", "capacity_gross_profit", "gross_profit_task", "capacity_multiple",
                    "peak_vs_today", "months_flagged", "extra_heads_needed", "open_gap")


def labelled(frame: pd.DataFrame, lang: str = "zh", domain: str | None = None) -> pd.DataFrame:
    """``frame`` with labelled headers: the method's ``domain`` first, then the page's own (presentation), then common.

    A column labelled nowhere raises :class:`~salesanalytics.core.exceptions.LabelError`.
    """
    check_lang(lang)
    mine = COLUMNS.get(domain, {}) if domain else {}
    keep = {c: label(c, lang, "presentation") for c in frame.columns
            if isinstance(c, str) and c in COLUMNS["presentation"] and c not in mine}
    return label_columns(frame, lang, domain, keep=keep)


def _takes_lang(method) -> bool:
    return "lang" in inspect.signature(method).parameters


# ----------------------------------------------------------------------------
# 倒推法 backward page
# ----------------------------------------------------------------------------
def backward_capacity(planner, lang: str = "zh") -> pd.DataFrame:
    """Per branch: heads, today's productivity and capacity against the task, the multiples, the months flagged,
    the people the staffing plan adds and what they cannot close in time."""
    from .tables import backward_times  # the one wording of a multiple ("8.7倍" / "8.7×")

    cap = planner.capacity_
    frame = cap[[S.BRANCH, *[c for c in CAPACITY_COLUMNS if c in cap.columns]]].reset_index(drop=True)
    frame = frame.assign(**{c: [backward_times(v, lang) for v in frame[c]] for c in ("capacity_multiple", "peak_vs_today") if c in frame})
    return labelled(frame, lang, "backward")


def backward_team_lines(planner, lang: str = "zh") -> str:
    """Can this team make it, in sentences: today's capacity, the phasing comparison, the most stretched month, the staffing plan."""
    from .tables import backward_team_lines as lines

    return "\n".join(lines(planner, lang))


def backward_per_head(planner, lang: str = "zh") -> pd.DataFrame:
    """Branches x months: required gross profit per head as a multiple of today's, ⚠ above the realistic level."""
    from .tables import backward_per_head as view

    return view(planner, lang)


def backward_hires(planner, lang: str = "zh") -> pd.DataFrame:
    """Branches x months: the people joining each month (the hiring plan), with totals."""
    from .tables import backward_hires as view

    return view(planner, lang)


def backward_org(planner, lang: str = "zh") -> pd.DataFrame:
    """团队编制: people by role per branch, today → year end, and the monthly cost."""
    from .tables import backward_org as view

    return view(planner, lang)


def backward_mix(planner, lang: str = "zh") -> list[tuple[str, pd.DataFrame]]:
    """Per mix dimension of the plan: its heading and the branches x categories annual sales tasks (none without a mix)."""
    from ..core.labels import text
    from .tables import backward_mix as view

    return [(text("bw_heading_mix", lang, dimension=label(m.dimension, lang, "backward")), view(planner, m.dimension, lang))
            for m in planner.plan.mix]


def backward_sensitivity(planner, lang: str = "zh") -> pd.DataFrame | None:
    """The plan's readings side by side (None when the plan has no readings)."""
    from .tables import backward_sensitivity as view

    return view(planner, lang) if planner.plan.readings else None


def backward_assumptions(planner, lang: str = "zh") -> pd.DataFrame:
    """The plan's settings and documented assumptions (two columns)."""
    if _takes_lang(planner.assumptions):  # the method labels its own table
        return planner.assumptions(lang=lang)
    return labelled(planner.assumptions(), lang, "backward")


# ----------------------------------------------------------------------------
# every page of the quarter's set
# ----------------------------------------------------------------------------
def page_title(title_key: str, state, lang: str = "zh") -> str:
    """``经营摘要 — 2026Q3（截至 2026-09-30）``: the page's title with the quarter and its as-of date."""
    return t("page_title", lang, title=t(title_key, lang), quarter=state.quarter, as_of=f"{state.as_of:%Y-%m-%d}")


def history_end(state) -> pd.Timestamp:
    """The last month of history and actuals the pages show (the as-of month)."""
    return pd.Timestamp(state.history_to_date[S.MONTH].max())


def forecast_months(state) -> pd.DatetimeIndex:
    """The months of the forecast the pages show (after the as-of month)."""
    return pd.DatetimeIndex(sorted(pd.unique(state.forecast[S.MONTH])))


def period_marker_html(state, lang: str = "zh") -> str:
    """Where history and actuals end and the forecast starts, in words and as data attributes."""
    end, months = history_end(state), forecast_months(state)
    start, last = (f"{months[0]:%Y-%m}", f"{months[-1]:%Y-%m}") if len(months) else ("—", "—")
    words = t("period_marker", lang, end=f"{end:%Y-%m}", start=start, last=last)
    return (f"<p class='sa-period' data-as-of='{state.as_of:%Y-%m-%d}' data-history-end='{end:%Y-%m}' "
            f"data-forecast-start='{start}' data-forecast-end='{last}'>{html.escape(words)}</p>")


def company_months(state) -> pd.DataFrame:
    """The company's plan year by month (target, actual of the closed months, forecast of the open ones)."""
    monthly = state.review["outlook_monthly"]
    return monthly[monthly[S.BRANCH] == tracking.COMPANY].reset_index(drop=True)


def data_notes_html(said, state=None, lang: str = "zh") -> str:
    """What reading and computing the quarter said (warnings caught around ``load_state``, the state's
    notes), once, as a labelled section — not as raw stderr; file paths shortened to file names."""
    notes = [str(getattr(w, "message", w)) for w in said or ()] + list(getattr(state, "notes", None) or ())
    notes = list(dict.fromkeys(_PATH.sub(lambda m: m.group(1), n) for n in notes))
    if not notes:
        return ""
    items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return f"<h3>{html.escape(t('data_notes', lang))}</h3><ul class='sa-data-notes'>{items}</ul>"


#: an absolute path inside a message: keep the file name only (pages show no folders of the machine)
_PATH = re.compile(r"(?:/[^\s/:,;()]+)+/([^\s/:,;()]+)")


# ----------------------------------------------------------------------------
# 正推法 forward page: history to the as-of date, the forecast after it
# ----------------------------------------------------------------------------
def company_forecast(state) -> pd.DataFrame:
    """The company rows of the quarter's forecast (its own range, not a sum of the branches' ranges)."""
    fc = state.forecast
    return fc[fc[S.BRANCH] == tracking.COMPANY].reset_index(drop=True)


def forecast_month_table(state, lang: str = "zh") -> pd.DataFrame:
    """Company forecast per month after the as-of date: mean and 80 % / 95 % ranges (yuan)."""
    fc = company_forecast(state)[[S.MONTH, "mean", "lo_80", "hi_80", "lo_95", "hi_95"]].copy()
    fc[S.MONTH] = pd.DatetimeIndex(fc[S.MONTH]).strftime("%Y-%m")
    return labelled(fc, lang, "tracking")


def forecast_branch_table(state, lang: str = "zh") -> pd.DataFrame:
    """Per branch (company first): actual to date, the rest of the year, the year end with its 80 % range,
    the annual target and next year's forecast (sum of the monthly means)."""
    outlook = state.review["outlook"]
    fc = state.forecast
    nxt = fc[pd.DatetimeIndex(fc[S.MONTH]).year == state.year + 1]
    # a branch the forecaster can't carry past this year (run rate: too little history) has no next-year view
    next_year = nxt.groupby(S.BRANCH, sort=False)["mean"].sum().where(lambda v: v != 0)
    frame = pd.DataFrame({
        S.BRANCH: outlook[S.BRANCH].to_numpy(),
        "actual_to_date": outlook["actual_to_date"].to_numpy(),
        "forecast_remaining": outlook["forecast_remaining"].to_numpy(),
        "projected_year_end": outlook["projected_year_end"].to_numpy(),
        "lo_80": outlook["lo_80"].to_numpy(),
        "hi_80": outlook["hi_80"].to_numpy(),
        "annual_target": outlook["annual_target"].to_numpy(),
        "method": outlook["method"].to_numpy(),
    })
    if len(next_year):
        frame["next_year_forecast"] = next_year.reindex(frame[S.BRANCH]).to_numpy()
    return _relabel_with_presentation(frame, lang)


def forecast_weights_table(state, lang: str = "zh") -> pd.DataFrame | None:
    """Per branch: the weight of every model in its forecast (percent, each row summing to 100 %), from the
    forecaster's rolling-origin backtest on the branch's history; None when no branch was forecast."""
    method = getattr(state, "forecast_method", None)
    if not method:
        return None
    w = method["weights"]
    models = list(dict.fromkeys(w["model"]))
    branches = list(dict.fromkeys(w[S.BRANCH]))
    wide = w.pivot_table(index=S.BRANCH, columns="model", values="weight", aggfunc="sum", sort=False)
    wide = wide.reindex(index=branches, columns=models).fillna(0.0)
    out = pd.DataFrame({label(S.BRANCH, lang): branches})
    for m in models:
        out[value("forecast_model", m, lang)] = [fmt.format_value(v, "fraction", lang) for v in wide[m].to_numpy()]
    return out


def calendar_effect_table(state, lang: str = "zh") -> pd.DataFrame | None:
    """The Spring Festival / working-day effect on the forecast, one row per month the calendar moves (by at
    least 0.05 %): the company's effect, then each branch whose effect differs from it (signed percent of
    the calendar-neutral forecast).

    The company's effect is that of its summed forecast: sum of the branch means over the sum of their
    calendar-neutral means (mean / (1 + effect)).  None when no branch's forecast uses the calendar.
    """
    method = getattr(state, "forecast_method", None)
    if not method:
        return None
    cal = method["calendar"]
    cal = cal[cal["used"]]
    if cal.empty:
        return None
    wide = cal.pivot_table(index=S.BRANCH, columns=S.MONTH, values="effect_pct", aggfunc="sum", sort=False)
    wide = wide.loc[:, (wide.abs() >= 0.05).any(axis=0)]
    if wide.empty:
        return None
    fc = state.forecast
    means = fc[fc[S.BRANCH].isin(wide.index)].pivot_table(index=S.BRANCH, columns=S.MONTH, values="mean", aggfunc="sum")
    means = means.reindex(index=wide.index, columns=wide.columns)
    neutral = means / (1 + wide / 100)
    company = (means.sum(axis=0) / neutral.sum(axis=0) - 1) * 100
    # a branch whose effect is the company's (the pooled estimate) adds nothing to read
    own = [b for b in wide.index if (wide.loc[b] - company).abs().max() >= 0.1]
    months = pd.DatetimeIndex(wide.columns)
    out = pd.DataFrame({label(S.MONTH, lang): months.strftime("%Y-%m")})
    for name, row in [(t("tracking_company", lang), company)] + [(str(b), wide.loc[b]) for b in own]:
        out[name] = [fmt.format_value(v, "percent", lang, signed=True) for v in row.to_numpy()]
    return out


def _calendar_estimated_years(state) -> list[int]:
    """Forecast years the calendar shows whose holiday notice is not out yet (working days estimated)."""
    from ..core.calendar_cn import has_notice

    method = getattr(state, "forecast_method", None)
    cal = method["calendar"] if method else None
    if cal is None or not cal["used"].any():
        return []
    return sorted(y for y in set(pd.DatetimeIndex(cal[S.MONTH]).year) if not has_notice(y))


def forecast_method_html(state, lang: str = "zh") -> str:
    """The forward page's method section: each branch's model weights, the market movement the ranges allow for, then the
    calendar effect ('' without a forecaster)."""
    from .charts import table_html

    weights = forecast_weights_table(state, lang)
    if weights is None:
        return ""
    calendar = calendar_effect_table(state, lang)
    parts = [f"<h2>{html.escape(t('forecast_weights', lang))}</h2>",
             f"<p class='sa-note-line'>{html.escape(t('forecast_weights_intro', lang))}</p>",
             table_html(weights, index=False, lang=lang)]
    market = state.forecast_method.get("market_pct", 0.0)
    if market > 0:  # what the ranges on every page allow for beyond each branch's own history
        parts.append(f"<p class='sa-note-line'>{html.escape(t('forecast_market', lang, sd=f'{market:g}%'))}</p>")
    parts += [f"<h2>{html.escape(t('forecast_calendar', lang))}</h2>",
              f"<p class='sa-note-line'>{html.escape(t('forecast_calendar_intro' if calendar is not None else 'forecast_calendar_none', lang))}</p>"]
    if calendar is not None:
        same = len(calendar.columns) == 2
        parts.append(table_html(calendar, index=False, lang=lang))
        notes = [t("forecast_calendar_same", lang)] if same else []
        years = _calendar_estimated_years(state)
        if years:
            notes.append(t("forecast_calendar_estimated", lang, years="、".join(map(str, years)) if lang == "zh" else ", ".join(map(str, years))))
        parts += [f"<p class='sa-note-line'>{html.escape(n)}</p>" for n in notes]
    return "".join(parts)


def _relabel_with_presentation(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """tracking.relabel for a frame with a few page columns (labelled from the presentation table)."""
    own = [c for c in frame.columns if c in COLUMNS["presentation"] and c not in COLUMNS["tracking"]]
    words = {c: label(c, lang, "presentation") for c in own}
    out = tracking.relabel(frame.drop(columns=own), lang)
    for c in own:
        out[words[c]] = frame[c].to_numpy()
    return out


# ----------------------------------------------------------------------------
# quarterly review page
# ----------------------------------------------------------------------------
#: probability columns (0…1) of the review's tables, shown in percent with one decimal
PROBABILITY_COLUMNS = ("prob_reach_target",)
#: what ranks each review table's branches, lowest (worst) first: the rows shown before the fold need attention
WORST_FIRST = {"standing": "ytd_time_adjusted_attainment_pct", "outlook": "prob_reach_target"}


def review_table(review: dict, name: str, lang: str = "zh") -> pd.DataFrame:
    """One table of the quarter's review with tracking's labels (standing, outlook, pace_branch, ...);
    probabilities in percent with one decimal (as the headline shows them), exact ``*_fen`` columns left out."""
    frame = review[name]
    frame = frame.drop(columns=[c for c in frame.columns if str(c).endswith("_fen")])
    rank = WORST_FIRST.get(name)
    if rank in frame.columns and S.BRANCH in frame.columns:  # the company first, then the branches worst first
        company = frame[S.BRANCH] == tracking.COMPANY
        frame = pd.concat([frame[company], frame[~company].sort_values(rank, na_position="first", kind="stable")], ignore_index=True)
    for col in PROBABILITY_COLUMNS:
        if col in frame.columns:
            frame = frame.assign(**{col: [f"{p * 100:.1f}%" for p in frame[col]]})
    return tracking.relabel(frame, lang)


def attainment_by_branch(review: dict) -> pd.Series:
    """Year-to-date time-adjusted attainment (%) per branch, for the review's bar chart."""
    return review["standing"].set_index(S.BRANCH)["ytd_time_adjusted_attainment_pct"]


# ----------------------------------------------------------------------------
# scorecard page
# ----------------------------------------------------------------------------
def evaluation(state) -> dict:
    """The quarter's scorecard and incentive tables (labelled in the state's language)."""
    if state.evaluation is None:
        raise ParameterError(t("no_evaluation", "en") + " Fix: put scorecard_scheme.yaml and incentive_plans.yaml in the data folder.")
    return state.evaluation


def mean_score_by_branch(evaluation: dict) -> pd.Series:
    """Average score per branch (lowest first), for the scorecard's bar chart."""
    return evaluation["scores"].groupby(S.BRANCH)["score"].mean().sort_values()


#: the incentive plans' comparison, one measure per row (the rows of ``IncentiveSimulator.comparison``)
PLAN_MEASURES = ("basis", "total_cost_yuan", "cost_pct_revenue", "cost_pct_gross_profit", "cost_p10_yuan", "cost_p50_yuan",
                 "cost_p90_yuan", "cost_pct_gross_profit_p90", "top_quintile_mean", "bottom_quintile_mean", "top_bottom_ratio",
                 "top_quintile_share", "paid_people", "flag_gross_profit")
#: the kind of the measures whose name does not say it (the rest: :func:`formatting.kind_for`)
_PLAN_KINDS = {"top_quintile_mean": "money", "bottom_quintile_mean": "money"}


def plan_comparison(evaluation: dict, lang: str = "zh") -> pd.DataFrame:
    """The incentive plans side by side (a column per plan, a row per measure), every figure through the one
    formatting layer from the simulator's exact summary (``plan_summary``): money in 元 to the fen, shares in %
    with one decimal, the top/bottom ratio as 倍/×, people as ``paid / scored``."""
    from ..core.labels import text, value
    from ..methods.scorecard import DOMAIN
    from . import formatting

    check_lang(lang)
    summary = evaluation["plan_summary"]
    # the flag's sentence (with the plans' threshold) is the method's own text: taken from its comparison table
    method = evaluation["plan_comparison"]
    flag_row = method[method.iloc[:, 0] == label("flag_gross_profit", lang, DOMAIN)]

    def cell(key: str, r) -> str:
        if key == "basis":
            return value("basis", r["basis"], lang)
        if key == "paid_people":
            return f"{int(r['paid_people']):,} / {int(r['people']):,}"
        if key == "flag_gross_profit":
            if not r["flag_gross_profit"]:
                return text("no_flag", lang)
            return str(flag_row.iloc[0][r[f"label_{lang}"]]) if len(flag_row) and r[f"label_{lang}"] in flag_row else "⚠"
        v = r[key]
        if key == "top_bottom_ratio" and v == float("inf"):
            return "∞"
        return formatting.format_value(v, _PLAN_KINDS.get(key) or formatting.kind_for(key, DOMAIN), lang, missing="—")

    table = {r[f"label_{lang}"]: [cell(key, r) for key in PLAN_MEASURES] for _, r in summary.iterrows()}
    measure = label("measure", lang, DOMAIN)
    return pd.DataFrame({measure: [label(key, lang, DOMAIN) for key in PLAN_MEASURES], **table})
