"""Writing many new final audits in one transaction: Core bulk inserts, each statement compiled once.

The use case (seccheck.app.imports) computes everything first — scores, seals, findings and their
deadlines — and hands the rows over here; nothing written is read back. Bulk statements bypass the
ORM's flush, so the rows of sealed tables are handed to the ledger explicitly (`ledger.record_rows`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from seccheck.domain.ledger import canonical
from seccheck.storage import ledger
from seccheck.storage import tables as t
from seccheck.storage.bulk import insert_rows

_UNITS: Table = t.Unit.__table__  # type: ignore[assignment]
_AUDITS: Table = t.Audit.__table__  # type: ignore[assignment]
_ANSWERS: Table = t.AnswerRow.__table__  # type: ignore[assignment]
_REVISIONS: Table = t.AuditRevision.__table__  # type: ignore[assignment]
_FINDINGS: Table = t.FindingRow.__table__  # type: ignore[assignment]
_RECTIFICATIONS: Table = t.Rectification.__table__  # type: ignore[assignment]
_EVENTS: Table = t.Event.__table__  # type: ignore[assignment]
_SUBMISSIONS: Table = t.Submission.__table__  # type: ignore[assignment]


@dataclass
class NewFinding:
    check_id: str
    item_id: str
    category_id: str
    text: str
    deduction: Decimal
    severity: str
    due: dt.date
    deadline_days: int | None


@dataclass
class NewAudit:
    """A new final audit (revision 1) as computed before anything is written."""

    audit: dict[str, Any]  # the `audits` columns but id and chain_id
    answers: list[dict[str, Any]]  # the `answers` columns but audit_id
    revision: dict[str, Any]  # the `audit_revisions` columns but audit_id
    findings: list[NewFinding]
    created: dict[str, Any]  # the audit.created event's detail
    finalised: dict[str, Any]  # the audit.finalised event's detail
    submission: dict[str, Any]  # the `submissions` columns but audit_id
    id: int = 0  # set once written
    finding_ids: list[int] = field(default_factory=list)


def _insert(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """One executemany INSERT."""
    insert_rows(session.connection(), table, rows)


def _insert_returning_ids(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """One executemany INSERT (… RETURNING id); the ids in the order of `rows`."""
    if not rows:
        return []
    if session.get_bind().dialect.name == "sqlite":
        # SQLite cannot return ids in the order of the rows of one statement, so SQLAlchemy would
        # insert row by row. The transaction holds the write lock (BEGIN IMMEDIATE): the ids are
        # the ones SQLite gives (one more than the largest; no AUTOINCREMENT), set here.
        first = (session.execute(select(func.max(table.c.id))).scalar() or 0) + 1
        ids = list(range(first, first + len(rows)))
        _insert(session, table, [{**row, "id": row_id} for row, row_id in zip(rows, ids, strict=True)])
        return ids
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [row[0] for row in session.execute(statement, list(rows))]


def _events(at: dt.datetime, actor: str, action: str, audit_id: int | None, detail: dict[str, Any]) -> dict[str, Any]:
    return {"at": at, "actor": actor, "action": action, "audit_id": audit_id, "detail": detail}


def existing_submissions(session: Session, digests: Sequence[str]) -> dict[str, tuple[int, str]]:
    """Of these submission digests, those already imported: digest -> (audit id, audit status)."""
    if not digests:
        return {}
    query = (
        select(t.Submission.digest, t.Audit.id, t.Audit.status)
        .join(t.Audit, t.Audit.id == t.Submission.audit_id)
        .where(t.Submission.digest.in_(list(digests)))
    )
    found = {digest: (audit_id, status) for digest, audit_id, status in session.execute(query)}
    # An import record deleted behind seccheck's back is still in the ledger: the same content stays
    # recognised (as `storage.audits.submission` does one at a time), and `verify` reports the deletion.
    missing = {canonical([d]): d for d in digests if d not in found}
    if missing:
        latest: dict[str, dict[str, Any] | None] = {}
        entries = session.execute(
            select(t.LedgerEntry.row_key, t.LedgerEntry.content)
            .where(t.LedgerEntry.table_name == "submissions", t.LedgerEntry.row_key.in_(list(missing)))
            .order_by(t.LedgerEntry.position)
        )
        for row_key, content in entries:
            latest[row_key] = json.loads(content)["row"]
        audits = {key: row["audit_id"] for key, row in latest.items() if row and row.get("audit_id") is not None}
        if audits:
            by_id = select(t.Audit.id, t.Audit.status).where(t.Audit.id.in_(list(audits.values())))
            statuses = {audit_id: status for audit_id, status in session.execute(by_id)}
            for key, audit_id in audits.items():
                if audit_id in statuses:
                    found[missing[key]] = (audit_id, statuses[audit_id])
    return found


def add_units(session: Session, names: Sequence[str], *, at: dt.datetime, actor: str) -> dict[str, int]:
    """New units by name (each with its unit.added event); their ids by name."""
    if not names:
        return {}
    ledger.note_actor(session, at=at.isoformat(), actor=actor)
    rows: list[dict[str, Any]] = [
        {"name": name, "code": "", "kind": "", "contact": "", "created_at": at} for name in names
    ]
    ids = dict(zip(names, _insert_returning_ids(session, _UNITS, rows), strict=True))
    for row in rows:
        row["id"] = ids[row["name"]]
    events = [_events(at, actor, "unit.added", None, {"name": name, "unit": ids[name]}) for name in names]
    for event, event_id in zip(events, _insert_returning_ids(session, _EVENTS, events), strict=True):
        event["id"] = event_id
    ledger.record_rows(session, "units", rows)
    ledger.record_rows(session, "events", events)
    return ids


def known_units(session: Session, names: Sequence[str]) -> dict[str, tuple[int, str]]:
    """Of these names, those of a unit or a unit's former name: name -> (unit id, its current name)."""
    found = {
        name: (unit_id, name)
        for unit_id, name in session.execute(select(t.Unit.id, t.Unit.name).where(t.Unit.name.in_(list(names))))
    }
    rest = [n for n in names if n not in found]
    if rest:
        query = (
            select(t.UnitAlias.name, t.Unit.id, t.Unit.name)
            .join(t.Unit, t.Unit.id == t.UnitAlias.unit_id)
            .where(t.UnitAlias.name.in_(rest))
        )
        found |= {alias: (unit_id, name) for alias, unit_id, name in session.execute(query)}
    return found


def lock_units(session: Session, unit_ids: Sequence[int]) -> None:
    """Serialise the making of audits for these units (PostgreSQL row locks; SQLite writers are serial)."""
    if unit_ids:
        session.execute(select(t.Unit.id).where(t.Unit.id.in_(sorted(unit_ids))).with_for_update())


def write_new_audits(session: Session, audits: Sequence[NewAudit], *, at: dt.datetime, actor: str) -> None:
    """Insert the audits with their answers, sealed revision, findings, rectifications, events and
    submissions; record the sealed rows in the ledger (appended when the transaction commits)."""
    if not audits:
        return
    ledger.note_actor(session, at=at.isoformat(), actor=actor)
    ids = _insert_returning_ids(session, _AUDITS, [a.audit for a in audits])
    for audit, audit_id in zip(audits, ids, strict=True):
        audit.id = audit_id
    # An original audit is the start of its own chain.
    session.execute(update(_AUDITS).where(_AUDITS.c.id.in_(ids)).values(chain_id=_AUDITS.c.id))
    _insert(session, _ANSWERS, [{**row, "audit_id": a.id} for a in audits for row in a.answers])
    revisions = [{**a.revision, "audit_id": a.id} for a in audits]
    _insert(session, _REVISIONS, revisions)
    findings = [
        {"audit_id": a.id, **vars(f)}  # the dataclass's fields are the columns
        for a in audits
        for f in a.findings
    ]
    finding_ids = _insert_returning_ids(session, _FINDINGS, findings)
    for row, finding_id in zip(findings, finding_ids, strict=True):
        row["id"] = finding_id
    rectifications = [
        {"finding_id": row["id"], "state": "open", "due": row["due"], "report_evidence": [], "updated_at": at}
        | {"updated_by": actor}
        for row in findings
    ]
    for row, rect_id in zip(
        rectifications, _insert_returning_ids(session, _RECTIFICATIONS, rectifications), strict=True
    ):
        row["id"] = rect_id
    # The events of each audit in the order the one-by-one path writes them.
    events: list[dict[str, Any]] = []
    position = 0
    for a in audits:
        events.append(_events(at, actor, "audit.created", a.id, a.created))
        for f in a.findings:
            finding_id = findings[position]["id"]
            position += 1
            a.finding_ids.append(finding_id)
            detail = {"finding": finding_id, "check": f.check_id, "revision": 1}
            events.append(_events(at, actor, "finding.opened", a.id, detail))
        events.append(_events(at, actor, "audit.finalised", a.id, a.finalised))
    for row, event_id in zip(events, _insert_returning_ids(session, _EVENTS, events), strict=True):
        row["id"] = event_id
    submissions = [{**a.submission, "audit_id": a.id} for a in audits]
    _insert(session, _SUBMISSIONS, submissions)
    # What the flush hook would have recorded for the same rows, as written.
    ledger.record_rows(session, "audits", [{**a.audit, "id": a.id, "chain_id": a.id} for a in audits])
    ledger.record_rows(session, "audit_revisions", revisions)
    ledger.record_rows(session, "findings", findings)
    ledger.record_rows(session, "rectifications", rectifications)
    ledger.record_rows(session, "events", events)
    ledger.record_rows(session, "submissions", submissions)
