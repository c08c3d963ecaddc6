"""Answers (spec §4): the model of an answers file or interview. Reading files is in seccheck.io.answersfile,
checking answers against a ruleset in seccheck.domain.validate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from seccheck import limits
from seccheck.domain.formfile import FormStamp
from seccheck.errors import shortened
from seccheck.ruleset.fields import POINTS_SCHEMA

if TYPE_CHECKING:
    pass

# What an answer can hold: yes/no, a count, a number, a choice or text, a date.
AnswerValue = bool | int | Decimal | str | dt.date
Mode = Literal["inspection", "self"]
MODE_LABELS = {"inspection": "检查", "self": "自查"}
NA = "na"
FIRST_YEAR, LAST_YEAR = 1950, 2200


def _one_line(text: str) -> str:
    problem = limits.control_problem(text)
    if problem:
        raise ValueError(problem)
    return text


def _name(text: str) -> str:
    problem = limits.name_problem(text) or limits.text_problem(text, len(text), required=True)
    if problem:
        raise ValueError(problem)
    return text


def _paragraph(text: str) -> str:
    problem = limits.control_problem(text, multiline=True)
    if problem:
        raise ValueError(problem)
    return text


def _points(value: Any) -> Decimal:
    # As in rulesets: a number, never a quoted one ("0.5") or a boolean.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"应为数字（不带引号）（实际：{shortened(repr(value))}）")
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    problem = limits.points_problem(number)
    if problem:
        raise ValueError(problem)
    return number


# Text as stored (records.md §6): names, versions and paths are one line; notes may break lines.
OneLine = AfterValidator(_one_line)
Name = AfterValidator(_name)  # a name a person types: no invisible or direction-changing characters either
Paragraph = AfterValidator(_paragraph)


def check_value(value: AnswerValue) -> AnswerValue:
    """An answer value within the stated limits (docs/limits.md): numbers finite, |x| < 10^12 with at
    most 4 decimals; text without control characters but line breaks and tabs, at most TEXT_ANSWER
    characters. Raises ValueError saying what is wrong. (Counts are bounded by the check's kind, in
    seccheck.domain.validate.)"""
    if isinstance(value, bool | dt.date):
        return value
    if isinstance(value, int | Decimal):
        problem = limits.number_problem(value)
        if problem:
            raise ValueError(problem)
        return value
    if len(value) > limits.TEXT_ANSWER:
        raise ValueError(f"文字答案过长：上限 {limits.TEXT_ANSWER} 字（实际 {len(value)} 字）")
    return _paragraph(value)


class Answer(BaseModel):
    """One answer. `na` is 不适用; `deduct` is the amount chosen within a range deduction."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: Annotated[
        AnswerValue | None,
        WithJsonSchema(
            {"anyOf": [{"type": "boolean"}, {"type": "number"}, {"type": "string"}]},
        ),
    ] = Field(default=None, description="答案：true/false、数字、文字、选项值或日期")
    na: StrictBool = Field(default=False, description='不适用（也可写作 "ID" = "na"）')
    deduct: Annotated[Decimal, PlainValidator(_points), WithJsonSchema(POINTS_SCHEMA)] | None = Field(
        default=None, description="区间扣分时检查人员酌定的扣分"
    )
    note: Annotated[str, Field(max_length=limits.NOTE), Paragraph] | None = None
    evidence: Annotated[
        tuple[Annotated[str, Field(min_length=1, max_length=limits.EVIDENCE_PATH), OneLine], ...],
        Field(max_length=limits.EVIDENCES),
    ] = ()

    @field_validator("value", mode="plain")
    @classmethod
    def _value(cls, value: Any) -> Any:
        # Plain: keep the TOML type as it is (true stays a bool, 2 stays an int).
        if value is None:
            return value
        if isinstance(value, dt.datetime | dt.time):
            raise ValueError("应为日期（不带时间）")
        if isinstance(value, float):
            value = Decimal(str(value))
        if isinstance(value, bool | int | Decimal | str | dt.date):
            return check_value(value)
        raise ValueError(f"答案应为 true/false、数字、字符串或日期（实际：{shortened(repr(value))}）")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        # `"1a" = true` and `"7" = "na"` are shorthand for the table form.
        if isinstance(data, dict):
            if data.get("value") == NA:
                data = {k: v for k, v in data.items() if k != "value"} | {"na": True}
            return data
        if data == NA:
            return {"na": True}
        return {"value": data}


class Answers(BaseModel):
    """An answers file: who was inspected, when, by whom, and the answers by id."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal[1]
    ruleset: Annotated[str, Field(min_length=1, max_length=limits.EVIDENCE_PATH), OneLine]
    ruleset_version: Annotated[str, Field(max_length=limits.VERSION), OneLine] | None = None
    unit: Annotated[str, Field(min_length=1, max_length=limits.NAME), OneLine, Name]
    department: Annotated[str, Field(min_length=1, max_length=limits.NAME), OneLine, Name] | None = Field(
        default=None, description="（扩展）内设机构：内设机构自查、个人自查时填写，须已登记在该单位"
    )
    person: Annotated[str, Field(min_length=1, max_length=limits.NAME), OneLine, Name] | None = Field(
        default=None, description="（扩展）个人自查的人员：工号，或单位内唯一的姓名，须已登记在该单位"
    )
    date: dt.date
    mode: Mode = "self"
    inspectors: Annotated[
        tuple[Annotated[str, Field(min_length=1, max_length=limits.PERSON), OneLine, Name], ...],
        Field(max_length=limits.PEOPLE),
    ] = ()
    methods: Annotated[
        tuple[Annotated[str, Field(min_length=1, max_length=limits.METHOD), OneLine], ...],
        Field(max_length=limits.METHODS),
    ] = Field(default=(), description="（扩展）检查方式，如 查阅资料、现场查看、个别谈话")
    answers: dict[str, Answer] = Field(default_factory=dict)
    form: FormStamp | None = Field(default=None, description="（扩展）离线表单保存的答案文件：表单编号、核验值等")

    @field_validator("date", mode="before")
    @classmethod
    def _date_only(cls, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            raise ValueError("应为日期（不带时间），如 2026-11-20")
        return value

    @field_validator("date")
    @classmethod
    def _plausible(cls, value: dt.date) -> dt.date:
        # Deadlines are counted from it: a year such as 9999 would overflow the calendar.
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValueError(f"检查日期应在 {FIRST_YEAR} 至 {LAST_YEAR} 年之间（实际：{value}）")
        return value
