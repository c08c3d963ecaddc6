"""Option types shared by every command, so a value is read the same way everywhere."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click


class DateType(click.ParamType):  # type: ignore[type-arg]
    """An ISO date (2026-11-20); anything else is a usage error naming the option, never a crash."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"应为日期，如 2026-11-20（实际：{value!r}）", param, ctx)


DATE = DateType()
