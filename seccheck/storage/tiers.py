"""Departments and people of a unit, and which of them an audit is for (forms.md §4)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from seccheck.storage.tables import AuditTier, Department, Person


def departments(session: Session, unit_id: int, *, active_only: bool = True) -> list[Department]:
    query = select(Department).where(Department.unit_id == unit_id)
    if active_only:
        query = query.where(Department.active.is_(True))
    return list(session.scalars(query.order_by(Department.id)))


def department(session: Session, unit_id: int, name: str) -> Department | None:
    """The department of this unit of this name, or of which it is a former name (active or not)."""
    found = session.scalars(select(Department).where(Department.unit_id == unit_id, Department.name == name)).first()
    if found is not None:
        return found
    for dept in departments(session, unit_id, active_only=False):
        if name in (dept.former_names or []):
            return dept
    return None


def people(session: Session, unit_id: int, *, active_only: bool = True) -> list[Person]:
    query = select(Person).where(Person.unit_id == unit_id)
    if active_only:
        query = query.where(Person.active.is_(True))
    return list(session.scalars(query.order_by(Person.id)))


def tier_of(session: Session, audit_id: int) -> AuditTier | None:
    return session.get(AuditTier, audit_id)


def set_tier(session: Session, audit_id: int, department_id: int | None, person_id: int | None) -> None:
    """Record (once) whose audit this is; an audit keeps the department it was first answered in."""
    if session.get(AuditTier, audit_id) is None:
        session.add(AuditTier(audit_id=audit_id, department_id=department_id, person_id=person_id))


def tiers_of(session: Session, audit_ids: list[int]) -> dict[int, AuditTier]:
    if not audit_ids:
        return {}
    return {t.audit_id: t for t in session.scalars(select(AuditTier).where(AuditTier.audit_id.in_(audit_ids)))}
