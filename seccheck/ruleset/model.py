"""The ruleset format (spec §1) as pydantic models; the field value types are in `fields`.

Long on purpose: one tree of models, read top to bottom as the format's tables (ruleset-format.md).

These models fix the key names users write; the JSON Schema shipped in `seccheck/schema/` is
generated from them. Structural rules live here (types, allowed values, keys that only make sense
for one kind of check); rules that need the whole file (unique ids, category sums, references in
`applies_if`) live in `validate.py`, so that every problem is reported at once.
"""

from __future__ import annotations

import re
import string
from decimal import Decimal
from functools import cached_property
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationInfo,
    model_validator,
)

from seccheck import limits
from seccheck.ruleset.expr import Predicate, compile_expr, parse
from seccheck.ruleset.fields import (
    DEFAULT_STEP,
    RULESET_ID_PATTERN,
    Deduct,
    Id,
    NonNegative,
    Number,
    Percent,
    StatKey,
    Step,
    is_frozen,
)

FORMAT_VERSION = 1

Kind = Literal["yesno", "count", "choice", "number", "text", "date"]
Severity = Literal["general", "major", "critical"]
Level = Literal["unit", "department", "individual", "site"]

SEVERITY_LABELS = {"general": "一般", "major": "较重", "critical": "严重"}
LEVEL_LABELS = {"unit": "机关、单位", "department": "内设机构", "individual": "个人", "site": "场所"}
KIND_LABELS = {
    "yesno": "是否",
    "count": "计数",
    "choice": "选择",
    "number": "数值",
    "text": "文本",
    "date": "日期",
}


# The names a stat's phrase may use besides other stat keys (ruleset-format.md, "Additions in format 1").
PHRASE_NAMES = ("value", "label", "unit")


class _Model(BaseModel):
    # Unknown keys are refused: in a hand-written ruleset they are almost always typos.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Grade(_Model):
    min: Percent = Field(default=Decimal(0), description="最低得分率（%）")
    label: str = Field(min_length=1, max_length=limits.LABEL, description="等次名称，如 符合要求")


OFFICIAL_GRADES = (
    Grade(min=Decimal(90), label="符合要求"),
    Grade(min=Decimal(80), label="基本符合要求"),
    Grade(min=Decimal(0), label="不符合要求"),
)


class Scoring(_Model):
    method: Literal["deduction", "checklist"] = Field(
        default="deduction", description="deduction 扣分制（默认）；checklist 不计分"
    )
    normalize: StrictBool = Field(default=True, description="实有项目：得分率 = 得分 / 实有项目分值")
    deadline_days: StrictInt = Field(default=30, ge=1, le=3650, description="默认整改期限（天）")
    total: NonNegative | None = Field(default=None, description="（扩展）计分项目分值合计；给出时必须等于各项分值之和")
    grades: tuple[Grade, ...] = Field(default=OFFICIAL_GRADES, min_length=1)
    veto_grade: str | None = Field(
        default=None, max_length=limits.LABEL, description="否决项不合规时的等次（默认最后一个）"
    )

    @model_validator(mode="after")
    def _grades_in_order(self) -> Scoring:
        mins = [g.min for g in self.grades]
        # A checklist decides by findings, not by percent: there `min` means nothing.
        if self.method == "deduction" and any(a <= b for a, b in pairwise(mins)):
            raise ValueError(
                "grades 必须按 min 从高到低排列且不重复，例如 90、80、0（实际："
                + "、".join(str(m) for m in mins)
                + "）"
            )
        labels = [g.label for g in self.grades]
        if len(set(labels)) != len(labels):
            raise ValueError("grades 的 label 不能重复")
        if self.method == "deduction" and mins[-1] != 0:
            raise ValueError("扣分制的最后一个等次 min 必须为 0，使任何得分率都有等次")
        if self.method == "checklist" and len(self.grades) < 2:
            raise ValueError("checklist 至少需要两个等次（无问题、有问题），通常为三个")
        if self.veto_grade is not None and self.veto_grade not in labels:
            raise ValueError(f"veto_grade {self.veto_grade!r} 不在 grades 中（可选：{'、'.join(labels)}）")
        return self

    @property
    def effective_veto_grade(self) -> str:
        return self.veto_grade or self.grades[-1].label


class Option(_Model):
    value: str = Field(min_length=1, max_length=limits.TITLE)
    label: str = Field(min_length=1, max_length=limits.TITLE)
    deduct: NonNegative = Decimal(0)
    ok: StrictBool | None = Field(default=None, description="是否合规；默认 deduct 为 0 即合规")

    @property
    def compliant(self) -> bool:
        if self.ok is not None:
            return self.ok
        return self.deduct == 0


class ProfileQuestion(_Model):
    id: Id
    question: str = Field(min_length=1, max_length=limits.QUESTION)
    kind: Kind = "yesno"
    options: tuple[Option, ...] = ()
    min: Number | None = None
    max: Number | None = None
    integer: StrictBool = Field(default=False, description="数值题：只接受整数（几个、几人、几台）")
    help: str | None = Field(default=None, max_length=limits.HELP)

    @model_validator(mode="after")
    def _kind_keys(self) -> ProfileQuestion:
        if self.integer and self.kind != "number":
            raise ValueError(f"{self.kind} 题不能使用：integer（仅用于 number）")
        _check_options(self.kind, self.options)
        return self


class Category(_Model):
    id: Id
    title: str = Field(min_length=1, max_length=limits.TITLE)
    points: NonNegative | None = None
    applies_if: str | None = Field(default=None, max_length=limits.EXPRESSION)
    description: str | None = Field(default=None, max_length=limits.HELP)


# Keys that belong to a check; an item with `question` and no [[item.check]] takes them itself.
CHECK_KEYS = (
    "question",
    "kind",
    "expect",
    "deduct",
    "per",
    "step",
    "max_ok",
    "min_ok",
    "min",
    "max",
    "options",
    "finding",
    "rectify",
    "basis",
    "basis_note",
    "severity",
    "deadline_days",
    "help",
    "veto",
    "stat",
    "rolls_up_to",
)


class Check(_Model):
    id: Id
    question: str = Field(min_length=1, max_length=limits.QUESTION)
    kind: Kind = "yesno"
    expect: StrictBool | None = Field(default=None, description="合规答案（是否题，默认 true）")
    deduct: Deduct | None = Field(default=None, description="固定扣分，或 [最低, 最高] 区间")
    per: NonNegative | None = Field(default=None, description="计数题每起扣分")
    step: Step | None = Field(default=None, description="区间扣分的取值步长（默认 0.5；地方标准常用 0.1、0.25）")
    max_ok: Number | None = None
    min_ok: Number | None = None
    min: Number | None = Field(default=None, description="数值题答案下限（校验用）")
    max: Number | None = Field(
        default=None, description="数值题：答案上限（校验用）；按起扣分的计数题：本检查最多扣多少分"
    )
    integer: StrictBool = Field(default=False, description="数值题：只接受整数（几个、几人、几台）")
    options: tuple[Option, ...] = ()
    finding: str | None = Field(default=None, max_length=limits.FINDING)
    rectify: str | None = Field(default=None, max_length=limits.RECTIFY)
    basis: str | None = Field(default=None, max_length=limits.BASIS, description="依据：可印在文书上的法规条款")
    basis_note: str | None = Field(
        default=None, max_length=limits.BASIS, description="依据的起草说明（如 条款待核实），不印在文书上"
    )
    severity: Severity | None = None
    deadline_days: StrictInt | None = Field(default=None, ge=0, le=3650)
    help: str | None = Field(default=None, max_length=limits.HELP)
    veto: StrictBool = False
    stat: StatKey | None = None
    applies_if: str | None = Field(default=None, max_length=limits.EXPRESSION)
    rolls_up_to: Id | None = Field(
        default=None,
        description="（扩展）内设机构、个人规则集的检查：所涉及的单位级检查项目 id（单位自查自评中汇总于其下）",
    )

    @model_validator(mode="after")
    def _kind_keys(self, info: ValidationInfo) -> Check:
        kind = self.kind
        misplaced: list[str] = []
        if self.expect is not None and kind != "yesno":
            misplaced.append("expect（仅用于 yesno）")
        if self.per is not None and kind != "count":
            misplaced.append("per（仅用于 count）")
        if self.options and kind != "choice":
            misplaced.append("options（仅用于 choice）")
        if self.min is not None and kind != "number":
            misplaced.append("min（仅用于 number）")
        if self.integer and kind != "number":
            misplaced.append("integer（仅用于 number；count 题本就只收整数）")
        if self.max is not None and kind != "number" and not (kind == "count" and self.per is not None):
            misplaced.append("max（用于 number 的答案上限，或按起扣分 per 的扣分上限）")
        if self.step is not None and not isinstance(self.deduct, tuple):
            misplaced.append("step（仅用于区间扣分 deduct = [最低, 最高]）")
        if self.min_ok is not None and kind != "number":
            misplaced.append("min_ok（仅用于 number）")
        if self.max_ok is not None and kind not in ("number", "count"):
            misplaced.append("max_ok（仅用于 count、number）")
        if self.deduct is not None and kind not in ("yesno", "number"):
            hint = "计数题用 per" if kind == "count" else "选择题在 options 中写 deduct"
            misplaced.append(f"deduct（{hint}）")
        if kind in ("text", "date") and (self.veto or self.severity or self.finding):
            misplaced.append("veto/severity/finding（文本、日期题仅作记录，不会不合规）")
        if misplaced:
            raise ValueError(f"{kind} 题不能使用：" + "；".join(misplaced))
        if isinstance(self.deduct, tuple):
            lo, hi = self.deduct
            if lo >= hi:
                raise ValueError(f"区间扣分 [{lo}, {hi}] 的最低值必须小于最高值")
            step = self.deduct_step
            if (hi - lo) % step:
                raise ValueError(
                    f"区间扣分 [{lo}, {hi}] 应为步长 {step} 分的整数倍（可选 {lo}、{lo + step}…{hi}）；"
                    "请调整区间或 step"
                )
        capped = self.kind == "count" and self.max is not None and self.per is not None
        if capped and (self.max <= 0 or self.max < self.per):  # type: ignore[operator]
            raise ValueError(f"max（最多扣 {self.max} 分）应不小于每起扣分 per = {self.per}")
        cap_problem = limits.points_problem(self.max) if capped and not is_frozen(info) else None  # type: ignore[arg-type]
        if cap_problem:
            raise ValueError(f"max（最多扣多少分）{cap_problem}")
        if kind == "count" and self.max_ok is not None and (self.max_ok < 0 or self.max_ok % 1):
            raise ValueError("count 题的 max_ok 应为非负整数")
        if kind == "count" and self.max_ok is not None and self.max_ok > limits.COUNT_MAX:
            raise ValueError(f"count 题的 max_ok 应不大于 {limits.COUNT_MAX}（实际：{self.max_ok}）")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min 不能大于 max")
        _check_options(kind, self.options)
        return self

    @property
    def expected(self) -> bool:
        return True if self.expect is None else self.expect

    @property
    def is_range(self) -> bool:
        return isinstance(self.deduct, tuple)

    @property
    def deduct_step(self) -> Decimal:
        """The increment an inspector chooses a range deduction in."""
        return self.step if self.step is not None else DEFAULT_STEP

    @property
    def per_cap(self) -> Decimal | None:
        """The most a per-occurrence check deducts (每个扣0.1分，最多扣0.5分), if capped."""
        return self.max if self.kind == "count" else None

    @property
    def scorable(self) -> bool:
        """Can this check ever be non-compliant? Text and date checks only record."""
        return self.kind not in ("text", "date")


def _check_options(kind: str, options: tuple[Option, ...]) -> None:
    if kind == "choice":
        if not options:
            raise ValueError("choice 题需要 options = [{value, label, deduct}]")
        values = [o.value for o in options]
        if len(set(values)) != len(values):
            raise ValueError("options 的 value 不能重复")


class Item(_Model):
    id: Id
    category: str = Field(max_length=limits.TITLE)
    title: str = Field(min_length=1, max_length=limits.TITLE)
    points: NonNegative = Decimal(0)
    allow_na: StrictBool = False
    aggravating: StrictBool = Field(default=False, description="加重扣分项：无分值，扣分累加不封顶")
    applies_if: str | None = Field(default=None, max_length=limits.EXPRESSION)
    description: str | None = Field(default=None, max_length=limits.HELP)
    official: Annotated[str, Field(pattern=r"^[0-9]{1,3}$")] | None = Field(
        default=None, description='本项内容对应的官方标准项目序号，如 "32"；本规则集自设的项目不写'
    )
    check: tuple[Check, ...] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        # An item with `question` and no [[item.check]] is one check whose id is the item id.
        if isinstance(data, dict) and "check" not in data and "question" in data:
            data = dict(data)
            check = {key: data.pop(key) for key in CHECK_KEYS if key in data}
            check["id"] = data.get("id")
            data["check"] = [check]
        return data

    @model_validator(mode="after")
    def _aggravating(self) -> Item:
        if self.aggravating and self.points:
            raise ValueError("加重扣分项（aggravating = true）不设分值，请删去 points")
        return self

    @property
    def scored(self) -> bool:
        return self.points > 0 or self.aggravating

    @property
    def is_shorthand(self) -> bool:
        return len(self.check) == 1 and self.check[0].id == self.id


def phrase_names(template: str) -> list[str]:
    """The names in braces in a stat phrase, in order; ValueError when the template is malformed.

    Only plain names: `{value}`, not `{value:>5}`, `{value!r}` or `{value.real}`; `{{` and `}}` are
    literal braces."""
    names: list[str] = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        raise ValueError("花括号不成对（字面的花括号写作 {{ 或 }}）") from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if spec or conversion or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise ValueError(f"{{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}} 不是名称")
        names.append(name)
    return names


class StatDecl(_Model):
    """A figure that `stat = "key"` checks feed: how reports name it and phrase it (`[[stat]]`)."""

    key: StatKey = Field(description="统计键，与检查的 stat 相同")
    label: str = Field(min_length=1, max_length=60, description="统计项名称，如 解散微信工作群")
    unit: str = Field(min_length=1, max_length=4, description="量词，如 个、名、份、台、件")
    phrase: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="年终总结表述的模板，只能用 {value}、{label}、{unit} 和其他统计键，如 整顿解散微信工作群{value}个；"
        "不写则该数字只出现在汇总表中",
    )
    total: StatKey | None = Field(
        default=None, description="（扩展）另一个统计键：本数字是它的一部分（如实名登记的成员是成员总数的一部分）"
    )
    phrase_all: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="（扩展）本数字等于 total 时改用的表述，如 群内{value}名工作人员全部实名制登记备案",
    )

    @model_validator(mode="after")
    def _all_needs_total(self) -> StatDecl:
        if self.phrase_all is not None and self.total is None:
            raise ValueError("phrase_all 需要 total（本数字等于哪个统计键时改用这一表述）")
        if self.total == self.key:
            raise ValueError("total 不能是本统计键自己")
        return self


class Plausibility(_Model):
    """What answers cannot be true together (`[[plausibility]]`): `when` is true for an impossible
    combination; the interview re-asks, import and `score` refuse, naming `checks`."""

    when: str = Field(
        min_length=1, max_length=500, description="不可能成立的答案组合（applies_if 的写法），如 W00e > W00f"
    )
    message: str = Field(min_length=1, max_length=limits.FINDING, description="说明，如 实名登记的人数多于群成员总数")
    checks: tuple[Annotated[str, Field(min_length=1, max_length=64)], ...] = Field(
        min_length=1, description="涉及的问题或检查 id（问答时重新询问、表单中标在旁边）"
    )


class Ruleset(_Model):
    format: Literal[1] = Field(description="本格式版本，目前为 1")
    id: Annotated[str, Field(pattern=RULESET_ID_PATTERN)]
    title: str = Field(min_length=1, max_length=limits.TITLE)
    version: str = Field(min_length=1, max_length=limits.VERSION)
    level: Level = "unit"
    description: str = Field(default="", max_length=limits.HELP)
    basis: tuple[Annotated[str, Field(min_length=1, max_length=limits.BASIS)], ...] = ()
    notice_title: str | None = Field(
        default=None, max_length=limits.TITLE, description="（扩展）整改通知书标题，默认 保密检查整改通知书"
    )
    subject: str = Field(
        default="单位", min_length=1, max_length=30, description="检查对象的名称，用于汇总和年终总结表述，如 打字复印店"
    )
    subject_unit: str = Field(
        default="家", max_length=4, description="（扩展）检查对象的量词：11家打字复印店、11个内设机构、11名干部职工"
    )
    default_mode: Literal["inspection", "self"] | None = Field(
        default=None,
        description="（扩展）逐题问答的默认方式：self 为自查自评规则集（单位、内设机构、个人自查），"
        "除非加 --inspection 都按自查开始；不写则有检查人员时为检查",
    )
    activity: str | None = Field(
        default=None,
        min_length=1,
        max_length=30,
        description="（扩展）年终总结表述中这类检查的名称，如 微信工作群专项检查；默认为标题",
    )
    scoring: Scoring = Scoring()
    profile: tuple[ProfileQuestion, ...] = ()
    category: tuple[Category, ...] = ()
    item: tuple[Item, ...] = Field(min_length=1)
    stat: tuple[StatDecl, ...] = Field(
        default=(), description="统计项：带 stat 的检查汇总成的数字，及其名称、量词和表述"
    )
    general_requirements: tuple[Annotated[str, Field(min_length=1, max_length=limits.RECTIFY)], ...] | None = Field(
        default=None, description="整改通知书的总体要求，替换默认表述（如适用于店铺、企业的措辞）"
    )
    plausibility: tuple[Plausibility, ...] = Field(
        default=(), description="不可能同时成立的答案（如部分大于整体）：问答时重新询问，导入和评分时拒绝"
    )

    # --- lookups, built once (models are frozen) -----------------------------------------------

    @cached_property
    def checks(self) -> dict[str, tuple[Item, Check]]:
        return {c.id: (i, c) for i in self.item for c in i.check}

    @cached_property
    def items_by_id(self) -> dict[str, Item]:
        return {i.id: i for i in self.item}

    @cached_property
    def categories_by_id(self) -> dict[str, Category]:
        return {c.id: c for c in self.category}

    @cached_property
    def items_by_category(self) -> dict[str, tuple[Item, ...]]:
        grouped: dict[str, list[Item]] = {}
        for item in self.item:
            grouped.setdefault(item.category, []).append(item)
        return {cat: tuple(items) for cat, items in grouped.items()}

    @cached_property
    def profile_by_id(self) -> dict[str, ProfileQuestion]:
        return {p.id: p for p in self.profile}

    @cached_property
    def stats_by_key(self) -> dict[str, StatDecl]:
        return {s.key: s for s in self.stat}

    @property
    def scored_points(self) -> Decimal:
        return sum((i.points for i in self.item), Decimal(0))

    def severity_of(self, item: Item, check: Check) -> Severity:
        if check.severity is not None:
            return check.severity
        return "critical" if (check.veto or item.aggravating) else "general"

    def deadline_of(self, check: Check) -> int:
        return self.scoring.deadline_days if check.deadline_days is None else check.deadline_days

    @cached_property
    def conditions(self) -> dict[tuple[str, str], Predicate]:
        """Compiled `applies_if` of every category, item and check that has one.

        Keys are ("category" | "item" | "check", id). Validation has already parsed each
        expression, so a syntax error here means the model was built without validation.
        """
        compiled: dict[tuple[str, str], Predicate] = {}
        for cat in self.category:
            if cat.applies_if:
                compiled["category", cat.id] = compile_expr(parse(cat.applies_if))
        for item in self.item:
            if item.applies_if:
                compiled["item", item.id] = compile_expr(parse(item.applies_if))
            for chk in item.check:
                if chk.applies_if:
                    compiled["check", chk.id] = compile_expr(parse(chk.applies_if))
        return compiled
