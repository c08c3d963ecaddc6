"""Units: add, import, rename, merge, list; and finding the unit a command or file names."""

from __future__ import annotations

import difflib
import unicodedata
from pathlib import Path

from sqlalchemy.orm import Session

from seccheck import limits
from seccheck.app.context import Context
from seccheck.domain.listing import UnitInfo
from seccheck.errors import BadInput, Conflict, NotFound, Problem
from seccheck.io.units_csv import read_units_csv
from seccheck.storage import events
from seccheck.storage import units as repo
from seccheck.storage.tables import Unit

MAX_NAME = limits.NAME


def clean_name(text: str, field: str = "unit") -> str:
    """A unit (or campaign) name as stored: trimmed, not empty, no control characters, not too long."""
    name = text.strip()
    if not name:
        raise BadInput([Problem("名称不能为空", field=field)])
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        raise BadInput([Problem("名称中有控制字符（如换行、制表符或不可见字符），请删去", field=field)])
    if problem := limits.name_problem(name):
        raise BadInput([Problem(problem, field=field)])
    if len(name) > MAX_NAME:
        raise BadInput([Problem(f"名称过长（{len(name)} 字），上限 {MAX_NAME} 字", field=field)])
    return name


# A unit's other particulars and their limits (docs/limits.md): one line each.
PARTICULARS = {"code": limits.UNIT_CODE, "kind": limits.UNIT_KIND, "contact": limits.NAME}


def particulars_problems(values: dict[str, str], *, file: str | None = None, line: int | None = None) -> list[Problem]:
    """What is wrong with a unit's code, kind and contact as given (too long, control characters)."""
    problems = []
    for field, maximum in PARTICULARS.items():
        text = values.get(field) or ""
        problem = limits.text_problem(text, maximum)
        if problem:
            problems.append(Problem(problem, file=file, line=line, field=field))
    return problems


def close_matches(name: str, known: list[str]) -> list[str]:
    return difflib.get_close_matches(name, known, n=3, cutoff=0.5)


def unknown_unit(
    session: Session, name: str, *, field: str = "unit", file: str | None = None, can_create: bool = True
) -> NotFound:
    """A unit that is not there, with the near names; the next step fits the command: one that can
    add a unit (`--new-unit`) says so, a filter says how to see the units there are."""
    near = close_matches(name, repo.names(session))
    hint = f"相近的单位：{'、'.join(near)}；" if near else ""
    step = (
        "确是新单位请加 --new-unit，或先 seccheck unit add / unit import"
        if can_create
        else "请核对单位名称（seccheck unit list 列出全部单位）"
    )
    return NotFound([Problem(f"单位 {name!r} 不存在。{hint}{step}", file=file, field=field)])


def unit_id_of(session: Session, name: str) -> int:
    """The id of the unit named (or formerly named) `name`, for filters; unknown names are refused."""
    unit, _former = repo.resolve(session, name.strip())
    if unit is None:
        raise unknown_unit(session, name, can_create=False)
    return unit.id


def find_unit(
    session: Session, ctx: Context, name: str, *, create: bool, field: str = "unit", file: str | None = None
) -> Unit:
    """The unit named (or formerly named) `name`; a new one only when `create` is asked for."""
    name = clean_name(name, field)
    unit, _former = repo.resolve(session, name)
    if unit is not None:
        return unit
    if not create:
        raise unknown_unit(session, name, field=field, file=file)
    unit = repo.add(session, name, at=ctx.at())
    events.record(session, at=ctx.at(), actor=ctx.actor, action="unit.added", name=unit.name, unit=unit.id)
    return unit


def add_unit(ctx: Context, name: str, code: str = "", kind: str = "", contact: str = "") -> int:
    name = clean_name(name, "name")
    problems = particulars_problems({"code": code, "kind": kind, "contact": contact})
    if problems:
        raise BadInput(problems)

    def work(session: Session) -> int:
        existing, _ = repo.resolve(session, name)
        if existing is not None:
            message = f"单位 {name!r} 已存在（编号 {existing.id}：{existing.name}），无需再添加"
            message += "；要改名用 seccheck unit rename"
            raise Conflict([Problem(message, field="name")])
        unit = repo.add(session, name, at=ctx.at(), code=code, kind=kind, contact=contact)
        events.record(session, at=ctx.at(), actor=ctx.actor, action="unit.added", name=name, unit=unit.id)
        return unit.id

    return ctx.db.transaction(work)


def import_units(ctx: Context, path: Path) -> tuple[int, list[str]]:
    """Add the units of a CSV not yet known; returns how many were added and the names already there."""
    rows = read_units_csv(path)
    problems = []
    for n, row in enumerate(rows, start=2):
        try:
            row["name"] = clean_name(row["name"], "name")
        except BadInput as exc:
            problems += [Problem(p.message, file=str(path), line=n, field="name") for p in exc.problems]
        problems += particulars_problems(row, file=str(path), line=n)
    if problems:
        raise BadInput(problems)

    def work(session: Session) -> tuple[int, list[str]]:
        added, existing = 0, []
        for row in rows:
            if repo.resolve(session, row["name"])[0] is not None:
                existing.append(row["name"])
                continue
            repo.add(
                session,
                row["name"],
                at=ctx.at(),
                code=row.get("code", ""),
                kind=row.get("kind", ""),
                contact=row.get("contact", ""),
            )
            added += 1
        events.record(
            session, at=ctx.at(), actor=ctx.actor, action="unit.imported", added=added, existing=len(existing)
        )
        return added, existing

    return ctx.db.transaction(work)


def rename_unit(ctx: Context, old: str, new: str) -> int:
    new = clean_name(new, "name")

    def work(session: Session) -> int:
        unit = repo.by_name(session, old)
        if unit is None:
            raise unknown_unit(session, old)
        taken = repo.by_name(session, new)
        if taken is not None:
            raise Conflict(
                [Problem(f"已有单位名为 {new!r}（编号 {taken.id}）；要合并请用 seccheck unit merge", field="name")]
            )
        repo.rename(session, unit, new)
        events.record(session, at=ctx.at(), actor=ctx.actor, action="unit.renamed", unit=unit.id, old=old, new=new)
        return unit.id

    return ctx.db.transaction(work)


def merge_units(ctx: Context, source_name: str, target_name: str) -> int:
    """Merge a duplicate unit into the real one: its audits, campaigns and names move over."""

    def work(session: Session) -> int:
        source = repo.by_name(session, source_name)
        target = repo.by_name(session, target_name)
        if source is None:
            raise unknown_unit(session, source_name, field="from")
        if target is None:
            raise unknown_unit(session, target_name, field="into")
        if source.id == target.id:
            message = "不能把单位合并到它自己；请给出另一个单位（seccheck unit list 列出全部单位）"
            raise BadInput([Problem(message, field="into")])
        source_id = source.id
        moved = repo.merge(session, source, target)
        events.record(
            session,
            at=ctx.at(),
            actor=ctx.actor,
            action="unit.merged",
            unit=target.id,
            merged=source_id,
            old=source_name,
            into=target.name,
            audits=moved,
        )
        return moved

    return ctx.db.transaction(work)


def list_units(ctx: Context) -> list[UnitInfo]:
    with ctx.db.read() as session:
        return repo.listing(session)
