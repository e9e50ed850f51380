"""A backward plan's settings: what must be achieved and the facts it is split by.

:class:`Plan` is built from a plain mapping (the YAML file in ``data/``) by
:meth:`Plan.from_dict`, which checks every key and value and raises
:class:`~salesanalytics.core.exceptions.PlanError` / ``DataError`` with the fix.
No file is read here: :func:`salesanalytics.adapters.io.read_plan` reads the YAML and any
branch table it points to, then calls :meth:`Plan.from_dict`.

Every ambiguity of the handbook's worked case is one of these fields, never a
constant buried in code (see ``data/seed_case_2012.yaml``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from ..core import schema as S
from ..core.validation import frame_from_records
from ..core.exceptions import PlanError, reject_unknown_keys, suggest
from ..core.numbers import check_amount, parse_amount, parse_fraction, parse_number

TARGET_KINDS = ("net_profit", "gross_profit", "revenue")
ALLOCATIONS = ("capacity", "weights", "forecast")
PHASINGS = ("compound_growth", "yoy_growth", "seasonal", "flat")
#: Default ramp of a new branch: share of full productivity in its first months.
DEFAULT_RAMP = (0.3, 0.6, 0.9, 1.0)


@dataclass(frozen=True)
class Costs:
    """Cost lines between gross profit and net profit (all default to 0: the seed ignores them)."""

    fixed_per_month_yuan: Decimal = Decimal(0)
    per_head_per_month_yuan: Decimal = Decimal(0)
    pct_of_revenue: float = 0.0
    income_tax_rate: float = 0.0

    @classmethod
    def from_dict(cls, data: Mapping | None, where: str) -> Costs:
        data = dict(data or {})
        reject_unknown_keys(data, [f.name for f in dataclasses.fields(cls)], where=where)
        out = {}
        for key in ("fixed_per_month_yuan", "per_head_per_month_yuan"):
            if key in data:
                out[key] = parse_amount(data[key], f"{where}.{key}")
        if "pct_of_revenue" in data:
            out["pct_of_revenue"] = parse_fraction(data["pct_of_revenue"], f"{where}.pct_of_revenue", high_open=True)
        if "income_tax_rate" in data:
            out["income_tax_rate"] = parse_fraction(data["income_tax_rate"], f"{where}.income_tax_rate", high_open=True)
        return cls(**out)


@dataclass(frozen=True)
class NewBranch:
    """A branch that opens during the plan year (the seed's 海口 and 厦门)."""

    branch: str
    opening_month: int  # 1..12 in the plan year
    headcount: float
    gp_per_head_month: float | None = None  # None: the company median, or `comparable`'s
    comparable: str | None = None
    ramp: tuple[float, ...] = DEFAULT_RAMP
    gross_margin: float | None = None
    weight: float | None = None

    KEYS = ("branch", "opening_month", "headcount", "gp_per_head_month", "comparable", "ramp", "gross_margin", "weight")


@dataclass(frozen=True)
class Phasing:
    """How a year's task is spread over its months.

    * ``compound_growth``: month m weighs (1 + monthly_growth)^(m-1) (the seed's "月销售额增长30%").
    * ``yoy_growth``: last year's same month from history, times (1 + yoy_growth).
    * ``seasonal``: 12 shares that sum to 100% (given, or measured from history if omitted).
    * ``flat``: every month the same.
    """

    method: str = "flat"
    monthly_growth: float = 0.0
    yoy_growth: float = 0.0
    shares: tuple[float, ...] | None = None

    @classmethod
    def from_dict(cls, data: Mapping | None, where: str) -> Phasing:
        data = dict(data or {})
        reject_unknown_keys(data, ["method", "monthly_growth", "yoy_growth", "shares"], where=where)
        method = data.get("method", "flat")
        if method not in PHASINGS:
            raise PlanError(f"{where}.method: unknown phasing '{method}'.{suggest(method, PHASINGS)} Valid: {', '.join(PHASINGS)}.")
        monthly = parse_fraction(data.get("monthly_growth", 0), f"{where}.monthly_growth", low=-1, high=10, low_open=True)
        yoy = parse_fraction(data.get("yoy_growth", 0), f"{where}.yoy_growth", low=-1, high=100, low_open=True)
        shares = data.get("shares")
        if shares is not None:
            if not isinstance(shares, Sequence) or isinstance(shares, str) or len(shares) != 12:
                raise PlanError(f"{where}.shares: give exactly 12 monthly percentages (January first).")
            values = [parse_number(v, f"{where}.shares[{i + 1}]") for i, v in enumerate(shares)]
            if any(v < 0 for v in values):
                raise PlanError(f"{where}.shares: shares must not be negative.")
            total = sum(values)
            if abs(total - 100) > 1e-6:
                raise PlanError(
                    f"{where}.shares: the 12 monthly shares sum to {total:g}%, not 100%. "
                    "Fix: adjust them so they add up to exactly 100."
                )
            shares = tuple(values)
        if method == "compound_growth" and "monthly_growth" not in data:
            raise PlanError(f"{where}: compound_growth needs monthly_growth (e.g. 0.30 for 30% a month).")
        return cls(method=method, monthly_growth=monthly, yoy_growth=yoy, shares=shares)


@dataclass(frozen=True)
class Plan:
    """Everything the backward method needs (倒推法).

    ``branches`` is a frame with columns branch, headcount, gp_per_head_month
    [, gross_margin, weight] for branches open the whole year.
    """

    year: int
    target_kind: str
    target_yuan: Decimal
    gross_margin: float
    branches: pd.DataFrame
    new_branches: tuple[NewBranch, ...] = ()
    costs: Costs = field(default_factory=Costs)
    phasing: Phasing = field(default_factory=Phasing)
    allocation: str = "capacity"
    hires_productive_from: int = 1
    roster: pd.DataFrame | None = None
    name: str = ""
    notes: tuple[str, ...] = ()
    source: str = "<plan>"

    TOP_KEYS = (
        "name", "year", "target", "gross_margin", "costs", "phasing", "allocation",
        "branches", "new_branches", "hires_productive_from", "roster", "notes",
    )

    # -- construction --------------------------------------------------------
    @classmethod
    def from_dict(
        cls,
        data: Mapping,
        *,
        source: str = "<plan>",
        branches: pd.DataFrame | None = None,
        roster: pd.DataFrame | None = None,
    ) -> Plan:
        """Build and check a plan from a mapping.

        ``branches`` / ``roster`` are pre-read frames when the YAML points to
        files; otherwise ``data['branches']`` is an inline list of mappings.
        """

        reject_unknown_keys(data, cls.TOP_KEYS, where=source)
        for key in ("year", "target", "gross_margin", "branches"):
            if key not in data:
                raise PlanError(f"{source}: missing '{key}'. Fix: see data/seed_case_2012.yaml for a complete plan.")
        year = data["year"]
        if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2200:
            raise PlanError(f"{source}.year: '{year}' is not a year. Fix: write four digits, e.g. 2026.")

        target = data["target"]
        if not isinstance(target, Mapping):
            raise PlanError(f"{source}.target: expected 'kind' and 'amount_yuan' under it.")
        reject_unknown_keys(target, ["kind", "amount_yuan"], where=f"{source}.target")
        kind = target.get("kind", "net_profit")
        if kind not in TARGET_KINDS:
            raise PlanError(f"{source}.target.kind: unknown '{kind}'.{suggest(kind, TARGET_KINDS)} Valid: {', '.join(TARGET_KINDS)}.")
        if "amount_yuan" not in target:
            raise PlanError(f"{source}.target: missing amount_yuan (e.g. 68000000).")
        amount = parse_amount(target["amount_yuan"], f"{source}.target.amount_yuan", allow_negative=True)
        if amount <= 0:
            raise PlanError(f"{source}.target.amount_yuan: {target['amount_yuan']} must be greater than 0.")

        margin = parse_fraction(data["gross_margin"], f"{source}.gross_margin", low_open=True, high_open=True)

        if branches is None:
            records = data["branches"]
            if not isinstance(records, list) or not records:
                raise PlanError(f"{source}.branches: give a list of branches (branch, headcount, gp_per_head_month).")
            for i, rec in enumerate(records, start=1):
                if not isinstance(rec, Mapping):
                    raise PlanError(f"{source}.branches item {i}: expected 'branch: ..., headcount: ...'.")
            branches = frame_from_records(records, S.BRANCH_TABLE_SCHEMA, source=f"{source}, branches (item)", keys=[S.BRANCH])
        allocation = data.get("allocation", "capacity")
        if allocation not in ALLOCATIONS:
            raise PlanError(f"{source}.allocation: unknown '{allocation}'.{suggest(allocation, ALLOCATIONS)} Valid: {', '.join(ALLOCATIONS)}.")
        if allocation == "capacity":
            if S.GP_PER_HEAD not in branches.columns or branches[S.GP_PER_HEAD].isna().any():
                rows = [] if S.GP_PER_HEAD not in branches.columns else branches.index[branches[S.GP_PER_HEAD].isna()].tolist()
                names = branches.loc[rows, S.BRANCH].tolist() if rows else ["all"]
                raise PlanError(
                    f"{source}.branches: gp_per_head_month (月人均毛利) is missing for {', '.join(map(str, names))}. "
                    "Fix: capacity allocation needs every branch's monthly gross profit per head."
                )
        if allocation == "weights" and (S.WEIGHT not in branches.columns or branches[S.WEIGHT].isna().any()):
            raise PlanError(f"{source}.branches: allocation 'weights' needs a weight for every branch.")
        if S.GP_PER_HEAD not in branches.columns:
            branches = branches.assign(**{S.GP_PER_HEAD: float("nan")})
        for name, gph in zip(branches[S.BRANCH], branches[S.GP_PER_HEAD]):
            if gph == gph:  # NaN: not given (allowed unless allocation is capacity, checked above)
                check_amount(gph, f"{source}.branches {name}.gp_per_head_month", allow_negative=False)

        existing = branches[S.BRANCH].tolist()
        new = tuple(cls._new_branch(rec, i, year, existing, source) for i, rec in enumerate(data.get("new_branches") or [], start=1))
        names = existing + [nb.branch for nb in new]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise PlanError(f"{source}: branch {', '.join(dupes)} is listed twice (existing and new_branches). Fix: list each branch once.")
        if allocation == "weights":
            missing = [nb.branch for nb in new if nb.weight is None]
            if missing:
                raise PlanError(f"{source}.new_branches: allocation 'weights' needs a weight for {', '.join(missing)}.")

        hires_from = data.get("hires_productive_from", 1)
        if isinstance(hires_from, bool) or not isinstance(hires_from, int) or not 1 <= hires_from <= 12:
            raise PlanError(f"{source}.hires_productive_from: '{hires_from}' must be a month number 1..12.")

        if roster is not None:
            unknown = sorted(set(roster[S.BRANCH]) - set(names))
            if unknown:
                rows = (roster.index[roster[S.BRANCH].isin(unknown)] + 2).tolist()
                raise PlanError(
                    f"{source}.roster: row(s) {', '.join(map(str, rows[:10]))} name branch(es) {', '.join(unknown)} that the plan does not have."
                    f"{suggest(unknown[0], names)} Fix: correct the branch name or add the branch to the plan."
                )
        notes = data.get("notes") or ()
        if isinstance(notes, str):
            notes = (notes,)
        return cls(
            year=year,
            target_kind=kind,
            target_yuan=amount,
            gross_margin=margin,
            branches=branches.reset_index(drop=True),
            new_branches=new,
            costs=Costs.from_dict(data.get("costs"), f"{source}.costs"),
            phasing=Phasing.from_dict(data.get("phasing"), f"{source}.phasing"),
            allocation=allocation,
            hires_productive_from=hires_from,
            roster=roster,
            name=str(data.get("name", "")),
            notes=tuple(str(n) for n in notes),
            source=source,
        )

    @staticmethod
    def _new_branch(rec, i: int, year: int, existing: list[str], source: str) -> NewBranch:
        where = f"{source}.new_branches item {i}"
        if not isinstance(rec, Mapping):
            raise PlanError(f"{where}: expected 'branch: ..., opening_month: ..., headcount: ...'.")
        reject_unknown_keys(rec, NewBranch.KEYS, where=where)
        for key in ("branch", "opening_month", "headcount"):
            if key not in rec:
                raise PlanError(f"{where}: missing '{key}'.")
        name = str(rec["branch"]).strip()
        where = f"{source}.new_branches {name}"
        opening = rec["opening_month"]
        month = None
        if isinstance(opening, int) and not isinstance(opening, bool):
            month = opening
        else:
            try:
                ts = pd.Timestamp(str(opening))
            except (ValueError, TypeError):
                raise PlanError(f"{where}.opening_month: '{opening}' is not a month. Fix: write {year}-04 or 4.") from None
            if ts.year != year:
                raise PlanError(
                    f"{where}.opening_month: {opening} is outside the plan year {year}. "
                    f"Fix: open it between {year}-01 and {year}-12, or leave it out of this plan."
                )
            month = ts.month
        if not 1 <= month <= 12:
            raise PlanError(
                f"{where}.opening_month: {opening} is outside the plan year {year}. Fix: a month number 1..12 or {year}-MM."
            )
        heads = parse_number(rec["headcount"], f"{where}.headcount", low=0, fix="a headcount >= 0")
        gph = rec.get("gp_per_head_month")
        if gph is not None:
            gph = float(parse_amount(gph, f"{where}.gp_per_head_month"))
        comparable = rec.get("comparable")
        if comparable is not None and comparable not in existing:
            raise PlanError(f"{where}.comparable: '{comparable}' is not an existing branch.{suggest(comparable, existing)}")
        ramp = rec.get("ramp", DEFAULT_RAMP)
        if not isinstance(ramp, Sequence) or isinstance(ramp, str) or not ramp:
            raise PlanError(f"{where}.ramp: give a list of fractions of full productivity, e.g. [0.3, 0.6, 0.9, 1.0].")
        ramp = tuple(parse_fraction(r, f"{where}.ramp", high=2.0) for r in ramp)
        margin = rec.get("gross_margin")
        if margin is not None:
            margin = parse_fraction(margin, f"{where}.gross_margin", low_open=True, high_open=True)
        weight = rec.get("weight")
        if weight is not None:
            weight = parse_number(weight, f"{where}.weight")
        return NewBranch(name, month, heads, gph, comparable, ramp, margin, weight)

    # -- convenience ---------------------------------------------------------
    @property
    def branch_names(self) -> list[str]:
        return self.branches[S.BRANCH].tolist() + [nb.branch for nb in self.new_branches]

    @property
    def months(self) -> pd.DatetimeIndex:
        return pd.date_range(f"{self.year}-01-01", periods=12, freq="MS")

    def replace(self, **changes) -> Plan:
        """A copy with some settings changed (what a slider does).

        Accepts the dataclass fields plus the shortcuts ``monthly_growth``,
        ``yoy_growth`` and ``target_yuan`` given as a number.
        """
        phasing_changes = {k: changes.pop(k) for k in ("monthly_growth", "yoy_growth") if k in changes}
        if phasing_changes:
            changes["phasing"] = dataclasses.replace(changes.get("phasing", self.phasing), **phasing_changes)
        if "target_yuan" in changes:
            changes["target_yuan"] = parse_amount(changes["target_yuan"], "target_yuan", allow_negative=True)
            if changes["target_yuan"] <= 0:
                raise PlanError(f"target_yuan: {changes['target_yuan']} must be greater than 0.")
        if "gross_margin" in changes:
            changes["gross_margin"] = parse_fraction(changes["gross_margin"], "gross_margin", low_open=True, high_open=True)
        return dataclasses.replace(self, **changes)
