"""Readers accept Chinese headers and the usual formats; writers are atomic."""

from __future__ import annotations

import pandas as pd
import pytest

from salesanalytics.adapters import io
from salesanalytics.core.exceptions import DataError

ZH_CSV = "月份,分公司,销售额,毛利,人数\n2025年1月,北京,100.5,8,10\n2025年2月,北京,110,9,10\n2025-03,海口,90,7,5\n"


def test_chinese_headers_and_month_formats(tmp_path):
    path = tmp_path / "历史.csv"
    path.write_text(ZH_CSV, encoding="utf-8")
    h = io.read_history(path)
    assert list(h.columns) == ["month", "branch", "revenue", "gross_profit", "headcount"]
    assert h["month"].tolist() == [pd.Timestamp("2025-01-01"), pd.Timestamp("2025-02-01"), pd.Timestamp("2025-03-01")]
    assert h["branch"].tolist() == ["北京", "北京", "海口"]
    assert h["revenue"].tolist() == [100.5, 110.0, 90.0]


def test_gbk_csv_from_chinese_excel(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes(ZH_CSV.encode("gb18030"))
    assert io.read_history(path)["branch"].tolist() == ["北京", "北京", "海口"]


def test_xlsx_sheet_and_parquet_round_trip(tmp_path):
    h = io.read_history(_write(tmp_path))
    xlsx = io.write_excel({"历史": h, "other": h.head(1)}, tmp_path / "h.xlsx")
    back = io.read_history(xlsx, sheet="历史")
    pd.testing.assert_frame_equal(back, h, check_dtype=False)
    with pytest.raises(DataError, match="has no sheet '历 史'"):
        io.read_history(xlsx, sheet="历 史")
    parquet = io.write_table(h, tmp_path / "h.parquet")
    pd.testing.assert_frame_equal(io.read_history(parquet), h, check_dtype=False)
    csv = io.write_table(h, tmp_path / "h.csv")
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel opens Chinese CSV correctly


def _write(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text(ZH_CSV, encoding="utf-8")
    return path


def test_failed_write_leaves_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "out.txt"
    io.write_text(target, "old")
    with pytest.raises(RuntimeError):
        with io.atomic_path(target) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("disk full")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_writing_an_unknown_format_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="cannot write a '.txt' file"):
        io.write_table(pd.DataFrame({"a": [1]}), tmp_path / "x.txt")
    assert list(tmp_path.iterdir()) == []


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        io.read_history(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="is a folder"):
        io.read_history(tmp_path)


def test_bundled_files_read(history):
    assert history["branch"].nunique() == 14
    assert history["month"].min() == pd.Timestamp("2023-01-01")
    assert history["month"].max() == pd.Timestamp("2025-12-01")
    assert len(history) == 14 * 36
    industry = io.read_industry(io.Path(__file__).resolve().parents[1] / "data" / "industry_market_size.csv")
    assert industry["year"].tolist() == [2023, 2024, 2025, 2026, 2027, 2028]


def test_roster_with_productivity_instead_of_weight(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("分公司,销售员,人效\n北京,王伟,1.2\n北京,李娜,0.8\n", encoding="utf-8")
    roster = io.read_roster(path)
    assert roster["weight"].tolist() == [1.2, 0.8]


def test_yaml_round_trip_keeps_order_chinese_and_the_header(tmp_path):
    data = {"year": 2026, "target": {"kind": "net_profit", "amount_yuan": 15_000_000}, "notes": ["合成数据"]}
    path = io.write_yaml(tmp_path / "plan.yaml", data, header="# SYNTHETIC\n")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# SYNTHETIC\nyear: 2026\n") and "合成数据" in text
    assert io.read_yaml(path) == data


def test_io_only_reads_and_writes():
    # file formats only: building data sets (datagen) and chaining methods live elsewhere
    assert not hasattr(io, "write_synthetic_data")
