"""Notice HTML (Jinja2, autoescaped) and PDF (WeasyPrint, fetching nothing outside our assets).

Every value that comes from answers, units or rulesets is text, never markup: the template
environment autoescapes, and the URL fetcher refuses anything but the package's own assets, the
workspace's fonts folder and data: URLs.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from seccheck.limits import neutralised
from seccheck.notice.content import CHINESE_ORDINALS, LEGAL_HOOK, ordinal
from seccheck.notice.fonts import FontFile, font_faces, role_css
from seccheck.notice.pdfmeta import PDF_VARIANT, PdfMeta

ASSETS = Path(__file__).resolve().parent / "assets"


@cache
def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    # HTML is autoescaped, always; the CSS template holds only our own values (font names are
    # stripped of quotes and braces), and HTML-escaping it would break its quoted family names.
    autoescape = select_autoescape(enabled_extensions=("html.j2",), disabled_extensions=("css.j2",), default=True)
    env = Environment(
        loader=FileSystemLoader(str(ASSETS)),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Every value printed is text as documents show it: no invisible bidi or zero-width characters.
    env.finalize = _shown
    env.globals.update(ordinal=ordinal, chinese=lambda n: CHINESE_ORDINALS[n - 1], legal_hook=LEGAL_HOOK)
    return env


def _shown(value: Any) -> Any:
    from markupsafe import Markup

    # Markup too (a joined list of names): dropping invisible characters cannot make a tag.
    if isinstance(value, Markup):
        return Markup(neutralised(str(value)))
    if isinstance(value, str):
        return neutralised(value)
    return value


def _css_safe(text: str) -> str:
    return re.sub(r'["\\<>{};]', "", text)


def notice_css(user_fonts: tuple[FontFile, ...] = (), *, portable: bool = False) -> str:
    """The documents' CSS. `portable` (an HTML file to open elsewhere) names every face of each role,
    the Windows/WPS ones first; for our own PDF, only the faces installed here (see fonts.Role.css)."""
    safe = tuple(FontFile(f.path, f.index, tuple(_css_safe(n) for n in f.families)) for f in user_fonts)
    fonts = role_css(safe, portable=portable)
    faces = "" if portable else font_faces(safe)
    return str(_environment().get_template("notice.css.j2").render(fonts=fonts, font_faces=faces))


# The documents and their templates: notice (整改通知书), review (复查意见书), scoresheet (自查自评表),
# selfreport (自查自评工作报告).
TEMPLATES = {
    "notice": "notice.html.j2",
    "review": "review.html.j2",
    "scoresheet": "scoresheet.html.j2",
    "selfreport": "selfreport.html.j2",  # 自查自评工作报告 (seccheck.notice.selfreport)
}


def document_html(
    kind: str, content: Any, meta: PdfMeta, user_fonts: tuple[FontFile, ...] = (), *, portable: bool = False
) -> str:
    """A document as HTML; `meta` (title, issuer, subject, keywords, issue date) goes into <head>."""
    template = _environment().get_template(TEMPLATES[kind])
    return str(template.render(n=content, css=notice_css(user_fonts, portable=portable), meta=meta))


@dataclass
class FetchLog:
    """What the renderer asked for: served from our folders, or refused."""

    served: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def restricted_fetcher(allowed: tuple[Path, ...], log: FetchLog) -> Any:
    """A WeasyPrint URL fetcher that serves data: URLs and files under `allowed`, nothing else."""
    from urllib.parse import unquote, urlparse

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    folders = tuple(folder.resolve() for folder in allowed)

    class RestrictedFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                log.served.append(url[:40])
                return super().fetch(url, headers)
            if url.startswith("file:"):
                path = Path(unquote(urlparse(url).path)).resolve()
                if path.is_file() and any(path.is_relative_to(folder) for folder in folders):
                    log.served.append(url)
                    return URLFetcherResponse(url, path.read_bytes())
            log.refused.append(url)
            raise ValueError(f"seccheck fetches nothing outside its own assets: {url}")

    return RestrictedFetcher(allowed_protocols=("data", "file"), allow_redirects=False)


def render_pdf(
    html: str, fonts_dir: Path | None = None, on_page: Callable[[int], None] | None = None
) -> tuple[bytes, FetchLog]:
    """The HTML as a PDF/A-2b file; its metadata comes from the HTML's <title> and <meta> tags. The
    output intent's sRGB profile ships inside WeasyPrint: nothing is fetched for it. `on_page` hears
    the number of each page as it is laid out."""
    import weasyprint

    log = FetchLog()
    fetcher = restricted_fetcher(tuple(p for p in (ASSETS, fonts_dir) if p is not None), log)
    with _pages_to(on_page):
        return _render(weasyprint, html, fetcher, log)


@contextlib.contextmanager
def _pages_to(on_page: Callable[[int], None] | None) -> Iterator[None]:
    """WeasyPrint's progress log ("Step 5 - Creating layout - Page 3"), heard for its page numbers."""
    if on_page is None:
        yield
        return
    heard = on_page
    import logging

    from weasyprint import PROGRESS_LOGGER

    class Pages(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if str(record.msg).startswith("Step 5") and record.args and isinstance(record.args, tuple):
                page = record.args[0]
                if isinstance(page, int):
                    heard(page)

    handler = Pages(logging.INFO)
    level, propagate = PROGRESS_LOGGER.level, PROGRESS_LOGGER.propagate
    PROGRESS_LOGGER.addHandler(handler)
    PROGRESS_LOGGER.setLevel(logging.INFO)
    PROGRESS_LOGGER.propagate = False  # heard here, not printed by whoever configured logging
    try:
        yield
    finally:
        PROGRESS_LOGGER.removeHandler(handler)
        PROGRESS_LOGGER.setLevel(level)
        PROGRESS_LOGGER.propagate = propagate


def _render(weasyprint: Any, html: str, fetcher: Any, log: FetchLog) -> tuple[bytes, FetchLog]:
    document = weasyprint.HTML(string=html, base_url=str(ASSETS) + "/", url_fetcher=fetcher)
    # The fetcher is the document's (fonts and images load through it); write_pdf takes no fetcher.
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    assert pdf is not None
    return pdf, log
