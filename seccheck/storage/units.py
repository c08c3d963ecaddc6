"""Units: one row per real unit; former names kept as aliases (rename, merge)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seccheck.domain.listing import UnitInfo
from seccheck.storage.tables import Audit, CampaignUnit, Unit, UnitAlias


def get(session: Session, unit_id: int) -> Unit:
    found = session.get(Unit, unit_id)
    assert found is not None, unit_id  # ids come from the same transaction
    return found


def by_name(session: Session, name: str) -> Unit | None:
    return session.scalars(select(Unit).where(Unit.name == name)).first()


def resolve(session: Session, name: str) -> tuple[Unit | None, bool]:
    """The unit of this name, or of which it is a former name; and whether it was a former name."""
    unit = by_name(session, name)
    if unit is not None:
        return unit, False
    alias = session.get(UnitAlias, name)
    return (session.get(Unit, alias.unit_id), True) if alias is not None else (None, False)


def lock(session: Session, unit_id: int) -> None:
    """Serialise the making of audits for one unit (PostgreSQL row lock; SQLite writers are serial already)."""
    session.execute(select(Unit.id).where(Unit.id == unit_id).with_for_update())


def names(session: Session) -> list[str]:
    return list(session.scalars(select(Unit.name).order_by(Unit.id)))


def add(session: Session, name: str, *, at: dt.datetime, code: str = "", kind: str = "", contact: str = "") -> Unit:
    unit = Unit(name=name, code=code, kind=kind, contact=contact, created_at=at)
    session.add(unit)
    session.flush()
    return unit


def rename(session: Session, unit: Unit, new_name: str) -> None:
    old = unit.name
    # Row by row, not a bulk statement: the ledger records every sealed row that changes.
    taken = session.get(UnitAlias, new_name)
    if taken is not None:
        session.delete(taken)
    unit.name = new_name
    session.flush()
    session.add(UnitAlias(name=old, unit_id=unit.id))


def merge(session: Session, source: Unit, target: Unit) -> int:
    """Move everything of `source` to `target`; `source`'s names become aliases of `target`."""
    # Row by row, not bulk statements: the ledger records every sealed row that changes.
    audits = session.scalars(select(Audit).where(Audit.unit_id == source.id)).all()
    for audit in audits:
        audit.unit_id = target.id
    moved = len(audits)
    target_campaigns = set(session.scalars(select(CampaignUnit.campaign_id).where(CampaignUnit.unit_id == target.id)))
    for link in session.scalars(select(CampaignUnit).where(CampaignUnit.unit_id == source.id)).all():
        if link.campaign_id not in target_campaigns:
            session.add(CampaignUnit(campaign_id=link.campaign_id, unit_id=target.id))
        session.delete(link)
    for alias in session.scalars(select(UnitAlias).where(UnitAlias.unit_id == source.id)).all():
        alias.unit_id = target.id
    name = source.name
    session.flush()
    session.delete(source)
    session.flush()
    session.add(UnitAlias(name=name, unit_id=target.id))
    return moved


def listing(session: Session) -> list[UnitInfo]:
    counts = dict(
        session.execute(
            select(Audit.unit_id, func.count()).where(Audit.status == "final").group_by(Audit.unit_id)
        ).all()
    )
    return [
        UnitInfo(u.id, u.name, u.code, u.kind, u.contact, counts.get(u.id, 0))
        for u in session.scalars(select(Unit).order_by(Unit.id))
    ]
