"""The layout of a ruleset in a spreadsheet, as XLSForm does for ODK: the sheets, their columns and the guide,
shared by the reader (`ruleset_xlsx`: workbook -> TOML) and the writer (`ruleset_xlsx_write`: the template,
any ruleset -> workbook).

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
from dataclasses import dataclass

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

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
RANGE = re.compile(r"^\s*\[?\s*([0-9]+(?:\.[0-9]+)?)\s*(?:-|~|～|—|–|至|,|，)\s*([0-9]+(?:\.[0-9]+)?)\s*\]?\s*$")
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
