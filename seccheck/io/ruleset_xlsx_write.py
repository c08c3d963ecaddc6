"""Writing rulesets as spreadsheets: the template to fill in and any ruleset as a workbook that
`ruleset_xlsx.convert` turns back into the same ruleset. The layout is in `ruleset_sheets`.

Every user text is written as a text cell, never a formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from seccheck.io.ruleset_sheets import (
    BOOL,
    CATEGORIES,
    CHECK_COLS,
    CONTROL,
    GUIDE,
    INSTRUCTIONS,
    ITEM_COLS,
    ITEM_KEY,
    PLAUSIBILITY,
    PROFILE,
    REPEATED,
    SETTINGS,
    SHEET_LABELS,
    SHEETS,
    STATS,
    Col,
)
from seccheck.ruleset.model import Ruleset


def template_bytes() -> bytes:
    """An empty workbook to fill in: every sheet with its headers, notes, drop-downs and the guide."""
    return _workbook({name: [] for name in SHEETS}, settings={"format": [1]})


def ruleset_bytes(rs: Ruleset) -> bytes:
    """A ruleset as a workbook that `read_workbook` turns back into the same ruleset."""
    settings: dict[str, list[Any]] = {}
    top = rs.model_dump(exclude_defaults=True, exclude_none=True)
    for col in SETTINGS:
        if col.key.startswith("scoring."):
            value = top.get("scoring", {}).get(col.key.removeprefix("scoring."))
        else:
            value = top.get(col.key)
        if value is None:
            continue
        settings[col.key] = list(value) if col.key in REPEATED else [value]
    settings["format"] = [rs.format]
    rows: dict[str, list[list[Any]]] = {name: [] for name in SHEETS}
    if "grades" in top.get("scoring", {}):
        rows["grades"] = [[g.min, g.label] for g in rs.scoring.grades]
    for p in rs.profile:
        rows["profile"].append(_row(PROFILE, p.model_dump(exclude_defaults=True, exclude_none=True)))
        rows["options"] += [_option_row(p.id, o) for o in p.options]
    for c in rs.category:
        rows["categories"].append(_row(CATEGORIES, c.model_dump(exclude_defaults=True, exclude_none=True)))
    for s in rs.stat:
        rows["stats"].append(_row(STATS, s.model_dump(exclude_defaults=True, exclude_none=True)))
    for rule in rs.plausibility:
        rows["plausibility"].append(_row(PLAUSIBILITY, {**rule.model_dump(), "checks": "、".join(rule.checks)}))
    for item in rs.item:
        own = item.model_dump(exclude_defaults=True, exclude_none=True, exclude={"check"})
        own = {next((k for k, v in ITEM_KEY.items() if v == key), key): value for key, value in own.items()}
        for n, chk in enumerate(item.check):
            values = chk.model_dump(exclude_defaults=True, exclude_none=True)
            values["check_id"] = None if item.is_shorthand else values.pop("id")
            values.pop("id", None)
            row = _row(ITEM_COLS, own if n == 0 else {}) + _row(CHECK_COLS, values)
            rows["items"].append(row)
            rows["options"] += [_option_row(chk.id, o) for o in chk.options]
    return _workbook(rows, settings=settings)


def _option_row(owner: str, option: Any) -> list[Any]:
    return [owner, option.value, option.label, option.deduct or None, option.ok]


def _row(cols: Sequence[Col], values: dict[str, Any]) -> list[Any]:
    return [values.get(c.key) for c in cols]


def _workbook(rows: dict[str, list[list[Any]]], *, settings: dict[str, list[Any]]) -> bytes:
    import io

    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    guide = book.active
    guide.title = INSTRUCTIONS
    guide.column_dimensions["A"].width = 110
    for n, line in enumerate(GUIDE, start=1):
        _put(guide.cell(row=n, column=1), line)
    guide["A1"].font = Font(bold=True, size=14)
    start = len(GUIDE) + 2
    _put(guide.cell(row=start, column=1), "各工作表的列：")
    guide.cell(row=start, column=1).font = Font(bold=True)
    r = start + 1
    for name, cols in SHEETS.items():
        _put(guide.cell(row=r, column=1), f"{name}（{SHEET_LABELS[name]}）")
        guide.cell(row=r, column=1).font = Font(bold=True)
        r += 1
        for col in cols:
            _put(guide.cell(row=r, column=1), f"    {col.key}：{col.help}")
            r += 1
    for row in guide.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDDDDD")
    bools = '"TRUE,FALSE"'
    for name, cols in SHEETS.items():
        ws = book.create_sheet(name)
        if name == "settings":
            ws.append(["key", "value", "说明"])
            for c, width in zip("ABC", (24, 50, 70), strict=True):
                ws.column_dimensions[c].width = width
            for col in SETTINGS:
                for value in settings.get(col.key) or [None]:
                    n = ws.max_row + 1
                    _put(ws.cell(row=n, column=1), col.key)
                    _put(ws.cell(row=n, column=2), value)
                    _put(ws.cell(row=n, column=3), col.help)
                    if col.choices:
                        dv = DataValidation(type="list", formula1='"' + ",".join(col.choices) + '"', allow_blank=True)
                        ws.add_data_validation(dv)
                        dv.add(f"B{n}")
                    elif col.kind == BOOL:
                        dv = DataValidation(type="list", formula1=bools, allow_blank=True)
                        ws.add_data_validation(dv)
                        dv.add(f"B{n}")
            for cell in ws[1]:
                cell.font, cell.fill = bold, fill
            ws.freeze_panes = "A2"
            continue
        for i, col in enumerate(cols, start=1):
            cell = ws.cell(row=1, column=i)
            _put(cell, col.key)
            cell.font, cell.fill = bold, fill
            cell.comment = Comment(col.help, "seccheck")
            ws.column_dimensions[get_column_letter(i)].width = col.width
        for values in rows.get(name, []):
            n = ws.max_row + 1
            for i, value in enumerate(values, start=1):
                _put(ws.cell(row=n, column=i), value)
        ws.freeze_panes = "A2" if name != "items" else "C2"
        last = max(ws.max_row, 200) + 300  # room to add rows that keep the drop-downs
        for i, col in enumerate(cols, start=1):
            letter = get_column_letter(i)
            formula = '"' + ",".join(col.choices) + '"' if col.choices else bools if col.kind == BOOL else None
            if formula:
                # kinds and severities must come from the list; TRUE/FALSE is a hint (是/否 are read too)
                dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=bool(col.choices))
                dv.error, dv.errorTitle = "请从下拉列表中选择", "取值不在列表中"
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}{last}")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _put(cell: Any, value: Any) -> None:
    """Set a cell: numbers as numbers, booleans as booleans, everything else as text (never a formula)."""
    if value is None:
        return
    if isinstance(value, bool):
        cell.value = value
    elif isinstance(value, Decimal):
        cell.value = int(value) if value == value.to_integral_value() else float(value)
    elif isinstance(value, int | float):
        cell.value = value
    elif isinstance(value, tuple) and len(value) == 2:  # a range deduction
        lo, hi = (_put_number(v) for v in value)
        cell.value = f"{lo}-{hi}"
        cell.data_type = "s"
    else:
        text = CONTROL.sub("", str(value))
        cell.value = text
        cell.data_type = "s"  # text, never a formula, whatever it starts with
        if text.startswith(("=", "+", "-", "@")):
            cell.quotePrefix = True


def _put_number(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")
