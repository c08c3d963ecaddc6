"""Word documents in GB/T 9704 habits, shared by the year summary and the 自查自评工作报告: A4 with
37/28/35/26 mm margins, 仿宋 3号 body, 黑体 headings in black, 小标宋 title, and tables whose column
widths come from their content — set on the grid too, because LibreOffice and WPS lay out by the grid
and ignore the cells' own widths (Word reads the cells)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from seccheck.report.xlsx import safe_text

# The first face of each role, as Word on an office PC names it (docs/notice.md).
DOCX_FACES = {"body": "仿宋_GB2312", "heading": "黑体", "heading2": "楷体_GB2312", "title": "方正小标宋简体"}
DOCX_LATIN = {"body": "FangSong", "heading": "SimHei", "heading2": "KaiTi", "title": "SimSun"}
PAGE_WIDTH_MM = 210 - 28 - 26


def text(value: Any) -> str:
    return safe_text(value)  # XML cannot hold control characters in Word either


def cells(value: str) -> int:
    from seccheck.text.linebreak import cells as width

    return sum(width(ch) for ch in value)


def face(owner: Any, role: str, size: float) -> None:
    """A run's or a style's type: the Latin and the East Asian face, size, black, upright."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

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


def document() -> Any:
    """A new document: the page, the body style, 小标宋 title (Heading 1), 黑体 (Heading 2) and
    楷体 (Heading 3) headings."""
    from docx import Document
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    face(normal, "body", 16)
    normal.paragraph_format.line_spacing = Pt(28.9)
    for level, role, size in ((1, "title", 22), (2, "heading", 16), (3, "heading2", 16)):
        style = doc.styles[f"Heading {level}"]
        face(style, role, size)
        style.paragraph_format.space_before = Pt(0 if level == 1 else 6)
        style.paragraph_format.space_after = Pt(6)
    return doc


def table(
    doc: Any,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    breaks: Mapping[str, str] | None = None,
    groups: Mapping[int, str] | None = None,
    keep: Sequence[int] = (),
    center: Sequence[int] = (),
) -> Any:
    """A table with its header row in 黑体 (a header breaks only where `breaks` puts "|"), column
    widths from content in millimetres, set on the grid and on every cell. `groups` puts a full-width
    row (in 楷体) before the data row of that index: the title of the group it starts. When the page is
    too narrow, the columns in `keep` (numbers, dates, short counts) keep their width and the others
    share what is left; without `keep`, the widest column gives way. Columns in `center` are centred."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    breaks = breaks or {}
    groups = groups or {}
    grid = doc.add_table(rows=1, cols=len(headers))
    size = 9 if len(headers) > 8 else 10.5  # 小五 where a wide table must fit the page, else 五号
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    for cell, header in zip(grid.rows[0].cells, headers, strict=True):
        cell.text = ""
        for n, part in enumerate(breaks.get(header, header).split("|")):
            run = cell.paragraphs[0].add_run()
            if n:
                run.add_break()
            run.add_text(part)
            face(run, "heading", size)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for k, row in enumerate(rows):
        if k in groups:
            merged = grid.add_row().cells
            whole = merged[0].merge(merged[-1])
            whole.text = text(groups[k])
            for run in whole.paragraphs[0].runs:
                face(run, "heading2", size)
        for k, (cell, value) in enumerate(zip(grid.add_row().cells, row, strict=True)):
            cell.text = text(value)
            if k in center:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            for run in cell.paragraphs[0].runs:
                face(run, "body", size)
    for grid_row in grid.rows:
        for cell in grid_row.cells:
            cell.paragraphs[0].paragraph_format.line_spacing = Pt(15)
            cell.paragraphs[0].paragraph_format.first_line_indent = Pt(0)
    # Widths from content: the widest line of each column (a header at its break) in millimetres at
    # this size, plus the cell's margins; the widest column gives way when the page is too narrow.
    char_mm = size * 0.3528  # a Chinese character is one em wide
    need = []
    for k, header in enumerate(headers):
        head = max(cells(part) for part in breaks.get(header, header).split("|"))
        body = max((cells(r[k]) for r in rows), default=0)
        need.append(max(head, body, 4) / 2 * char_mm + 4)
    widest = max(range(len(need)), key=need.__getitem__)
    over = sum(need) - PAGE_WIDTH_MM
    # A kept column never wraps: room for digits set wider than half an em by the office's fonts.
    need = [mm * 1.3 if k in keep else mm for k, mm in enumerate(need)]
    kept = sum(need[k] for k in keep)
    if over > 0 and keep and kept + 25 * (len(need) - len(keep)) <= PAGE_WIDTH_MM:
        share = (PAGE_WIDTH_MM - kept) / sum(mm for k, mm in enumerate(need) if k not in keep)
        need = [mm if k in keep else mm * share for k, mm in enumerate(need)]
    elif over > 0:
        others = max((mm for k, mm in enumerate(need) if k != widest), default=0)
        need[widest] = max(need[widest] - over, others, 4 * char_mm + 4)  # still the widest
    scale = PAGE_WIDTH_MM / sum(need)
    for k, mm in enumerate(need):
        # The grid column (what LibreOffice and WPS lay out by) and each cell (what Word does).
        grid.columns[k].width = Mm(mm * scale)
    for grid_row in grid.rows:
        row_cells = grid_row.cells
        if row_cells[0]._tc is row_cells[-1]._tc:
            row_cells[0].width = Mm(PAGE_WIDTH_MM)  # a group's title across the table
            continue
        for k, mm in enumerate(need):
            row_cells[k].width = Mm(mm * scale)
    return grid
