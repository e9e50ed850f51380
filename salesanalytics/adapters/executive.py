"""The one-page executive summary: headline numbers, target vs forecast, odds, risks, hires.

Pure functions from the method objects' tidy outputs to small frames and
HTML; the notebook ``notebooks/executive_summary.ipynb`` only calls them.
"""

from __future__ import annotations

import html

import pandas as pd

from ..core import schema as S
from ..core.labels import check_lang, t, value
from ..methods import tracking
from .pages import labelled

RISKY = ("at risk", "out of reach")


def headline_rows(backward_summary: dict, combined_summary: dict | None, lang: str = "zh") -> list[tuple[str, str]]:
    """(label, value) rows: what must be made, what the forecast says, the odds and the hires."""
    check_lang(lang)
    y = t("yuan", lang)
    b = backward_summary
    rows = [
        (f"{t('target', lang)} ({value('target_kind', b['target_kind'], lang)}, {b['year']})", f"{b['target_yuan']:,.0f} {y}"),
        (t("revenue_required", lang), f"{b['revenue_required_yuan']:,.0f} {y} ({t('gross_margin', lang)} {b['effective_margin']:.1%})"),
    ]
    if combined_summary:
        c = combined_summary
        status = value("gap_status", c["status"], lang)
        rows += [
            (t("forecast", lang), f"{c['forecast_yuan']:,.0f} {y} (P10–P90 {c['forecast_p10_yuan']:,.0f} – {c['forecast_p90_yuan']:,.0f})"),
            (t("gap", lang), f"{c['gap_yuan']:,.0f} {y} ({c['gap_pct']:.1f}%) — {status}"),
            (t("probability", lang), f"{c['probability']:.0%} → {c['probability_with_actions']:.0%} ({t('with_actions', lang)})"),
            (t("hires", lang), f"{c['hires']} {t('people', lang)}"),
        ]
    else:
        rows += [
            (t("capacity", lang), f"{b['capacity_gross_profit_yuan']:,.0f} {y}"),
            (t("uplift_needed", lang), f"{b['uplift_needed_pct']:.1f}%"),
            (t("extra_heads", lang), f"{b['extra_heads_needed']:.0f} {t('people', lang)}"),
        ]
    return rows


def headline_html(rows: list[tuple[str, str]]) -> str:
    body = "".join(
        f"<tr><th style='text-align:left;padding-right:2em'>{html.escape(k)}</th><td style='text-align:right'>{html.escape(v)}</td></tr>"
        for k, v in rows
    )
    return f"<table class='sa-headline-table' style='font-size:1.15em'>{body}</table>"


def risks(gap_branch: pd.DataFrame, lang: str = "zh", top: int = 5) -> pd.DataFrame:
    """Branches least likely to reach their task (at risk / out of reach first), largest gap first."""
    check_lang(lang)
    frame = gap_branch.sort_values(["probability", "gap_yuan"], ascending=[True, False])
    frame = frame[frame["status"].isin(RISKY)].head(top)
    out = pd.DataFrame({
        S.BRANCH: frame[S.BRANCH].to_numpy(),
        "required": frame["required"].to_numpy(),
        "forecast_mean": frame["forecast_mean"].to_numpy(),
        "gap_yuan": frame["gap_yuan"].to_numpy(),
        "probability": [f"{p:.0%}" for p in frame["probability"]],
        "status": [value("gap_status", s, lang) for s in frame["status"]],
    })
    return labelled(out, lang)


def hires(staffing_branch: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Hires per branch with the month hiring must start (branches needing none left out)."""
    check_lang(lang)
    frame = staffing_branch[staffing_branch["hires_total"] > 0]
    start = pd.to_datetime(frame["first_start_hiring"])
    out = pd.DataFrame({
        S.BRANCH: frame[S.BRANCH].to_numpy(),
        "hires_total": frame["hires_total"].to_numpy(),
        "first_start_hiring": start.dt.strftime("%Y-%m").to_numpy(),
        "contribution_yuan": frame["contribution_yuan"].to_numpy(),
    })
    return labelled(out, lang)


def review_headline_rows(summary: dict, outlook: pd.DataFrame, lang: str = "zh") -> list[tuple[str, str]]:
    """Quarterly review headline: year-to-date attainment, the year-end outlook and its odds.

    ``summary``: :meth:`salesanalytics.tracking.Tracker.summary`; ``outlook``:
    the ``outlook`` table of ``Tracker.review`` (its company row is used).
    """
    check_lang(lang)
    y = t("yuan", lang)
    o = outlook.set_index(S.BRANCH).loc[tracking.COMPANY]
    return [
        (t("review_as_of", lang), str(summary["as_of"])),
        (t("review_annual_target", lang), f"{summary['annual_target_yuan']:,.0f} {y}"),
        (t("review_actual_to_date", lang), f"{summary['ytd_actual_yuan']:,.0f} {y} ({summary['ytd_attainment_pct']:.1f}%)"),
        (t("review_remaining_gap", lang), f"{summary['remaining_gap_yuan']:,.0f} {y}"),
        (t("outlook", lang), f"{o['projected_year_end']:,.0f} {y} ({o['projected_attainment_pct']:.1f}%), 80%: {o['lo_80']:,.0f} – {o['hi_80']:,.0f}"),
        (t("probability", lang), f"{o['prob_reach_target']:.0%}"),
    ]
