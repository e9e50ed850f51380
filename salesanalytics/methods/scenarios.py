"""Named parameter sets for the combined plan (结合法): 保守 / 基准 / 激进 side by side.

A scenario file is YAML with an optional ``defaults`` block and a ``scenarios``
mapping; every scenario inherits the defaults and overrides what it names::

    defaults:
      hire_lead_time_months: 2
    scenarios:
      保守:
        label_en: conservative
        target_rule: blend
        blend: 0.5
        productivity_uplift: 0.0

Unknown keys are rejected with the nearest valid name ("Did you mean ...?"),
never silently ignored.  No file is read here: :func:`salesanalytics.adapters.io.read_scenarios`
reads the YAML and calls :func:`scenarios_from_dict`.

What each setting means (all optional; the defaults are the ``Scenario`` fields):

* ``target_rule``: how the recommended targets are set.  ``blend``: every
  branch x month gets ``blend x required + (1 - blend) x forecast mean``
  (``blend`` 0 = the forecast, 1 = the requirement).  ``quantile``: each
  branch's annual target is the ``quantile`` of its simulated annual sales
  (0.8 = P80, "stretch"), but not below its requirement when
  ``floor_at_requirement`` is true; months follow the forecast's shape.
* ``productivity_uplift``: extra sales per head of today's team, as a
  fraction of the forecast (0.03 = 3 %).
* ``hire_lead_time_months``: months from starting to hire to the hire's first
  working month.  ``hiring_from_month``: first month hiring can start (1..12).
  ``hire_ramp``: share of full productivity in a hire's first months.
  ``attrition_rate_annual``: share of new hires who leave within a year
  (applied monthly as a survival factor).  ``max_hires_per_branch_month``:
  how many people one branch can take on in one month.
* ``gross_margin``, ``yoy_growth``, ``target_yuan``: override the plan's
  values (``Plan.replace``), e.g. a margin squeeze in the conservative case.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..core.exceptions import PlanError, suggest
from ..core.labels import check_lang
from ..core.numbers import parse_amount, parse_number

TARGET_RULES = ("blend", "quantile")


def reject_unknown_keys(given, valid, *, where: str, error=PlanError) -> None:
    """Like :func:`salesanalytics.core.exceptions.reject_unknown_keys`, but a key that is part of a
    valid name ('uplift' in 'productivity_uplift') is suggested too, not only near spellings."""
    valid = list(valid)
    for key in given:
        if key in valid:
            continue
        hint = suggest(str(key), valid)
        if not hint:
            part = [v for v in valid if str(key).lower() in v or v in str(key).lower()]
            hint = f" Did you mean '{part[0]}'?" if part else ""
        raise error(f"{where}: unknown key '{key}'.{hint} Valid keys: {', '.join(valid)}.")


@dataclass(frozen=True)
class Scenario:
    """One named parameter set of the combined plan (see the module docstring)."""

    name: str = "基准"
    label_en: str = "base"
    target_rule: str = "blend"
    blend: float = 1.0
    quantile: float = 0.8
    floor_at_requirement: bool = True
    productivity_uplift: float = 0.0
    hire_lead_time_months: int = 2
    hiring_from_month: int = 1
    hire_ramp: tuple[float, ...] = (0.3, 0.6, 0.9, 1.0)
    attrition_rate_annual: float = 0.15
    max_hires_per_branch_month: int = 3
    gross_margin: float | None = None
    yoy_growth: float | None = None
    target_yuan: float | None = None

    #: keys a scenario may set (``name`` comes from the mapping key)
    @classmethod
    def keys(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls) if f.name != "name"]

    @classmethod
    def from_dict(cls, name: str, data: Mapping | None, *, where: str, base: Scenario | None = None) -> Scenario:
        """Build and check a scenario; ``base`` supplies the values not given."""
        data = dict(data or {})
        reject_unknown_keys(data, cls.keys(), where=where)
        out = dataclasses.asdict(base) if base is not None else {}
        out["name"] = str(name)
        out["label_en"] = str(name)  # a scenario's English label is never inherited
        out.update(data)
        return cls._checked(out, where)

    @classmethod
    def _checked(cls, values: dict, where: str) -> Scenario:
        v = dict(values)
        rule = v.get("target_rule", "blend")
        if rule not in TARGET_RULES:
            raise PlanError(f"{where}.target_rule: unknown '{rule}'.{suggest(str(rule), TARGET_RULES)} Valid: {', '.join(TARGET_RULES)}.")
        v["blend"] = check_fraction(v.get("blend", 1.0), f"{where}.blend")
        v["quantile"] = check_fraction(v.get("quantile", 0.8), f"{where}.quantile")
        v["productivity_uplift"] = _number(v.get("productivity_uplift", 0.0), f"{where}.productivity_uplift", low=-0.9, high=10.0)
        v["attrition_rate_annual"] = _number(v.get("attrition_rate_annual", 0.15), f"{where}.attrition_rate_annual", low=0.0, high=0.99)
        v["hire_lead_time_months"] = _integer(v.get("hire_lead_time_months", 2), f"{where}.hire_lead_time_months", 0, 12)
        v["hiring_from_month"] = _integer(v.get("hiring_from_month", 1), f"{where}.hiring_from_month", 1, 12)
        v["max_hires_per_branch_month"] = _integer(v.get("max_hires_per_branch_month", 3), f"{where}.max_hires_per_branch_month", 0, 10_000)
        ramp = v.get("hire_ramp", (0.3, 0.6, 0.9, 1.0))
        if not isinstance(ramp, Sequence) or isinstance(ramp, str) or not ramp:
            raise PlanError(f"{where}.hire_ramp: give a list of fractions of full productivity, e.g. [0.3, 0.6, 0.9, 1.0].")
        v["hire_ramp"] = tuple(_number(r, f"{where}.hire_ramp", low=0.0, high=2.0) for r in ramp)
        floor = v.get("floor_at_requirement", True)
        if not isinstance(floor, bool):
            raise PlanError(f"{where}.floor_at_requirement: '{floor}' must be true or false.")
        if v.get("gross_margin") is not None:
            v["gross_margin"] = _number(v["gross_margin"], f"{where}.gross_margin", low=0.0, high=1.0, open_=True)
        if v.get("yoy_growth") is not None:
            v["yoy_growth"] = _number(v["yoy_growth"], f"{where}.yoy_growth", low=-0.99, high=100.0)
        if v.get("target_yuan") is not None:
            amount = parse_amount(v["target_yuan"], f"{where}.target_yuan")
            if amount <= 0:
                raise PlanError(f"{where}.target_yuan: {v['target_yuan']} must be greater than 0.")
            v["target_yuan"] = float(amount)
        v["label_en"] = str(v.get("label_en", v.get("name", "")))
        return cls(**v)

    def replace(self, **changes) -> Scenario:
        """A checked copy with some settings changed (what a slider does)."""
        reject_unknown_keys(changes, [f.name for f in dataclasses.fields(self)], where="scenario", error=PlanError)
        return self._checked({**dataclasses.asdict(self), **changes}, f"scenario {self.name}")

    def plan_changes(self) -> dict:
        """The plan settings this scenario overrides, for ``Plan.replace``."""
        return {k: getattr(self, k) for k in ("gross_margin", "yoy_growth", "target_yuan") if getattr(self, k) is not None}

    def label(self, lang: str = "zh") -> str:
        """The scenario's name as the plan's author wrote it: the mapping key (zh) or ``label_en``."""
        return self.name if check_lang(lang) == "zh" else self.label_en


def check_fraction(value, where: str) -> float:
    """A weight or probability in [0, 1]; anything else is a PlanError naming the fix."""
    return _number(value, where, low=0.0, high=1.0)


def _number(value, where: str, *, low: float, high: float, open_: bool = False) -> float:
    return parse_number(value, where, low=low, high=high, low_open=open_, high_open=open_,
                        fix="write it as a fraction, e.g. 0.5 for 50%")


def _integer(value, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise PlanError(f"{where}: '{value}' must be a whole number {low}..{high}.")
    return int(value)


#: The built-in 保守 / 基准 / 激进 set (the same as data/scenarios_2026.yaml; a test keeps them equal).
DEFAULT_SCENARIO_DICT: dict = {
    "defaults": {
        "hire_lead_time_months": 2,
        "hiring_from_month": 1,
        "hire_ramp": [0.3, 0.6, 0.9, 1.0],
        "attrition_rate_annual": 0.15,
        "max_hires_per_branch_month": 3,
        "floor_at_requirement": True,
    },
    "scenarios": {
        "保守": {"label_en": "conservative", "target_rule": "blend", "blend": 0.5, "productivity_uplift": 0.0, "attrition_rate_annual": 0.25, "hire_lead_time_months": 3},
        "基准": {"label_en": "base", "target_rule": "blend", "blend": 1.0, "productivity_uplift": 0.02},
        "激进": {"label_en": "aggressive", "target_rule": "quantile", "quantile": 0.8, "productivity_uplift": 0.05, "hire_lead_time_months": 1, "max_hires_per_branch_month": 5},
    },
}

BASE = Scenario()


def scenarios_from_dict(data: Mapping, *, source: str = "<scenarios>") -> dict[str, Scenario]:
    """Parse a scenario mapping (``defaults`` + ``scenarios``) into ``{name: Scenario}`` in file order."""
    if not isinstance(data, Mapping):
        raise PlanError(f"{source}: expected 'defaults:' and 'scenarios:' at the top level.")
    reject_unknown_keys(data, ["defaults", "scenarios"], where=source)
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        raise PlanError(f"{source}.defaults: expected 'key: value' lines.")
    base = Scenario.from_dict("defaults", defaults, where=f"{source}.defaults")
    items = data.get("scenarios")
    if not isinstance(items, Mapping) or not items:
        raise PlanError(f"{source}: give at least one scenario under 'scenarios:' (e.g. 保守, 基准, 激进).")
    out: dict[str, Scenario] = {}
    for name, values in items.items():
        if values is not None and not isinstance(values, Mapping):
            raise PlanError(f"{source}.scenarios.{name}: expected 'key: value' lines under the scenario name.")
        out[str(name)] = Scenario.from_dict(str(name), values, where=f"{source}.scenarios.{name}", base=base)
    return out


def default_scenarios() -> dict[str, Scenario]:
    """The built-in 保守 / 基准 / 激进 scenarios."""
    return scenarios_from_dict(DEFAULT_SCENARIO_DICT, source="built-in scenarios")
