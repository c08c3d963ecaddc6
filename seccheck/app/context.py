"""What every use case is given explicitly: who acts, what time it is, the workspace and database.

Nothing below the CLI reads the login name or the system clock on its own, so tests (and a
recorded session) can fix both.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from seccheck import limits
from seccheck.storage.db import Database
from seccheck.storage.workspace import Workspace


class Clock(Protocol):
    def now(self) -> dt.datetime: ...

    def today(self) -> dt.date: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def today(self) -> dt.date:
        # The office's own calendar day: notices are dated in local time.
        return dt.date.today()


@dataclass(frozen=True)
class FixedClock:
    day: dt.date

    def now(self) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time(9, 0), tzinfo=dt.UTC)

    def today(self) -> dt.date:
        return self.day


def current_actor() -> str:
    """Who is acting: SECCHECK_USER if set (an inspector's name), else the login name.

    It is recorded with every change, so it is held to a person's name limits (docs/limits.md)."""
    source = "环境变量 SECCHECK_USER" if os.environ.get("SECCHECK_USER") else "登录名"
    try:
        actor = os.environ.get("SECCHECK_USER") or getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "unknown"
    problem = limits.name_problem(actor) or limits.text_problem(actor, limits.PERSON, required=True)
    if problem:
        from seccheck.errors import BadInput, Problem

        raise BadInput([Problem(f"操作人（{source}）{problem}；请用 SECCHECK_USER 设置检查人员姓名", field="actor")])
    return actor


@dataclass(frozen=True)
class Context:
    actor: str
    workspace: Workspace
    db: Database
    clock: Clock = field(default_factory=SystemClock)

    def at(self) -> dt.datetime:
        """Now, as stored in records (to the second, timezone-aware)."""
        return self.clock.now().replace(microsecond=0)

    def today(self) -> dt.date:
        return self.clock.today()

    def output_dir(self, out_dir: Path | None) -> Path:
        """Where a document goes: `out_dir`, else the workspace's reports/ (not in a read-only copy)."""
        if out_dir is not None:
            return out_dir
        if self.db.readonly is not None:
            from seccheck.errors import EnvironmentProblem, Problem

            raise EnvironmentProblem(
                [Problem("工作区是只读的，文件不能写入它的 reports 目录：请用 --out 指定一个可写的目录", field="out")]
            )
        return self.workspace.reports


TODAY_ENV = "SECCHECK_TODAY"


def clock_from_environment() -> Clock:
    """The system clock, or a fixed day from SECCHECK_TODAY (for tests and reproducible demos)."""
    fixed = os.environ.get(TODAY_ENV)
    if fixed:
        try:
            return FixedClock(dt.date.fromisoformat(fixed))
        except ValueError:
            from seccheck.errors import BadInput, Problem

            raise BadInput([Problem(f"环境变量 {TODAY_ENV} 应为日期，如 2026-11-20（实际：{fixed!r}）")]) from None
    return SystemClock()


def open_context(workspace_dir: Path | None, db_url: str | None) -> Context:
    """The workspace in `workspace_dir` (or found upwards from the current folder), its database open."""
    from seccheck.storage.workspace import find_workspace, open_workspace

    workspace = open_workspace(workspace_dir.resolve(), db_url) if workspace_dir else find_workspace(None, db_url)
    clock = clock_from_environment()
    db = Database(workspace.db_url, create=False, key_file=workspace.key_file)
    return Context(actor=current_actor(), workspace=workspace, db=db, clock=clock)
