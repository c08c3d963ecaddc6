"""Issued offline forms (forms.md §1): queries only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seccheck.storage.tables import Campaign, IssuedForm, IssuedFormTier, Unit


def next_serial(session: Session, year: int) -> int:
    last = session.scalar(select(func.max(IssuedForm.serial)).where(IssuedForm.year == year))
    return (last or 0) + 1


def add(session: Session, form: IssuedForm) -> IssuedForm:
    session.add(form)
    session.flush()
    return form


def set_tier(session: Session, tier: IssuedFormTier) -> None:
    session.add(tier)
    session.flush()


def tier_of(session: Session, form_id: int) -> IssuedFormTier | None:
    return session.get(IssuedFormTier, form_id)


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
    department: str = ""  # as written in a form issued per department or per person
    person: str = ""  # the person's name (forms issued per person)
    staff_no: str = ""  # the 工号 written in the form, when the person has one


def listing(session: Session, campaign_id: int | None = None) -> list[FormRow]:
    query = (
        select(IssuedForm, Unit.name, Campaign.name, IssuedFormTier)
        .join(Unit, Unit.id == IssuedForm.unit_id)
        .outerjoin(Campaign, Campaign.id == IssuedForm.campaign_id)
        .outerjoin(IssuedFormTier, IssuedFormTier.form_id == IssuedForm.id)
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
            department=tier.department if tier else "",
            person=tier.person_name if tier else "",
            staff_no=tier.person if tier and tier.person != tier.person_name else "",
        )
        for f, unit, campaign, tier in session.execute(query)
    ]
