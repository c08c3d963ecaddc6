"""The roll-up of a unit's tiers for a year (forms.md §4, issue 25): how many of its departments and
people completed their self-checks, the problems found by check, and the lower tiers' problems under
the unit-level items they bear on (`rolls_up_to` on the lower-tier rulesets' checks).

Counting: a person counts once a year whatever their department (moved or not), a department once
whatever its name, whatever the re-imports and revisions (an audit is one row in its latest revision).
Only final original audits of the year count (not drafts, discarded audits or re-inspections), and
only people and departments still listed are due; a withdrawn finding counts in no figure.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from seccheck.app import views
from seccheck.app.context import Context
from seccheck.app.tiers import unit_named
from seccheck.storage import tiers as tier_repo
from seccheck.storage.audits import ruleset_of
from seccheck.storage.tables import Audit, AuditTier, FindingRow, Rectification

UNIT_RULESET = "unit-self-assessment"


def rollup(ctx: Context, unit_name: str, year: int | None = None) -> views.Rollup:
    year = year or ctx.today().year
    with ctx.db.read() as session:
        return _rollup(session, unit_name, year)


def year_audits(session: Session, unit_id: int, year: int) -> list[Audit]:
    """The audits the roll-up counts: the unit's final original audits dated in the year, every tier."""
    return list(
        session.scalars(
            select(Audit)
            .where(
                Audit.unit_id == unit_id,
                Audit.status == "final",
                Audit.reinspection_of.is_(None),
                Audit.date >= dt.date(year, 1, 1),
                Audit.date <= dt.date(year, 12, 31),
            )
            .order_by(Audit.id)
        )
    )


def _rollup(session: Session, unit_name: str, year: int) -> views.Rollup:
    unit = unit_named(session, unit_name)
    audits = year_audits(session, unit.id, year)
    tiers = {
        t.audit_id: t for t in session.scalars(select(AuditTier).where(AuditTier.audit_id.in_([a.id for a in audits])))
    }
    departments = tier_repo.departments(session, unit.id)
    people = tier_repo.people(session, unit.id)
    listed_departments = {d.id for d in departments}
    listed_people = {p.id for p in people}

    people_done: set[int] = set()
    departments_done: set[int] = set()
    subject: dict[int, tuple[str, int | None, int | None]] = {}  # audit -> (tier, department, person)
    for audit in audits:
        tier = tiers.get(audit.id)
        if tier is None:
            subject[audit.id] = ("unit", None, None)
        elif tier.person_id is not None:
            subject[audit.id] = ("individual", tier.department_id, tier.person_id)
            people_done.add(tier.person_id)
        else:
            subject[audit.id] = ("department", tier.department_id, None)
            if tier.department_id is not None:
                departments_done.add(tier.department_id)

    coverage = [
        views.DepartmentCoverage(
            department=d.name,
            self_checked=d.id in departments_done,
            people_total=sum(1 for p in people if p.department_id == d.id),
            people_completed=sum(1 for p in people if p.department_id == d.id and p.id in people_done),
        )
        for d in departments
    ]

    # Problems by check: each subject (the unit, a department, a person) once per check.
    rows = session.execute(
        select(FindingRow, Rectification.state)
        .outerjoin(Rectification, Rectification.finding_id == FindingRow.id)
        .where(FindingRow.audit_id.in_(list(subject)))
        .order_by(FindingRow.id)
    ).all()
    by_audit = {a.id: a for a in audits}
    counted: dict[tuple[str, str], set[tuple[str, int | None, int | None] | int]] = {}
    texts: dict[tuple[str, str], tuple[str, str, str | None]] = {}
    for finding, state in rows:
        if state == "withdrawn":
            continue
        audit = by_audit[finding.audit_id]
        level, dept, person = subject[audit.id]
        key = (audit.ruleset_id, finding.check_id)
        who: tuple[str, int | None, int | None] | int = audit.id if level == "unit" else (level, dept, person)
        counted.setdefault(key, set()).add(who)
        if key not in texts:
            target = None
            if level != "unit":
                _item, check = ruleset_of(session, audit).ruleset.checks.get(finding.check_id, (None, None))
                target = check.rolls_up_to if check is not None else None
            texts[key] = (level, finding.text, target)
    problems = [
        views.RollupProblem(
            ruleset_id=key[0],
            check=key[1],
            tier=texts[key][0],
            text=texts[key][1],
            count=len(counted[key]),
            rolls_up_to=texts[key][2],
        )
        for key in sorted(counted, key=lambda k: (-len(counted[k]), k))
    ]

    # Lower-tier problems under the unit-level items they bear on.
    titles = _unit_items(session, audits)
    grouped: dict[str, list[views.RollupProblem]] = {}
    for problem in problems:
        if problem.rolls_up_to is not None:
            grouped.setdefault(problem.rolls_up_to, []).append(problem)
    items = [
        views.RolledUpItem(
            item=item,
            title=titles.get(item, ""),
            count=sum(p.count for p in grouped[item]),
            problems=grouped[item],
        )
        for item in sorted(grouped, key=lambda i: (-sum(p.count for p in grouped[i]), i))
    ]
    return views.Rollup(
        unit=unit.name,
        year=year,
        departments=views.TierCount(total=len(departments), completed=len(departments_done & listed_departments)),
        people=views.TierCount(total=len(people), completed=len(people_done & listed_people)),
        department_coverage=coverage,
        problems=problems,
        unit_items=items,
    )


def _unit_items(session: Session, audits: list[Audit]) -> dict[str, str]:
    """Titles of the unit-level items: from the unit's own self-assessment of the year when there is one
    (its frozen ruleset), else from the built-in ruleset."""
    own = [a for a in audits if a.ruleset_id == UNIT_RULESET]
    if own:
        loaded = ruleset_of(session, own[-1])
    else:
        from seccheck.ruleset.load import resolve_ruleset

        loaded = resolve_ruleset(UNIT_RULESET)
    return {item_id: item.title for item_id, item in loaded.ruleset.items_by_id.items()}
