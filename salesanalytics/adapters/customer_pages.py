"""The customer page (资产客户 vs 负债客户): what its notebook's parameters mean, its chart and its threshold sliders.

Kept beside :mod:`salesanalytics.adapters.pages` and :mod:`salesanalytics.adapters.widgets`
in the same pattern: the notebook is a ``parameters`` cell and calls into here; the static
tables and the chart are shown outside widgets (blank in HTML), the sliders only add an
interactive layer that re-classifies without refitting (:meth:`CustomerValue.with_rules`).
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import config
from ..core import schema as S
from ..core.periods import quarter_end
from ..core.exceptions import DataError
from ..core.labels import bilingual, check_lang, t, value
from ..methods.customers import CustomerValue, display_table, top_assets
from . import cache, charts, executive, formatting, io

#: CSS classes the browser tests look for.
CSS = {
    "asset_top_share": "sa-slider-asset-share", "asset_min_referrals": "sa-slider-referrals",
    "liability_oc_share": "sa-slider-liability-share", "liability_min_hours": "sa-slider-liability-hours",
    "headline": "sa-customers-headline", "table": "sa-customers-table", "panel": "sa-customers-explorer",
}
#: the thresholds the sliders move, their range and step
SLIDERS = {
    "asset_top_share": (0.05, 0.6, 0.05, ".0%"),
    "asset_min_referrals": (0, 10, 1, "d"),
    "liability_oc_share": (0.1, 0.95, 0.05, ".0%"),
    "liability_min_hours": (0.0, 80.0, 4.0, ".0f"),
}
CLASS_COLOURS = {"asset": "#2e7d32", "watch": "#f9a825", "liability": "#c62828", "unassigned": "#9e9e9e"}


def customers_from_parameters(data_dir: str = "", quarter: str = "", as_of: str = "", *, rules: dict | None = None,
                              lifetime: bool = True, n_draws: int = 100, seed: int = 0) -> CustomerValue | None:
    """What the customer notebook's parameters mean: the bundled (or ``data_dir``'s) files, the period to the quarter's end.

    None when the deals name no customer at all (a company that does not record them yet): the
    page then says so (:func:`no_customers`) instead of failing the whole quarterly set.
    """
    end = as_of or quarter_end(quarter)

    def compute():
        try:
            inputs = io.read_customer_inputs(data_dir or None)
        except DataError as exc:
            if exc.column is None and "customer column" in exc.problem:
                return None
            raise
        model = CustomerValue(rules, as_of=end, lifetime=lifetime, n_draws=n_draws, seed=seed)
        return model.fit(inputs["deals"], inputs["activities"], inputs["customers"])

    # fitted once per content of the input files and settings (the lifetime fit takes seconds); re-renders read it
    folder = Path(data_dir or config.DATA_DIR)
    files = {name: folder / name for name in (config.ACTUALS_FILE, config.CUSTOMER_ACTIVITIES_FILE, config.CUSTOMERS_FILE)}
    settings = {"as_of": end, "rules": sorted((rules or {}).items()), "lifetime": lifetime, "n_draws": n_draws, "seed": seed}
    model, _ = cache.cached("customers", cache.file_parts(files, settings), compute)
    return model


def no_customers(lang: str = "zh") -> str:
    return t("customers_no_data", lang)


def headline(model: CustomerValue, lang: str = "zh") -> str:
    s = model.summary()
    return t("customers_headline", lang, asset=s["asset_customers"], liability=s["liability_customers"],
             liability_hours=s["liability_hours_pct"], oc=s["opportunity_cost"], hours=s["hours_freed_per_month"],
             net=s["net_gain_per_month"])


def time_map_chart(model: CustomerValue, lang: str = "zh"):
    """Stacked horizontal bars: each branch's hours on asset, watch, liability and unassigned customers."""
    check_lang(lang)
    tm = model.time_map()
    kinds = [k for k in ("asset", "watch", "liability", "unassigned") if tm[f"{k}_hours"].sum() > 0]
    fig, ax = charts.figure(9, 0.34 * len(tm) + 1.4)
    y = np.arange(len(tm))[::-1]
    left = np.zeros(len(tm))
    for k in kinds:
        vals = tm[f"{k}_hours"].to_numpy(float)
        ax.barh(y, vals, left=left, color=CLASS_COLOURS[k], label=value("customer_class", k, lang))
        left += vals
    ax.set_yticks(y, [str(b) for b in tm[S.BRANCH]])
    ax.set_xlabel(t("customers_hours_axis", lang))
    ax.set_title(bilingual("chart_customer_time", lang))
    ax.legend(frameon=False, fontsize=8, ncol=len(kinds), loc="lower right")
    return fig


def _class_counts(model: CustomerValue, lang: str) -> pd.DataFrame:
    s = model.summary()
    rows = [(value("customer_class", k, lang), s[f"{k}_customers"], s[f"{k}_hours_pct"]) for k in ("asset", "watch", "liability")]
    return pd.DataFrame(rows, columns=[t("customers_class_column", lang), t("customers_count_column", lang), t("customers_time_share_column", lang)])


def customers_explorer(model: CustomerValue, *, lang: str = "zh", top: int = 15):
    """Sliders for the classification thresholds over the class counts and the largest opportunity costs.

    The sliders start at the model's rules; a move re-classifies (:meth:`CustomerValue.with_rules`,
    no refit).  ``panel.model`` is the model of the current values.
    """
    import ipywidgets as W  # lazy: only the interactive notebooks load it

    check_lang(lang)
    style = {"description_width": "initial"}
    layout = W.Layout(width="640px")
    sliders = {}
    for name, (lo, hi, step, fmt) in SLIDERS.items():
        start = getattr(model.rules_, name)
        cls = W.IntSlider if fmt == "d" else W.FloatSlider
        sliders[name] = cls(value=start, min=lo, max=max(hi, start), step=step, description=t(f"slider_{name}", lang),
                            readout_format=fmt, continuous_update=False, style=style, layout=layout)
        sliders[name].add_class(CSS[name])
    head = W.HTML()
    head.add_class(CSS["headline"])
    table = W.HTML()
    table.add_class(CSS["table"])
    panel = W.VBox([W.HTML(f"<h3>{html.escape(t('explore', lang))}</h3>"), *sliders.values(), head, table])
    panel.add_class(CSS["panel"])

    def update(_change=None):
        current = model.with_rules(**{k: w.value for k, w in sliders.items()})
        panel.model = current
        head.value = f"<p>{html.escape(headline(current, lang))}</p>" + charts.table_html(_class_counts(current, lang), floatfmt="{:,.1f}", index=False)
        table.value = charts.table_html(current.tables(lang, names=("top_actions",))["top_actions"].head(int(top)), index=False)

    for w in sliders.values():
        w.observe(update, names="value")
    update()
    return panel


def page_tables(model: CustomerValue, lang: str = "zh", top: int = 15) -> dict[str, pd.DataFrame]:
    """The page's tables, labelled: top assets, largest opportunity costs, time map, advice, rules, lifetime model."""
    views = model.tables(lang, names=("time_map", "rules", "advice", "top_actions", "lifetime"))  # not a reason per customer
    people = model.salespeople().sort_values("net_gain_per_month", ascending=False, kind="stable").head(int(top))
    out = {
        "classes": _class_counts(model, lang),
        "top_assets": top_assets(model, top, lang),
        "largest_costs": views["top_actions"].head(int(top)),
        "time_map": views["time_map"],
        "people": display_table(people.drop(columns=["watch_hours", "unassigned_hours", "asset_gp"]), lang),
        "branches": views["advice"],
        "rules": _shown_values(views["rules"], rule_kinds(model), lang),
    }
    if "lifetime" in views:
        out["lifetime"] = _shown_values(views["lifetime"], LIFETIME_KINDS, lang)
    return out


#: the kind of each classification rule whose name does not say it (the rest: :func:`formatting.kind_for`)
_RULE_KINDS = {"asset_min_value": "money", "asset_min_referrals": "count", "referral_credit": "fraction",
               "reprice_margin_gap": "fraction", "small_order_share": "fraction"}
#: the lifetime model's summary rows, in the order of its table
LIFETIME_KINDS = ["count", "count", "count", "percent", "precise", "precise", "precise", "precise", "precise", "precise", "money",
                  "number", "money"]


def rule_kinds(model: CustomerValue) -> list[str]:
    """The kind of each row of the rules table (the rules, the default hours per activity, the threshold and the rate)."""
    rules = [_RULE_KINDS.get(k) or formatting.kind_for(k) or "number" for k in model.rules_.__dataclass_fields__]
    return rules + ["number"] * len(model.default_hours_) + ["money", "money"]  # default hours: 0.25 h stays 0.25


def _shown_values(table: pd.DataFrame, kinds: list[str], lang: str) -> pd.DataFrame:
    """A two-column table of (measure, value) with each value as text by its row's kind (the one formatting layer)."""
    if len(kinds) != len(table):  # the method's rows changed: formatted by their values instead of mislabelled
        return table
    out = table.astype(object).copy()
    out.iloc[:, -1] = [formatting.format_value(v, k, lang, missing="—") for v, k in zip(table.iloc[:, -1].tolist(), kinds)]
    return out


# ----------------------------------------------------------------------------
# the first screen: key-figure cards (the classes in the chart's and tables' colours) and narrative
# ----------------------------------------------------------------------------
#: each class's card status: the colour the chart and the tables give it (asset green, watch yellow, liability red)
CLASS_STATUS = {"asset": "green", "watch": "yellow", "liability": "red"}


def _pct(v, lang: str) -> str:
    return formatting.format_value(v, "percent", lang)


def key_cards(model: CustomerValue, lang: str = "zh") -> list[dict]:
    """Asset, watch and liability customers (count, share of time and of gross profit), the opportunity cost (万元)
    and the gross profit a month moving the liability time would gain (万元)."""
    check_lang(lang)
    s = model.summary()
    wan = formatting.unit_word("money_wan", lang)
    cards = []
    for k in ("asset", "watch", "liability"):
        gp = s.get(f"{k}_gp_pct")
        sub = (t("cu_card_class_sub", lang, hours=_pct(s[f"{k}_hours_pct"], lang), gp=_pct(gp, lang)) if gp is not None
               else t("cu_card_class_sub_hours", lang, hours=_pct(s[f"{k}_hours_pct"], lang)))
        cards.append({"key": f"{k}_customers", "label": t(f"cu_card_{k}", lang), "value": formatting.format_value(s[f"{k}_customers"], "count", lang),
                      "unit": "", "raw": s[f"{k}_customers"], "status": CLASS_STATUS[k], "sub": sub, "word": ""})
    cards.append({"key": "opportunity_cost", "label": t("cu_card_oc", lang), "value": formatting.money_wan(s["opportunity_cost"], lang, unit=False),
                  "unit": wan, "raw": s["opportunity_cost"], "status": "neutral", "sub": t("cu_card_oc_sub", lang)})
    cards.append({"key": "net_gain_per_month", "label": t("cu_card_gain", lang), "value": formatting.money_wan(s["net_gain_per_month"], lang, unit=False),
                  "unit": wan, "raw": s["net_gain_per_month"], "status": "neutral",
                  "sub": t("cu_card_gain_sub", lang, hours=formatting.format_value(s["hours_freed_per_month"], "count", lang))})
    return cards


def narrative_html(model: CustomerValue, lang: str = "zh") -> str:
    """The period, who brings the gross profit and who takes the time, and the decision asked (money in 万元)."""
    check_lang(lang)
    s = model.summary()

    def count(v) -> str:
        return html.escape(formatting.format_value(v, "count", lang))

    def pct(v) -> str:
        return html.escape(_pct(v, lang))

    def wan(key: str) -> str:
        return executive.money_span(key, s[key], lang, source="customers")

    sentences = [
        executive.fill_html("cu_narrative_period", lang, start=html.escape(str(s["start"])), as_of=html.escape(str(s["as_of"])),
                            customers=count(s["customers"]), gp=wan("gross_profit")),
        executive.fill_html("cu_narrative_split", lang, asset=count(s["asset_customers"]), asset_gp=pct(s["asset_gp_pct"]),
                            liability=count(s["liability_customers"]), liability_hours=pct(s["liability_hours_pct"]),
                            liability_gp=pct(s["liability_gp_pct"])),
    ]
    decision = executive.fill_html("cu_narrative_decision", lang, hours=count(s["hours_freed_per_month"]), net=wan("net_gain_per_month"))
    return ("<div class='sa-narrative'>" + "".join(f"<p>{x}</p>" for x in sentences)
            + f"<p class='sa-decision'><strong>{decision}</strong></p></div>")


def first_screen_html(model: CustomerValue, lang: str = "zh") -> str:
    """What the customer page opens with: the key-figure cards and the narrative."""
    return executive.cards_html(key_cards(model, lang), lang) + narrative_html(model, lang)
