"""`salesanalytics report --pdf`: each page and the whole set printed through Debian's chromium.

Text is read back with pypdf.  Chromium draws some CJK characters with glyphs that map to the
Kangxi radicals (⽣ for 生), so extracted text is NFKC-normalised before it is compared.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from ._render import QUARTER, rendered_set
from .test_browser import CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIXTURES = Path(__file__).resolve().parent / "notebooks"


@pytest.fixture(autouse=True)
def _needs_chromium():
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium not installed at /usr/bin/chromium (sudo bash scripts/install-browser.sh)")
    pytest.importorskip("playwright.sync_api")


def _text(pdf: Path) -> list[str]:
    from pypdf import PdfReader

    return [unicodedata.normalize("NFKC", page.extract_text()) for page in PdfReader(pdf).pages]


def _fonts_embedded(pdf: Path) -> bool:
    """Every font used on every page carries its glyphs (an embedded font file, or a Type3 font's own glyphs)."""
    from pypdf import PdfReader

    def embedded(font) -> bool:
        font = font.get_object()
        if font.get("/Subtype") == "/Type3":
            return True
        if font.get("/Subtype") == "/Type0":
            font = font["/DescendantFonts"][0].get_object()
        descriptor = font.get("/FontDescriptor")
        return descriptor is not None and any(k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))

    fonts = [f for page in PdfReader(pdf).pages for f in page["/Resources"].get("/Font", {}).values()]
    return bool(fonts) and all(embedded(f) for f in fonts)


def test_cli_pdf_writes_a_pdf_per_page_and_one_for_the_set(tmp_path, monkeypatch):
    from salesanalytics.adapters import cli, report

    spec = report.ReportSpec("ok", "ok.ipynb", "title_executive_summary")
    monkeypatch.setattr(report, "available_reports", lambda notebooks_dir, reports=None: [spec])
    monkeypatch.setattr(report.config, "NOTEBOOKS_DIR", FIXTURES)
    assert cli.main(["report", "--quarter", "2026Q2", "--out", str(tmp_path), "--pdf", "--jobs", "1"]) == 0
    folder = tmp_path / "2026Q2"
    assert {p.name for p in folder.glob("*.pdf")} == {"index.pdf", "ok.pdf", "2026Q2.pdf"}
    page = _text(folder / "ok.pdf")
    assert "好" in page[0] and "2026Q2" in page[0]
    index = _text(folder / "index.pdf")
    cover = "".join(index)  # the cover (key figures first, then one card per report) may run over a sheet
    assert "2026Q2 季度经营报告" in index[0] and "全部报告已生成" in index[0] and "经营摘要" in cover
    whole = _text(folder / "2026Q2.pdf")
    assert whole == index + page  # the set: the cover, then every page, in order
    from pypdf import PdfReader

    assert [o["/Title"] for o in PdfReader(folder / "2026Q2.pdf").outline] == ["2026Q2 季度经营报告", "经营摘要"]
    assert _fonts_embedded(folder / "2026Q2.pdf")
    assert not list(tmp_path.glob(".2026Q2.tmp-*"))  # printed before the move: no half-done folder left


def test_real_set_prints_with_the_chinese_headline(tmp_path):
    """The executive summary of the real set: A4 landscape, its Chinese headline found in the PDF."""
    import shutil

    from pypdf import PdfReader

    from salesanalytics.adapters import pdf
    from salesanalytics.core.labels import t

    result, out = rendered_set()
    folder = tmp_path / QUARTER
    shutil.copytree(out / QUARTER, folder)
    pages = [(r["file"], r["title"]) for r in result.reports]
    written = pdf.print_pages(folder, pages, combined=f"{QUARTER}.pdf")
    assert [p.name for p in written] == [r["file"].replace(".html", ".pdf") for r in result.reports] + [f"{QUARTER}.pdf"]
    summary = folder / "executive_summary.pdf"
    first = _text(summary)[0]
    assert t("title_executive_summary", "zh") in first
    box = PdfReader(summary).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape, in points
    whole = PdfReader(folder / f"{QUARTER}.pdf")
    assert len(whole.pages) == sum(len(PdfReader(p).pages) for p in written[:-1])
    assert _fonts_embedded(summary)


def test_missing_chromium_is_a_report_error(tmp_path):
    from salesanalytics.adapters import pdf
    from salesanalytics.core.exceptions import ReportError

    (tmp_path / "a.html").write_text("<h1>好</h1>", encoding="utf-8")
    with pytest.raises(ReportError, match="install-browser.sh"):
        pdf.print_pages(tmp_path, [("a.html", "A")], chromium=tmp_path / "no-chromium")
