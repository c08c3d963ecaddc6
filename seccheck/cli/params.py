"""Option types shared by every command, so a value is read the same way everywhere."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
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


# Options every command that writes a document or report has, worded once.
OUT_DIR = click.option(
    "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="输出目录（默认 reports/）。"
)
ALLOW_MISSING_GLYPHS = click.option(
    "--allow-missing-glyphs", is_flag=True, help="即使有字符在字体中找不到（会印成方框）也照样输出。"
)
