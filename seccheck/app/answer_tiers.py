"""Whose self-check an answers file is (forms.md §4, issue 25): the department and the person it names
beside its unit, found in the unit's lists, recorded with the audit (table audit_tiers), and which
audits are the same respondent's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from seccheck.app.context import Context
from seccheck.app.tiers import find_department, find_person, new_department
from seccheck.app.units import clean_name
from seccheck.errors import BadInput, NotFound, Problem
from seccheck.storage import tiers as repo
from seccheck.storage.tables import Audit, Department, Person, Unit

if TYPE_CHECKING:
    from seccheck.domain.answers import Answers


# --- answers files naming a department and a person ----------------------------------------------------

Tier = tuple[int | None, int | None]  # (department id, person id); (None, None) for the unit itself


def tier_of_file(
    session: Session, ctx: Context, unit: Unit, answers: Answers, *, create: bool = False, file: str | None = None
) -> Tier:
    """The department and person an answers file names (forms.md §4), each refused with near names
    when unknown, or, with `create` (import --new-unit), added. A person's audit is recorded in the
    department the file names, else the one the person is in now. Files without them (and old files
    with a combined name in `unit`) are the unit's."""
    if answers.department is None and answers.person is None:
        return None, None
    problems: list[Problem] = []
    dept: Department | None = None
    person: Person | None = None
    if answers.department is not None:
        try:
            dept = find_department(session, unit, answers.department, file=file)
        except NotFound as exc:
            if not create or repo.department(session, unit.id, answers.department) is not None:
                problems += exc.problems
            else:
                dept = new_department(session, ctx, unit, clean_name(answers.department, "department"))
    if answers.person is not None:
        try:
            person = find_person(session, unit, answers.person, file=file)
        except NotFound as exc:
            if create and dept is not None:
                person = Person(
                    unit_id=unit.id,
                    department_id=dept.id,
                    name=clean_name(answers.person, "person"),
                    staff_no="",
                    active=True,
                    created_at=ctx.at(),
                )
                session.add(person)
                session.flush()
            else:
                problems += exc.problems
        except BadInput as exc:
            problems += exc.problems
    if problems:
        raise NotFound(problems)
    if person is not None:
        return (dept.id if dept is not None else person.department_id), person.id
    assert dept is not None
    return dept.id, None


def record_tier(session: Session, audit_id: int, tier: Tier) -> None:
    if tier != (None, None):
        session.flush()
        repo.set_tier(session, audit_id, *tier)


def same_tier(session: Session, audits: list[Audit], tier: Tier) -> list[Audit]:
    """The audits of this tier: of the same person; else of the same department (no person); else the unit's."""
    tiers = repo.tiers_of(session, [a.id for a in audits])

    def key(audit: Audit) -> Tier:
        found = tiers.get(audit.id)
        return (None, None) if found is None else (found.department_id, found.person_id)

    department, person = tier
    if person is not None:
        return [a for a in audits if key(a)[1] == person]
    return [a for a in audits if key(a) == (department, None)]
