"""The year summary (`seccheck summary`) as HTML/PDF, DOCX or XLSX, from figures handed to it."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from seccheck.domain.figures import YearSummary
from seccheck.domain.paragraph import percent_text
from seccheck.notice.fonts import role_css
from seccheck.notice.pdfmeta import PdfMeta
from seccheck.report.service import GROUP_COLUMNS, _environment, group_rows, stat_rows, year_sheet
from seccheck.report.xlsx import PERCENT, Book, safe_text


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
            headers=[c.header for c in GROUP_COLUMNS],
            rows=_display_rows(y),
            stats=stat_rows(y.groups),
            generated=_date(today),
            verification=verification,
        )
    )


def year_docx(y: YearSummary, today: dt.date) -> bytes:
    """A Word document an office can edit: title, the paragraphs, the figures as tables."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    def text(value: Any) -> str:
        return safe_text(value)  # XML cannot hold control characters in Word either

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "SimSun"
    normal.font.size = Pt(12)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    doc.add_heading(year_title(y.year), level=1)
    doc.add_paragraph(text(f"专项行动：{'、'.join(y.campaigns)}；生成于 {_date(today)}"))
    doc.add_heading("一、可直接引用的表述", level=2)
    for paragraph in y.paragraphs:
        p = doc.add_paragraph(text(paragraph))
        p.paragraph_format.first_line_indent = Pt(24)
    doc.add_heading("二、各规则集的数字", level=2)
    rows = _display_rows(y)
    table = doc.add_table(rows=1, cols=len(GROUP_COLUMNS))
    table.style = "Table Grid"
    for cell, column in zip(table.rows[0].cells, GROUP_COLUMNS, strict=True):
        cell.text = column.header
    for row in rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = text(value)
    stats = stat_rows(y.groups)
    if stats:
        doc.add_heading("三、统计数字", level=2)
        table = doc.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        for cell, header in zip(table.rows[0].cells, ("规则集", "统计项", "合计"), strict=True):
            cell.text = header
        for title, label, _key, amount, unit in stats:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = text(title), text(label)
            cells[2].text = f"{_number(amount)}{unit}"
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
