"""Scorecard (考核): a fair multi-angle assessment of every salesperson.

The handbook asks for a fair, transparent assessment (公平的考核制度, 考核结果公布)
that judges people from several angles and not sales alone (团队协作, 创新能力,
客户满意度, 360度评估), with results that clearly differentiate.  This module

* turns a plain per-person KPI frame (one row per salesperson: ``salesperson,
  branch, actual, target`` and optionally ``gross_profit, prior_actual,
  new_customers, collected``; all money in yuan) into KPIs — attainment
  (actual / target), growth (actual / prior_actual − 1), gross-margin rate
  (gross_profit / actual), new customers, collection rate (collected /
  actual, 回款率);
* averages rated dimensions (collaboration, innovation, customer satisfaction,
  360-degree ratings from several raters) from a long ratings frame
  ``rater, salesperson, dimension, score``;
* normalises every component to points (0 = worst, 100 = meets the standard
  in full) in one of three documented ways, chosen per component in the scheme:

  ``target``      points = 100 × value / target, clipped to [0, cap_points]
                  (e.g. attainment 1.10 against target 1.0 → 110 points;
                  cap_points 120 stops one huge deal from outweighing the rest);
  ``range``       points = 100 × (value − low) / (high − low), clipped to [0, 100]
                  (low > high means lower is better);
  ``percentile``  points = 100 × (average rank − 1) / (n − 1) among everyone
                  scored (or within the person's branch with ``within: branch``):
                  the best gets 100, the worst 0, ties share;

  rating dimensions are always ``range`` over the rating scale
  (the scale minimum = 0 points, the maximum = 100 points);
* weights the points with the scheme's weights (percent, must sum to 100) into
  a final score; a component a person has no value for (e.g. no ratings) is
  left out and the person's other weights are scaled up to 100, and the card
  says so; ranks the score (1 = best, ties share the better rank), grades it
  (S/A/B/C/D by minimum score) and checks an optional forced distribution
  (e.g. at most 20 % at S or A);
* runs fairness checks that are flagged, never hidden: rater leniency, target
  difficulty by branch, and the grade distribution by branch.

Numeric kernels are private functions on numpy arrays; the public layer is
:class:`Scorecard` (configure → ``fit`` → tidy frames) and :func:`parse_scheme`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ..core.exceptions import DataError, NotFittedError, ParameterError, SalesAnalyticsWarning, reject_unknown_keys, suggest
from ..core.labels import check_lang, has_label, label, label_columns, label_values, text, value
from ..core.numbers import parse_number
from ..core.schema import BRANCH, DIMENSION, KPI_SCHEMA, RATER, RATINGS_SCHEMA, SALESPERSON, SCORE
from ..core.validation import validate

DOMAIN = "scorecard"


class ScorecardWarning(SalesAnalyticsWarning):
    """Something in the scorecard inputs is left out but the scores stand (e.g. ratings of people with no target in the period)."""

#: KPIs derived from the KPI frame: name -> (columns needed, how it is computed)
DERIVED_KPIS: dict[str, tuple[tuple[str, ...], str]] = {
    "attainment": (("actual", "target"), "actual / target"),
    "growth": (("actual", "prior_actual"), "actual / prior_actual - 1"),
    "gross_margin": (("gross_profit", "actual"), "gross_profit / actual"),
    "collection_rate": (("collected", "actual"), "collected / actual"),
}

#: KPIs that are shares (shown as percentages on the cards)
_SHARE_KPIS = ("attainment", "growth", "gross_margin", "collection_rate")


def component_label(name: str, lang: str = "zh", scheme: "Scheme | None" = None) -> str:
    """Display name of a component (from the scheme file) or of a scorecard column (from the labels)."""
    check_lang(lang)
    if scheme is not None and name in scheme.components:
        comp = scheme.components[name]
        return getattr(comp, f"label_{lang}")
    return label(name, lang, DOMAIN)


# ----------------------------------------------------------------------------
# the scheme (what is measured, how it is normalised and weighted)
# ----------------------------------------------------------------------------
NORMALISE = ("target", "range", "percentile")


@dataclass(frozen=True)
class Component:
    """One scored component: a KPI from data or a rated dimension."""

    name: str
    source: str  # "kpi" or "rating"
    weight: float  # percent
    normalise: str
    target: float | None = None
    cap_points: float = 100.0
    low: float | None = None
    high: float | None = None
    within: str | None = None  # None or "branch" (percentile only)
    label_zh: str = ""
    label_en: str = ""

    def describe(self, lang: str = "en") -> str:
        """How the component becomes points, in words (for cards and the assumptions sheet)."""
        if self.normalise == "target":
            return text("how_target", lang, target=f"{self.target:g}", cap=f"{self.cap_points:g}")
        if self.normalise == "range":
            return text("how_range", lang, low=f"{self.low:g}", high=f"{self.high:g}")
        return text("how_percentile", lang, scope=value("percentile_scope", self.within or "company", lang))


@dataclass(frozen=True)
class Scheme:
    """A validated scorecard scheme (see ``data/scorecard_scheme.yaml``)."""

    components: dict[str, Component]
    grades: tuple[tuple[str, float], ...]  # (grade, minimum score), best first
    rating_min: float = 1.0
    rating_max: float = 5.0
    allow_self_rating: bool = False
    max_share: dict[str, float] = field(default_factory=dict)  # "S+A" -> 0.2
    min_share: dict[str, float] = field(default_factory=dict)
    leniency_threshold: float = 0.5
    min_ratings_per_rater: int = 5
    difficulty_threshold: float = 0.10
    grade_share_alpha: float = 0.05
    name: str = ""
    source: str = "scheme"

    @property
    def kpis(self) -> list[str]:
        return [c.name for c in self.components.values() if c.source == "kpi"]

    @property
    def dimensions(self) -> list[str]:
        return [c.name for c in self.components.values() if c.source == "rating"]

    @property
    def grade_names(self) -> list[str]:
        return [g for g, _ in self.grades]


_SCHEME_KEYS = ("name", "period", "rating_scale", "allow_self_rating", "kpis", "ratings", "grades",
                "forced_distribution", "fairness", "notes")
_COMPONENT_KEYS = ("weight", "normalise", "target", "cap_points", "low", "high", "within", "label_zh", "label_en")


def _number(value, *, where: str, source: str, fix: str, percent: bool = False) -> float:
    """A number of the scheme file; ``percent``: the setting is in percent (so '35%' gets its own fix)."""
    if percent and isinstance(value, str) and value.strip().endswith("%"):
        raise DataError(f"{where}: '{value}' has a % sign.", source=source, fix=f"{fix} (percent, without the % sign)")
    return parse_number(value, where, error=DataError, source=source, fix=fix)


def _component(name: str, spec, source_kind: str, source: str, scale: tuple[float, float]) -> Component:
    where = f"{'kpis' if source_kind == 'kpi' else 'ratings'}.{name}"
    if not isinstance(spec, Mapping):
        raise DataError(f"{where} must be a mapping with at least 'weight'.", source=source,
                        fix="write e.g. 'attainment: {weight: 35, normalise: target, target: 1.0}'")
    reject_unknown_keys(spec, _COMPONENT_KEYS, where=f"{source}, {where}", error=DataError)
    if "weight" not in spec:
        raise DataError(f"{where}: 'weight' is missing.", source=source, fix="give every component a weight in percent")
    weight = _number(spec["weight"], where=f"{where}.weight", source=source, fix="write the weight in percent, e.g. 35", percent=True)
    if weight < 0:
        raise DataError(f"{where}.weight is {weight:g}, below 0.", source=source, fix="weights are percentages >= 0")
    # a component of the scheme's own naming without labels in the file is shown by its name
    zh, en = (label(name, "zh", DOMAIN), label(name, "en", DOMAIN)) if has_label(name, DOMAIN) else (name, name)
    common = dict(name=name, source=source_kind, weight=weight,
                  label_zh=str(spec.get("label_zh", zh)), label_en=str(spec.get("label_en", en)))
    if source_kind == "rating":
        if spec.get("normalise", "range") != "range":
            raise DataError(f"{where}: rated dimensions are normalised over the rating scale (normalise: range).",
                            source=source, fix="remove 'normalise' from rated dimensions")
        return Component(normalise="range", low=scale[0], high=scale[1], **common)
    method = spec.get("normalise")
    if method not in NORMALISE:
        raise DataError(f"{where}: normalise must be one of {', '.join(NORMALISE)}, not '{method}'.", source=source,
                        fix="target (value / target), range (low..high) or percentile (rank)")
    if method == "target":
        target = _number(spec.get("target"), where=f"{where}.target", source=source, fix="e.g. target: 1.0 for 100 % attainment")
        if target <= 0:
            raise DataError(f"{where}.target must be > 0, not {target:g}.", source=source, fix="e.g. target: 1.0")
        cap = _number(spec.get("cap_points", 100), where=f"{where}.cap_points", source=source, fix="e.g. cap_points: 120")
        if cap <= 0:
            raise DataError(f"{where}.cap_points must be > 0, not {cap:g}.", source=source, fix="e.g. cap_points: 120")
        return Component(normalise=method, target=target, cap_points=cap, **common)
    if method == "range":
        low = _number(spec.get("low"), where=f"{where}.low", source=source, fix="give low (0 points) and high (100 points)")
        high = _number(spec.get("high"), where=f"{where}.high", source=source, fix="give low (0 points) and high (100 points)")
        if low == high:
            raise DataError(f"{where}: low and high are both {low:g}.", source=source, fix="low is worth 0 points and high 100; they must differ")
        return Component(normalise=method, low=low, high=high, **common)
    within = spec.get("within")
    if within not in (None, "branch", "company"):
        raise DataError(f"{where}.within must be 'branch' or 'company', not '{within}'.", source=source, fix="within: branch")
    return Component(normalise=method, within="branch" if within == "branch" else None, **common)


def parse_scheme(data: Mapping, *, source: str = "scheme") -> Scheme:
    """Validate a scheme mapping (as read from YAML) and return a :class:`Scheme`.

    Raises :class:`DataError` naming the key and the fix: weights not summing to
    100 %, unknown normalisation, grade thresholds out of order, shares outside 0…1.
    """
    if not isinstance(data, Mapping):
        raise DataError("a scorecard scheme must be a mapping.", source=source, fix="see data/scorecard_scheme.yaml")
    reject_unknown_keys(data, _SCHEME_KEYS, where=source, error=DataError)
    scale = data.get("rating_scale", {"min": 1, "max": 5})
    if not isinstance(scale, Mapping) or set(scale) != {"min", "max"}:
        raise DataError("rating_scale must be {min: .., max: ..}.", source=source, fix="e.g. rating_scale: {min: 1, max: 5}")
    smin = _number(scale["min"], where="rating_scale.min", source=source, fix="e.g. 1")
    smax = _number(scale["max"], where="rating_scale.max", source=source, fix="e.g. 5")
    if smax <= smin:
        raise DataError(f"rating_scale: max {smax:g} must be above min {smin:g}.", source=source, fix="e.g. {min: 1, max: 5}")
    components: dict[str, Component] = {}
    for section, kind in (("kpis", "kpi"), ("ratings", "rating")):
        specs = data.get(section) or {}
        if not isinstance(specs, Mapping):
            raise DataError(f"{section} must be a mapping of component name -> settings.", source=source,
                            fix="see data/scorecard_scheme.yaml")
        for name, spec in specs.items():
            name = str(name)
            if name in components:
                raise DataError(f"component '{name}' appears in both kpis and ratings.", source=source, fix="rename one of them")
            components[name] = _component(name, spec, kind, source, (smin, smax))
    if not components:
        raise DataError("the scheme has no components.", source=source, fix="add kpis and/or ratings with weights")
    total = sum(c.weight for c in components.values())
    if abs(total - 100.0) > 1e-6:
        listed = ", ".join(f"{c.name} {c.weight:g}" for c in components.values())
        raise DataError(f"weights sum to {total:g} %, not 100 % ({listed}).", source=source,
                        fix="change the weights so that together they make exactly 100")
    grades_spec = data.get("grades") or {"S": 90, "A": 80, "B": 65, "C": 50, "D": 0}
    if not isinstance(grades_spec, Mapping) or not grades_spec:
        raise DataError("grades must map each grade to its minimum score, best first.", source=source,
                        fix="e.g. grades: {S: 90, A: 80, B: 65, C: 50, D: 0}")
    grades = tuple((str(g), _number(v, where=f"grades.{g}", source=source, fix="a minimum score, e.g. 80"))
                   for g, v in grades_spec.items())
    mins = [m for _, m in grades]
    if any(b >= a for a, b in zip(mins, mins[1:])):
        raise DataError(f"grade minimum scores must fall from best to worst grade, got {dict(grades)}.", source=source,
                        fix="list grades best first with strictly lower minimums, e.g. {S: 90, A: 80, B: 65, C: 50, D: 0}")
    if mins[-1] > 0:
        raise DataError(f"the lowest grade '{grades[-1][0]}' starts at {mins[-1]:g}: scores below it would have no grade.",
                        source=source, fix=f"set {grades[-1][0]}: 0")
    forced = data.get("forced_distribution") or {}
    reject_unknown_keys(forced, ("max_share", "min_share"), where=f"{source}, forced_distribution", error=DataError)
    shares = {}
    for kind in ("max_share", "min_share"):
        shares[kind] = {}
        for group, share in (forced.get(kind) or {}).items():
            share = _number(share, where=f"forced_distribution.{kind}.{group}", source=source, fix="a share between 0 and 1, e.g. 0.2")
            if not 0 <= share <= 1:
                raise DataError(f"forced_distribution.{kind}.{group} = {share:g} is not a share between 0 and 1.",
                                source=source, fix="write 20 % as 0.2")
            for g in str(group).split("+"):
                if g.strip() not in dict(grades):
                    raise DataError(f"forced_distribution.{kind}: unknown grade '{g.strip()}'.", source=source,
                                    fix=f"use grades of the scheme: {', '.join(dict(grades))}, joined with '+'")
            shares[kind][str(group)] = share
    fairness = data.get("fairness") or {}
    reject_unknown_keys(fairness, ("leniency_threshold", "min_ratings_per_rater", "difficulty_threshold", "grade_share_alpha"),
                        where=f"{source}, fairness", error=DataError)
    fair = {k: _number(v, where=f"fairness.{k}", source=source, fix="a number") for k, v in fairness.items()}
    return Scheme(
        components=components,
        grades=grades,
        rating_min=smin,
        rating_max=smax,
        allow_self_rating=bool(data.get("allow_self_rating", False)),
        max_share=shares["max_share"],
        min_share=shares["min_share"],
        leniency_threshold=fair.get("leniency_threshold", 0.5),
        min_ratings_per_rater=int(fair.get("min_ratings_per_rater", 5)),
        difficulty_threshold=fair.get("difficulty_threshold", 0.10),
        grade_share_alpha=fair.get("grade_share_alpha", 0.05),
        name=str(data.get("name", "")),
        source=source,
    )


# ----------------------------------------------------------------------------
# input frames (the schemas live in core.schema)
# ----------------------------------------------------------------------------
def check_frame(frame: pd.DataFrame, schema: pa.DataFrameSchema, source: str) -> pd.DataFrame:
    """``frame`` validated by ``schema`` (KPI_SCHEMA, RATINGS_SCHEMA); a DataError names ``source``, rows and the fix."""
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"{schema.name} must be a pandas DataFrame, not {type(frame).__name__}.")
    missing = [c for c, col in schema.columns.items() if col.required and c not in frame.columns]
    if missing:
        raise DataError(f"missing column(s) {', '.join(missing)}; found {', '.join(map(str, frame.columns))}.",
                        source=source, fix=f"give the {schema.name} frame the columns {', '.join(schema.columns)}")
    ctx = {"source": source, "sheet": None, "original": {}}
    # row numbers in messages: header = row 1, so frame index i is row i + 2 (as in io)
    return validate(frame.reset_index(drop=True), schema, ctx)


def kpi_values(kpis: pd.DataFrame) -> pd.DataFrame:
    """Derived KPI values per person (attainment, growth, gross_margin, collection_rate, …).

    Input: the validated KPI frame.  Values are NaN where an input is missing
    (or a denominator is 0): the scorecard then leaves that component out.
    """
    out = kpis[[SALESPERSON, BRANCH]].copy()

    def ratio(num, den):
        num = kpis[num].to_numpy(float)
        den = kpis[den].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(den > 0, num / den, np.nan)

    for name, (cols, _) in DERIVED_KPIS.items():
        if all(c in kpis.columns for c in cols):
            out[name] = ratio(cols[0], cols[1]) - (1.0 if name == "growth" else 0.0)
    for col in kpis.columns:
        if col not in out.columns and col not in (SALESPERSON, BRANCH) and pd.api.types.is_numeric_dtype(kpis[col]):
            out[col] = kpis[col].to_numpy(float)
    return out


# ----------------------------------------------------------------------------
# numeric kernels
# ----------------------------------------------------------------------------
def _points_target(values: np.ndarray, target: float, cap: float) -> np.ndarray:
    return np.clip(100.0 * values / target, 0.0, cap)


def _points_range(values: np.ndarray, low: float, high: float) -> np.ndarray:
    return np.clip(100.0 * (values - low) / (high - low), 0.0, 100.0)


def _points_percentile(values: np.ndarray, groups: np.ndarray | None = None) -> np.ndarray:
    """100 × (average rank − 1) / (n − 1) inside each group; NaN stays NaN; a group of one gets 50."""
    s = pd.Series(values)
    if groups is None:
        groups = np.zeros(len(values), dtype=np.int64)
    g = pd.Series(groups)
    rank = s.groupby(g).rank(method="average")
    n = s.notna().groupby(g).transform("sum").astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        pts = np.where(n > 1, 100.0 * (rank - 1.0) / (n - 1.0), 50.0)
    return np.where(s.isna(), np.nan, pts)


def _weighted_score(points: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Score per row over available components (NaN = missing); returns (score, weight used in %)."""
    have = ~np.isnan(points)
    w = np.where(have, weights[None, :], 0.0)
    used = w.sum(axis=1)
    total = np.where(have, points, 0.0) @ weights
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(used > 0, total / used, np.nan)
    return score, used


def _grade(score: np.ndarray, grades: tuple[tuple[str, float], ...]) -> np.ndarray:
    names = np.array([g for g, _ in grades], dtype=object)
    mins = np.array([m for _, m in grades], dtype=float)
    # the first (best) grade whose minimum the score reaches
    idx = (score[:, None] < mins[None, :]).sum(axis=1)
    idx = np.minimum(idx, len(grades) - 1)
    out = names[idx]
    out[np.isnan(score)] = ""
    return out


# ----------------------------------------------------------------------------
# fairness kernels
# ----------------------------------------------------------------------------
def rater_leniency(ratings: pd.DataFrame, *, threshold: float = 0.5, min_ratings: int = 5, iterations: int = 50) -> pd.DataFrame:
    """How far each rater's scores sit from what other raters give the same people.

    Additive model fitted by alternating means: ``score = level(person, dimension)
    + leniency(rater) + noise``, with the raters' leniencies centred on 0
    (weighted by their number of ratings).  Comparing raters on the same ratees
    keeps a rater who happens to rate strong people from looking lenient, and
    fitting all raters together keeps one very lenient manager from making the
    peers of their branch look severe.  ``leniency`` is in scale points (+0.8 =
    0.8 points above colleagues for the same people); ``n_compared`` counts the
    ratings of people someone else also rated (only those carry information).
    Flagged when |leniency| ≥ ``threshold`` and ``n_compared`` ≥ ``min_ratings``.
    """
    r = ratings[[RATER, SALESPERSON, DIMENSION, SCORE]].reset_index(drop=True)
    score = r[SCORE].to_numpy(float)
    cell = pd.factorize(pd.MultiIndex.from_frame(r[[SALESPERSON, DIMENSION]]))[0]
    rcode, raters = pd.factorize(r[RATER])
    n_cell = np.bincount(cell)
    shared = n_cell[cell] > 1  # a rating nobody else can be compared with says nothing about leniency
    n_r = np.bincount(rcode, minlength=len(raters)).astype(float)
    n_cmp = np.bincount(rcode, weights=shared.astype(float), minlength=len(raters))
    eff = np.zeros(len(raters))
    cw = shared.astype(float)
    for _ in range(iterations):
        level = np.bincount(cell, weights=score - eff[rcode]) / n_cell
        resid = (score - level[cell]) * cw
        new = np.divide(np.bincount(rcode, weights=resid, minlength=len(raters)), n_cmp, out=np.zeros(len(raters)), where=n_cmp > 0)
        new -= (new * n_cmp).sum() / max(n_cmp.sum(), 1.0)
        if np.max(np.abs(new - eff)) < 1e-9:
            eff = new
            break
        eff = new
    out = pd.DataFrame({
        RATER: np.asarray(raters, dtype=object),
        "n_ratings": n_r.astype(int),
        "mean_score": np.bincount(rcode, weights=score, minlength=len(raters)) / n_r,
        "n_compared": n_cmp.astype(int),
        "leniency": np.where(n_cmp > 0, eff, np.nan),
    })
    out["flag"] = (out["n_compared"] >= min_ratings) & (out["leniency"].abs() >= threshold)
    out["direction"] = np.where(~out["flag"], "", np.where(out["leniency"] > 0, "lenient", "severe"))
    order = np.lexsort((-out["leniency"].abs().fillna(0).to_numpy(), ~out["flag"].to_numpy()))
    return out.iloc[order].reset_index(drop=True)


def target_difficulty(
    targets: pd.Series,
    reference: pd.Series,
    *,
    actual: pd.Series | None = None,
    reference_kind: str = "forecast",
    threshold: float = 0.10,
) -> pd.DataFrame:
    """Branch target difficulty: target / reference, compared with the median branch.

    ``reference`` is what the branch could be expected to sell without the target:
    the forward forecast (正推法) for the period, or, when no forecast is available,
    the prior-year actual (``reference_kind`` says which).  ``difficulty`` = target /
    reference (1.10 = the target asks 10 % more than the forecast);
    ``relative`` = difficulty / median difficulty − 1.  A branch is flagged when
    its target is more than ``threshold`` harder (or easier) than the median
    branch: its people's attainment and grades are then not comparable with the
    rest without this context.  Branches without a reference (new branches) get
    NaN and no flag.
    """
    t = targets.astype(float)
    ref = reference.astype(float).reindex(t.index)
    frame = pd.DataFrame({"target": t, "reference": ref})
    frame.index.name = BRANCH
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["difficulty"] = np.where(frame["reference"] > 0, frame["target"] / frame["reference"], np.nan)
    med = float(np.nanmedian(frame["difficulty"])) if frame["difficulty"].notna().any() else np.nan
    frame["relative"] = frame["difficulty"] / med - 1.0
    if actual is not None:
        frame["actual"] = actual.astype(float).reindex(t.index)
        frame["attainment"] = frame["actual"] / frame["target"]
    frame["reference_kind"] = reference_kind
    rel = frame["relative"].to_numpy(float)
    frame["flag"] = np.abs(np.nan_to_num(rel)) > threshold
    frame["direction"] = np.where(~frame["flag"], "", np.where(rel > 0, "harder", "easier"))
    return frame.reset_index()


def _binom_two_sided(k: np.ndarray, n: np.ndarray, p: float) -> np.ndarray:
    """``min(1, 2 min(P[X <= k], P[X >= k]))`` for X ~ Binomial(n, p), 0 < p < 1, 0 <= k <= n.

    The same numbers as ``scipy.stats.binom.cdf(k, n, p)`` and ``binom.sf(k - 1, n, p)``: the
    ufuncs behind them (Boost's binomial), with the support's edges as ``scipy.stats`` sets
    them, without importing ``scipy.stats`` (about a second of a cold command).
    """
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    try:
        from scipy.special._ufuncs import _binom_cdf, _binom_sf
    except ImportError:  # pragma: no cover - another SciPy layout: the public route, same numbers
        from scipy.stats import binom

        lower, upper = binom.cdf(k, n, p), binom.sf(k - 1, n, p)
    else:
        lower = np.where(k >= n, 1.0, 0.0)
        inside = (k >= 0) & (k < n)
        lower[inside] = np.clip(_binom_cdf(np.floor(k[inside]), n[inside], p), 0, 1)
        below = k - 1
        upper = np.where(below < 0, 1.0, 0.0)
        inside = (below >= 0) & (below < n)
        upper[inside] = np.clip(_binom_sf(np.floor(below[inside]), n[inside], p), 0, 1)
    return np.minimum(1.0, 2.0 * np.minimum(lower, upper))


def grade_distribution(scores: pd.DataFrame, grades: list[str], *, top: tuple[str, ...] = ("S", "A"), alpha: float = 0.05) -> pd.DataFrame:
    """Grades by branch: counts, share at the top grades and a flag where it departs from the company.

    A branch is flagged when the number of its people at the top grades is
    unlikely under the company-wide share (two-sided binomial test, p < ``alpha``):
    a branch with far more (or far fewer) S/A than the rest is either truly
    different or graded differently, and management should look.
    """
    top = tuple(g for g in top if g in grades) or (grades[0],)
    counts = pd.crosstab(scores[BRANCH], scores["grade"]).reindex(columns=grades, fill_value=0)
    counts.columns = [str(c) for c in counts.columns]
    counts.columns.name = None
    n = counts.sum(axis=1)
    k = counts[list(top)].sum(axis=1)
    p_company = float(k.sum() / n.sum()) if n.sum() else 0.0
    out = counts.copy()
    out["n"] = n
    out["top_share"] = k / n
    out["company_top_share"] = p_company
    pval = _binom_two_sided(k.to_numpy(), n.to_numpy(), p_company) if 0 < p_company < 1 else np.ones(len(n))
    out["p_value"] = pval
    out["flag"] = pval < alpha
    out["direction"] = np.where(~out["flag"], "", np.where(out["top_share"] > p_company, "more_top", "fewer_top"))
    out.index.name = BRANCH
    return out.reset_index()


# ----------------------------------------------------------------------------
# the scorecard
# ----------------------------------------------------------------------------
class Scorecard:
    """Score, rank and grade every salesperson, and check the result for fairness.

    >>> card = Scorecard(scheme).fit(kpis, ratings, reference=forecast_by_branch)
    >>> card.scores_            # one row per person: values, points, score, rank, grade
    >>> card.ranking("zh")      # the published ranking table (考核结果公布)
    >>> card.cards("zh")        # one-page person cards, long format
    >>> card.fairness_flags()   # every fairness finding, one row each
    """

    def __init__(self, scheme: Scheme | Mapping):
        self.scheme = scheme

    # -- fitting -------------------------------------------------------------------
    def fit(
        self,
        kpis: pd.DataFrame,
        ratings: pd.DataFrame | None = None,
        *,
        reference: pd.Series | None = None,
        reference_kind: str = "forecast",
        roster: Iterable[str] | None = None,
    ) -> Scorecard:
        """Compute scores from the KPI frame and (optionally) the ratings frame.

        ``reference``: expected revenue per branch (index = branch) for the target
        difficulty check — the forecast for the period.  Without it the check uses
        the sum of ``prior_actual`` per branch (prior year), if the KPI frame has it.
        ``roster``: everybody on the year's roster.  Ratings of people on it who are
        not in the KPI frame (no target in the period: joined later, or left) are
        left out with a :class:`ScorecardWarning` and listed in ``ratings_left_out_``;
        ratings of a name on no roster stop with a DataError (a typo).
        """
        scheme = self.scheme if isinstance(self.scheme, Scheme) else parse_scheme(self.scheme)
        self.scheme_ = scheme
        kpis = check_frame(kpis, KPI_SCHEMA, getattr(kpis, "attrs", {}).get("source", "kpis"))
        values = kpi_values(kpis)
        for name in scheme.kpis:
            if name not in values.columns:
                needs = DERIVED_KPIS.get(name, ((name,), ""))[0]
                raise DataError(
                    f"the scheme scores KPI '{name}' but the KPI frame has no {' / '.join(needs)} column.",
                    source=scheme.source, column=name,
                    fix=f"add column(s) {', '.join(needs)} to the KPI frame, or remove '{name}' from the scheme",
                )
        people = kpis[SALESPERSON].tolist()
        self.ratings_left_out_ = pd.DataFrame(columns=[RATER, SALESPERSON, DIMENSION, SCORE])
        if ratings is not None and len(ratings):
            ratings = self._check_ratings(ratings, set(people), set(roster) if roster is not None else set())
            means = ratings.pivot_table(index=SALESPERSON, columns=DIMENSION, values=SCORE, aggfunc="mean")
            counts = ratings.groupby(SALESPERSON)[RATER].nunique()
        else:
            ratings = pd.DataFrame(columns=[RATER, SALESPERSON, DIMENSION, SCORE])
            means = pd.DataFrame(index=pd.Index([], name=SALESPERSON))
            counts = pd.Series(dtype=float)
        self.ratings_ = ratings
        names = list(scheme.components)
        raw = np.full((len(people), len(names)), np.nan)
        branch_codes = pd.factorize(kpis[BRANCH])[0]
        pts = np.full_like(raw, np.nan)
        for j, name in enumerate(names):
            comp = scheme.components[name]
            if comp.source == "kpi":
                v = values[name].to_numpy(float)
            else:
                v = means[name].reindex(people).to_numpy(float) if name in means.columns else np.full(len(people), np.nan)
            raw[:, j] = v
            if comp.normalise == "target":
                pts[:, j] = _points_target(v, comp.target, comp.cap_points)
            elif comp.normalise == "range":
                pts[:, j] = _points_range(v, comp.low, comp.high)
            else:
                pts[:, j] = _points_percentile(v, branch_codes if comp.within == "branch" else None)
        weights = np.array([scheme.components[n].weight for n in names])
        score, used = _weighted_score(pts, weights)
        out = kpis[[SALESPERSON, BRANCH]].copy()
        for col in ("actual", "target"):
            out[col] = kpis[col].to_numpy(float)
        for j, name in enumerate(names):
            out[name] = raw[:, j]
        for j, name in enumerate(names):
            out[f"{name}_points"] = pts[:, j]
        out["n_raters"] = counts.reindex(people).fillna(0).astype(int).to_numpy()
        out["weight_used"] = used
        out["score"] = np.round(score, 2)
        missing = np.isnan(pts)
        out["missing"] = [",".join(n for n, m in zip(names, row) if m) for row in missing]
        s = pd.Series(out["score"])
        out["rank"] = s.rank(ascending=False, method="min").astype("Int64").to_numpy()
        out["rank_in_branch"] = s.groupby(out[BRANCH]).rank(ascending=False, method="min").astype("Int64").to_numpy()
        out["grade"] = _grade(out["score"].to_numpy(float), scheme.grades)
        self.scores_ = out.sort_values(["rank", SALESPERSON], na_position="last").reset_index(drop=True)
        # fairness
        self.leniency_ = rater_leniency(ratings, threshold=scheme.leniency_threshold, min_ratings=scheme.min_ratings_per_rater) \
            if len(ratings) else pd.DataFrame(columns=[RATER, "n_ratings", "mean_score", "n_compared", "leniency", "flag", "direction"])
        by_branch = kpis.groupby(BRANCH, sort=False)
        if reference is None and "prior_actual" in kpis.columns:
            reference = by_branch["prior_actual"].sum(min_count=1)
            reference_kind = "prior_year"
        if reference is not None:
            self.difficulty_ = target_difficulty(by_branch["target"].sum(), pd.Series(reference), actual=by_branch["actual"].sum(),
                                                 reference_kind=reference_kind, threshold=scheme.difficulty_threshold)
        else:
            self.difficulty_ = None
        self.grades_by_branch_ = grade_distribution(self.scores_.dropna(subset=["score"]), scheme.grade_names,
                                                    top=tuple(scheme.grade_names[:2]), alpha=scheme.grade_share_alpha)
        self.forced_ = self._forced_distribution()
        return self

    def _check_ratings(self, ratings: pd.DataFrame, people: set[str], roster: set[str]) -> pd.DataFrame:
        scheme = self.scheme_
        source = getattr(ratings, "attrs", {}).get("source", "ratings")
        ratings = check_frame(ratings, RATINGS_SCHEMA, source)
        out_of_period = ~ratings[SALESPERSON].isin(people) & ratings[SALESPERSON].isin(roster)
        if out_of_period.any():
            self.ratings_left_out_ = ratings[out_of_period].reset_index(drop=True)
            names = list(pd.unique(self.ratings_left_out_[SALESPERSON]))
            warnings.warn(
                f"{source}: {int(out_of_period.sum())} ratings of {len(names)} people on the roster but without a target in "
                f"the period ({', '.join(map(str, names[:8]))}{' …' if len(names) > 8 else ''}) are left out of the scores.",
                ScorecardWarning, stacklevel=4,
            )
            ratings = ratings[~out_of_period].reset_index(drop=True)

        def reject(bad: pd.Series, column: str, problem, fix: str) -> None:
            """Raise for the rows where ``bad`` holds, describing the first bad value."""
            if bad.any():
                first = ratings.loc[bad, column].iloc[0]
                raise DataError(problem(first), source=source, column=column, rows=(np.flatnonzero(bad) + 2).tolist(), fix=fix)

        dims = set(scheme.dimensions)
        reject(~ratings[DIMENSION].isin(dims), DIMENSION,
               lambda v: f"unknown dimension '{v}'.{suggest(v, dims)} The scheme rates: {', '.join(sorted(dims))}.",
               "use a dimension of the scheme, or add it to the scheme's ratings")
        reject((ratings[SCORE] < scheme.rating_min) | (ratings[SCORE] > scheme.rating_max), SCORE,
               lambda v: f"rating {v:g} is outside the scale {scheme.rating_min:g}–{scheme.rating_max:g}.",
               f"rate on the scheme's scale ({scheme.rating_min:g} to {scheme.rating_max:g})")
        reject(~ratings[SALESPERSON].isin(people), SALESPERSON,
               lambda v: f"salesperson '{v}' is not in the KPI frame (roster).{suggest(v, people)}",
               "correct the name, or add the person to the roster/actuals")
        if not scheme.allow_self_rating:
            reject(ratings[RATER] == ratings[SALESPERSON], RATER,
                   lambda v: f"'{v}' rates themselves, which the scheme forbids (allow_self_rating: false).",
                   "remove self-ratings, or set allow_self_rating: true in the scheme")
        return ratings

    def _forced_distribution(self) -> pd.DataFrame:
        scheme = self.scheme_
        grades = self.scores_["grade"]
        n = int((grades != "").sum())
        rows = []
        for kind, rules in (("max", scheme.max_share), ("min", scheme.min_share)):
            for group, limit in rules.items():
                members = [g.strip() for g in group.split("+")]
                count = int(grades.isin(members).sum())
                share = count / n if n else 0.0
                ok = share <= limit + 1e-12 if kind == "max" else share >= limit - 1e-12
                bound = math.floor(limit * n + 1e-9) if kind == "max" else math.ceil(limit * n - 1e-9)
                rows.append({"grades": group, "rule": kind, "limit_share": limit, "limit_count": bound,
                             "count": count, "share": share, "n": n, "ok": bool(ok)})
        return pd.DataFrame(rows, columns=["grades", "rule", "limit_share", "limit_count", "count", "share", "n", "ok"])

    # -- results ---------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "scores_"):
            raise NotFittedError("this Scorecard is not fitted yet: call fit(kpis, ratings) first.")

    def _names(self, lang: str) -> dict[str, str]:
        """Column -> display name for the scheme's components and their points."""
        names = {n: component_label(n, lang, self.scheme_) for n in self.scheme_.components}
        names.update({f"{n}_points": text("points_of", lang, name=v) for n, v in list(names.items())})
        return names

    def _missing_words(self, missing: str, lang: str) -> str:
        return "、".join(component_label(x, lang, self.scheme_) for x in missing.split(",")) if missing else ""

    def ranking(self, lang: str = "zh") -> pd.DataFrame:
        """The ranking table (考核结果公布): rank, person, branch, grade, score and each component's points."""
        self._check_fitted()
        check_lang(lang)
        s = self.scores_
        cols = ["rank", SALESPERSON, BRANCH, "grade", "score", "rank_in_branch", "attainment" if "attainment" in s else "actual"]
        cols = list(dict.fromkeys(cols)) + [f"{n}_points" for n in self.scheme_.components] + ["missing"]
        out = s[cols].copy()
        out["missing"] = [self._missing_words(m, lang) for m in out["missing"]]
        return label_columns(_no_gaps(out), lang, DOMAIN, keep=self._names(lang))

    def _card_lines(self, lang: str) -> pd.DataFrame:
        """The person cards with the column keys (``cards`` labels them)."""
        scheme = self.scheme_
        s = self.scores_
        n = len(s)
        base = pd.DataFrame({SALESPERSON: s[SALESPERSON], BRANCH: s[BRANCH]})
        blocks = []
        size = s.groupby(BRANCH)[SALESPERSON].transform("size").astype(str)
        header = {
            "score": ["—" if v != v else str(v) for v in s["score"]],
            "grade": s["grade"].astype(str).tolist(),
            "rank": ["—" if pd.isna(r) else f"{r} / {n}" for r in s["rank"]],
            "rank_in_branch": ["—" if pd.isna(r) else f"{r} / {m}" for r, m in zip(s["rank_in_branch"], size)],
        }
        summary = value("card_section", "summary", lang)
        for order, (key, vals) in enumerate(header.items()):
            blocks.append(base.assign(line=order, section=summary, item=label(key, lang, DOMAIN),
                                      value=vals, points=np.nan, weight=np.nan, contribution=np.nan, how=""))
        used = s["weight_used"].to_numpy(float)
        for j, (name, comp) in enumerate(scheme.components.items()):
            pts = s[f"{name}_points"].to_numpy(float)
            with np.errstate(divide="ignore", invalid="ignore"):
                contrib = np.where(np.isnan(pts), np.nan, pts * comp.weight / used)
            shown = ["—" if np.isnan(v) else (f"{v:.1%}" if name in _SHARE_KPIS else f"{v:,.2f}") for v in s[name].to_numpy(float)]
            blocks.append(base.assign(line=10 + j, section=value("card_section", comp.source, lang),
                                      item=component_label(name, lang, scheme), value=shown, points=np.round(pts, 1),
                                      weight=comp.weight, contribution=np.round(contrib, 2), how=comp.describe(lang)))
        blocks.append(base.assign(line=100, section=value("card_section", "notes", lang), item=label("flags", lang, DOMAIN),
                                  value=self._person_notes(lang), points=np.nan, weight=np.nan, contribution=np.nan, how=""))
        out = pd.concat(blocks, ignore_index=True)
        out["_r"] = out[SALESPERSON].map(dict(zip(s[SALESPERSON], range(n))))
        return out.sort_values(["_r", "line"]).drop(columns=["_r", "line"]).reset_index(drop=True)

    def cards(self, lang: str = "zh") -> pd.DataFrame:
        """One-page person cards in long format: one row per person × line of the card.

        Lines: the header (branch, score, grade, ranks), then one line per
        component (value, points, weight, contribution to the score, how it was
        normalised) and the fairness notes that concern the person (branch
        target difficulty, lenient/severe raters among their raters, missing
        components).  ``card_sheet`` makes the printable one-person view.
        """
        self._check_fitted()
        check_lang(lang)
        return label_columns(_no_gaps(self._card_lines(lang), blank=""), lang, DOMAIN)

    def _person_notes(self, lang: str) -> list[str]:
        s = self.scores_
        notes = [[] for _ in range(len(s))]
        if self.difficulty_ is not None:
            d = self.difficulty_[self.difficulty_["flag"]]
            said = {b: text("note_branch_harder" if rel > 0 else "note_branch_easier", lang, relative=f"{abs(rel):.0%}")
                    for b, rel in zip(d[BRANCH], d["relative"])}
            for i, b in enumerate(s[BRANCH].tolist()):
                if b in said:
                    notes[i].append(said[b])
        if len(self.leniency_) and self.leniency_["flag"].any():
            flagged = self.leniency_.loc[self.leniency_["flag"], [RATER, "direction"]].set_index(RATER)["direction"]
            rated = self.ratings_[self.ratings_[RATER].isin(flagged.index)]
            pairs = rated[[SALESPERSON, RATER]].drop_duplicates()
            said = {r: text(f"note_rater_{dirn}", lang, rater=r) for r, dirn in flagged.items()}
            pos = {p: i for i, p in enumerate(s[SALESPERSON].tolist())}
            for person, r in zip(pairs[SALESPERSON].tolist(), pairs[RATER].tolist()):
                notes[pos[person]].append(said[r])
        for i, m in enumerate(s["missing"]):
            if m:
                notes[i].append(text("note_missing", lang, items=self._missing_words(m, lang)))
        return ["; ".join(x) for x in notes]

    def card_sheet(self, salesperson: str, lang: str = "zh") -> pd.DataFrame:
        """One person's card as a small printable frame."""
        self._check_fitted()
        check_lang(lang)
        lines = self._card_lines(lang)
        one = lines[lines[SALESPERSON] == salesperson]
        if one.empty:
            raise ParameterError(f"no card for '{salesperson}'.{suggest(salesperson, self.scores_[SALESPERSON])}")
        return label_columns(_no_gaps(one.drop(columns=[SALESPERSON]).reset_index(drop=True), blank=""), lang, DOMAIN)

    def forced_distribution(self, lang: str = "zh") -> pd.DataFrame:
        """The forced-distribution check, labelled: one row per rule with the count, share and result (raw: ``forced_``)."""
        self._check_fitted()
        return forced_table(self.forced_, lang)

    def grades_by_branch(self, lang: str = "zh") -> pd.DataFrame:
        """Grades by branch, labelled (raw: ``grades_by_branch_``)."""
        self._check_fitted()
        return grades_table(self.grades_by_branch_, lang, self.scheme_.grade_names)

    def leniency(self, lang: str = "zh") -> pd.DataFrame:
        """Rater leniency, labelled (raw: ``leniency_``)."""
        self._check_fitted()
        return leniency_table(self.leniency_, lang)

    def difficulty(self, lang: str = "zh") -> pd.DataFrame:
        """Target difficulty by branch, labelled (raw: ``difficulty_``); empty when there was no reference."""
        self._check_fitted()
        return difficulty_table(self.difficulty_, lang)

    def fairness_flags(self, lang: str = "zh") -> pd.DataFrame:
        """Every fairness finding as one row: check, subject, value, message (flagged, not hidden)."""
        self._check_fitted()
        check_lang(lang)
        rows = []
        for r in self.leniency_[self.leniency_["flag"]].itertuples():
            rows.append(("rater_leniency", r.rater, r.leniency,
                         text("flag_rater_above" if r.leniency > 0 else "flag_rater_below", lang, rater=r.rater,
                              points=f"{abs(r.leniency):.2f}", n=r.n_compared)))
        if self.difficulty_ is not None:
            for r in self.difficulty_[self.difficulty_["flag"]].itertuples():
                rows.append(("target_difficulty", r.branch, r.relative,
                             text("flag_target_harder" if r.relative > 0 else "flag_target_easier", lang, branch=r.branch,
                                  kind=value("reference_kind", r.reference_kind, lang), difficulty=f"{r.difficulty:.0%}",
                                  relative=f"{abs(r.relative):.0%}")))
        for r in self.grades_by_branch_[self.grades_by_branch_["flag"]].itertuples():
            rows.append(("grade_distribution", r.branch, r.top_share,
                         text("flag_grade_share", lang, branch=r.branch, share=f"{r.top_share:.0%}",
                              company=f"{r.company_top_share:.0%}", p=f"{r.p_value:.3f}")))
        for r in self.forced_[~self.forced_["ok"]].itertuples():
            rows.append(("forced_distribution", r.grades, r.share,
                         text(f"flag_forced_{r.rule}", lang, grades=r.grades, share=f"{r.share:.0%}", count=r.count,
                              limit=f"{r.limit_share:.0%}", limit_count=r.limit_count)))
        out = pd.DataFrame(rows, columns=["check", "subject", "value", "message"])
        return label_columns(label_values(out, lang, {"check": "fairness_check"}), lang, DOMAIN)

    def assumptions(self, lang: str = "zh") -> pd.DataFrame:
        """The scheme as a table: component, source, weight, how it is normalised; last row the grades."""
        self._check_fitted()
        check_lang(lang)
        rows = [(component_label(c.name, lang, self.scheme_), value("component_source", c.source, lang), c.weight, c.describe(lang))
                for c in self.scheme_.components.values()]
        rows.append((label("grades", lang, DOMAIN), "", "", ", ".join(f"{g} ≥ {m:g}" for g, m in self.scheme_.grades)))
        return label_columns(pd.DataFrame(rows, columns=["item", "source", "weight_pct", "how"]), lang, DOMAIN)

    def excel_sheets(self, lang: str = "zh") -> dict[str, pd.DataFrame]:
        """Sheet name -> labelled frame: ranking, cards, fairness, grades by branch, leniency, forced distribution, scheme."""
        self._check_fitted()
        check_lang(lang)
        sheets = {
            text("sheet_ranking", lang): self.ranking(lang),
            text("sheet_cards", lang): self.cards(lang),
            text("sheet_fairness", lang): self.fairness_flags(lang),
            text("sheet_grades_by_branch", lang): self.grades_by_branch(lang),
            text("sheet_leniency", lang): self.leniency(lang),
            text("sheet_forced", lang): self.forced_distribution(lang),
            text("sheet_scheme", lang): self.assumptions(lang),
        }
        if self.difficulty_ is not None:
            sheets[text("sheet_difficulty", lang)] = self.difficulty(lang)
        return sheets


# ----------------------------------------------------------------------------
# display tables of the fitted frames (also used on evaluation results)
# ----------------------------------------------------------------------------
def _no_gaps(frame: pd.DataFrame, blank: str = "—") -> pd.DataFrame:
    """``frame`` with missing cells shown as ``blank`` (a display table never shows nan or <NA>)."""
    out = frame.copy()
    for col in out.columns:
        cells = out[col]
        if cells.isna().any():
            out[col] = cells.astype(object).where(cells.notna(), blank)
    return out


def _coded(frame: pd.DataFrame, lang: str, kinds: dict[str, str]) -> pd.DataFrame:
    """Flags as yes/no and the coded columns of ``kinds`` as words; an unflagged row's blank direction reads 'none'."""
    out = frame.copy()
    if "direction" in out.columns:
        out["direction"] = out["direction"].replace("", "none")
    if "flag" in out.columns:
        out["flag"] = out["flag"].astype(bool)
    return label_values(out, lang, {"flag": "bool", **kinds})


def forced_table(forced: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The raw forced-distribution frame (``Scorecard.forced_``) with words and labelled headers."""
    out = forced.assign(ok=np.where(forced["ok"].astype(bool), "ok", "violated"))
    return label_columns(label_values(out, lang, {"rule": "forced_rule", "ok": "forced_result"}), lang, DOMAIN)


def grades_table(grades: pd.DataFrame, lang: str = "zh", grade_names=()) -> pd.DataFrame:
    """The raw grades-by-branch frame (``Scorecard.grades_by_branch_``) with words and labelled headers."""
    keep = {g: g for g in grade_names if g in grades.columns}
    out = _no_gaps(_coded(grades, lang, {"direction": "grade_share_direction"}))
    return label_columns(out, lang, DOMAIN, keep=keep)


def leniency_table(leniency: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The raw rater-leniency frame (``Scorecard.leniency_``) with words and labelled headers."""
    return label_columns(_no_gaps(_coded(leniency, lang, {"direction": "leniency_direction"})), lang, DOMAIN)


def difficulty_table(difficulty: pd.DataFrame | None, lang: str = "zh") -> pd.DataFrame:
    """The raw target-difficulty frame (``Scorecard.difficulty_``) with words and labelled headers (empty: no check)."""
    check_lang(lang)
    if difficulty is None or difficulty.empty:
        return pd.DataFrame()
    out = _coded(difficulty, lang, {"direction": "difficulty_direction", "reference_kind": "reference_kind"})
    return label_columns(_no_gaps(out), lang, DOMAIN)


# ----------------------------------------------------------------------------
# building the KPI frame from tracking results
# ----------------------------------------------------------------------------
def kpis_from_tracking(
    sales: pd.DataFrame,
    *,
    gross_profit: pd.DataFrame | None = None,
    activities: pd.DataFrame | None = None,
    prior_actual: pd.Series | None = None,
) -> pd.DataFrame:
    """The per-person KPI frame from tracking results (plain frames, no files).

    ``sales``: :meth:`salesanalytics.tracking.Tracker.attainment` at level
    ``salesperson`` for the period (branch, salesperson, actual, target; credit
    splits of shared deals already applied).  People without a target (not in
    the plan) cannot be scored and are left out; ``attrs['unscored']`` lists them.
    ``gross_profit``: the same from a ``Tracker(measure="gross_profit")``
    (its ``actual`` becomes ``gross_profit``).  ``activities``: daily activity
    records of the period, summed per person into ``new_customers`` and
    ``collected`` (``cash_collected``, 回款).  ``prior_actual``: salesperson →
    prior-year revenue of the same period (see :func:`prior_actual_from_history`).
    """
    keys = [BRANCH, SALESPERSON]
    out = sales[keys + ["actual", "target"]].copy()
    unscored = out[~(out["target"] > 0)]
    out = out[out["target"] > 0].reset_index(drop=True)
    if gross_profit is not None:
        gp = gross_profit.set_index(keys)["actual"]
        out["gross_profit"] = gp.reindex(pd.MultiIndex.from_frame(out[keys])).to_numpy(float)
    if activities is not None and len(activities):
        cols = [c for c in ("new_customers", "cash_collected") if c in activities.columns]
        sums = activities.groupby(SALESPERSON)[cols].sum()
        if "new_customers" in cols:
            out["new_customers"] = sums["new_customers"].reindex(out[SALESPERSON]).fillna(0).to_numpy(float)
        if "cash_collected" in cols:
            out["collected"] = sums["cash_collected"].reindex(out[SALESPERSON]).fillna(0).to_numpy(float)
    if prior_actual is not None:
        out["prior_actual"] = pd.Series(prior_actual).reindex(out[SALESPERSON]).to_numpy(float)
    out.attrs["source"] = sales.attrs.get("source", "tracking")
    out.attrs["unscored"] = unscored[keys].to_dict("records")
    return out


def prior_actual_from_history(history: pd.DataFrame, roster: pd.DataFrame, months) -> pd.Series:
    """Prior-year revenue per person for the same months, estimated from branch history.

    The history is monthly per branch, not per person, so each branch's revenue
    of the same months one year earlier is split over its roster by the roster
    weight (the productivity weight the backward plan splits targets with).  This
    is an estimate — a person's growth then mostly reflects their branch's growth
    and their share against their weight — and it is listed as such in the
    evaluation's notes.  People of branches without history (new branches) get NaN.
    """
    months = pd.DatetimeIndex(months)
    prior = months - pd.DateOffset(years=1)
    h = history[history["month"].isin(prior)]
    by_branch = h.groupby(BRANCH)["revenue"].sum()
    r = roster.copy()
    w = r["weight"].astype(float) if "weight" in r.columns else pd.Series(1.0, index=r.index)
    share = w / w.groupby(r[BRANCH]).transform("sum")
    values = r[BRANCH].map(by_branch).astype(float) * share
    return pd.Series(values.to_numpy(float), index=r[SALESPERSON].to_numpy(), name="prior_actual")
