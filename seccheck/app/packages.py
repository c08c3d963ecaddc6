"""Sealed packages reported upward (forms.md §4, issue 25): unit → bureau, district → city.

The bureau issues each unit (a city each district) a package key (`seccheck unit key issue`); the
unit registers it in its own workspace (`seccheck unit key add`) and exports its year's package —
its final self-assessment as sealed, its tier figures (seccheck.app.rollup) and its ledger anchor —
sealed with that key (seccheck.domain.package). The bureau's `seccheck import` recognises the file,
verifies it and records it in the sealed table `packages`: a package whose digest or keyed code does
not verify (tampered), one sealed with a key this workspace never issued or issued to another unit
(foreign) is refused; the same package again records nothing; a later, different one of the same
unit and year is its next revision, and only the latest counts. A district's package carries its
units' figures (each once) from the packages it imported, and its own anchor.

Identity of a unit in the figures: at a bureau, the unit in its workspace the key was issued to; at
a city, the district (the unit in its workspace the key was issued to) plus the unit's code, or its
name when it has no code — the same name in two districts is two units.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from seccheck.app.context import Context
from seccheck.app.package_figures import coverage_rows
from seccheck.app.package_keys import anchor_code, held_key
from seccheck.app.tiers import unit_named
from seccheck.domain import package as pkg
from seccheck.errors import Conflict, Problem
from seccheck.fileutil import write_atomic
from seccheck.storage import events
from seccheck.storage import ledger as ledger_repo
from seccheck.storage.tables import Audit, AuditRevision, Package, Unit
from seccheck.text.zh import package_says

UNIT_RULESET = "unit-self-assessment"


@dataclass(frozen=True)
class PackageReceipt:
    """What an export wrote: the 核验码 to print on paper (the sender's ledger anchor, as documents
    print it), the package's digest and the file."""

    code: str
    digest: str
    path: Path
    new: bool = True  # False: the same data was exported before (same anchor, no new ledger entry)


# --- export ------------------------------------------------------------------------------------------


def _self_assessment(session: Session, unit: Unit, year: int) -> dict[str, Any] | None:
    """The unit's final self-assessment of the year as sealed (its latest revision), or None."""
    audit = session.scalars(
        select(Audit)
        .where(
            Audit.unit_id == unit.id,
            Audit.ruleset_id == UNIT_RULESET,
            Audit.status == "final",
            Audit.reinspection_of.is_(None),
            Audit.date >= dt.date(year, 1, 1),
            Audit.date <= dt.date(year, 12, 31),
        )
        .order_by(Audit.date.desc(), Audit.id.desc())
    ).first()
    if audit is None:
        return None
    revision = session.get(AuditRevision, (audit.id, audit.revision))
    assert revision is not None
    return {
        "audit": audit.id,
        "revision": revision.revision,
        "ruleset_id": audit.ruleset_id,
        "ruleset_sha256": audit.ruleset_sha256,
        "seal_format": revision.seal_format,
        "engine_version": revision.engine_version,
        "particulars": revision.particulars,
        "answers": revision.answers,
        "result": revision.result,
        "seal": revision.seal,
    }


def unit_body(session: Session, unit: Unit, year: int) -> dict[str, Any]:
    from seccheck.app.rollup import _rollup

    figures = _rollup(session, unit.name, year)
    assessment = _self_assessment(session, unit, year)
    if assessment is None:
        raise Conflict([Problem(package_says("no_self_assessment", unit=unit.name, year=year), field="year")])
    # Plain JSON data (no Decimal), so the digest is the same here and wherever the file is read.
    assessment = json.loads(json.dumps(assessment, default=str))
    return {
        "unit": {"name": unit.name, "code": unit.code},
        "self_assessment": assessment,
        "figures": {
            "departments": figures.departments.model_dump(),
            "people": figures.people.model_dump(),
            "problems": [
                {
                    "ruleset_id": p.ruleset_id,
                    "check": p.check,
                    "tier": p.tier,
                    "count": p.count,
                    "rolls_up_to": p.rolls_up_to,
                }
                for p in figures.problems
            ],
        },
    }


def _export(ctx: Context, path: Path, level: str, year: int, make: Any, unit_name: str | None) -> PackageReceipt:
    def work(session: Session) -> PackageReceipt:
        unit = unit_named(session, unit_name) if unit_name is not None else None
        key = held_key(session, level, unit)
        body = make(session, unit)
        identity = pkg.body_digest({"key_id": key.key_id, "year": year, "body": body})
        known = session.scalars(
            select(Package).where(
                Package.role == "exported",
                Package.key_id == key.key_id,
                Package.year == year,
                Package.body_digest == identity,
            )
        ).first()
        anchor = (known.anchor_position, known.anchor_digest) if known else ledger_repo.head(session)
        package = pkg.seal_package(
            level=level,
            key_id=key.key_id,
            key_hex=key.key,
            issuer=key.issuer,
            subject=key.subject,
            year=year,
            anchor=anchor,
            body=body,
        )
        if known is None:
            # Numbered per unit (or district) and year, whichever key sealed them.
            mine = Package.unit_id.is_(None) if unit is None else Package.unit_id == unit.id
            previous = session.scalars(
                select(Package.revision)
                .where(Package.role == "exported", Package.level == level, mine, Package.year == year)
                .order_by(Package.revision.desc())
            ).first()
            session.add(
                Package(
                    role="exported",
                    level=level,
                    key_id=key.key_id,
                    unit_id=unit.id if unit is not None else None,
                    year=year,
                    revision=(previous or 0) + 1,
                    body_digest=identity,
                    digest=package["digest"],
                    anchor_position=anchor[0],
                    anchor_digest=anchor[1],
                    content=package,
                    source=path.name,
                    created_by=ctx.actor,
                    created_at=ctx.at(),
                )
            )
            events.record(session, at=ctx.at(), actor=ctx.actor, action="package.exported", level=level, year=year)
        write_atomic(path, json.dumps(package, ensure_ascii=False, indent=1).encode("utf-8"))
        return PackageReceipt(code=anchor_code(anchor), digest=package["digest"], path=path, new=known is None)

    return ctx.db.transaction(work)


def exported_code(session: Session, unit_id: int, year: int) -> str | None:
    """The 核验码 of the unit's latest exported package of the year, if it exported one: the code its
    自查自评工作报告 ends with."""
    latest = session.scalars(
        select(Package)
        .where(Package.role == "exported", Package.level == "unit", Package.unit_id == unit_id, Package.year == year)
        .order_by(Package.revision.desc())
    ).first()
    return None if latest is None else anchor_code((latest.anchor_position, latest.anchor_digest))


def export_unit_package(ctx: Context, unit_name: str, year: int, path: Path) -> PackageReceipt:
    """`seccheck rollup UNIT --export FILE`: the unit's sealed package of the year (its final
    self-assessment, tier figures and ledger anchor). The same unchanged data gives the same package
    and 核验码, and records nothing new."""
    return _export(ctx, path, "unit", year, lambda session, unit: unit_body(session, unit, year), unit_name)


def export_district_package(ctx: Context, year: int, path: Path) -> PackageReceipt:
    """`seccheck summary --year Y --export FILE`: the district's package: each unit's figures once,
    from the latest package of each unit it imported, and the district's ledger anchor."""

    def make(session: Session, _unit: Unit | None) -> dict[str, Any]:
        rows = coverage_rows(session, year)
        if not rows:
            raise Conflict([Problem(package_says("nothing_to_report", year=year), field="year")])
        return {"units": rows}

    return _export(ctx, path, "district", year, make, None)
