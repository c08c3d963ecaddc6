"""Issued offline forms (forms.md §1): queries only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seccheck.storage.tables import Campaign, IssuedForm, Unit


def next_serial(session: Session, year: int) -> int:
    last = session.scalar(select(func.max(IssuedForm.serial)).where(IssuedForm.year == year))
    return (last or 0) + 1


def add(session: Session, form: IssuedForm) -> IssuedForm:
    session.add(form)
    session.flush()
    return form


def by_number(session: Session, number: str) -> IssuedForm | None:
    return session.scalars(select(IssuedForm).where(IssuedForm.number == number)).first()


@dataclass(frozen=True)
class FormRow:
    number: str
    unit: str
    campaign: str | None
    ruleset_id: str
    ruleset_version: str
    issued_on: dt.date
    due: dt.date | None
    returned_on: dt.date | None
    audit_id: int | None
    file_name: str


def listing(session: Session, campaign_id: int | None = None) -> list[FormRow]:
    query = (
        select(IssuedForm, Unit.name, Campaign.name)
        .join(Unit, Unit.id == IssuedForm.unit_id)
        .outerjoin(Campaign, Campaign.id == IssuedForm.campaign_id)
        .order_by(IssuedForm.year, IssuedForm.serial)
    )
    if campaign_id is not None:
        query = query.where(IssuedForm.campaign_id == campaign_id)
    return [
        FormRow(
            number=f.number,
            unit=unit,
            campaign=campaign,
            ruleset_id=f.ruleset_id,
            ruleset_version=f.ruleset_version,
            issued_on=f.issued_on,
            due=f.due,
            returned_on=f.returned_on,
            audit_id=f.audit_id,
            file_name=f.file_name,
        )
        for f, unit, campaign in session.execute(query)
    ]
