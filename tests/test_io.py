"""Readers accept Chinese headers and the usual formats; writers are atomic."""

from __future__ import annotations

import os
from pathlib import Path

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


# ----------------------------------------------------------------------------
# the safe cell writer
# ----------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "cell"), [
    ('=HYPERLINK("http://x","x")', '\'=HYPERLINK("http://x","x")'),
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("@SUM(1)", "'@SUM(1)"),
    ("+1+1", "'+1+1"),
    ("-2+3", "'-2+3"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("  =1", "'  =1"),
    ("＝1+1", "'＝1+1"),
    ("'=x", "''=x"),
    ("-5", "-5"),
    ("+3.2", "+3.2"),
    ("-8%", "-8%"),
    ("北京", "北京"),
    ("O'Brien", "O'Brien"),
    ("'quoted", "'quoted"),
    ("a=b", "a=b"),
])
def test_csv_cell_protects_formulas_and_reads_back(text, cell):
    assert io.csv_cell(text) == cell
    assert io.csv_uncell(io.csv_cell(text)) == text


@pytest.mark.parametrize("text", ["a\x00b", "\x01", "x\x1fy", "a\rb", "_x0041_", "_x005F_", "\ufffe", "tab\tnew\nline", "普通"])
def test_xlsx_text_escapes_what_xml_cannot_hold(text):
    stored = io.xlsx_text(text)
    assert not any(ord(c) < 32 and c not in "\t\n" for c in stored)
    assert io.xlsx_untext(stored) == text


def test_workbook_holds_no_formula_and_reads_back(tmp_path):
    import openpyxl

    names = ['=HYPERLINK("http://evil.example","点我")', "=cmd|' /C calc'!A0", "@SUM(A1)", "a\x07b", "北京"]
    frame = pd.DataFrame({"branch": names, "value": [1.5, -2.0, 3.0, 4.0, 5.0]})
    wide = frame.set_index("branch").T  # names as column headers, as in the task matrices
    path = io.write_excel({"tidy": frame, "wide": wide}, tmp_path / "x.xlsx")
    book = openpyxl.load_workbook(path)
    assert [c.coordinate for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"] == []
    assert [c.value for c in book["tidy"]["B"][1:]] == [1.5, -2.0, 3.0, 4.0, 5.0]  # numbers stay numbers
    back = pd.read_excel(path, sheet_name=None, dtype=object)
    tidy, _ = io._read_xlsx(path, "tidy")
    assert tidy["branch"].tolist() == names
    wide_back, _ = io._read_xlsx(path, "wide")
    assert list(wide_back.columns) == names
    assert set(back) == {"tidy", "wide"}


# ----------------------------------------------------------------------------
# unlucky operators: full disk, no permission, two writers at once
# ----------------------------------------------------------------------------
def test_full_disk_names_the_users_path_keeps_the_old_file(tmp_path, monkeypatch):
    import errno

    out = tmp_path / "tasks.csv"
    out.write_text("earlier", encoding="utf-8")

    def full(self, path, *args, **kwargs):
        Path(path).write_bytes(b"half")
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    with pytest.raises(DataError) as info:
        io.write_table(pd.DataFrame({"a": [1]}), out)
    message = str(info.value)
    assert message.startswith(f"{out}: cannot be written: there is no space left on the disk")
    assert "Fix: free some disk space" in message and ".tmp" not in message
    assert out.read_text(encoding="utf-8") == "earlier"
    assert [p.name for p in tmp_path.iterdir()] == ["tasks.csv"]


def test_no_permission_names_the_users_path(tmp_path, monkeypatch):
    import errno
    import tempfile

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / ".tasks.csv.x.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(DataError) as info:
        io.write_table(pd.DataFrame({"a": [1]}), tmp_path / "tasks.csv")
    assert str(info.value).startswith(f"{tmp_path / 'tasks.csv'}: cannot be written: permission denied")
    assert "Fix: write into a folder you may write to" in str(info.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder_for_real(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(DataError, match="permission denied"):
            io.write_table(pd.DataFrame({"a": [1]}), folder / "x.csv")
    finally:
        folder.chmod(0o755)


def test_two_writers_at_once_leave_one_complete_file(tmp_path):
    import threading

    out = tmp_path / "tasks.csv"
    frames = {k: pd.DataFrame({"writer": [k] * 2000, "v": range(2000)}) for k in ("a", "b")}
    errors = []

    def write(k):
        try:
            for _ in range(10):
                io.write_table(frames[k], out)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(k,)) for k in frames]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    back = pd.read_csv(out, encoding="utf-8-sig")
    assert len(back) == 2000 and back["writer"].nunique() == 1  # one whole output, never a mix
    assert [p.name for p in tmp_path.iterdir()] == ["tasks.csv"]


# ----------------------------------------------------------------------------
# report folders: atomic swap, stale temporaries of dead runs
# ----------------------------------------------------------------------------
def _folder(path, text):
    path.mkdir(parents=True)
    (path / "index.html").write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("exchange", [True, False])
def test_replace_dir_swaps_and_leaves_nothing(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setattr(io, "_exchange", lambda src, dst: False)
    final = _folder(tmp_path / "2026Q3", "old")
    new = _folder(tmp_path / ".2026Q3.tmp-1-x", "new")
    io.replace_dir(new, final)
    assert (final / "index.html").read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["2026Q3"]


def _dead_pid() -> int:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_folders_of_dead_runs_are_removed_live_ones_kept(tmp_path):
    dead = _dead_pid()
    _folder(tmp_path / f".2026Q3.tmp-{dead}-abc", "half")
    _folder(tmp_path / ".2026Q3.tmp-legacyname", "half")  # an older run's name without a pid
    live = _folder(tmp_path / f".2026Q3.tmp-{os.getppid()}-def", "running")
    other = _folder(tmp_path / f".2026Q2.tmp-{dead}-ghi", "another quarter")
    # a fallback replace_dir killed between its two moves: the good set is parked, its place empty
    _folder(tmp_path / f".2026Q3.old-{dead}-jkl" / "2026Q3", "good")
    removed = io.remove_stale_dirs(tmp_path, (".2026Q3.tmp-", ".2026Q3.old-"))
    assert len(removed) == 3
    assert (tmp_path / "2026Q3" / "index.html").read_text(encoding="utf-8") == "good"
    assert live.exists() and other.exists()


# ----------------------------------------------------------------------------
# workbooks people can use: number formats by kind, frozen panes, widths, words
# ----------------------------------------------------------------------------
def _formats(ws, column: int) -> set[str]:
    return {ws.cell(row=r, column=column).number_format for r in range(2, ws.max_row + 1)
            if isinstance(ws.cell(row=r, column=column).value, (int, float))}


def test_workbook_number_formats_follow_the_column_kind(tmp_path):
    import datetime as dt

    import openpyxl

    frame = pd.DataFrame({
        "分公司": ["北京", "海口"],
        "销售任务(元)": [1234567.891, -0.001],
        "达成概率": [0.4, -0.00001],          # a share: 0.0%
        "达成率%": [95.44, -0.04],            # already a percentage: 0.0"%"
        "任务/现有产能(倍)": [8.9, 1.2],
        "需新增人员(人)": [29, 3],
        "月份": ["2026-03", "2026-04"],        # month text a method left as text
        "截至": [pd.Timestamp("2026-09-30"), pd.NaT],
        "新分公司": [True, False],
        "1月": [1.5, 2.0],                     # a header nobody named: decided by the values
        "提成(单位: 分)": [159770, 0],
    })
    path = io.write_excel({"表": frame}, tmp_path / "x.xlsx", lang="zh")
    ws = openpyxl.load_workbook(path)["表"]
    expected = {2: "#,##0.00", 3: "0.0%", 4: '0.0"%"', 5: '0.0"倍"', 6: "#,##0", 10: "#,##0.00", 11: "#,##0"}
    assert {c: _formats(ws, c) for c in expected} == {c: {f} for c, f in expected.items()}
    assert ws["G2"].value == dt.datetime(2026, 3, 1) and ws["G2"].number_format == "yyyy-mm"
    assert ws["H2"].value == dt.datetime(2026, 9, 30) and ws["H2"].number_format == "yyyy-mm-dd"
    assert [ws["I2"].value, ws["I3"].value] == ["是", "否"]
    # a negative value that would show as -0.0 is stored as 0; the others exactly as given
    assert (ws["B3"].value, ws["C3"].value, ws["D3"].value) == (0.0, 0.0, 0.0)
    assert ws["B2"].value == 1234567.891 and ws["C2"].value == 0.4
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref == "A1:K3"
    assert all(c.font.bold for c in ws[1])


def test_workbook_english_multiples_and_the_callers_kinds(tmp_path):
    import openpyxl

    frame = pd.DataFrame({"Branch": ["北京"], "Task / capacity (times)": [8.9], "x": [0.25], "y": [3.0]})
    matrix = pd.DataFrame({"Branch": ["北京"], "Jan": [1.0], "Feb": [2.0]})
    path = io.write_excel({"a": frame, "m": matrix}, tmp_path / "x.xlsx", lang="en",
                          kinds={"a": {"x": "fraction", "y": "money_wan"}, "m": "money"})
    book = openpyxl.load_workbook(path)
    assert [book["a"].cell(row=2, column=c).number_format for c in (2, 3, 4)] == ['0.0"×"', "0.0%", "#,##0.0"]
    assert [book["m"].cell(row=2, column=c).number_format for c in (2, 3)] == ["#,##0.00", "#,##0.00"]


def test_workbook_widths_fit_the_content_cjk_counting_double(tmp_path):
    import openpyxl

    frame = pd.DataFrame({"a": ["x" * 10], "b": ["北" * 10], "c": ["y" * 200], "销售任务(元)": [123456789.0],
                          "现有团队产能毛利(今日人效,元)": [1.0]})
    ws = openpyxl.load_workbook(io.write_excel({"s": frame}, tmp_path / "w.xlsx"))["s"]
    width = {c: ws.column_dimensions[c].width for c in "ABCDE"}
    assert width["A"] == 12 and width["B"] == 22 and width["C"] == 60  # 10 + 2, 20 + 2, at most 60
    assert width["D"] == len("123,456,789.00") + 2  # the formatted number, not the raw float
    assert width["E"] == 26  # a long header wraps (over two lines) instead of widening a column of short numbers
    assert ws.row_dimensions[1].height == 30


def test_write_table_xlsx_keeps_values_for_reading_back(tmp_path):
    h = io.read_history(_write(tmp_path))
    path = io.write_table(h, tmp_path / "h.xlsx")
    pd.testing.assert_frame_equal(io.read_history(path), h, check_dtype=False)


@pytest.mark.parametrize("body", [
    "date,branch,salesperson,visits,cash_collected\n2026-01-05,北京,张三,3,1200.50\n2026-01-06,上海,NA,,0\n2026-01-07,\"广州\",None,7,\"1,200\"\n",
    "\ufeffdate,branch,salesperson,visits\n2026-01-05,北京,\"a\nb\",3\n",          # BOM, a quoted line break
    "date,branch,visits\n2026-01-05, 北京,3\n",                                   # a leading space: pandas skips it
    "date,branch,branch\n2026-01-05,北京,上海\n",                                  # a repeated header
    "date,,visits\n2026-01-05,北京,3\n",                                          # an empty header
    "date,branch,visits\n2026-01-05,北京\n2026-01-06,上海,4\n",                    # a short row
    "date,branch,visits\n2026-01-05,'=1+2,\t3\n",                                 # a protected cell, a tab
])
def test_large_csv_reader_gives_pandas_frame(tmp_path, monkeypatch, body):
    """Large CSV files go through Arrow's reader only where it gives exactly the frame pandas' reader gives."""
    path = tmp_path / "t.csv"
    path.write_text(body, encoding="utf-8")
    expected = io._read_csv(path)
    monkeypatch.setattr(io, "ARROW_CSV_BYTES", 0)
    got = io._read_csv(path)
    pd.testing.assert_frame_equal(got, expected)
    assert list(got.dtypes) == list(expected.dtypes)


def test_large_numeric_columns_are_pandas_floats_to_the_bit(tmp_path):
    """The vectorised number check gives the floats pandera's coercion gives; odd cells still go the slow way."""
    import numpy as np

    rng = np.random.default_rng(3)
    amounts = [f"{v:.2f}" for v in rng.uniform(-1e6, 1e6, 2000)] + ["1e5", "-0", ".5", "5.", "nan", ""]
    months = [f"{1900 + i // 12}-{i % 12 + 1:02d}" for i in range(len(amounts))]
    frame = pd.DataFrame({"month": months, "branch": ["北京"] * len(amounts), "revenue": amounts}, dtype=str)
    frame["revenue"] = frame["revenue"].replace("", None)  # an empty cell, as a file gives it
    ctx = {"source": "x.csv", "sheet": None, "original": {}}
    with pytest.raises(DataError, match="a value is missing") as err:
        io.history_from_frame(frame, ctx)
    assert err.value.rows == [len(amounts), len(amounts) + 1]  # 'nan' and the empty cell, by their file rows
    frame = frame.iloc[:-2]
    got = io.history_from_frame(frame, ctx)
    expected = np.array([float(v) for v in frame["revenue"]])
    assert np.array_equal(got["revenue"].to_numpy().view(np.int64), expected.view(np.int64))
