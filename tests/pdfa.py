"""Reading an archival PDF back with pypdf: its document information, XMP and output intent."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def archival_metadata(path: Path) -> dict[str, Any]:
    """The PDF's document information (/Title, /Author, …), after checking that it declares PDF/A-2b
    in its XMP metadata (pdfaid:part 2, pdfaid:conformance B), that the XMP repeats the title,
    author, subject and keywords, and that the catalog carries a PDF/A output intent with an
    embedded ICC profile."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    info = {key: str(value) for key, value in (reader.metadata or {}).items()}
    catalog = reader.trailer["/Root"]
    xmp_stream = catalog["/Metadata"].get_object()
    assert xmp_stream["/Subtype"] == "/XML"
    xml = xmp_stream.get_data().decode("utf-8")
    assert 'pdfaid:part="2"' in xml and 'pdfaid:conformance="B"' in xml, xml[:500]
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert xmp.dc_title == {"x-default": info["/Title"]}
    assert xmp.dc_creator == ([info["/Author"]] if "/Author" in info else [])
    assert xmp.dc_description == ({"x-default": info["/Subject"]} if "/Subject" in info else {})
    assert xmp.pdf_keywords == info.get("/Keywords")
    (intent,) = catalog["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/Type"] == "/OutputIntent" and intent["/S"] == "/GTS_PDFA1"
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 3 and len(profile.get_data()) > 1000  # the embedded sRGB profile
    assert reader.pdf_header == "%PDF-1.7"
    info["xmp"] = xml
    return info
