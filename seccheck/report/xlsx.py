"""Spreadsheets an office can work with, written in openpyxl's streaming (write-only) mode.

- Every user-provided string goes through `safe_text`: control characters stripped (XML cannot hold
  most of them, and a stray one used to crash the report), tabs and carriage returns made plain, and
  the cell is written as text — an inline string, never a formula, whatever it starts with
  (`=`, `+`, `-`, `@`); such a cell is also marked quote-prefixed, so that editing it in Excel or
  LibreOffice keeps it text.
- Each sheet: columns as wide as their contents (Chinese counted double), header row frozen and
  repeated on every printed page, autofilter, A4 landscape fitted to the page width.
- Dates are dates, percentages are numbers with a percent format, counts are numbers.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from seccheck.limits import contain_direction

# XML 1.0 allows tab, LF and CR among the C0 controls; C1 controls and DEL are stripped too.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_RISKY = ("=", "+", "-", "@")

TEXT, INT, NUMBER, PERCENT, DATE, ANY = "text", "int", "number", "percent", "date", "any"
WRAP_AT = 50  # text columns wider than this wrap instead
LINE_HEIGHT = 15  # points per line of wrapped text (11 pt CJK)


@functools.cache
def _styled_cell_class() -> Any:
    """A cell of the streaming writer whose style is given whole, with its index among the
    workbook's cell formats: openpyxl would copy the style into each cell and look its index up
    (hashing it) when writing each cell."""
    from openpyxl.cell import Cell

    class StyledCell(Cell):  # type: ignore[misc]
        has_style = True  # (no __slots__ of its own: mypy sees openpyxl's Cell as Any)

        def __init__(self, sheet: Any, value: Any, data_type: str, style: Any, index: int) -> None:
            self.parent = sheet
            self._style = style
            self._style_index = index
            self.row = self.column = 1
            self._value = value
            self.data_type = data_type
            self._hyperlink = None
            self._comment = None

        @property
        def style_id(self) -> int:
            return self._style_index

        def __repr__(self) -> str:
            # ws.append() tries each value as a plain value first and formats a refusal naming it,
            # which a cell takes in its stride: no coordinate to work out for that message
            return "<StyledCell>"

    return StyledCell


# What safe_text changes besides the blanks at either end: control characters (tab and CR included)
# and the characters contain_direction looks for. Most texts have none: one search, then strip.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def safe_text(value: object) -> str:
    """User text as a spreadsheet may hold it: no control characters, CR/LF made LF, tabs spaces,
    no leading or trailing blanks."""
    text = str(value)
    if _UNSAFE.search(text) is None:
        return text.strip()
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return contain_direction(_CONTROL.sub("", text).strip())


def risky(text: str) -> bool:
    """Would a spreadsheet (or a CSV made from it) read this as a formula?"""
    return text.startswith(_RISKY)


def display_width(text: str) -> int:
    """Columns a text takes: CJK (three UTF-8 bytes) counts two, ASCII one; the longest line."""
    longest = max(text.split("\n"), key=len) if "\n" in text else text
    return len(longest) + (len(longest.encode("utf-8")) - len(longest)) // 2


@dataclass(frozen=True)
class Column:
    """A column: its header and what its values are (`any`: each value says, see `Formatted`)."""

    header: str
    kind: str = TEXT
    min_width: int = 6


@dataclass(frozen=True)
class Formatted:
    """A number in an `any` column that needs a format: Formatted(0.8, PERCENT)."""

    value: Any
    kind: str


def percent_value(value: Decimal | None) -> Formatted | None:
    """A percentage (0–100, as the figures hold it) as a fraction with a percent format."""
    return None if value is None else Formatted(float(Decimal(value) / 100), PERCENT)


# Python types a styled cell is made of directly, and openpyxl's data type for each.
_DATA_TYPES = {str: "s", int: "n", float: "n", Decimal: "n", bool: "b", dt.date: "d", dt.datetime: "d"}
_TEXT_KINDS = (TEXT, ANY)
_INT_KINDS = (INT, TEXT, ANY)  # columns where a whole number stays as it is
_NUMBER_FORMATS = {PERCENT: "0.0%", DATE: "yyyy-mm-dd"}  # counts and amounts show as they are
_WIDTHS = {DATE: 12, PERCENT: 9}


class Book:
    """A write-only workbook whose sheets are written whole: rows are known before the first is
    written, so that column widths and the autofilter range can be set (streaming mode needs them
    before any row)."""

    def __init__(self) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font, PatternFill

        self._book = Workbook(write_only=True)
        self._header_font = Font(bold=True)
        self._header_fill = PatternFill("solid", fgColor="DDDDDD")
        self._header_align = Alignment(vertical="center", wrap_text=True)
        self._wrap = Alignment(vertical="top", wrap_text=True)

    def sheet(self, title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> None:
        """A sheet: a header row (frozen, repeated on printed pages, filtered) and the rows."""
        from openpyxl.cell import Cell, WriteOnlyCell
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.properties import PageSetupProperties

        table = [self._clean(row, columns) for row in rows]
        ws = self._book.create_sheet(title)
        widths = [max(c.min_width, display_width(c.header) + 2) for c in columns]
        for i, column in enumerate(columns):
            fixed = _WIDTHS.get(column.kind)
            if fixed:
                widths[i] = max(widths[i], fixed)
                continue
            for row in table:
                w = _width(row[i])
                if w > widths[i]:
                    widths[i] = w
        wrap = [w > WRAP_AT for w in widths]
        for i, w in enumerate(widths):
            ws.column_dimensions[get_column_letter(i + 1)].width = min(w, WRAP_AT) + 1
        wrapped = [i for i, w in enumerate(wrap) if w]
        if wrapped:
            # Streaming mode cannot fit row heights afterwards, and LibreOffice does not on opening:
            # a wrapped text gets the lines it needs here (row 1 is the header).
            for n, row in enumerate(table, start=2):
                lines = max(_lines(row[i], WRAP_AT - 1) for i in wrapped)
                if lines > 1:
                    ws.row_dimensions[n].height = LINE_HEIGHT * lines
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(table) + 1}"
        ws.print_title_rows = "1:1"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = 9  # A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)

        header = []
        for c in columns:
            cell = WriteOnlyCell(ws, value=c.header)
            cell.font, cell.fill, cell.alignment = self._header_font, self._header_fill, self._header_align
            header.append(cell)
        ws.append(header)
        formats = [_NUMBER_FORMATS.get(c.kind) for c in columns]
        styles: dict[tuple[str | None, bool, bool], tuple[Any, int]] = {}
        cell_styles = self._book._cell_styles
        styled_cell = _styled_cell_class()

        def style(number_format: str | None, wrapped: bool, quoted: bool) -> tuple[Any, int]:
            # Each combination made once, with its index among the workbook's cell formats: cells share
            # it (setting a cell's style attributes one by one costs more than writing the cell).
            key = (number_format, wrapped, quoted)
            found = styles.get(key)
            if found is None:
                template = WriteOnlyCell(ws)
                if number_format:
                    template.number_format = number_format
                if wrapped:
                    template.alignment = self._wrap
                if quoted:
                    template.quotePrefix = True
                found = styles[key] = (template._style, cell_styles.add(template._style))
            return found

        def styled(value: Any, number_format: str | None, wrapped: bool = False, quoted: bool = False) -> Any:
            kind = _DATA_TYPES.get(value.__class__)
            array, index = style(number_format, wrapped, quoted)
            if kind is None:  # anything else openpyxl takes, typed by openpyxl
                return Cell(ws, 1, 1, value=value, style_array=array)
            return styled_cell(ws, value[:32767] if kind == "s" else value, kind, array, index)

        for row in table:
            out: list[Any] = []
            for i, value in enumerate(row):
                if value.__class__ is str:
                    quoted = value.startswith(_RISKY)
                    # text, never a formula: a quote-prefixed or wrapped cell is written as a string
                    out.append(styled(value, None, wrap[i], quoted) if wrap[i] or quoted else value)
                elif value is None:
                    out.append(None)
                elif value.__class__ is Formatted:
                    out.append(styled(value.value, _NUMBER_FORMATS[value.kind]))
                elif (fmt := formats[i] or _date_format(value)) is not None:
                    out.append(styled(value, fmt))
                else:
                    out.append(value)
            ws.append(out)

    @staticmethod
    def _clean(row: Sequence[Any], columns: Sequence[Column]) -> list[Any]:
        out: list[Any] = []
        for value, column in zip(row, columns, strict=True):
            kind = column.kind
            # the common cases first: text in a text column, a whole number in a column that keeps it
            if value.__class__ is str and value and kind in _TEXT_KINDS:
                out.append(safe_text(value))
            elif value.__class__ is int and kind in _INT_KINDS:
                out.append(value)
            elif value is None or value == "":
                out.append(None)
            elif isinstance(value, str) and column.kind in (TEXT, ANY):
                out.append(safe_text(value))
            elif column.kind == DATE:
                out.append(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)))
            elif column.kind == PERCENT:
                out.append(float(Decimal(value) / 100))
            elif column.kind == INT:
                out.append(int(value))
            elif column.kind == NUMBER:
                out.append(float(value))
            elif isinstance(value, Decimal):
                out.append(int(value) if value == value.to_integral_value() else float(value))
            else:
                out.append(value)  # int, float, date, Formatted in an `any` column
        return out

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self._book.save(buffer)
        return buffer.getvalue()


def _lines(value: Any, width: int) -> int:
    if not isinstance(value, str):
        return 1
    return sum(max(1, -(-display_width(line) // width)) for line in value.split("\n"))


def _date_format(value: Any) -> str | None:
    return _NUMBER_FORMATS[DATE] if isinstance(value, dt.date) else None


def _width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, str):
        return display_width(value) + 2
    if isinstance(value, Formatted):
        return _WIDTHS.get(value.kind, 10)
    if isinstance(value, dt.date):
        return _WIDTHS[DATE]
    return len(str(value)) + 2
