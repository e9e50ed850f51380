"""Scenario files for the combined plan: 保守 / 基准 / 激进, unknown keys rejected with a suggestion."""

from __future__ import annotations

import pytest

from salesanalytics.adapters import io
from salesanalytics.core.exceptions import DataError, PlanError
from salesanalytics.methods.scenarios import DEFAULT_SCENARIO_DICT, Scenario, default_scenarios, scenarios_from_dict

from .conftest import DATA


def test_bundled_file_equals_the_built_in_set():
    from_file = io.read_scenarios(DATA / "scenarios_2026.yaml")
    assert list(from_file) == ["保守", "基准", "激进"]
    assert from_file == default_scenarios()
    assert [s.label_en for s in from_file.values()] == ["conservative", "base", "aggressive"]


def test_defaults_are_inherited_and_overridden():
    sc = scenarios_from_dict({"defaults": {"hire_lead_time_months": 4}, "scenarios": {"a": {}, "b": {"hire_lead_time_months": 1}}})
    assert sc["a"].hire_lead_time_months == 4 and sc["b"].hire_lead_time_months == 1
    assert sc["a"].label_en == "a" and sc["a"].name == "a"
    assert sc["b"].hire_ramp == (0.3, 0.6, 0.9, 1.0)


def test_plan_overrides_and_replace():
    sc = Scenario(gross_margin=0.09, yoy_growth=0.05)
    assert sc.plan_changes() == {"gross_margin": 0.09, "yoy_growth": 0.05}
    assert Scenario().plan_changes() == {}
    assert sc.replace(blend=0.3).blend == 0.3
    assert Scenario().label("zh") == "基准" and Scenario().label("en") == "base"


def _with(**values):
    data = {"scenarios": {"基准": values}}
    return scenarios_from_dict(data, source="s.yaml")


BAD = [
    ({"scenarios": {"基准": {"productivity_uplfit": 0.1}}}, ["s.yaml.scenarios.基准", "unknown key 'productivity_uplfit'", "Did you mean 'productivity_uplift'"]),
    ({"defaults": {"blnd": 0.5}, "scenarios": {"a": {}}}, ["s.yaml.defaults", "unknown key 'blnd'", "Did you mean 'blend'"]),
    ({"scenario": {"a": {}}}, ["unknown key 'scenario'", "Did you mean 'scenarios'"]),
    ({"scenarios": {"a": {"blend": 1.2}}}, ["blend", "outside [0, 1]"]),
    ({"scenarios": {"a": {"blend": -0.5}}}, ["blend", "outside [0, 1]"]),
    ({"scenarios": {"a": {"quantile": 1.5}}}, ["quantile", "outside [0, 1]"]),
    ({"scenarios": {"a": {"blend": "half"}}}, ["blend", "'half' is not a number"]),
    ({"scenarios": {"a": {"target_rule": "quantil"}}}, ["unknown 'quantil'", "Did you mean 'quantile'"]),
    ({"scenarios": {"a": {"hire_lead_time_months": 1.5}}}, ["hire_lead_time_months", "whole number 0..12"]),
    ({"scenarios": {"a": {"attrition_rate_annual": 1.0}}}, ["attrition_rate_annual", "outside"]),
    ({"scenarios": {"a": {"gross_margin": 0}}}, ["gross_margin", "outside (0, 1)"]),
    ({"scenarios": {"a": {"hire_ramp": "fast"}}}, ["hire_ramp", "list of fractions"]),
    ({"scenarios": {"a": {"floor_at_requirement": "yes"}}}, ["floor_at_requirement", "true or false"]),
    ({"scenarios": {}}, ["at least one scenario"]),
    ({"scenarios": {"a": [1, 2]}}, ["s.yaml.scenarios.a", "key: value"]),
]


@pytest.mark.parametrize("data, words", BAD)
def test_bad_scenarios(data, words):
    with pytest.raises(PlanError) as info:
        scenarios_from_dict(data, source="s.yaml")
    for word in words:
        assert word in str(info.value), str(info.value)


def test_bad_scenario_file_through_io(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("scenarios:\n  保守:\n    blend: 0.5\n    uplift: 0.1\n", encoding="utf-8")
    with pytest.raises(PlanError, match="unknown key 'uplift'.*Did you mean"):
        io.read_scenarios(path)
    path.write_text("scenarios: [\n", encoding="utf-8")
    with pytest.raises(DataError, match="not valid YAML"):
        io.read_scenarios(path)


def test_default_dict_is_not_mutated_by_parsing():
    before = repr(DEFAULT_SCENARIO_DICT)
    default_scenarios()
    assert repr(DEFAULT_SCENARIO_DICT) == before
