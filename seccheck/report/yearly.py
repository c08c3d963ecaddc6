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

# GB/T 9704 habits for a document an office pastes into a 公文: 仿宋 body, 黑体 headings in black,
# 小标宋 title; the first face of each role, as Word on an office PC names it (docs/notice.md).
DOCX_FACES = {"body": "仿宋_GB2312", "heading": "黑体", "title": "方正小标宋简体"}
DOCX_LATIN = {"body": "FangSong", "heading": "SimHei", "title": "SimSun"}


def _cells(text: str) -> int:
    from seccheck.text.linebreak import cells

    return sum(cells(ch) for ch in text)


def year_docx(y: YearSummary, today: dt.date) -> bytes:
    """A Word document an office can edit: title, the paragraphs, the figures as tables; styled to
    GB/T 9704 habits (A4, 37/28/35/26 mm margins, 仿宋 3号 body, 黑体 headings in black, tables with
    column widths from their content)."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    def text(value: Any) -> str:
        return safe_text(value)  # XML cannot hold control characters in Word either

    def face(owner: Any, role: str, size: float) -> None:
        """A run's or a style's type: the Latin and the East Asian face, size, black, upright."""
        font = owner.font
        font.name = DOCX_LATIN[role]
        font.size = Pt(size)
        font.bold = False
        font.italic = False
        font.color.rgb = RGBColor(0, 0, 0)
        element = owner.element if hasattr(owner, "element") else owner._element
        fonts = element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), DOCX_FACES[role])
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)  # a theme font would win over the face named here

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    width_mm = 210 - 28 - 26

    normal = doc.styles["Normal"]
    face(normal, "body", 16)
    normal.paragraph_format.line_spacing = Pt(28.9)
    for level, role, size in ((1, "title", 22), (2, "heading", 16)):
        style = doc.styles[f"Heading {level}"]
        face(style, role, size)
        style.paragraph_format.space_before = Pt(0 if level == 1 else 6)
        style.paragraph_format.space_after = Pt(6)

    title = doc.add_heading(year_title(y.year), level=1)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub = doc.add_paragraph(text(f"专项行动：{'、'.join(y.campaigns)}；生成于 {_date(today)}"))
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_heading("一、可直接引用的表述", level=2)
    for paragraph in y.paragraphs:
        p = doc.add_paragraph(text(paragraph))
        p.paragraph_format.first_line_indent = Pt(32)

    def table_of(headers: list[str], rows: list[list[str]]) -> None:
        table = doc.add_table(rows=1, cols=len(headers))
        size = 9 if len(headers) > 8 else 10.5  # 小五 where a wide table must fit the page, else 五号
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for cell, header in zip(table.rows[0].cells, headers, strict=True):
            cell.text = ""
            for n, part in enumerate(HEADER_BREAKS.get(header, header).split("|")):
                run = cell.paragraphs[0].add_run()
                if n:
                    run.add_break()
                run.add_text(part)
                face(run, "heading", size)
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        for row in rows:
            for cell, value in zip(table.add_row().cells, row, strict=True):
                cell.text = text(value)
                for run in cell.paragraphs[0].runs:
                    face(run, "body", size)
        for row in table.rows:
            for cell in row.cells:
                cell.paragraphs[0].paragraph_format.line_spacing = Pt(15)
                cell.paragraphs[0].paragraph_format.first_line_indent = Pt(0)
        # Widths from content: the widest line of each column (a header at its break) in millimetres at
        # this size, plus the cell's margins; the widest column gives way when the page is too narrow.
        char_mm = size * 0.3528  # a Chinese character is one em wide
        need = []
        for k, header in enumerate(headers):
            head = max(_cells(part) for part in HEADER_BREAKS.get(header, header).split("|"))
            body = max((_cells(r[k]) for r in rows), default=0)
            need.append(max(head, body, 4) / 2 * char_mm + 4)
        widest = max(range(len(need)), key=need.__getitem__)
        over = sum(need) - width_mm
        if over > 0:
            others = max((mm for k, mm in enumerate(need) if k != widest), default=0)
            need[widest] = max(need[widest] - over, others, 4 * char_mm + 4)  # still the widest
        scale = width_mm / sum(need)
        for k, mm in enumerate(need):
            # The grid column (what LibreOffice and WPS lay out by) and each cell (what Word does).
            table.columns[k].width = Mm(mm * scale)
            for row in table.rows:
                row.cells[k].width = Mm(mm * scale)

    doc.add_heading("二、各规则集的数字", level=2)
    table_of([c.header for c in GROUP_COLUMNS], _display_rows(y))
    stats = stat_rows(y.groups)
    if stats:
        doc.add_heading("三、统计数字", level=2)
        table_of(
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
