"""PDF copies of a rendered report set: the form executives forward by mail.

Each page is printed by the headless Chromium the browser tests already use (Debian's
``/usr/bin/chromium`` driven by playwright; no browser is ever downloaded), A4 landscape with
backgrounds, and the pages are then joined into one PDF of the whole set with pypdf.
Chromium embeds (subsets of) the fonts it draws with, so Chinese text is readable and
searchable on a machine without the font (Debian's fonts-noto-cjk, installed by
scripts/install-browser.sh).

Print CSS is added to each page before printing, never written into the HTML: sections
(``h2``) start on a new sheet, figures and table rows are not split, and the scroll
containers that keep wide tables on screen are opened so nothing is cut on paper.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..core.exceptions import ReportError

#: Debian's chromium (scripts/install-browser.sh); the same binary the browser tests drive.
CHROMIUM = Path("/usr/bin/chromium")
#: Launch flags shared with tests/test_browser.py: no sandbox (root in CI), no GPU, no background traffic.
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]

PRINT_CSS = """
@page { size: A4 landscape; margin: 12mm 10mm; }
html, body { font-family: "Noto Sans CJK SC", "Noto Sans CJK", "Noto Sans", sans-serif; }
body { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
h2 { break-before: auto; break-after: avoid; }
h1, h3, h4 { break-after: avoid; }
img, svg, figure, .sa-card, tr { break-inside: avoid; }
img { max-width: 100% !important; height: auto !important; }
thead { display: table-header-group; }
[style*="overflow"], .sa-scroll, .jp-OutputArea-output { overflow: visible !important; max-height: none !important; }
details > * { display: block; }
/* JupyterLab lays cells out with flexbox; Chromium moves a flex box that does not fit whole to the next
   sheet, leaving blank sheets: in print every cell and output is a plain block */
.jp-Cell-outputWrapper, .jp-OutputArea, .jp-OutputArea-child, .jp-OutputArea-output, .sa-headline { display: block !important; }
.jp-OutputPrompt, .jp-InputPrompt, .jp-Collapser { display: none !important; }
.sa-cards { display: block !important; }
.sa-card { display: inline-block !important; vertical-align: top; width: 18.5%; margin: 0 0.5% 6px 0; }
"""


#: Before printing: open collapsed sections, let the first section start on the first sheet, wait for the fonts.
_PREPARE = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  // cells the page does not show (hidden markdown, empty code cells) would still take a sheet in print
  document.querySelectorAll('.jp-Cell').forEach(c => {
    if (c.offsetParent === null || (!c.innerText.trim() && !c.querySelector('img, svg'))) c.remove();
  });
  // the first section shown (hidden cells may hold headings too) starts on the first sheet
  const first = Array.from(document.querySelectorAll('h2')).find(h => h.offsetParent !== null);
  if (first) first.style.breakBefore = 'auto';
  return document.fonts.ready.then(() => true);
}"""


def _launch(playwright, chromium: Path):
    if not chromium.exists():
        raise ReportError(f"cannot print PDFs: no Chromium at {chromium}. Fix: sudo bash scripts/install-browser.sh (Debian's chromium and fonts-noto-cjk).")
    return playwright.chromium.launch(executable_path=str(chromium), headless=True, args=LAUNCH_ARGS)


def print_pages(folder: str | Path, pages: Sequence[tuple[str, str]], *, combined: str | None = None,
                chromium: str | Path = CHROMIUM) -> list[Path]:
    """Print each page ``(file, title)`` of ``folder`` to a PDF beside it (``x.html`` -> ``x.pdf``),
    and, with ``combined``, join them in order into ``folder/combined`` (each title a bookmark).
    Returns the PDFs written, the combined one last.

    Pages are opened from disk with every non-file request refused, so printing never goes online.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # an optional (dev) dependency: say how to get it
        raise ReportError("cannot print PDFs: the playwright package is not installed. Fix: pip install playwright (it drives the system Chromium; no browser is downloaded).") from exc
    folder = Path(folder)
    written: list[Path] = []
    with sync_playwright() as p:
        browser = _launch(p, Path(chromium))
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:")) else route.abort())
            page = context.new_page()
            for name, _title in pages:
                source = folder / name
                if not source.exists():
                    raise ReportError(f"cannot print {source}: the page was not rendered.")
                page.goto(source.resolve().as_uri(), wait_until="load")
                page.add_style_tag(content=PRINT_CSS)
                page.evaluate(_PREPARE)
                target = source.with_suffix(".pdf")
                page.pdf(path=str(target), format="A4", landscape=True, print_background=True, prefer_css_page_size=True)
                written.append(target)
        finally:
            browser.close()
    if combined:
        written.append(join(list(zip(written, (title for _, title in pages))), folder / combined))
    return written


def join(pdfs: Sequence[tuple[Path, str]], target: Path) -> Path:
    """One PDF of ``(pdf, title)`` in order, each title a bookmark (outline) entry."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for pdf, title in pdfs:
        writer.append(str(pdf), outline_item=title)
    with open(target, "wb") as handle:
        writer.write(handle)
    writer.close()
    return target
