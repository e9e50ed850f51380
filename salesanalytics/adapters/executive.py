"""The quarter's summary blocks: the one headline every page shows, the narrative, what each branch
must deliver, the risks and the actions.

Everything here reads the quarter's state (:class:`~salesanalytics.orchestration.cycle.QuarterState`):
:func:`quarter_headline_html` renders ``state.summary`` — the figures ``summary.json`` carries — so
every page of a set shows the same numbers.  Each figure sits in a ``<span data-key=… data-value=…>``
with the summary's key and exact value, so a test (or a reader's script) can check a page against
``summary.json``.  The notebook ``notebooks/executive_summary.ipynb`` only calls these functions.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import config
from ..core import schema as S
from ..core.labels import check_lang, label_columns, t, value
from ..methods import tracking
from ..methods.tracking.common import DEFAULT_THRESHOLDS as THRESHOLDS
from ..orchestration.cycle import quarter_changes
from . import charts, formatting, io
from .pages import labelled

RISKY = ("at risk", "out of reach")
#: a branch whose probability of reaching its annual target is below this is a risk
RISK_PROBABILITY = 0.5
#: the summary keys the full headline shows (the compact one a subset)
HEADLINE_KEYS = ("as_of", "quarter", "annual_target_yuan", "ytd_actual_yuan", "ytd_target_yuan", "ytd_attainment_pct",
                 "outlook_yuan", "outlook_attainment_pct", "outlook_p10_yuan", "outlook_p90_yuan", "probability", "gap_yuan",
                 "remaining_task_yuan", "n_draws", "seed")


# ----------------------------------------------------------------------------
# number formats of the headline (the tests format summary.json the same way)
# ----------------------------------------------------------------------------
def fmt_yuan(amount: float) -> str:
    """Whole yuan with thousands separators (``-0`` reads ``0``), through the one formatting layer."""
    return formatting.fixed(amount, 0)


def fmt_pct(percent: float) -> str:
    """A value already in percent, one decimal: ``97.23`` → ``97.2%``."""
    return formatting.format_value(float(percent), "percent")


def fmt_probability(p: float) -> str:
    """A probability (0…1) in percent, one decimal: ``0.03`` → ``3.0%``."""
    return formatting.format_value(float(p), "fraction")


#: how each summary figure is written on a page
FORMATS = {
    "annual_target_yuan": fmt_yuan, "ytd_target_yuan": fmt_yuan, "ytd_actual_yuan": fmt_yuan, "outlook_yuan": fmt_yuan,
    "outlook_p10_yuan": fmt_yuan, "outlook_p90_yuan": fmt_yuan, "gap_yuan": fmt_yuan, "remaining_task_yuan": fmt_yuan,
    "ytd_attainment_pct": fmt_pct, "outlook_attainment_pct": fmt_pct, "probability": fmt_probability,
    "n_draws": lambda v: f"{int(v):,}", "seed": lambda v: str(int(v)), "as_of": str, "quarter": str,
}


def figure_span(summary: dict, key: str, shown: str | None = None) -> str:
    """One summary figure as ``<span class="sa-figure" data-key=… data-value=…>text</span>``."""
    raw = summary[key]
    data = repr(float(raw)) if isinstance(raw, (float, np.floating)) else str(raw)
    text = shown if shown is not None else FORMATS[key](raw)
    return f'<span class="sa-figure" data-key="{html.escape(key)}" data-value="{html.escape(data)}">{html.escape(text)}</span>'


def fill_html(key: str, lang: str, **spans: str) -> str:
    """The sentence ``key`` escaped, with ready-made HTML (the figure spans, escaped text) put into its fields."""
    marks = {name: f"\x00{name}\x00" for name in spans}
    out = html.escape(t(key, lang, **marks))
    for name, span in spans.items():
        out = out.replace(marks[name], span)
    return out


_fill = fill_html


# ----------------------------------------------------------------------------
# the headline every page shows
# ----------------------------------------------------------------------------
def headline_rows(summary: dict, lang: str = "zh", *, compact: bool = False) -> list[tuple[str, str]]:
    """``(label, HTML)`` rows of the quarter's headline from ``state.summary`` (the figures are spans)."""
    check_lang(lang)
    s = summary

    def span(key):
        return figure_span(s, key)

    gap = float(s["gap_yuan"])
    gap_text = _fill("hl_gap_short" if gap > 0 else "hl_gap_ahead", lang, gap=span("gap_yuan"))
    rows = [
        (t("hl_as_of", lang), f"{span('as_of')}（{span('quarter')}）" if lang == "zh" else f"{span('as_of')} ({span('quarter')})"),
        (t("hl_annual_target", lang), _fill("hl_yuan_value", lang, amount=span("annual_target_yuan"))),
        (t("hl_ytd", lang), _fill("hl_ytd_value", lang, actual=span("ytd_actual_yuan"), target=span("ytd_target_yuan"),
                                  pct=span("ytd_attainment_pct"))),
        (t("hl_outlook", lang), _fill("hl_outlook_value", lang, outlook=span("outlook_yuan"), pct=span("outlook_attainment_pct"),
                                      p10=span("outlook_p10_yuan"), p90=span("outlook_p90_yuan"))),
        (t("hl_probability", lang), span("probability")),
        (t("hl_gap", lang), gap_text),
        (t("hl_remaining", lang), _fill("hl_yuan_value", lang, amount=span("remaining_task_yuan"))),
    ]
    if compact:  # the quarter line of pages about something else (scorecard): where the year stands
        rows = [rows[0], rows[2], rows[3], rows[4]]
    return rows


#: status of a probability (0…1): green from here, yellow from :data:`RISK_PROBABILITY`, red below
PROBABILITY_GREEN = 0.8


def _wan(amount: float, lang: str, *, unit: bool = True) -> str:
    """A card's amount in 万元 (with its unit), through the one formatting layer."""
    return formatting.money_wan(amount, lang, unit=unit)


def attainment_status(percent: float) -> str:
    """``green`` / ``yellow`` / ``red`` of an attainment in percent, by tracking's thresholds (the tables' 红/黄/绿)."""
    return "green" if percent >= THRESHOLDS["green"] else "yellow" if percent >= THRESHOLDS["yellow"] else "red"


def probability_status(p: float) -> str:
    return "green" if p >= PROBABILITY_GREEN else "yellow" if p >= RISK_PROBABILITY else "red"


def key_cards(summary: dict, lang: str = "zh", *, compact: bool = False) -> list[dict]:
    """The key-figure cards of the first screen: ``key`` (the summary figure), ``label``, ``value`` (万元, %),
    ``unit`` (万元 or ''), ``sub`` (one line of context) and ``status`` (green / yellow / red / neutral) — target, year to date,
    outlook, probability, gap (the compact set of pages about something else: year to date, outlook, probability)."""
    check_lang(lang)
    s = summary
    gap = float(s["gap_yuan"])
    outlook_status = attainment_status(float(s["outlook_attainment_pct"]))
    wan = formatting.unit_word("money_wan", lang)
    cards = [
        {"key": "annual_target_yuan", "label": t("card_target", lang), "value": _wan(s["annual_target_yuan"], lang, unit=False), "unit": wan,
         "sub": t("card_target_sub", lang, remaining=_wan(s["remaining_task_yuan"], lang)), "status": "neutral"},
        {"key": "ytd_actual_yuan", "label": t("card_ytd", lang), "value": _wan(s["ytd_actual_yuan"], lang, unit=False), "unit": wan,
         "sub": t("card_ytd_sub", lang, target=_wan(s["ytd_target_yuan"], lang), pct=fmt_pct(s["ytd_attainment_pct"])),
         "status": attainment_status(float(s["ytd_attainment_pct"]))},
        {"key": "outlook_yuan", "label": t("card_outlook", lang), "value": _wan(s["outlook_yuan"], lang, unit=False), "unit": wan,
         "sub": t("card_outlook_sub", lang, pct=fmt_pct(s["outlook_attainment_pct"]), p10=_wan(s["outlook_p10_yuan"], lang, unit=False),
                  p90=_wan(s["outlook_p90_yuan"], lang)), "status": outlook_status},
        {"key": "probability", "label": t("card_probability", lang), "value": fmt_probability(s["probability"]), "unit": "",
         "sub": t("card_probability_sub", lang, n_draws=f"{int(s['n_draws']):,}"), "status": probability_status(float(s["probability"]))},
        {"key": "gap_yuan", "label": t("card_gap" if gap > 0 else "card_gap_ahead", lang), "value": _wan(abs(gap), lang, unit=False), "unit": wan,
         "sub": t("card_gap_sub", lang), "status": outlook_status if gap > 0 else "green"},
    ]
    return cards[1:4] if compact else cards


def cards_html(cards: list[dict], lang: str = "zh") -> str:
    """A row of key-figure cards: each card's ``key``, ``label``, ``value``, ``unit``, ``sub``, ``status`` (green / yellow /
    red / neutral) and ``raw`` (its exact value, carried as ``data-value``); the status is said in words as well as in colour."""
    out = []
    for card in cards:
        status = card["status"]
        raw = card.get("raw")
        data = "" if raw is None else repr(float(raw))
        said = card.get("word", "" if status == "neutral" else t("card_status_" + status, lang))
        word = f"<span class='sa-card-status'>{html.escape(said)}</span>" if said else ""
        out.append(f"<div class='sa-card sa-status-{status}' data-card='{html.escape(card['key'])}' data-status='{status}' "
                   f"data-value='{html.escape(data)}'><div class='sa-card-label'>{html.escape(card['label'])}{word}</div>"
                   f"<div class='sa-card-value'>{html.escape(card['value'])}<span class='sa-card-unit'>{html.escape(card['unit'])}</span></div>"
                   f"<div class='sa-card-sub'>{html.escape(card['sub'])}</div></div>")
    return f"<div class='sa-cards'>{''.join(out)}</div>"


def key_cards_html(summary: dict, lang: str = "zh", *, compact: bool = False) -> str:
    """:func:`key_cards` as a row of cards (:func:`cards_html`); each carries its summary key and exact value."""
    return cards_html([dict(card, raw=summary[card["key"]]) for card in key_cards(summary, lang, compact=compact)], lang)


def quarter_headline_html(summary: dict, lang: str = "zh", *, compact: bool = False) -> str:
    """The headline block of every page of the set: the key-figure cards, then exactly the figures of
    ``state.summary`` / ``summary.json`` in yuan (collapsed: the cards carry the first read)."""
    rows = headline_rows(summary, lang, compact=compact)
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{v}</td></tr>" for k, v in rows)
    note = _fill("hl_note", lang, n_draws=figure_span(summary, "n_draws"), seed=figure_span(summary, "seed"),
                 source=html.escape(value("targets_source", summary.get("targets_source", "backward"), lang)))
    return (f"<div class='sa-headline sa-quarter-headline' data-quarter='{html.escape(str(summary['quarter']))}' "
            f"data-as-of='{html.escape(str(summary['as_of']))}'>{key_cards_html(summary, lang, compact=compact)}"
            f"<details class='sa-headline-exact'><summary>{html.escape(t('headline_exact', lang))}</summary>"
            f"<table class='sa-headline-table'>{body}</table>"
            f"<p class='sa-headline-note'>{note}</p></details></div>")


def first_screen_html(state, lang: str = "zh", *, compact: bool = False, reports_dir: str | os.PathLike | None = None) -> str:
    """What every quarter page opens with: the key-figure cards and the few sentences of narrative (with what
    changed since the previous quarter; ``reports_dir``: see :func:`previous_summary`)."""
    return quarter_headline_html(state.summary, lang, compact=compact) + narrative_html(state, lang, reports_dir=reports_dir)


def headline_html(rows: list[tuple[str, str]]) -> str:
    """A small two-column table of plain-text ``(label, value)`` rows (escaped)."""
    body = "".join(
        f"<tr><th style='text-align:left;padding-right:2em'>{html.escape(k)}</th><td style='text-align:right'>{html.escape(v)}</td></tr>"
        for k, v in rows
    )
    return f"<table class='sa-headline-table' style='font-size:1.15em'>{body}</table>"


# ----------------------------------------------------------------------------
# the executive summary: narrative, what each branch must deliver, risks, actions
# ----------------------------------------------------------------------------
def risks(outlook: pd.DataFrame, lang: str = "zh", top: int = 5) -> pd.DataFrame:
    """Branches least likely to reach their annual target (below 50 %), lowest probability and largest gap first.

    ``outlook``: the ``outlook`` table of the quarter's review (the company row is left out).
    """
    check_lang(lang)
    frame = outlook[outlook[S.BRANCH] != tracking.COMPANY].copy()
    frame["gap_yuan"] = frame["annual_target"] - frame["projected_year_end"]
    frame = frame[frame["prob_reach_target"] < RISK_PROBABILITY]
    frame = frame.sort_values(["prob_reach_target", "gap_yuan"], ascending=[True, False]).head(top)
    out = pd.DataFrame({
        S.BRANCH: frame[S.BRANCH].to_numpy(),
        "annual_target": frame["annual_target"].to_numpy(),
        "projected_year_end": frame["projected_year_end"].to_numpy(),
        "lo_80": frame["lo_80"].to_numpy(),
        "hi_80": frame["hi_80"].to_numpy(),
        "gap_yuan": frame["gap_yuan"].to_numpy(),
        "prob_reach_target": [fmt_probability(p) for p in frame["prob_reach_target"]],
    })
    return labelled(out, lang, "tracking")


def risks_html(outlook: pd.DataFrame, lang: str = "zh", top: int = 5) -> str:
    """:func:`risks` as a table, or a sentence when no branch is below 50 %."""
    frame = risks(outlook, lang, top)
    return charts.table_html(frame, index=False, lang=lang) if len(frame) else f"<p>{html.escape(t('no_risks', lang))}</p>"


def deliveries(review: dict, lang: str = "zh") -> pd.DataFrame:
    """What each branch must now deliver: the re-plan of the open months (company first, then the
    branches that must lift their months most): actual to date, the open months' new tasks against
    the original plan, and each open month's task."""
    check_lang(lang)
    frames = [review["replan_company"].assign(**{S.BRANCH: tracking.COMPANY}), review["replan_branch"]]
    rp = pd.concat(frames, ignore_index=True)
    names = list(dict.fromkeys(rp[S.BRANCH]))
    open_rows = rp[rp["month_status"] == "open"]
    closed = rp[rp["month_status"] != "open"]
    actual = closed.groupby(S.BRANCH, sort=False)["actual_fen"].sum().reindex(names, fill_value=0) / 100
    remaining = open_rows.groupby(S.BRANCH, sort=False)["new_task_fen"].sum().reindex(names, fill_value=0) / 100
    planned = open_rows.groupby(S.BRANCH, sort=False)["planned_task_fen"].sum().reindex(names, fill_value=0) / 100
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(planned > 0, (remaining - planned) / planned * 100, np.nan)
    out = pd.DataFrame({S.BRANCH: names, "ytd_actual": actual.to_numpy(), "remaining_task": remaining.to_numpy(),
                        "planned_remaining": planned.to_numpy(), "change_pct": np.round(change, 1)})
    months = pd.DatetimeIndex(sorted(open_rows[S.MONTH].unique()))
    keep = {}
    for month in months:
        col = value("month_short", month.month, lang)
        cells = open_rows[open_rows[S.MONTH] == month].set_index(S.BRANCH)["new_task_fen"].reindex(names, fill_value=0) / 100
        out[col] = cells.to_numpy()
        keep[col] = col
    company = out[out[S.BRANCH] == tracking.COMPANY]
    rest = out[out[S.BRANCH] != tracking.COMPANY].sort_values("change_pct", ascending=False, na_position="last")
    out = pd.concat([company, rest], ignore_index=True)
    out[S.BRANCH] = out[S.BRANCH].where(out[S.BRANCH] != tracking.COMPANY, t("tracking_company", lang))
    out["change_pct"] = [formatting.format_value(v, "percent", lang, signed=True, missing="—") for v in out["change_pct"]]
    return label_columns(out, lang, "presentation", keep=keep)


def _month(ts) -> str:
    return f"{pd.Timestamp(ts):%Y-%m}"


def hires(staffing_branch: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Hires per branch with the month hiring must start (branches needing none left out)."""
    check_lang(lang)
    frame = staffing_branch[staffing_branch["hires_total"] > 0]
    out = pd.DataFrame({
        S.BRANCH: frame[S.BRANCH].to_numpy(),
        "hires_total": frame["hires_total"].to_numpy(),
        "first_start_hiring": [_month(d) for d in frame["first_start_hiring"]],
        "contribution_yuan": frame["contribution_yuan"].to_numpy(),
    })
    return labelled(out, lang)


def first_open_month(as_of) -> pd.Timestamp:
    """The first month after ``as_of`` (an action can start there at the earliest)."""
    return (pd.Timestamp(as_of) + pd.offsets.MonthBegin(1)).normalize()


def action_start(result, as_of) -> pd.Timestamp:
    """When the headline scenario's actions start: its first hiring month, else the first open month."""
    starts = pd.to_datetime(result.staffing_branch.loc[result.staffing_branch["hires_total"] > 0, "first_start_hiring"])
    first = first_open_month(as_of)
    return max(starts.min(), first) if len(starts) else first


def actions_html(state, lang: str = "zh") -> str:
    """The headline scenario's actions, every one dated after the as-of date: the uplift sentence and the hires."""
    check_lang(lang)
    res = state.headline_result
    s = res.summary
    start = first_open_month(state.as_of)  # the uplift works on the open months only
    parts = []
    if s["uplift_yuan"] > 0:  # none when no month is open (the as-of date is the year end)
        parts.append("<p>" + html.escape(t("action_uplift", lang, scenario=res.scenario.label(lang), start=_month(start),
                                            uplift=fmt_probability(res.scenario.productivity_uplift), amount=fmt_yuan(s["uplift_yuan"]),
                                            probability=fmt_probability(s["probability_with_actions"]))) + "</p>")
    table = hires(res.staffing_branch, lang)
    if len(table):
        parts.append(charts.table_html(table, index=False, lang=lang))
    else:
        parts.append(f"<p>{html.escape(t('no_hires', lang))}</p>")
    return f"<div class='sa-actions' data-as-of='{state.as_of:%Y-%m-%d}'>{''.join(parts)}</div>"


#: the figures of the previous report's summary.json the narrative compares (each must be a number)
PREVIOUS_KEYS = ("outlook_yuan", "probability", "ytd_attainment_pct")


def previous_summary(quarter: str, reports_dir: str | os.PathLike | None = "") -> dict | None:
    """The previous quarter's ``summary.json`` (``<reports_dir>/<previous quarter>/summary.json``) when it exists,
    is that quarter's, of the same year, and carries :data:`PREVIOUS_KEYS` as numbers; else None — a missing,
    unreadable or damaged file never fails a page.  ``reports_dir``: ``""`` the reports folder
    (``config.REPORTS_DIR``), None: do not look.  None in a year's first quarter."""
    if reports_dir is None:
        return None
    year, q = int(str(quarter)[:4]), int(str(quarter)[-1])
    if q == 1:
        return None
    previous = f"{year}Q{q - 1}"
    try:
        data = json.loads(io.read_text(Path(reports_dir or config.REPORTS_DIR) / previous / "summary.json"))
    except (OSError, ValueError, RecursionError):  # absent, unreadable, not UTF-8 or not JSON: no comparison
        return None
    if not isinstance(data, dict) or data.get("quarter") != previous:
        return None
    if any(isinstance(data.get(k), bool) or not isinstance(data.get(k), (int, float)) or not np.isfinite(data.get(k)) for k in PREVIOUS_KEYS):
        return None
    return data


def money_span(key: str, amount: float, lang: str, *, source: str = "summary") -> str:
    """A money figure of a sentence in 万元 (the cards' text) with its exact value:
    ``<span class="sa-figure" data-figure=key data-source=… data-value=…>23,628.5万元</span>``."""
    return (f'<span class="sa-figure" data-figure="{html.escape(key)}" data-source="{source}" data-value="{html.escape(repr(float(amount)))}">'
            f'{html.escape(formatting.money_wan(amount, lang))}</span>')


def value_span(key: str, raw, shown: str, *, source: str = "summary") -> str:
    """A non-money figure of a sentence (a percentage, points) with its exact value."""
    data = "" if raw is None else repr(float(raw))
    return f'<span class="sa-figure" data-figure="{html.escape(key)}" data-source="{source}" data-value="{data}">{html.escape(shown)}</span>'


def _points(change) -> str:
    return "—" if change is None else formatting.fixed(change, 1, signed=True)


def changes_sentences(state, lang: str = "zh", *, previous: dict | None = None) -> list[str]:
    """What changed since the previous quarter, as HTML sentences: in Q1 that this is the year's first review;
    else year-to-date attainment at the previous quarter end against today's and this quarter's own attainment
    (:func:`~salesanalytics.orchestration.cycle.quarter_changes`, from the state), then the previous report's
    outlook and probability against today's (``previous``: its summary.json, :func:`previous_summary`)."""
    check_lang(lang)
    c = quarter_changes(state)
    if c["first_review"]:
        return [html.escape(t("narrative_first_review", lang))]
    s = state.summary
    pct = lambda key, v, source="changes": value_span(key, v, "—" if v is None else fmt_pct(v), source=source)  # noqa: E731
    change = _fill("narrative_change", lang, previous_as_of=html.escape(c["previous_as_of"]),
                   previous_pct=pct("previous_ytd_attainment_pct", c["previous_ytd_attainment_pct"]),
                   pct=pct("ytd_attainment_pct", s["ytd_attainment_pct"], "summary"),
                   change=value_span("ytd_attainment_change_pts", c["ytd_attainment_change_pts"], _points(c["ytd_attainment_change_pts"]), source="changes"),
                   quarter_actual=money_span("quarter_actual_yuan", c["quarter_actual_yuan"], lang, source="changes"),
                   quarter_pct=pct("quarter_attainment_pct", c["quarter_attainment_pct"]))
    if previous is None:
        report = html.escape(t("narrative_change_no_report", lang, previous_quarter=c["previous_quarter"]))
    else:
        report = _fill("narrative_change_outlook", lang, previous_quarter=html.escape(c["previous_quarter"]),
                       previous_outlook=money_span("outlook_yuan", previous["outlook_yuan"], lang, source="previous"),
                       previous_probability=value_span("probability", previous["probability"], fmt_probability(previous["probability"]), source="previous"))
    out = [change, report]
    return out


def narrative_html(state, lang: str = "zh", *, attention: int = 3, reports_dir: str | os.PathLike | None = None) -> str:
    """A few sentences: where we stand, what changed since the previous quarter, where the year ends, who needs
    attention and the decision asked.  Money in 万元 as on the cards; every figure a span with its exact value.
    ``reports_dir``: where the previous quarter's report is (see :func:`previous_summary`; None: not read)."""
    check_lang(lang)
    s = state.summary
    wan = lambda key: money_span(key, s[key], lang)  # noqa: E731  (short local aliases)
    span = lambda key, shown: value_span(key, s[key], shown)  # noqa: E731
    change, report = (changes_sentences(state, lang, previous=previous_summary(state.quarter, reports_dir)) + [""])[:2]
    gap = "" if lang == "zh" else " "  # between sentences of one paragraph
    sentences = [
        _fill("narrative_standing", lang, as_of=html.escape(str(s["as_of"])), ytd=wan("ytd_actual_yuan"),
              pct=span("ytd_attainment_pct", fmt_pct(s["ytd_attainment_pct"]))) + gap + change,
        gap.join(x for x in (
            _fill("narrative_outlook", lang, outlook=wan("outlook_yuan"), p10=wan("outlook_p10_yuan"), p90=wan("outlook_p90_yuan"),
                  target=wan("annual_target_yuan"), probability=span("probability", fmt_probability(s["probability"]))),
            report, _fill("narrative_remaining", lang, remaining=wan("remaining_task_yuan"))) if x),
    ]
    outlook = state.review["outlook"]
    weak = outlook[(outlook[S.BRANCH] != tracking.COMPANY) & (outlook["prob_reach_target"] < RISK_PROBABILITY)]
    weak = weak.assign(gap=weak["annual_target"] - weak["projected_year_end"]).sort_values(["prob_reach_target", "gap"], ascending=[True, False])
    if len(weak):
        sep = "、" if lang == "zh" else ", "
        sentences.append(html.escape(t("narrative_attention", lang, branches=sep.join(weak[S.BRANCH].head(attention)))))
    res = state.headline_result
    r = res.summary
    if r["hires"] > 0 or r["uplift_yuan"] > 0:
        decision = t("narrative_decision", lang, scenario=res.scenario.label(lang), start=_month(action_start(res, state.as_of)),
                     hires=int(r["hires"]), uplift=fmt_probability(res.scenario.productivity_uplift),
                     probability=fmt_probability(r["probability_with_actions"]))
    else:
        decision = t("narrative_no_decision", lang)
    return ("<div class='sa-narrative'>" + "".join(f"<p>{x}</p>" for x in sentences)
            + f"<p class='sa-decision' data-as-of='{state.as_of:%Y-%m-%d}'><strong>{html.escape(decision)}</strong></p></div>")


# ----------------------------------------------------------------------------
# the backward (倒推法) page's first screen: the plan's key figures and what they mean
# ----------------------------------------------------------------------------
def _times(v, lang: str) -> str:
    return formatting.format_value(v, "ratio", lang)


def backward_cards(planner, lang: str = "zh") -> list[dict]:
    """The backward plan's key-figure cards: target, sales needed, capacity today (red when the task needs more than
    the realistic multiple of it, as the per-head table's ⚠; yellow above 1×), people to add and the flagged branch-months."""
    check_lang(lang)
    s = planner.summary()
    wan = formatting.unit_word("money_wan", lang)
    realistic = float(getattr(planner.plan, "realistic_multiple", 1.5))
    multiple = float(s["capacity_multiple"])
    capacity_status = "green" if multiple <= 1 else "yellow" if multiple <= realistic else "red"
    hires, gap = int(s["extra_heads_needed"]), float(s["open_gap_yuan"])
    cells = len(planner.branch_names_) * 12
    flagged = int(s["cells_flagged"])
    return [
        {"key": "target_yuan", "label": t("bw_card_target", lang, kind=value("target_kind", s["target_kind"], lang)),
         "value": _wan(s["target_yuan"], lang, unit=False), "unit": wan, "raw": s["target_yuan"], "status": "neutral",
         "sub": t("bw_card_target_sub", lang, gp=_wan(s["gross_profit_required_yuan"], lang), margin=formatting.percent(s["effective_margin"], lang))},
        {"key": "revenue_required_yuan", "label": t("bw_card_sales", lang), "value": _wan(s["revenue_required_yuan"], lang, unit=False),
         "unit": wan, "raw": s["revenue_required_yuan"], "status": "neutral",
         "sub": t("bw_card_sales_sub", lang, branches=int(s["branches"]), new=len(s["new_branches"] or ()))},
        {"key": "capacity_gross_profit_yuan", "label": t("bw_card_capacity", lang), "value": _wan(s["capacity_gross_profit_yuan"], lang, unit=False),
         "unit": wan, "raw": s["capacity_gross_profit_yuan"], "status": capacity_status,
         "sub": t("bw_card_capacity_sub", lang, multiple=_times(multiple, lang))},
        {"key": "extra_heads_needed", "label": t("bw_card_hires", lang), "value": formatting.format_value(hires, "count", lang),
         "unit": t("people", lang), "raw": hires, "status": "red" if gap > 0 else "yellow" if hires > 0 else "green",
         "sub": t("bw_card_hires_sub", lang, cost=_wan(s["staffing_cost_yuan"], lang))},
        {"key": "cells_flagged", "label": t("bw_card_flagged", lang), "value": formatting.format_value(flagged, "count", lang), "unit": "",
         "raw": flagged, "status": "red" if flagged else "green",
         "sub": t("bw_card_flagged_sub", lang, cells=cells, multiple=_times(realistic, lang))},
    ]


def backward_narrative_html(planner, lang: str = "zh") -> str:
    """The backward plan in a few sentences (money in 万元 as on the cards): the chain target → gross profit → sales,
    today's capacity, the most stretched month, the staffing plan, and the decision asked."""
    check_lang(lang)
    s = planner.summary()
    w = lambda key: money_span(key, s[key], lang, source="plan")  # noqa: E731
    kind = value("target_kind", s["target_kind"], lang)
    margin = formatting.percent(s["effective_margin"], lang)
    gap = "" if lang == "zh" else " "  # between sentences of one paragraph
    capacity = [_fill("bw_narrative_capacity", lang, capacity=w("capacity_gross_profit_yuan"), multiple=html.escape(_times(s["capacity_multiple"], lang)))]
    if s["peak_branch"] is not None:
        capacity.append(html.escape(t("bw_narrative_peak", lang, branch=s["peak_branch"], month=value("plan_month", s["peak_month"].month, lang),
                                      ratio=_times(s["peak_vs_today"], lang))))
    hires = int(s["extra_heads_needed"])
    staffing = []
    if hires:
        staffing.append(_fill("bw_narrative_staffing", lang, hires=html.escape(formatting.format_value(hires, "count", lang)),
                              cost=w("staffing_cost_yuan"), revenue=w("revenue_with_staffing_yuan")))
    if s["open_gap_yuan"] > 0:
        staffing.append(_fill("bw_narrative_open_gap", lang, gap=w("open_gap_yuan")))
    sentences = [_fill("bw_narrative_chain", lang, kind=html.escape(kind), target=w("target_yuan"), gp=w("gross_profit_required_yuan"),
                       margin=html.escape(margin), revenue=w("revenue_required_yuan")), gap.join(capacity)]
    if staffing:
        sentences.append(gap.join(staffing))
    decision = t("bw_narrative_decision", lang, hires=formatting.format_value(hires, "count", lang)) if hires else t("bw_narrative_no_decision", lang)
    return ("<div class='sa-narrative'>" + "".join(f"<p>{x}</p>" for x in sentences)
            + f"<p class='sa-decision'><strong>{html.escape(decision)}</strong></p></div>")


def backward_first_screen_html(planner, lang: str = "zh", *, exact_html: str = "") -> str:
    """What the backward page opens with: the plan's key-figure cards and its narrative; ``exact_html`` (the figures
    to the fen) folded between them, as on the quarter pages."""
    exact = (f"<details class='sa-headline-exact'><summary>{html.escape(t('headline_exact', lang))}</summary>{exact_html}</details>"
             if exact_html else "")
    return f"<div class='sa-headline'>{cards_html(backward_cards(planner, lang), lang)}{exact}</div>" + backward_narrative_html(planner, lang)
