"""Reading a units CSV (as Excel saves it) into rows; every problem at once."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path

from seccheck.errors import BadInput, Problem

CSV_COLUMNS = {
    "name": ("name", "单位名称", "名称"),
    "code": ("code", "代码", "统一社会信用代码"),
    "kind": ("kind", "类型", "单位类型"),
    "contact": ("contact", "联系人", "联系方式"),
}


def read_csv_table(path: Path, columns: Mapping[str, tuple[str, ...]]) -> tuple[csv.DictReader[str], dict[str, str]]:
    """A CSV as Excel saves it (UTF-8, with or without BOM): its rows, and which header column holds
    each of `columns` (key -> the header names it may go by). Units and people files read alike."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BadInput([Problem(f"无法读取：{exc.strerror}", file=name)]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        hint = "Excel 另存为“CSV UTF-8”，或 iconv -f GBK -t UTF-8 转换"
        raise BadInput([Problem(f"不是 UTF-8 编码；{hint}", file=name, line=line)]) from None
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    mapping: dict[str, str] = {}
    for key, names in columns.items():
        for column in header:
            if column.strip() in names:
                mapping[key] = column
    return reader, mapping


def read_units_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a units CSV (UTF-8, with or without BOM); every problem at once."""
    name = str(path)
    reader, mapping = read_csv_table(path, CSV_COLUMNS)
    if "name" not in mapping:
        raise BadInput([Problem("缺少单位名称列（表头应为 name 或 单位名称）", file=name, line=1)])
    rows, problems = [], []
    for n, row in enumerate(reader, start=2):
        values = {key: (row.get(column) or "").strip() for key, column in mapping.items()}
        if not values["name"]:
            problems.append(Problem("单位名称为空", file=name, line=n, field="name"))
            continue
        rows.append({k: values.get(k, "") for k in CSV_COLUMNS})
    if problems:
        raise BadInput(problems)
    return rows
