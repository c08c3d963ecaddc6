"""Findings and their rectifications: one finding per (audit, check), one rectification per finding."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from seccheck.domain.rectification import is_overdue
from seccheck.domain.result import Finding
from seccheck.errors import not_found
from seccheck.storage.tables import Audit, FindingRow, Rectification, Unit


def of_audit(session: Session, audit_id: int) -> dict[str, tuple[FindingRow, Rectification]]:
    rows = session.execute(
        select(FindingRow, Rectification)
        .join(Rectification, Rectification.finding_id == FindingRow.id)
        .where(FindingRow.audit_id == audit_id)
        .order_by(FindingRow.id)
    ).all()
    return {f.check_id: (f, r) for f, r in rows}


def of_chain(session: Session, chain_id: int, before: int) -> list[tuple[FindingRow, Rectification]]:
    """Findings of the audits of a chain made before audit `before`, in order."""
    rows = session.execute(
        select(FindingRow, Rectification)
        .join(Rectification, Rectification.finding_id == FindingRow.id)
        .join(Audit, Audit.id == FindingRow.audit_id)
        .where(Audit.chain_id == chain_id, Audit.id < before)
        .order_by(FindingRow.id)
    ).all()
    return [(f, r) for f, r in rows]


def open_finding(
    session: Session, audit_id: int, finding: Finding, text: str, due: dt.date, actor: str, at: dt.datetime
) -> FindingRow:
    """`text`: the problem as worded for people (seccheck.text.zh.finding_text), kept for queries and reports."""
    row = FindingRow(
        audit_id=audit_id,
        check_id=finding.check_id,
        item_id=finding.item_id,
        category_id=finding.category_id,
        text=text,
        deduction=finding.deduction,
        severity=finding.severity,
        due=due,
        deadline_days=finding.deadline_days,
    )
    session.add(row)
    session.flush()
    session.add(Rectification(finding_id=row.id, state="open", due=due, updated_at=at, updated_by=actor))
    return row


def update_finding(row: FindingRow, finding: Finding, text: str) -> None:
    """The finding as the latest revision words and scores it; its identity and rectification stay."""
    row.item_id = finding.item_id
    row.category_id = finding.category_id
    row.text = text
    row.deduction = finding.deduction
    row.severity = finding.severity
    row.deadline_days = finding.deadline_days


def set_due(row: FindingRow, rect: Rectification, due: dt.date) -> None:
    row.due = due
    rect.due = due


def rectification(session: Session, rect_id: int) -> tuple[Rectification, FindingRow, Audit]:
    found = session.execute(
        select(Rectification, FindingRow, Audit)
        .join(FindingRow, FindingRow.id == Rectification.finding_id)
        .join(Audit, Audit.id == FindingRow.audit_id)
        .where(Rectification.id == rect_id)
    ).first()
    if found is None:
        step = "请核对编号（seccheck rectify list 列出全部整改记录）"
        raise not_found(f"找不到整改记录 {rect_id}；{step}", field="rectification")
    return found[0], found[1], found[2]


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
    updated_at: str  # ISO 8601, UTC
    updated_by: str


def listing(
    session: Session,
    *,
    today: dt.date,
    unit_id: int | None = None,
    campaign_id: int | None = None,
    rect_id: int | None = None,
    include_withdrawn: bool = False,
) -> list[RectificationInfo]:
    query = (
        select(Rectification, FindingRow, Audit, Unit.name)
        .join(FindingRow, FindingRow.id == Rectification.finding_id)
        .join(Audit, Audit.id == FindingRow.audit_id)
        .join(Unit, Unit.id == Audit.unit_id)
        .where(Audit.status == "final")
        .order_by(Rectification.due, Rectification.id)
    )
    if not include_withdrawn:
        query = query.where(Rectification.state != "withdrawn")
    if unit_id is not None:
        query = query.where(Audit.unit_id == unit_id)
    if campaign_id is not None:
        query = query.where(Audit.campaign_id == campaign_id)
    if rect_id is not None:
        query = query.where(Rectification.id == rect_id)
    return [
        RectificationInfo(
            r.id,
            a.id,
            name,
            f.check_id,
            f.text,
            f.severity,
            r.due,
            r.state,
            is_overdue(r.state, r.due, today),
            r.report_note,
            r.reason,
            r.updated_at.isoformat(),
            r.updated_by,
        )
        for r, f, a, name in session.execute(query)
    ]
