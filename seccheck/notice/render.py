"""Notice HTML (Jinja2, autoescaped) and PDF (WeasyPrint, fetching nothing outside our assets).

Every value that comes from answers, units or rulesets is text, never markup: the template
environment autoescapes, and the URL fetcher refuses anything but the package's own assets, the
workspace's fonts folder and data: URLs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from seccheck.limits import contain_direction
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
        # Free text keeps its direction characters, closed at its end: it cannot reorder what follows.
        finalize=lambda value: contain_direction(value) if isinstance(value, str) else value,
    )
    env.globals.update(ordinal=ordinal, chinese=lambda n: CHINESE_ORDINALS[n - 1], legal_hook=LEGAL_HOOK)
    return env


def _css_safe(text: str) -> str:
    return re.sub(r'["\\<>{};]', "", text)


def notice_css(user_fonts: tuple[FontFile, ...] = (), *, portable: bool = False) -> str:
    """The documents' CSS. `portable` (an HTML file to open elsewhere) names every face of each role,
    the Windows/WPS ones first; for our own PDF, only the faces installed here (see fonts.Role.css)."""
    safe = tuple(FontFile(f.path, f.index, tuple(_css_safe(n) for n in f.families)) for f in user_fonts)
    fonts = role_css(safe, portable=portable)
    faces = "" if portable else font_faces(safe)
    return str(_environment().get_template("notice.css.j2").render(fonts=fonts, font_faces=faces))


# The documents and their templates: notice (整改通知书), review (复查意见书), scoresheet (自查自评表).
TEMPLATES = {"notice": "notice.html.j2", "review": "review.html.j2", "scoresheet": "scoresheet.html.j2"}


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


def render_pdf(html: str, fonts_dir: Path | None = None) -> tuple[bytes, FetchLog]:
    """The HTML as a PDF/A-2b file; its metadata comes from the HTML's <title> and <meta> tags. The
    output intent's sRGB profile ships inside WeasyPrint: nothing is fetched for it."""
    import weasyprint

    log = FetchLog()
    fetcher = restricted_fetcher(tuple(p for p in (ASSETS, fonts_dir) if p is not None), log)
    document = weasyprint.HTML(string=html, base_url=str(ASSETS) + "/", url_fetcher=fetcher)
    pdf = document.write_pdf(url_fetcher=fetcher, pdf_variant=PDF_VARIANT)
    assert pdf is not None
    return pdf, log
