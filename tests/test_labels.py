"""Every user-facing word comes from salesanalytics.core.labels, in Chinese and English."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from salesanalytics.core import labels as L
from salesanalytics.core.exceptions import LabelError, ParameterError
from salesanalytics.core.labels import bilingual, t

CJK = re.compile(r"[\u4e00-\u9fff]")
FIELDS = re.compile(r"\{(\w+)")


def _all_pairs():
    for domain, table in L.COLUMNS.items():
        for key, pair in table.items():
            yield f"column {domain}.{key}", pair
    for key, pair in L.TEXTS.items():
        yield f"text {key}", pair
    for kind, table in L.VALUES.items():
        for code, pair in table.items():
            yield f"value {kind}.{code}", pair


def test_every_entry_has_both_languages_and_the_same_fields():
    for where, pair in _all_pairs():
        assert isinstance(pair, tuple) and len(pair) == 2, where
        zh, en = pair
        assert zh.strip() and en.strip(), where
        assert set(FIELDS.findall(zh)) == set(FIELDS.findall(en)), where


def test_chinese_is_chinese_and_english_is_not():
    not_chinese = [w for w, (zh, _) in _all_pairs() if not CJK.search(zh) and zh not in ("%",) and not re.fullmatch(r"[A-Z0-9 %()./+-]+", zh)]
    assert not_chinese == []
    chinese_in_en = [w for w, (_, en) in _all_pairs() if CJK.search(en) and not re.search(r"\((?:[\u4e00-\u9fff]+)\)|[\u4e00-\u9fff]+法", en)]
    assert chinese_in_en == []


def test_no_entry_is_a_raw_identifier():
    raw = re.compile(r"^[a-z]+(_[a-z0-9]+)+$")
    assert [w for w, pair in _all_pairs() if any(raw.match(s) for s in pair)] == []


def test_format_and_bilingual():
    assert t("index_title", "zh", quarter="2026Q3") == "2026Q3 季度经营报告"
    assert t("index_seconds", "en", seconds=1.25) == "took 1.2 s"
    assert bilingual("sales_task", "en") == "Sales task / 销售任务"


def test_domain_label_wins_over_common_and_common_is_the_fallback():
    assert L.label("branch", "zh", domain="tracking") == "分公司"
    assert L.label("sales_task", "en") == "Sales task (yuan)"


def test_values_and_frames():
    assert L.value("gap_status", "at risk", "zh") == "有风险"
    assert L.value("bool", True, "en") == "yes"
    frame = pd.DataFrame({"branch": ["北京"], "status": ["red"]})
    out = L.label_values(L.label_columns(frame, "zh"), "zh", {"状态": "light"})
    assert list(out.columns) == ["分公司", "状态"] and out.iloc[0, 1] == "红"


@pytest.mark.parametrize("call, words", [
    (lambda: t("sales_tsak", "zh"), "Did you mean 'sales_task'"),
    (lambda: L.label("no_such_column", "zh"), "no label for 'no_such_column'"),
    (lambda: L.value("light", "purple", "zh"), "no label for light value 'purple'"),
    (lambda: L.label_columns(pd.DataFrame({"snake_case_col": [1]}), "en"), "snake_case_col"),
])
def test_missing_label_is_an_error(call, words):
    with pytest.raises(LabelError, match=words):
        call()


def test_unknown_language():
    with pytest.raises(ParameterError, match="lang must be one of zh, en"):
        t("sales_task", "fr")
