"""Reading rulesets from spreadsheets: a workbook -> TOML conversion that reports every problem at once
(sheet, row, column), then hands the result to the ruleset loader. The layout is in `ruleset_sheets`, the
writer (template, ruleset -> workbook) in `ruleset_xlsx_write`.

A formula found in a workbook is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from seccheck.errors import MAX_INPUT_BYTES, BadInput, Problem
from seccheck.io.ruleset_sheets import (
    BOOL,
    CONTROL,
    DEDUCT,
    INT,
    ITEM_COLS,
    ITEM_KEY,
    NO,
    RANGE,
    REPEATED,
    SETTINGS,
    SHEETS,
    TEXT,
    YES,
    Col,
)
from seccheck.ruleset.load import LoadedRuleset, load_ruleset_text


class _Reader:
    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[Problem] = []
        self.where: dict[str, tuple[str, int]] = {}  # id -> (sheet, row) where it is defined
        self.option_rows: dict[str, int] = {}  # owner -> first row of its options

    def add(self, sheet: str, row: int | None, column: str | None, message: str, ident: str | None = None) -> None:
        place = f"{self.name} 工作表“{sheet}”" + (f"第 {row} 行" if row else "")
        self.problems.append(Problem(message, file=place, id=ident, field=column))

    def value(self, sheet: str, row: int, col: Col, cell: Any) -> Any:
        """The cell's value as the format wants it, or None (blank or wrong, with a problem added)."""
        raw = cell.value
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if cell.data_type == "f" or (isinstance(raw, str) and raw.startswith("=") and cell.data_type != "s"):
            self.add(sheet, row, col.key, "单元格是公式；规则集只收文字和数字，请改为值")
            return None
        kind = col.kind
        if kind == TEXT:
            if isinstance(raw, bool):
                return "true" if raw else "false"
            if isinstance(raw, float) and raw.is_integer():
                raw = int(raw)
            text = CONTROL.sub("", str(raw)).strip()
            if col.choices and text not in col.choices:
                self.add(sheet, row, col.key, f"应为以下之一：{'、'.join(col.choices)}（实际：{text!r}）")
                return None
            return text
        if kind == BOOL:
            if isinstance(raw, bool):
                return raw
            word = str(raw).strip().lower()
            if word in YES:
                return True
            if word in NO:
                return False
            self.add(sheet, row, col.key, f"应为 TRUE 或 FALSE（是/否）（实际：{raw!r}）")
            return None
        if kind == DEDUCT and isinstance(raw, str):
            m = RANGE.match(raw)
            if m:
                return [Decimal(m.group(1)), Decimal(m.group(2))]
        number = _number(raw)
        if number is None:
            expected = "数字，或区间如 0.5-1" if kind == DEDUCT else "整数" if kind == INT else "数字"
            self.add(sheet, row, col.key, f"应为{expected}（实际：{raw!r}）")
            return None
        if kind == INT:
            if number != number.to_integral_value():
                self.add(sheet, row, col.key, f"应为整数（实际：{raw!r}）")
                return None
            return int(number)
        return int(number) if number == number.to_integral_value() and "." not in str(raw) else number


def _number(raw: Any) -> Decimal | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(raw))
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def read_workbook(path: Path) -> tuple[dict[str, Any], _Reader]:
    """The ruleset table a workbook holds, and the reader with every cell problem found."""
    reader = _Reader(path.name)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise BadInput([Problem("文件不存在", file=str(path))]) from None
    if size > MAX_INPUT_BYTES:
        raise BadInput([Problem("文件过大；规则集表格应只有几百行", file=str(path))])
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, data_only=False)
    except (BadZipFile, InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise BadInput(
            [Problem(f"无法作为 .xlsx 打开（{type(exc).__name__}）；请用 Excel/WPS 另存为 .xlsx", file=str(path))]
        ) from None
    data: dict[str, Any] = {}
    missing = [name for name in ("settings", "items") if name not in book.sheetnames]
    for name in missing:
        reader.add(name, None, None, "缺少此工作表（可用 seccheck ruleset template 生成模板）")
    if missing:
        raise BadInput(reader.problems)
    _read_settings(book["settings"], reader, data)
    tables = {
        name: list(_table(book[name], cols, reader, name))
        for name, cols in SHEETS.items()
        if name != "settings" and name in book.sheetnames
    }
    options = _read_options(tables.get("options", []), reader)
    if tables.get("grades"):
        data.setdefault("scoring", {})["grades"] = [values for _row_no, values in tables["grades"]]
    for key, sheet in (
        ("profile", "profile"),
        ("category", "categories"),
        ("stat", "stats"),
        ("plausibility", "plausibility"),
    ):
        rows = tables.get(sheet, [])
        if rows:
            data[key] = []
        for row_no, values in rows:
            if key == "profile" and values.get("id") in options:
                values["options"] = options.pop(values["id"])
            if "id" in values:
                reader.where.setdefault(str(values["id"]), (sheet, row_no))
            if key == "plausibility" and isinstance(values.get("checks"), str):
                values["checks"] = [c for c in re.split(r"[,，、;；\s]+", values["checks"]) if c]
            data[key].append(values)
    data["item"] = _read_items(tables.get("items", []), reader, options)
    for owner in options:
        reader.add("options", reader.option_rows[owner], "owner", f"没有 id 为 {owner!r} 的检查或基本情况问题")
    return data, reader


def _table(ws: Any, cols: Sequence[Col], reader: _Reader, sheet: str) -> Iterable[tuple[int, dict[str, Any]]]:
    by_key = {c.key: c for c in cols}
    header = [c.value for c in ws[1]] if ws.max_row >= 1 else []
    columns: list[Col | None] = []
    for n, head in enumerate(header, start=1):
        key = str(head).strip() if head is not None else ""
        if not key:
            columns.append(None)
        elif key in by_key:
            columns.append(by_key[key])
        else:
            columns.append(None)
            reader.add(sheet, 1, key, f"未知列（第 {n} 列）；允许的列：{'、'.join(by_key)}")
    for row in ws.iter_rows(min_row=2):
        values: dict[str, Any] = {}
        blank = True
        for col, cell in zip(columns, row, strict=False):
            if col is None:
                if cell.value not in (None, ""):
                    blank = False
                continue
            if cell.value is not None and str(cell.value).strip():
                blank = False
            value = reader.value(sheet, cell.row, col, cell)
            if value is not None:
                values[col.key] = value
        if not blank:
            yield row[0].row, values


def _read_settings(ws: Any, reader: _Reader, data: dict[str, Any]) -> None:
    by_key = {c.key: c for c in SETTINGS}
    seen: set[str] = set()
    for row in ws.iter_rows(min_row=2):
        if not row or row[0].value is None or not str(row[0].value).strip():
            continue
        key = str(row[0].value).strip()
        col = by_key.get(key)
        if col is None:
            reader.add("settings", row[0].row, "key", f"未知设置 {key!r}；允许的设置：{'、'.join(by_key)}")
            continue
        value = (
            reader.value("settings", row[0].row, Col("value", col.kind, col.help, col.choices), row[1])
            if len(row) > 1
            else None
        )
        if value is None:
            continue
        if key in REPEATED:
            data.setdefault(key, []).append(value)
            continue
        if key in seen:
            reader.add("settings", row[0].row, "key", f"设置 {key} 重复")
            continue
        seen.add(key)
        if key.startswith("scoring."):
            data.setdefault("scoring", {})[key.removeprefix("scoring.")] = value
        else:
            data[key] = value


def _read_options(rows: list[tuple[int, dict[str, Any]]], reader: _Reader) -> dict[str, list[dict[str, Any]]]:
    options: dict[str, list[dict[str, Any]]] = {}
    for row_no, values in rows:
        owner = values.pop("owner", None)
        if owner is None:
            reader.add("options", row_no, "owner", "缺少 owner（选项所属的检查 id）")
            continue
        options.setdefault(owner, []).append(values)
        reader.option_rows.setdefault(owner, row_no)
    return options


def _read_items(
    rows: list[tuple[int, dict[str, Any]]], reader: _Reader, options: dict[str, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    groups: list[tuple[int, dict[str, Any], list[tuple[int, dict[str, Any]]]]] = []
    seen: set[str] = set()
    for row_no, values in rows:
        own = {ITEM_KEY.get(c.key, c.key): values.pop(c.key) for c in ITEM_COLS if c.key in values}
        check = values
        ident = own.get("id")
        if ident is None:
            if not groups:
                reader.add("items", row_no, "item_id", "第一行必须填 item_id")
                continue
            if own:
                cols = "、".join(
                    next(k for k, v in ITEM_KEY.items() if v == key) if key in ITEM_KEY.values() else key for key in own
                )
                reader.add(
                    "items", row_no, cols, "检查项的列只写在检查项的第一行（item_id 留空的行是上一检查项的又一个检查）"
                )
            groups[-1][2].append((row_no, check))
            continue
        if ident in seen:
            reader.add(
                "items",
                row_no,
                "item_id",
                f"检查项 {ident} 已在前面出现；同一检查项的各行应相邻，续行 item_id 留空",
                ident,
            )
            continue
        seen.add(ident)
        reader.where.setdefault(ident, ("items", row_no))
        groups.append((row_no, own, [(row_no, check)]))
    for _first_row, own, checks in groups:
        item = dict(own)
        single = len(checks) == 1 and "check_id" not in checks[0][1]
        if single and "applies_if" in item and "applies_if" in checks[0][1]:
            checks[0][1]["check_id"] = own["id"]  # both conditions: an explicit check with the item's id
            single = False
        if single:
            check = checks[0][1]
            item.update(check)
            if own["id"] in options:
                item["options"] = options.pop(own["id"])
        else:
            item["check"] = []
            for check_row, check in checks:
                ident = check.pop("check_id", None)
                if ident is None:
                    reader.add("items", check_row, "check_id", "检查项有多个检查时，每个检查都要填 check_id", own["id"])
                    continue
                reader.where.setdefault(ident, ("items", check_row))
                check = {"id": ident, **check}
                if ident in options:
                    check["options"] = options.pop(ident)
                item["check"].append(check)
        items.append(item)
    return items


def toml_text(data: dict[str, Any], source: str) -> str:
    import tomli_w

    ordered = {
        k: data[k]
        for k in (
            *(c.key for c in SETTINGS if "." not in c.key),
            "scoring",
            "stat",
            "profile",
            "category",
            "item",
            "plausibility",
        )
        if k in data
    }
    header = f"# 由 seccheck ruleset from-xlsx 从 {source} 生成；修改请改表格后重新转换，或直接编辑本文件。\n"
    return header + tomli_w.dumps(_plain(ordered), multiline_strings=False)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def convert(path: Path) -> tuple[str, LoadedRuleset]:
    """A workbook's ruleset as TOML text, validated; BadInput with every problem (cells, then the loader)."""
    data, reader = read_workbook(path)
    text = toml_text(data, path.name)
    try:
        loaded = load_ruleset_text(text, path.name)
    except BadInput as exc:
        raise BadInput(reader.problems + [_located(p, reader) for p in exc.problems]) from None
    if reader.problems:
        raise BadInput(reader.problems)
    return text, loaded


def _located(problem: Problem, reader: _Reader) -> Problem:
    place = reader.where.get(problem.id or "")
    if place:
        where = f"{reader.name} 工作表“{place[0]}”第 {place[1]} 行"
    else:
        field = problem.field or ""
        sheet = "grades" if "grades" in field else "stats" if field.startswith("stat") else "settings"
        if field.startswith("plausibility") or (problem.id or "").startswith("plausibility"):
            sheet = "plausibility"
        where = f"{reader.name} 工作表“{sheet}”"
    return Problem(problem.message, file=where, id=problem.id, field=problem.field, warning=problem.warning)
