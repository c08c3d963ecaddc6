"""Notice numbers (发文字号, gapless per issuer and year, never reused) and the documents written."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seccheck.storage.tables import Document, NoticeNumber


def number_of(session: Session, audit_id: int) -> NoticeNumber | None:
    """The audit's notice number: the first it was given, kept for good."""
    return session.scalars(
        select(NoticeNumber).where(NoticeNumber.audit_id == audit_id).order_by(NoticeNumber.id)
    ).first()


def next_number(session: Session, audit_id: int, issuer: str, day: dt.date) -> NoticeNumber:
    """The next number of the year, taken inside the caller's transaction. A second process taking
    the same number at once hits the unique constraint, and the caller's transaction retries."""
    last = session.scalar(
        select(func.max(NoticeNumber.number)).where(NoticeNumber.issuer == issuer, NoticeNumber.year == day.year)
    )
    row = NoticeNumber(issuer=issuer, year=day.year, number=(last or 0) + 1, audit_id=audit_id, issued_at=day)
    session.add(row)
    session.flush()
    return row


def issued_on(row: NoticeNumber) -> dt.date:
    return row.issued_at


def document(session: Session, audit_id: int, kind: str, revision: int) -> Document | None:
    return session.scalars(
        select(Document)
        .where(Document.audit_id == audit_id, Document.kind == kind, Document.revision == revision)
        .order_by(Document.id.desc())
    ).first()


def latest_document(session: Session, audit_id: int, kind: str) -> Document | None:
    return session.scalars(
        select(Document)
        .where(Document.audit_id == audit_id, Document.kind == kind)
        .order_by(Document.revision.desc(), Document.id.desc())
    ).first()


def first_document(session: Session, audit_id: int, kind: str) -> Document | None:
    return session.scalars(
        select(Document).where(Document.audit_id == audit_id, Document.kind == kind).order_by(Document.id)
    ).first()


def record_document(
    session: Session,
    *,
    audit_id: int,
    kind: str,
    revision: int,
    number_id: int | None,
    path: str,
    sha256: str,
    anchor: tuple[int, str],
    actor: str,
    at: dt.datetime,
) -> None:
    session.add(
        Document(
            audit_id=audit_id,
            kind=kind,
            revision=revision,
            number_id=number_id,
            path=path,
            sha256=sha256,
            anchor_position=anchor[0],
            anchor_digest=anchor[1],
            created_by=actor,
            created_at=at,
        )
    )


def numbers_of(session: Session, audit_id: int) -> list[NoticeNumber]:
    return list(
        session.scalars(select(NoticeNumber).where(NoticeNumber.audit_id == audit_id).order_by(NoticeNumber.id))
    )


def register(session: Session, year: int | None = None) -> list[tuple[NoticeNumber, str, str]]:
    """Every notice number taken (of the year), with its audit's unit and status, in order."""
    from seccheck.storage.tables import Audit, Unit

    query = (
        select(NoticeNumber, Unit.name, Audit.status)
        .join(Audit, Audit.id == NoticeNumber.audit_id)
        .join(Unit, Unit.id == Audit.unit_id)
        .order_by(NoticeNumber.issuer, NoticeNumber.year, NoticeNumber.number)
    )
    if year is not None:
        query = query.where(NoticeNumber.year == year)
    return [(n, unit, status) for n, unit, status in session.execute(query).all()]
