"""The rectification lifecycle (records.md §2): states, allowed transitions, due dates, overdue. Pure."""

from __future__ import annotations

import datetime as dt
from typing import Literal

State = Literal["open", "reported", "verified", "rejected", "withdrawn"]
STATE_LABELS = {"open": "待整改", "reported": "已报告", "verified": "已核实", "rejected": "退回", "withdrawn": "已撤销"}
# Which states each action may start from.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "report": ("open", "rejected"),
    "verify": ("reported",),  # a re-inspection verifies whatever it finds fixed
    "reject": ("reported",),
}
ACTION_LABELS = {"report": "报告整改情况", "verify": "核实", "reject": "退回"}
# Counted as problems in figures; a withdrawn finding was never a problem.
ACTIVE: tuple[str, ...] = ("open", "reported", "verified", "rejected")
UNRESOLVED: tuple[str, ...] = ("open", "reported", "rejected")

DeadlineFrom = Literal["notice", "audit"]


def is_overdue(state: str, due: dt.date, today: dt.date) -> bool:
    """Not verified and past its due date (records.md §2); a withdrawn finding is never overdue."""
    return state in UNRESOLVED and today > due


def due_date(days: int, *, audit_date: dt.date, issued: dt.date, deadline_from: DeadlineFrom) -> dt.date:
    """The due date of a finding: `days` after the notice is issued (or after the audit, if the workspace
    says so), and never before the notice date."""
    base = audit_date if deadline_from == "audit" else issued
    return max(base + dt.timedelta(days=days), issued)
