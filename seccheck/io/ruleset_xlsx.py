"""Rulesets in a spreadsheet, as XLSForm does for ODK: a template to fill in, a workbook -> TOML
conversion that reports every problem at once (sheet, row, column), and any ruleset -> workbook.

Sheets (names are the format's keys, like XLSForm's survey/choices/settings):
- settings: key | value — the top-level keys and `scoring.*`; `basis` and `general_requirements`
  take one row per entry.
- profile, categories, grades, stats: one row per table, one column per key.
- items: one row per check. The item columns (item_id, category, title, points, …) are given on the
  item's first row; a row with an empty item_id continues the item above. An item with one row and no
  check_id is the shorthand (the check's id is the item's id).
- options: the options of choice questions, one row each: owner (the check or profile question id),
  value, label, deduct, ok.
- 说明: how to fill it in, in Chinese.

Every user text is written as a text cell, never a formula; a formula found in a workbook is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from seccheck.errors import MAX_INPUT_BYTES, BadInput, Problem
from seccheck.ruleset.load import LoadedRuleset, load_ruleset_text
from seccheck.ruleset.model import Ruleset

TEXT, NUMBER, INT, BOOL, DEDUCT = "text", "number", "int", "bool", "deduct"

KINDS = ("yesno", "count", "choice", "number", "text", "date")
SEVERITIES = ("general", "major", "critical")
LEVELS = ("unit", "department", "individual", "site")
METHODS = ("deduction", "checklist")


@dataclass(frozen=True)
class Col:
    key: str  # the column header: the format's key (item_* / check_id name the item's own keys)
    kind: str
    help: str
    choices: tuple[str, ...] = ()
    width: int = 14


SETTINGS: tuple[Col, ...] = (
    Col("format", INT, "格式版本，填 1"),
    Col("id", TEXT, "规则集 id：小写字母、数字、连字符，如 local-standard"),
    Col("title", TEXT, "规则集名称，如 某区保密工作检查表"),
    Col("version", TEXT, "规则集自己的版本，如 2026.1；每次修改都应改动"),
    Col("level", TEXT, "检查对象层级：unit 机关单位、department 内设机构、individual 个人、site 场所", LEVELS),
    Col("description", TEXT, "说明：写明哪些内容来自官方标准，哪些是本地自定"),
    Col("basis", TEXT, "依据（印在文书上），每条一行，可重复"),
    Col("notice_title", TEXT, "整改通知书标题（不填为 保密检查整改通知书）"),
    Col("subject", TEXT, "检查对象的名称，如 单位、打字复印店"),
    Col("subject_unit", TEXT, "检查对象的量词，如 家、个、名"),
    Col("general_requirements", TEXT, "整改通知书的总体要求，每条一行，可重复；不填用默认表述"),
    Col(
        "default_mode",
        TEXT,
        "逐题问答的默认方式：self 自查自评规则集（不填则有检查人员时为检查）",
        ("inspection", "self"),
    ),
    Col("activity", TEXT, "年终总结表述中这类检查的名称，如 微信工作群专项检查（不填用 title）"),
    Col("scoring.method", TEXT, "deduction 扣分制（默认）；checklist 不计分", METHODS),
    Col("scoring.normalize", BOOL, "实有项目：得分率 = 得分 / 实有项目分值（默认 TRUE）"),
    Col("scoring.deadline_days", INT, "默认整改期限（天），默认 30"),
    Col("scoring.total", NUMBER, "计分项目分值合计（可不填；填了必须等于各项分值之和）"),
    Col("scoring.veto_grade", TEXT, "否决项不合规时的等次（默认最后一个等次）"),
)
REPEATED = ("basis", "general_requirements")

PROFILE: tuple[Col, ...] = (
    Col("id", TEXT, "问题 id，用于适用条件，如 has_meetings"),
    Col("question", TEXT, "问题", width=40),
    Col("kind", TEXT, "题型：yesno 是否、count 计数、choice 选择、number 数值、text 文本、date 日期", KINDS),
    Col("min", NUMBER, "数值题答案下限"),
    Col("integer", BOOL, "数值题只收整数（几个、几人、几台；TRUE/FALSE）", width=7),
    Col("max", NUMBER, "数值题答案上限"),
    Col("help", TEXT, "答题说明", width=30),
)
CATEGORIES: tuple[Col, ...] = (
    Col("id", TEXT, "类别 id"),
    Col("title", TEXT, "类别名称，如 一、组织领导", width=30),
    Col("points", NUMBER, "分值（可不填；填了必须等于所属检查项分值之和）"),
    Col("applies_if", TEXT, "适用条件，如 has_meetings"),
    Col("description", TEXT, "说明"),
)
GRADES: tuple[Col, ...] = (
    Col("min", NUMBER, "最低得分率（%），从高到低，最后一个为 0"),
    Col("label", TEXT, "等次名称，如 合格"),
)
STATS: tuple[Col, ...] = (
    Col("key", TEXT, "统计键（小写字母、数字、下划线）"),
    Col("label", TEXT, "名称，如 解散微信工作群"),
    Col("unit", TEXT, "量词，如 个、名"),
    Col("phrase", TEXT, "年终总结表述，如 整顿解散微信工作群{value}个", width=30),
    Col("total", TEXT, "（扩展）本数字是哪个统计键的一部分"),
    Col("phrase_all", TEXT, "（扩展）本数字等于 total 时的表述", width=30),
)
PLAUSIBILITY: tuple[Col, ...] = (
    Col("when", TEXT, "不可能成立的答案组合（写法同适用条件），如 W00e > W00f", width=24),
    Col("message", TEXT, "说明，如 实名登记备案的群成员多于工作群成员总数", width=30),
    Col("checks", TEXT, "涉及的问题或检查 id，用逗号或顿号分隔，如 W00e、W00f", width=16),
)
OPTIONS: tuple[Col, ...] = (
    Col("owner", TEXT, "选项所属的检查 id（check_id，简写时为 item_id）或基本情况问题 id"),
    Col("value", TEXT, "选项值（答案文件中写的值）"),
    Col("label", TEXT, "选项文字"),
    Col("deduct", NUMBER, "选此项扣几分（0 或不填为合规）"),
    Col("ok", BOOL, "是否合规（不填时扣分为 0 即合规）"),
)
ITEM_COLS: tuple[Col, ...] = (
    Col("item_id", TEXT, "检查项 id（如 1、L01）；空白表示接着上一行的检查项（再加一个检查）", width=9),
    Col("category", TEXT, "所属类别 id（categories 表的 id）", width=10),
    Col("title", TEXT, "检查项名称", width=24),
    Col("points", NUMBER, "分值；0 或不填为不计分项（如否决项）", width=7),
    Col("official", TEXT, "本项内容对应的官方标准序号，如 32；本地自设的项目不填", width=8),
    Col("allow_na", BOOL, "可否答 不适用（TRUE/FALSE）", width=8),
    Col("aggravating", BOOL, "加重扣分项（无分值，扣分累加从得分中减去）", width=8),
    Col("item_applies_if", TEXT, "检查项的适用条件"),
    Col("item_description", TEXT, "检查项说明"),
)
CHECK_COLS: tuple[Col, ...] = (
    Col("check_id", TEXT, "检查 id（如 1a）；检查项只有一个检查时可不填（用 item_id）", width=9),
    Col("question", TEXT, "检查的问题；宜正面提问，合规答“是”", width=40),
    Col("kind", TEXT, "题型：yesno 是否、count 计数（发现几起）、choice 选择、number 数值、text、date", KINDS, 9),
    Col("expect", BOOL, "是否题的合规答案（默认 TRUE；如“是否发生泄密案件”填 FALSE）", width=8),
    Col("deduct", DEDUCT, "固定扣分（如 1）或区间（如 0.5-1，检查人员在区间内酌定）", width=9),
    Col("step", NUMBER, "区间扣分的步长（默认 0.5，可填 0.1、0.25）", width=7),
    Col("per", NUMBER, "计数题每起（每个）扣分", width=7),
    Col("max", NUMBER, "计数题：最多扣几分（每个扣0.1分，最多扣0.5分：per 0.1、max 0.5）；数值题：答案上限", width=7),
    Col("max_ok", NUMBER, "计数题允许的起数（默认 0）；数值题合规上限", width=7),
    Col("min_ok", NUMBER, "数值题合规下限", width=7),
    Col("min", NUMBER, "数值题答案下限", width=7),
    Col("integer", BOOL, "数值题只收整数（几个、几人、几台；TRUE/FALSE）", width=7),
    Col("finding", TEXT, "问题表述（整改通知书）", width=30),
    Col("rectify", TEXT, "整改要求（整改通知书）", width=30),
    Col("basis", TEXT, "依据（印在文书上）", width=24),
    Col("basis_note", TEXT, "依据的起草说明（如 条款待核实），不印在文书上"),
    Col("severity", TEXT, "问题程度：general 一般、major 较重、critical 严重", SEVERITIES, 9),
    Col("deadline_days", INT, "整改期限（天），不填用默认", width=7),
    Col("help", TEXT, "答题时按 ? 显示的说明", width=30),
    Col("veto", BOOL, "否决项（一票否决）：不合规即评为否决等次", width=7),
    Col("stat", TEXT, "统计键（stats 表的 key）", width=10),
    Col("applies_if", TEXT, "检查的适用条件"),
    Col("rolls_up_to", TEXT, "内设机构、个人规则集：所涉及的单位级检查项目 id", width=10),
)
ITEMS = ITEM_COLS + CHECK_COLS
# item_* columns that are the item's own key under another name
ITEM_KEY = {"item_id": "id", "item_applies_if": "applies_if", "item_description": "description"}

SHEETS: dict[str, tuple[Col, ...]] = {
    "settings": SETTINGS,
    "grades": GRADES,
    "profile": PROFILE,
    "categories": CATEGORIES,
    "items": ITEMS,
    "options": OPTIONS,
    "stats": STATS,
    "plausibility": PLAUSIBILITY,
}
SHEET_LABELS = {
    "settings": "基本设置",
    "grades": "等次",
    "profile": "基本情况问题（决定实有项目）",
    "categories": "类别",
    "items": "检查项和检查（每个检查一行）",
    "options": "选择题的选项",
    "stats": "统计项",
    "plausibility": "不可能同时成立的答案",
}
INSTRUCTIONS = "说明"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_RANGE = re.compile(r"^\s*\[?\s*([0-9]+(?:\.[0-9]+)?)\s*(?:-|~|～|—|–|至|,|，)\s*([0-9]+(?:\.[0-9]+)?)\s*\]?\s*$")
YES = {"true", "是", "yes", "y", "1", "对"}
NO = {"false", "否", "no", "n", "0"}

GUIDE = (
    "用电子表格编写规则集",
    "",
    "1. 每个工作表的第一行是列名（规则集格式的键名，见 docs/ruleset-format.md），不要改动；从第二行起每行一条。"
    "列名上的批注说明该列填什么。",
    "2. settings：A 列为键、B 列为值。必填 format（填 1）、id、title、version。basis、general_requirements "
    "每条占一行。scoring.* 为计分设置。",
    "3. grades：等次，从高到低，最后一个 min 为 0。不填时用官方等次：90 符合要求、80 基本符合要求、0 不符合要求。",
    "4. profile：基本情况问题，先问，用于适用条件（实有项目）。",
    "5. categories：类别（部分）。points 填了就必须等于所属检查项分值之和。",
    "6. items：每个检查一行。检查项的列（item_id 至 item_description）写在它的第一行；下一行 item_id 留空，"
    "表示同一检查项的另一个检查。检查项只有一个检查时 check_id 可不填。",
    "7. 扣分：固定扣分填数字（如 1）；区间填 0.5-1（检查人员在区间内酌定），步长默认 0.5，地方标准可在 step "
    "填 0.1 或 0.25（区间长度必须是步长的整数倍）；计数题（kind 填 count，问“发现几起/几个”）填 per 每起扣分，"
    "可在 max 填最多扣几分（每个扣0.1分，最多扣0.5分：per 0.1、max 0.5）。",
    "8. 一票否决：该检查填 veto 为 TRUE；问题若是“是否发生……”这样的反面问题，expect 填 FALSE（合规答“否”）。"
    "其他问题宜正面提问，合规答“是”，不要写“是否未……”。",
    "9. 加重扣分项：aggravating 填 TRUE，不填 points，用计数题 per 每起扣分。",
    "10. options：选择题（kind 填 choice）的选项，owner 填该检查的 id。",
    "11. 下拉列表：kind、severity、level、scoring.method 等列可从下拉列表中选；是否类的列填 TRUE 或 FALSE。",
    "12. 单元格只填文字和数字，不要用公式。",
    "13. 转换：seccheck ruleset from-xlsx 本文件.xlsx --out 规则集.toml。所有问题一次列出（工作表、行号、列名），"
    "然后按规则集格式整体校验。转换成功后用 seccheck ruleset show 规则集.toml 核对。",
)


# --- writing -----------------------------------------------------------------------------------


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
        text = _CONTROL.sub("", str(value))
        cell.value = text
        cell.data_type = "s"  # text, never a formula, whatever it starts with
        if text.startswith(("=", "+", "-", "@")):
            cell.quotePrefix = True


def _put_number(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")


# --- reading -----------------------------------------------------------------------------------


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
            text = _CONTROL.sub("", str(raw)).strip()
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
            m = _RANGE.match(raw)
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
