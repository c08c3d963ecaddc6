"""Rectification (整改) of each finding: open -> reported -> verified, or reported -> rejected ->
reported again. Overdue is derived from the due date, never stored. Every change is logged."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from seccheck.errors import InputError, Problem
from seccheck.seal import canonical
from seccheck.storage.db import Database
from seccheck.storage.store import current_actor, find_campaign, log, now
from seccheck.storage.tables import Audit, FindingRow, Rectification, Unit

STATE_LABELS = {"open": "待整改", "reported": "已报告", "verified": "已核实", "rejected": "退回"}
# Which states each action may start from.
TRANSITIONS = {"report": ("open", "rejected"), "verify": ("reported",), "reject": ("reported",)}


def is_overdue(state: str, due: dt.date, today: dt.date) -> bool:
    """Past its due date and not yet reported (or reported and sent back)."""
    return state in ("open", "rejected") and today > due


@dataclass(frozen=True)
class RectificationInfo:
    id: int
    audit_id: int
    unit: str
    check_id: str
    finding: str
    severity: str
    due: dt.date
    state: str
    overdue: bool
    note: str | None
    reason: str | None
    updated_at: str
    updated_by: str


def list_rectifications(
    db: Database,
    *,
    today: dt.date,
    overdue: bool = False,
    unit: str | None = None,
    campaign: str | None = None,
) -> list[RectificationInfo]:
    with db.read() as session:
        query = (
            select(Rectification, FindingRow, Audit, Unit.name)
            .join(FindingRow, FindingRow.id == Rectification.finding_id)
            .join(Audit, Audit.id == FindingRow.audit_id)
            .join(Unit, Unit.id == Audit.unit_id)
            .where(Audit.superseded_by.is_(None))
            .order_by(Rectification.due, Rectification.id)
        )
        if unit:
            query = query.where(Unit.name == unit)
        if campaign:
            query = query.where(Audit.campaign_id == find_campaign(session, campaign).id)
        rows = [
            RectificationInfo(
                r.id,
                a.id,
                unit_name,
                f.check_id,
                f.text,
                f.severity,
                r.due,
                r.state,
                is_overdue(r.state, r.due, today),
                r.report_note,
                r.reason,
                r.updated_at,
                r.updated_by,
            )
            for r, f, a, unit_name in session.execute(query)
        ]
    return [r for r in rows if r.overdue] if overdue else rows


def _change(db: Database, rect_id: int, action: str, **fields: object) -> RectificationInfo:
    actor = current_actor()

    def work(session: Session) -> int:
        rect = session.get(Rectification, rect_id)
        if rect is None:
            raise InputError([Problem(f"找不到整改记录 {rect_id}", field="rectification")])
        allowed = TRANSITIONS[action]
        if rect.state not in allowed:
            wanted = "、".join(STATE_LABELS[s] for s in allowed)
            raise InputError(
                [
                    Problem(
                        f"整改记录 {rect_id} 当前为“{STATE_LABELS[rect.state]}”，"
                        f"只有“{wanted}”的记录才能{_VERBS[action]}",
                        field="rectification",
                    )
                ]
            )
        before = rect.state
        for name, value in fields.items():
            setattr(rect, name, value)
        rect.updated_at = now()
        rect.updated_by = actor
        finding = session.get(FindingRow, rect.finding_id)
        log(
            session,
            f"rectification.{action}",
            actor,
            finding.audit_id if finding else None,
            rectification=rect_id,
            before=before,
            after=rect.state,
            **{k: v for k, v in fields.items() if k in ("report_note", "reason")},
        )
        return rect.id

    db.transaction(work)
    return next(r for r in list_rectifications(db, today=dt.date.today()) if r.id == rect_id)


_VERBS = {"report": "报告整改情况", "verify": "核实", "reject": "退回"}


def report(db: Database, rect_id: int, note: str, evidence: list[str]) -> RectificationInfo:
    if not note.strip():
        raise InputError([Problem("请写明整改情况（--note）", field="note")])
    return _change(
        db, rect_id, "report", state="reported", report_note=note, report_evidence=canonical(evidence), reason=None
    )


def verify(db: Database, rect_id: int) -> RectificationInfo:
    return _change(db, rect_id, "verify", state="verified")


def reject(db: Database, rect_id: int, reason: str) -> RectificationInfo:
    if not reason.strip():
        raise InputError([Problem("请写明退回理由（--reason）", field="reason")])
    return _change(db, rect_id, "reject", state="rejected", reason=reason)
