"""What an archival PDF says about itself: title, author (the issuer), subject, keywords, creation date.

The app layer hands a `PdfMeta` to the templates, which write it into <head> (autoescaped) as
<title> and <meta> tags; WeasyPrint copies those into the PDF's document information and its XMP
metadata. The creation date is the document's own date (the notice's issue date, a report's
generation date from the use case's clock), never the renderer's wall clock, so rendering again
gives the same metadata.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from seccheck import __version__

# The PDF flavour every seccheck PDF is written in: PDF/A-2b (ISO 19005-2 level B, the basis of
# GB/T 23286 for archiving electronic documents), with WeasyPrint's embedded sRGB output intent.
PDF_VARIANT = "pdf/a-2b"
GENERATOR = f"seccheck {__version__}"


@dataclass(frozen=True)
class PdfMeta:
    title: str
    author: str = ""
    subject: str = ""
    keywords: tuple[str, ...] = ()
    created: dt.date | dt.datetime | None = None

    @property
    def keyword_text(self) -> str:
        """Keywords as one <meta name=keywords> value: WeasyPrint splits it at ASCII commas, so a
        keyword's own commas become full-width ones."""
        cleaned = (" ".join(k.replace(",", "，").split()) for k in self.keywords)
        return ", ".join(dict.fromkeys(k for k in cleaned if k))

    @property
    def created_w3c(self) -> str:
        """The creation date in the W3C profile of ISO 8601 that WeasyPrint reads: a date, or a
        date and time to the second with its UTC offset (a naive time is taken as UTC)."""
        if self.created is None:
            return ""
        if isinstance(self.created, dt.datetime):
            moment = self.created if self.created.tzinfo else self.created.replace(tzinfo=dt.UTC)
            return moment.replace(microsecond=0).isoformat()
        return self.created.isoformat()

    @property
    def generator(self) -> str:
        return GENERATOR
