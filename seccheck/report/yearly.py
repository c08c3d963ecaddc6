"""The year summary (`seccheck summary`) as HTML/PDF, DOCX or XLSX, from figures handed to it."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from seccheck.domain.figures import YearSummary
from seccheck.domain.paragraph import percent_text
from seccheck.notice.fonts import role_css
from seccheck.notice.pdfmeta import PdfMeta
from seccheck.report.service import GROUP_COLUMNS, _environment, group_rows, stat_rows, year_sheet
from seccheck.report.xlsx import PERCENT, Book


def _display_rows(y: YearSummary) -> list[list[str]]:
    out = []
    for row in group_rows(y.groups):
        cells = []
        for value, column in zip(row, GROUP_COLUMNS, strict=True):
            if column.kind == PERCENT:
                cells.append(percent_text(value))
            else:
                cells.append(str(value))
        out.append(cells)
    return out


def _date(today: dt.date) -> str:
    return f"{today.year}年{today.month}月{today.day}日"


def year_title(year: int) -> str:
    return f"{year}年保密检查工作年终总结表述"


def year_html(
    y: YearSummary, today: dt.date, meta: PdfMeta | None = None, *, portable: bool = False, verification: str = ""
) -> str:
    meta = meta or PdfMeta(title=year_title(y.year))
    return str(
        _environment()
        .get_template("year.html.j2")
        .render(
            y=y,
            meta=meta,
            fonts=role_css(portable=portable),
            headers=[HEADER_BREAKS.get(c.header, c.header) for c in GROUP_COLUMNS],
            rows=_display_rows(y),
            stats=stat_rows(y.groups),
            generated=_date(today),
            verification=verification,
        )
    )


# Where a long column header may break: between words, never inside one (the PDF and the DOCX).
HEADER_BREAKS = {
    "检查对象": "检查|对象",
    "应检中已检": "应检中|已检",
    "已检合计": "已检|合计",
    "发现问题": "发现|问题",
    "复查后最高等次": "复查后|最高等次",
}


def year_docx(y: YearSummary, today: dt.date) -> bytes:
    """A Word document an office can edit: title, the paragraphs, the figures as tables; styled to
    GB/T 9704 habits (seccheck.report.docxkit)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    from seccheck.report import docxkit
    from seccheck.report.docxkit import text

    doc = docxkit.document()
    title = doc.add_heading(year_title(y.year), level=1)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub = doc.add_paragraph(text(f"专项行动：{'、'.join(y.campaigns)}；生成于 {_date(today)}"))
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_heading("一、可直接引用的表述", level=2)
    for paragraph in y.paragraphs:
        p = doc.add_paragraph(text(paragraph))
        p.paragraph_format.first_line_indent = Pt(32)

    doc.add_heading("二、各规则集的数字", level=2)
    docxkit.table(doc, [c.header for c in GROUP_COLUMNS], _display_rows(y), breaks=HEADER_BREAKS)
    stats = stat_rows(y.groups)
    if stats:
        doc.add_heading("三、统计数字", level=2)
        docxkit.table(
            doc,
            ["规则集", "统计项", "合计"],
            [[text(title), text(label), f"{_number(amount)}{unit}"] for title, label, _key, amount, unit in stats],
        )
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _number(value: Decimal) -> str:
    from seccheck.numbers import fmt

    return fmt(value)


def year_xlsx(y: YearSummary) -> bytes:
    book = Book()
    year_sheet(book, y)
    return book.save()
