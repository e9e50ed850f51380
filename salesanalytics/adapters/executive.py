"""The one-page executive summary: headline numbers, target vs forecast, odds, risks, hires.

Pure functions from the method objects' tidy outputs to small frames and
HTML; the notebook ``notebooks/executive_summary.ipynb`` only calls them.
"""

from __future__ import annotations

import html

import pandas as pd

from ..core import schema as S
from ..core.labels import check_lang, t

STATUS_ZH = {"on track": "有望达成", "stretch": "需冲刺", "at risk": "有风险", "out of reach": "难以达成"}
RISKY = ("at risk", "out of reach")


def headline_rows(backward_summary: dict, combined_summary: dict | None, lang: str = "zh") -> list[tuple[str, str]]:
    """(label, value) rows: what must be made, what the forecast says, the odds and the hires."""
    check_lang(lang)
    y = t("yuan", lang)
    b = backward_summary
    rows = [
        (t("target", lang) + f" ({b['target_kind']}, {b['year']})", f"{b['target_yuan']:,.0f} {y}"),
        (t("revenue_required", lang), f"{b['revenue_required_yuan']:,.0f} {y} ({t('gross_margin', lang)} {b['effective_margin']:.1%})"),
    ]
    if combined_summary:
        c = combined_summary
        status = STATUS_ZH.get(c["status"], c["status"]) if lang == "zh" else c["status"]
        rows += [
            (t("forecast", lang), f"{c['forecast_yuan']:,.0f} {y} (P10–P90 {c['forecast_p10_yuan']:,.0f} – {c['forecast_p90_yuan']:,.0f})"),
            (t("gap", lang), f"{c['gap_yuan']:,.0f} {y} ({c['gap_pct']:.1f}%) — {status}"),
            (t("probability", lang), f"{c['probability']:.0%} → {c['probability_with_actions']:.0%}" + (" (采取措施后)" if lang == "zh" else " (with the actions)")),
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
        t("branch", lang): frame[S.BRANCH].to_numpy(),
        t("target", lang): frame["required"].to_numpy(),
        t("forecast", lang): frame["forecast_mean"].to_numpy(),
        t("gap", lang): frame["gap_yuan"].to_numpy(),
        t("probability", lang): [f"{p:.0%}" for p in frame["probability"]],
        "": [STATUS_ZH.get(s, s) if lang == "zh" else s for s in frame["status"]],
    })
    return out


def hires(staffing_branch: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Hires per branch with the month hiring must start (branches needing none left out)."""
    check_lang(lang)
    frame = staffing_branch[staffing_branch["hires_total"] > 0]
    start = pd.to_datetime(frame["first_start_hiring"])
    return pd.DataFrame({
        t("branch", lang): frame[S.BRANCH].to_numpy(),
        t("hires", lang): frame["hires_total"].to_numpy(),
        ("最早开始招聘" if lang == "zh" else "start hiring by"): start.dt.strftime("%Y-%m").to_numpy(),
        ("弥补缺口（元）" if lang == "zh" else "gap closed (yuan)"): frame["contribution_yuan"].to_numpy(),
    })


def review_headline_rows(summary: dict, outlook: pd.DataFrame, lang: str = "zh") -> list[tuple[str, str]]:
    """Quarterly review headline: year-to-date attainment, the year-end outlook and its odds.

    ``summary``: :meth:`salesanalytics.tracking.Tracker.summary`; ``outlook``:
    the ``outlook`` table of ``Tracker.review`` (its company row is used).
    """
    check_lang(lang)
    from ..methods.tracking import COMPANY

    y = t("yuan", lang)
    o = outlook.set_index(S.BRANCH).loc[COMPANY]
    zh = lang == "zh"
    return [
        ("截至" if zh else "As of", str(summary["as_of"])),
        ("全年目标" if zh else "Annual target", f"{summary['annual_target_yuan']:,.0f} {y}"),
        ("累计实际" if zh else "Actual to date", f"{summary['ytd_actual_yuan']:,.0f} {y} ({summary['ytd_attainment_pct']:.1f}%)"),
        ("剩余缺口" if zh else "Remaining gap", f"{summary['remaining_gap_yuan']:,.0f} {y}"),
        (t("outlook", lang), f"{o['projected_year_end']:,.0f} {y} ({o['projected_attainment_pct']:.1f}%), 80%: {o['lo_80']:,.0f} – {o['hi_80']:,.0f}"),
        (t("probability", lang), f"{o['prob_reach_target']:.0%}"),
    ]
