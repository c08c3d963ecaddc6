"""A unit's departments (内设机构) and people: import, add, list, rename, move, remove (forms.md §4).

Only what the roll-up needs is kept of a person: a name, an optional 工号 (which tells apart two
people of the same name) and the department they are in. Nothing is ever deleted: a removed person or
department is marked inactive, so the audits they answered keep naming them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from seccheck import limits
from seccheck.app.context import Context
from seccheck.app.units import clean_name, close_matches, unknown_unit
from seccheck.errors import BadInput, Conflict, NotFound, Problem
from seccheck.io.people_csv import read_people_csv
from seccheck.storage import events
from seccheck.storage import tiers as repo
from seccheck.storage import units as unit_repo
from seccheck.storage.tables import Department, Person, Unit

MAX_STAFF_NO = 64


@dataclass(frozen=True)
class PersonInfo:
    id: int
    name: str
    staff_no: str
    department: str


@dataclass(frozen=True)
class DepartmentInfo:
    id: int
    name: str
    people: int
    former_names: list[str]


@dataclass(frozen=True)
class Imported:
    added: int
    moved: int
    unchanged: int
    departments_added: int


def unit_named(session: Session, name: str) -> Unit:
    unit, _former = unit_repo.resolve(session, name.strip())
    if unit is None:
        raise unknown_unit(session, name)
    return unit


def clean_staff_no(text: str, field: str = "工号") -> str:
    value = text.strip()
    problem = limits.control_problem(value)
    if problem is None and len(value) > MAX_STAFF_NO:
        problem = f"过长：上限 {MAX_STAFF_NO} 字（实际 {len(value)} 字）"
    if problem:
        raise BadInput([Problem(problem, field=field)])
    return value


# --- finding a department or a person by what a file or command names ------------------------------


def find_department(
    session: Session, unit: Unit, name: str, *, field: str = "department", file: str | None = None
) -> Department:
    """The department of `unit` named (or formerly named) `name`; unknown names refused with near names."""
    dept = repo.department(session, unit.id, name.strip())
    if dept is not None and dept.active:
        return dept
    near = close_matches(name, [d.name for d in repo.departments(session, unit.id)])
    hint = f"相近的内设机构：{'、'.join(near)}；" if near else ""
    gone = "该内设机构已撤销；" if dept is not None else ""
    raise NotFound(
        [
            Problem(
                f"{unit.name}没有内设机构 {name!r}。{gone}{hint}"
                f"请核对名称，或先 seccheck unit department add 名称 --unit {unit.name}",
                file=file,
                field=field,
            )
        ]
    )


def find_person(session: Session, unit: Unit, token: str, *, field: str = "person", file: str | None = None) -> Person:
    """The person of `unit` whose 工号 is `token`, or whose name it is when only one person has it."""
    token = token.strip()
    everyone = repo.people(session, unit.id)
    by_number = [p for p in everyone if p.staff_no and p.staff_no == token]
    if len(by_number) == 1:
        return by_number[0]
    by_name = [p for p in everyone if p.name == token]
    if len(by_name) == 1:
        return by_name[0]
    if len(by_name) > 1:
        numbers = "、".join(p.staff_no or "（无工号）" for p in by_name)
        raise BadInput(
            [
                Problem(
                    f"{unit.name}有 {len(by_name)} 人名为 {token!r}（工号 {numbers}）；请写工号以区分",
                    file=file,
                    field=field,
                )
            ]
        )
    near = close_matches(token, sorted({p.name for p in everyone} | {p.staff_no for p in everyone if p.staff_no}))
    hint = f"相近的：{'、'.join(near)}；" if near else ""
    raise NotFound(
        [
            Problem(
                f"{unit.name}的人员名单中没有 {token!r}（按工号或姓名查找）。{hint}"
                f"请核对，或先 seccheck unit people add --unit {unit.name}",
                file=file,
                field=field,
            )
        ]
    )


# --- use cases -----------------------------------------------------------------------------------------


def new_department(session: Session, ctx: Context, unit: Unit, name: str) -> Department:
    dept = Department(unit_id=unit.id, name=name, former_names=[], active=True, created_at=ctx.at())
    session.add(dept)
    session.flush()
    events.record(
        session, at=ctx.at(), actor=ctx.actor, action="department.added", unit=unit.id, department=dept.id, name=name
    )
    return dept


def add_department(ctx: Context, unit_name: str, name: str) -> int:
    name = clean_name(name, "name")

    def work(session: Session) -> int:
        unit = unit_named(session, unit_name)
        existing = repo.department(session, unit.id, name)
        if existing is not None and existing.active:
            raise Conflict([Problem(f"{unit.name}已有内设机构 {name!r}", field="name")])
        if existing is not None:  # re-established after removal: the same row again
            existing.active = True
            if existing.name != name:
                _rename(existing, name)
            return existing.id
        return new_department(session, ctx, unit, name).id

    return ctx.db.transaction(work)


def _rename(dept: Department, new: str) -> None:
    former = [n for n in (dept.former_names or []) if n != new]
    if dept.name not in former:
        former.append(dept.name)
    dept.former_names = former
    dept.name = new


def rename_department(ctx: Context, unit_name: str, old: str, new: str) -> int:
    new = clean_name(new, "name")

    def work(session: Session) -> int:
        unit = unit_named(session, unit_name)
        dept = find_department(session, unit, old, field="old")
        taken = repo.department(session, unit.id, new)
        if taken is not None and taken.id != dept.id:
            raise Conflict([Problem(f"{unit.name}已有内设机构名为 {new!r}", field="new")])
        _rename(dept, new)
        events.record(
            session, at=ctx.at(), actor=ctx.actor, action="department.renamed", department=dept.id, old=old, new=new
        )
        return dept.id

    return ctx.db.transaction(work)


def remove_department(ctx: Context, unit_name: str, name: str) -> int:
    def work(session: Session) -> int:
        unit = unit_named(session, unit_name)
        dept = find_department(session, unit, name, field="name")
        inside = [p for p in repo.people(session, unit.id) if p.department_id == dept.id]
        if inside:
            raise Conflict(
                [
                    Problem(
                        f"内设机构 {dept.name!r} 还有 {len(inside)} 名人员；请先 seccheck unit people move 或 remove",
                        field="name",
                    )
                ]
            )
        dept.active = False
        events.record(session, at=ctx.at(), actor=ctx.actor, action="department.removed", department=dept.id)
        return dept.id

    return ctx.db.transaction(work)


def list_departments(ctx: Context, unit_name: str) -> list[DepartmentInfo]:
    with ctx.db.read() as session:
        unit = unit_named(session, unit_name)
        people = repo.people(session, unit.id)
        return [
            DepartmentInfo(d.id, d.name, sum(1 for p in people if p.department_id == d.id), list(d.former_names or []))
            for d in repo.departments(session, unit.id)
        ]


def _same_person(everyone: list[Person], name: str, staff_no: str) -> tuple[Person | None, str | None]:
    """The listed person a row names (by 工号 when given, else by a name that is unique); or why unclear."""
    if staff_no:
        match = [p for p in everyone if p.staff_no == staff_no]
        if match:
            return match[0], None
        return None, None
    match = [p for p in everyone if p.name == name]
    if len(match) > 1:
        return None, f"已有 {len(match)} 人名为 {name!r}；请填工号以区分"
    return (match[0] if match else None), None


def import_people(ctx: Context, unit_name: str, path: Path) -> Imported:
    """Add the people of a CSV (内设机构,姓名,工号); people already listed are moved to the department the
    file gives them, never listed twice; departments not yet known are added."""
    rows = read_people_csv(path)
    problems: list[Problem] = []
    seen_numbers: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for n, row in enumerate(rows, start=2):
        for key, field in (("department", "内设机构"), ("name", "姓名")):
            if not row[key]:
                problems.append(Problem(f"{field}为空", file=str(path), line=n, field=field))
                continue
            try:
                row[key] = clean_name(row[key], field)
            except BadInput as exc:
                problems += [Problem(p.message, file=str(path), line=n, field=field) for p in exc.problems]
        try:
            row["staff_no"] = clean_staff_no(row["staff_no"])
        except BadInput as exc:
            problems += [Problem(p.message, file=str(path), line=n, field="工号") for p in exc.problems]
        if row["staff_no"]:
            if row["staff_no"] in seen_numbers:
                problems.append(
                    Problem(f"工号与第 {seen_numbers[row['staff_no']]} 行重复", file=str(path), line=n, field="工号")
                )
            seen_numbers[row["staff_no"]] = n
        else:
            if row["name"] in seen_names:
                problems.append(
                    Problem(
                        f"与第 {seen_names[row['name']]} 行同名且都没有工号；同名的人请填工号以区分",
                        file=str(path),
                        line=n,
                        field="工号",
                    )
                )
            seen_names[row["name"]] = n
    if problems:
        raise BadInput(problems)

    def work(session: Session) -> Imported:
        unit = unit_named(session, unit_name)
        everyone = repo.people(session, unit.id)
        depts: dict[str, Department] = {}
        added = moved = unchanged = new_depts = 0
        row_problems: list[Problem] = []
        for n, row in enumerate(rows, start=2):
            person, unclear = _same_person(everyone, row["name"], row["staff_no"])
            if unclear:
                row_problems.append(Problem(unclear, file=str(path), line=n, field="工号"))
                continue
            dept = depts.get(row["department"])
            if dept is None:
                found = repo.department(session, unit.id, row["department"])
                if found is None:
                    found = new_department(session, ctx, unit, row["department"])
                    new_depts += 1
                found.active = True
                dept = depts[row["department"]] = found
            if person is None:
                person = Person(
                    unit_id=unit.id,
                    department_id=dept.id,
                    name=row["name"],
                    staff_no=row["staff_no"],
                    active=True,
                    created_at=ctx.at(),
                )
                session.add(person)
                everyone.append(person)
                added += 1
            elif person.department_id != dept.id:
                person.department_id = dept.id
                moved += 1
            else:
                unchanged += 1
        if row_problems:
            raise BadInput(row_problems)
        events.record(
            session,
            at=ctx.at(),
            actor=ctx.actor,
            action="people.imported",
            unit=unit.id,
            added=added,
            moved=moved,
            departments=new_depts,
        )
        return Imported(added, moved, unchanged, new_depts)

    return ctx.db.transaction(work)


def add_person(ctx: Context, unit_name: str, department: str, name: str, staff_no: str = "") -> int:
    name = clean_name(name, "name")
    staff_no = clean_staff_no(staff_no, "staff-no")

    def work(session: Session) -> int:
        unit = unit_named(session, unit_name)
        dept = find_department(session, unit, department)
        everyone = repo.people(session, unit.id)
        if staff_no and any(p.staff_no == staff_no for p in everyone):
            raise Conflict([Problem(f"{unit.name}已有工号 {staff_no} 的人员", field="--staff-no")])
        if not staff_no and any(p.name == name for p in everyone):
            raise Conflict(
                [Problem(f"{unit.name}已有人员名为 {name!r}；同名的另一人请加 --staff-no 工号", field="name")]
            )
        person = Person(
            unit_id=unit.id, department_id=dept.id, name=name, staff_no=staff_no, active=True, created_at=ctx.at()
        )
        session.add(person)
        session.flush()
        events.record(session, at=ctx.at(), actor=ctx.actor, action="person.added", unit=unit.id, person=person.id)
        return person.id

    return ctx.db.transaction(work)


def rename_person(ctx: Context, unit_name: str, who: str, new: str) -> int:
    new = clean_name(new, "name")

    def work(session: Session) -> int:
        unit = unit_named(session, unit_name)
        person = find_person(session, unit, who, field="person")
        if not person.staff_no and any(p.name == new and p.id != person.id for p in repo.people(session, unit.id)):
            raise Conflict([Problem(f"{unit.name}已有人员名为 {new!r}；请先给两人登记工号", field="new")])
        person.name = new
        events.record(session, at=ctx.at(), actor=ctx.actor, action="person.renamed", person=person.id)
        return person.id

    return ctx.db.transaction(work)


def move_person(ctx: Context, unit_name: str, who: str, department: str) -> tuple[str, str]:
    """Move a person to another department; their audits keep the department they answered in."""

    def work(session: Session) -> tuple[str, str]:
        unit = unit_named(session, unit_name)
        person = find_person(session, unit, who, field="person")
        dept = find_department(session, unit, department, field="to")
        before = session.get(Department, person.department_id)
        person.department_id = dept.id
        events.record(session, at=ctx.at(), actor=ctx.actor, action="person.moved", person=person.id, to=dept.id)
        return (before.name if before else ""), dept.name

    return ctx.db.transaction(work)


def remove_person(ctx: Context, unit_name: str, who: str) -> int:
    def work(session: Session) -> int:
        unit = unit_named(session, unit_name)
        person = find_person(session, unit, who, field="person")
        person.active = False
        events.record(session, at=ctx.at(), actor=ctx.actor, action="person.removed", person=person.id)
        return person.id

    return ctx.db.transaction(work)


def list_people(ctx: Context, unit_name: str, department: str | None = None) -> list[PersonInfo]:
    with ctx.db.read() as session:
        unit = unit_named(session, unit_name)
        names = {d.id: d.name for d in repo.departments(session, unit.id, active_only=False)}
        only = find_department(session, unit, department).id if department else None
        return [
            PersonInfo(p.id, p.name, p.staff_no, names.get(p.department_id, ""))
            for p in repo.people(session, unit.id)
            if only is None or p.department_id == only
        ]
