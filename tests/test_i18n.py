"""Report strings exist in Chinese and English."""

from __future__ import annotations

import re

import pytest

from salesanalytics.exceptions import ParameterError
from salesanalytics.i18n import LANGS, STRINGS, bilingual, t


def test_every_string_has_both_languages_and_the_same_fields():
    for key, entry in STRINGS.items():
        assert set(entry) == set(LANGS), key
        fields = [set(re.findall(r"\{(\w+)", entry[lang])) for lang in LANGS]
        assert fields[0] == fields[1], key


def test_chinese_strings_are_chinese():
    cjk = re.compile(r"[\u4e00-\u9fff]")
    missing = [k for k, e in STRINGS.items() if not cjk.search(e["zh"]) and e["zh"] not in ("%",)]
    assert missing == []


def test_format_and_bilingual():
    assert t("index_title", "zh", quarter="2026Q3") == "2026Q3 季度经营报告"
    assert t("index_seconds", "en", seconds=1.25) == "took 1.2 s"
    assert bilingual("sales_task", "en") == "Sales task / 销售任务"


@pytest.mark.parametrize("key, lang, words", [("sales_tsak", "zh", "Did you mean 'sales_task'"), ("sales_task", "fr", "lang must be one of zh, en")])
def test_unknown_key_or_language(key, lang, words):
    with pytest.raises(ParameterError, match=words):
        t(key, lang)
