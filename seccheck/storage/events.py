"""The event log: who did what, when. Append-only (database triggers refuse UPDATE and DELETE)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from seccheck.domain.seal import canonical
from seccheck.storage import ledger
from seccheck.storage.tables import Event


def record(session: Session, *, at: str, actor: str, action: str, audit_id: int | None = None, **detail: Any) -> None:
    ledger.note_actor(session, at=at, actor=actor)
    session.add(Event(at=at, actor=actor, action=action, audit_id=audit_id, detail=canonical(detail)))


def listing(session: Session, audit_id: int | None = None) -> list[Event]:
    query = select(Event).order_by(Event.id)
    if audit_id is not None:
        query = query.where(Event.audit_id == audit_id)
    return list(session.scalars(query))
