"""Answers (spec §4): the model of an answers file or interview. Reading files is in seccheck.io.answersfile,
checking answers against a ruleset in seccheck.domain.validate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from seccheck import limits

if TYPE_CHECKING:
    from seccheck.ruleset.model import Option

# What an answer can hold: yes/no, a count, a number, a choice or text, a date.
AnswerValue = bool | int | Decimal | str | dt.date
Mode = Literal["inspection", "self"]
MODE_LABELS = {"inspection": "检查", "self": "自查"}
NA = "na"
FIRST_YEAR, LAST_YEAR = 1950, 2200


class Answer(BaseModel):
    """One answer. `na` is 不适用; `deduct` is the amount chosen within a range deduction."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: AnswerValue | None = None
    na: bool = False
    deduct: Decimal | None = Field(default=None, ge=0)
    note: Annotated[str, Field(max_length=limits.NOTE)] | None = None
    evidence: Annotated[
        tuple[Annotated[str, Field(min_length=1, max_length=limits.EVIDENCE_PATH)], ...],
        Field(max_length=limits.EVIDENCES),
    ] = ()

    @field_validator("value", mode="plain")
    @classmethod
    def _value(cls, value: Any) -> Any:
        # Plain: keep the TOML type as it is (true stays a bool, 2 stays an int).
        if value is None or isinstance(value, bool | int | Decimal | str | dt.date):
            if isinstance(value, dt.datetime):
                raise ValueError("应为日期（不带时间）")
            if isinstance(value, str) and len(value) > limits.TEXT_ANSWER:
                raise ValueError(f"文字答案过长：上限 {limits.TEXT_ANSWER} 字（实际 {len(value)} 字）")
            return value
        if isinstance(value, float):
            return Decimal(str(value))
        raise ValueError(f"答案应为 true/false、数字、字符串或日期（实际：{value!r}）")

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

    def display(self, options: Sequence[Option] = ()) -> str:
        """The answer as a person reads it: 是/否, 不适用, a choice by its label when `options` are given."""
        if self.na:
            return "不适用"
        return show_value(self.value, options)


def show_value(value: AnswerValue | None, options: Sequence[Option] = ()) -> str:
    if value is None:
        return "（未答）"
    if isinstance(value, str) and (label := next((o.label for o in options if o.value == value), None)):
        return label
    if value is True:
        return "是"
    if value is False:
        return "否"
    return str(value)


class Answers(BaseModel):
    """An answers file: who was inspected, when, by whom, and the answers by id."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal[1]
    ruleset: Annotated[str, Field(min_length=1)]
    ruleset_version: Annotated[str, Field(max_length=limits.VERSION)] | None = None
    unit: Annotated[str, Field(min_length=1, max_length=limits.NAME)]
    date: dt.date
    mode: Mode = "self"
    inspectors: Annotated[
        tuple[Annotated[str, Field(min_length=1, max_length=limits.PERSON)], ...], Field(max_length=limits.PEOPLE)
    ] = ()
    methods: Annotated[
        tuple[Annotated[str, Field(min_length=1, max_length=limits.METHOD)], ...], Field(max_length=limits.METHODS)
    ] = Field(default=(), description="（扩展）检查方式，如 查阅资料、现场查看、个别谈话")
    answers: dict[str, Answer] = Field(default_factory=dict)

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
