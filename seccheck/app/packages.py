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
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from seccheck.app.context import Context
from seccheck.app.tiers import unit_named
from seccheck.domain import package as pkg
from seccheck.domain.figures import TierCoverage
from seccheck.domain.ledger import hash_hex
from seccheck.domain.seal import seal_by_format
from seccheck.errors import BadInput, Conflict, Problem
from seccheck.fileutil import write_atomic
from seccheck.storage import events
from seccheck.storage import ledger as ledger_repo
from seccheck.storage import units as unit_repo
from seccheck.storage.tables import Audit, AuditRevision, Package, PackageKey, Unit
from seccheck.text.zh import coverage_sentence, package_says

UNIT_RULESET = "unit-self-assessment"
KEY_FORMAT = 1
KEY_KIND = "seccheck-package-key"


@dataclass(frozen=True)
class PackageReceipt:
    """What an export wrote: the 核验码 to print on paper (the sender's ledger anchor, as documents
    print it), the package's digest and the file."""

    code: str
    digest: str
    path: Path
    new: bool = True  # False: the same data was exported before (same anchor, no new ledger entry)


@dataclass(frozen=True)
class IssuedKey:
    subject: str
    level: str
    key_id: str
    path: Path


@dataclass(frozen=True)
class HeldKey:
    subject: str
    issuer: str
    level: str
    key_id: str


@dataclass(frozen=True)
class PackageImported:
    path: Path
    level: str
    subject: str
    year: int
    outcome: str  # new | revised | already
    revision: int
    units: int  # units whose figures it carries


def _code(anchor: tuple[int, str]) -> str:
    from seccheck.notice.content import verification_code

    return verification_code(anchor)


# --- keys --------------------------------------------------------------------------------------------


def issue_key(ctx: Context, unit_name: str, *, district: bool, out: Path | None) -> IssuedKey:
    """`seccheck unit key issue UNIT [--district]`: a new package key for a unit (district) of this
    workspace, recorded (its digest sealed) and written to a file to hand over."""
    import tomli_w

    level = "district" if district else "unit"
    issuer = ctx.workspace.config.issuer.name

    def work(session: Session) -> IssuedKey:
        unit = unit_named(session, unit_name)
        key = secrets.token_hex(32)
        key_id = secrets.token_hex(16)
        session.add(
            PackageKey(
                role="issued",
                level=level,
                key_id=key_id,
                issuer=issuer,
                subject=unit.name,
                unit_id=unit.id,
                key=key,
                key_sha256=hash_hex("sha256", bytes.fromhex(key)),
                created_at=ctx.at(),
            )
        )
        events.record(session, at=ctx.at(), actor=ctx.actor, action="package.key_issued", unit=unit.id, level=level)
        path = out or ctx.output_dir(None) / f"{unit.name}-上报密钥.toml"
        doc = {
            "format": KEY_FORMAT,
            "kind": KEY_KIND,
            "level": level,
            "key_id": key_id,
            "issuer": issuer,
            "subject": unit.name,
            "key": key,
        }
        header = package_says("key_header", issuer=issuer, subject=unit.name)
        write_atomic(path, (header + tomli_w.dumps(doc)).encode("utf-8"))
        return IssuedKey(unit.name, level, key_id, path)

    return ctx.db.transaction(work)


def add_key(ctx: Context, path: Path) -> HeldKey:
    """`seccheck unit key add FILE`: register the key the bureau above issued to this workspace."""
    import tomllib

    name = str(path)

    def bad(why: str, field: str | None = None) -> BadInput:
        return BadInput([Problem(package_says("not_a_key", why=why), file=name, field=field)])

    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise bad(str(exc)) from None
    if doc.get("kind") != KEY_KIND or doc.get("format") != KEY_FORMAT:
        raise bad("kind/format", "kind")
    values: dict[str, str] = {}
    for field in ("level", "key_id", "issuer", "subject", "key"):
        value = doc.get(field)
        if not isinstance(value, str) or not value.strip():
            raise bad(field, field)
        values[field] = value.strip()
    if values["level"] not in pkg.LEVELS:
        raise bad("level", "level")
    try:
        if len(bytes.fromhex(values["key"])) != 32 or len(bytes.fromhex(values["key_id"])) != 16:
            raise ValueError
    except ValueError:
        raise bad("key", "key") from None

    def work(session: Session) -> HeldKey:
        unit_id = None
        if values["level"] == "unit":
            unit, _former = unit_repo.resolve(session, values["subject"])
            if unit is None:
                raise BadInput(
                    [Problem(package_says("no_unit_for_key", subject=values["subject"]), file=name, field="subject")]
                )
            unit_id = unit.id
        known = session.scalars(select(PackageKey).where(PackageKey.key_id == values["key_id"])).first()
        if known is None:
            session.add(
                PackageKey(
                    role="held",
                    level=values["level"],
                    key_id=values["key_id"],
                    issuer=values["issuer"],
                    subject=values["subject"],
                    unit_id=unit_id,
                    key=values["key"],
                    key_sha256=hash_hex("sha256", bytes.fromhex(values["key"])),
                    created_at=ctx.at(),
                )
            )
            events.record(session, at=ctx.at(), actor=ctx.actor, action="package.key_added", level=values["level"])
        return HeldKey(values["subject"], values["issuer"], values["level"], values["key_id"])

    return ctx.db.transaction(work)


def _held_key(session: Session, level: str, unit: Unit | None) -> PackageKey:
    query = select(PackageKey).where(PackageKey.role == "held", PackageKey.level == level)
    if unit is not None:
        query = query.where(PackageKey.unit_id == unit.id)
    key = session.scalars(query.order_by(PackageKey.id.desc())).first()
    if key is None:
        subject = unit.name if unit is not None else "本机关"
        raise Conflict([Problem(package_says("no_held_key", subject=subject), field="package_key")])
    return key


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
        key = _held_key(session, level, unit)
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
        return PackageReceipt(code=_code(anchor), digest=package["digest"], path=path, new=known is None)

    return ctx.db.transaction(work)


def exported_code(session: Session, unit_id: int, year: int) -> str | None:
    """The 核验码 of the unit's latest exported package of the year, if it exported one: the code its
    自查自评工作报告 ends with."""
    latest = session.scalars(
        select(Package)
        .where(Package.role == "exported", Package.level == "unit", Package.unit_id == unit_id, Package.year == year)
        .order_by(Package.revision.desc())
    ).first()
    return None if latest is None else _code((latest.anchor_position, latest.anchor_digest))


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


# --- import ------------------------------------------------------------------------------------------


def is_package(path: Path) -> bool:
    """Whether a file handed to `seccheck import` is a package: answers files are TOML, packages JSON."""
    return path.suffix.lower() == ".json"


def _read(path: Path) -> dict[str, Any]:
    name = str(path)

    def bad(key: str, where: str | None = None, **values: Any) -> BadInput:
        return BadInput([Problem(package_says(key, **values), file=name, field=where)])

    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise bad("unreadable", why=str(exc)) from None
    if not isinstance(data, dict) or pkg.MARK not in data:
        raise bad("not_a_package", pkg.MARK)
    if data.get(pkg.MARK) != pkg.FORMAT:
        raise bad("malformed", pkg.MARK, field=pkg.MARK, why=f"应为 {pkg.FORMAT}")
    expected: dict[str, type | tuple[type, ...]] = {
        "level": str,
        "key_id": str,
        "issuer": str,
        "subject": str,
        "year": int,
        "anchor": dict,
        "body": dict,
        "algorithm": str,
        "digest": str,
        "mac": str,
    }
    for field, kind in expected.items():
        if not isinstance(data.get(field), kind) or isinstance(data.get(field), bool):
            raise bad("malformed", field, field=field, why="缺少或类型不对")
    if data["level"] not in pkg.LEVELS:
        raise bad("malformed", "level", field="level", why=str(data["level"]))
    if data["algorithm"] not in ("sm3", "sha256"):
        raise bad("malformed", "algorithm", field="algorithm", why=str(data["algorithm"]))
    anchor = data["anchor"]
    if not isinstance(anchor.get("position"), int) or not isinstance(anchor.get("digest"), str):
        raise bad("malformed", "anchor", field="anchor", why="应有 position 和 digest")
    if not pkg.digest_matches(data):
        raise bad("tampered", "digest", subject=data["subject"])
    return data


def _check_body(data: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """The unit rows the package carries, after checking its body: a unit's self-assessment must
    reproduce its seal; a district's units each appear once."""
    subject = str(data["subject"])
    body = data["body"]

    def bad(key: str, where: str, **values: Any) -> BadInput:
        return BadInput([Problem(package_says(key, subject=subject, **values), file=name, field=where)])

    try:
        if data["level"] == "unit":
            sa = body["self_assessment"]
            figures = body["figures"]
            seal = seal_by_format(
                int(sa["seal_format"]),
                str(sa["ruleset_sha256"]),
                sa["particulars"],
                sa["answers"],
                sa["result"],
                str(sa["engine_version"]),
            )
            if seal != sa["seal"]:
                raise bad("seal", "body.self_assessment.seal")
            return [
                _row(
                    "",
                    str(body["unit"]["name"]),
                    str(body["unit"].get("code", "")),
                    sa,
                    figures["departments"],
                    figures["people"],
                    data,
                )
            ]
        rows = [dict(r) for r in body["units"]]
        seen: set[tuple[str, str]] = set()
        for row in rows:
            for field in ("departments", "people"):
                int(row[field]["total"]), int(row[field]["completed"])
            identity = (str(row["district"]), str(row["code"]) or "\x00" + str(row["name"]))
            if identity in seen:
                raise bad("twice", "body.units", unit=row["name"])
            seen.add(identity)
        return rows
    except BadInput:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise bad("malformed", "body", field="body", why=str(exc)) from None


def _row(
    district: str,
    name: str,
    code: str,
    sa: dict[str, Any] | None,
    departments: dict[str, Any],
    people: dict[str, Any],
    package: dict[str, Any],
) -> dict[str, Any]:
    result = (sa or {}).get("result") or {}
    return {
        "district": district,
        "name": name,
        "code": code,
        "self_assessed": sa is not None,
        "grade": result.get("grade"),
        "percent": None if result.get("percent") is None else str(result.get("percent")),
        "departments": {"total": int(departments["total"]), "completed": int(departments["completed"])},
        "people": {"total": int(people["total"]), "completed": int(people["completed"])},
        "package": package["digest"],
        "anchor": f"{package['anchor']['position']}:{package['anchor']['digest']}",
    }


def import_package(ctx: Context, path: Path) -> PackageImported:
    """Verify a package and record it (see the module's description); refused packages change nothing."""
    name = str(path)
    data = _read(path)
    rows = _check_body(data, name)
    level, subject, year = str(data["level"]), str(data["subject"]), int(data["year"])

    def bad(key: str, field: str, **values: Any) -> BadInput:
        return BadInput([Problem(package_says(key, subject=subject, **values), file=name, field=field)])

    def work(session: Session) -> PackageImported:
        key = session.scalars(
            select(PackageKey).where(PackageKey.role == "issued", PackageKey.key_id == data["key_id"])
        ).first()
        if key is None:
            raise bad("foreign_key", "key_id", issuer=data["issuer"])
        if key.level != level:
            raise bad(
                "wrong_level",
                "level",
                expected=package_says(f"level_{key.level}"),
                actual=package_says(f"level_{level}"),
            )
        owner = session.get(Unit, key.unit_id) if key.unit_id is not None else None
        named, _former = unit_repo.resolve(session, subject)
        if owner is None or named is None or named.id != owner.id:
            raise bad("foreign_unit", "subject", owner=owner.name if owner else key.subject)
        if not pkg.mac_matches(key.key, data):
            raise bad("mac", "mac")
        if level == "unit" and rows[0]["name"] != subject:
            raise bad("foreign_unit", "body.unit", owner=owner.name)
        known = session.scalars(
            select(Package).where(Package.role == "imported", Package.digest == data["digest"])
        ).first()
        if known is not None:
            return PackageImported(path, level, owner.name, year, "already", known.revision, len(rows))
        latest = session.scalars(
            select(Package)
            .where(
                Package.role == "imported",
                Package.level == level,
                Package.unit_id == owner.id,
                Package.year == year,
            )
            .order_by(Package.revision.desc())
        ).first()
        position = int(data["anchor"]["position"])
        if latest is not None and latest.key_id == data["key_id"] and position < latest.anchor_position:
            raise bad(
                "older",
                "anchor",
                revision=latest.revision,
                anchor=_code((latest.anchor_position, latest.anchor_digest)),
            )
        revision = (latest.revision if latest else 0) + 1
        session.add(
            Package(
                role="imported",
                level=level,
                key_id=str(data["key_id"]),
                unit_id=owner.id,
                year=year,
                revision=revision,
                body_digest=pkg.body_digest({"key_id": data["key_id"], "year": year, "body": data["body"]}),
                digest=str(data["digest"]),
                anchor_position=position,
                anchor_digest=str(data["anchor"]["digest"]),
                content=data,
                source=path.name,
                created_by=ctx.actor,
                created_at=ctx.at(),
            )
        )
        events.record(
            session,
            at=ctx.at(),
            actor=ctx.actor,
            action="package.imported",
            unit=owner.id,
            level=level,
            year=year,
            revision=revision,
        )
        outcome = "new" if latest is None else "revised"
        return PackageImported(path, level, owner.name, year, outcome, revision, len(rows))

    return ctx.db.transaction(work)


# --- figures -----------------------------------------------------------------------------------------


def _latest(session: Session, year: int) -> list[tuple[Package, str]]:
    """The latest imported package of each unit (district) for the year, with that unit's name here."""
    rows = session.execute(
        select(Package, Unit.name)
        .join(Unit, Unit.id == Package.unit_id)
        .where(Package.role == "imported", Package.year == year)
        .order_by(Package.level, Package.unit_id, Package.revision)
    ).all()
    latest: dict[tuple[str, int | None], tuple[Package, str]] = {}
    for package, unit_name in rows:
        latest[(package.level, package.unit_id)] = (package, unit_name)
    return list(latest.values())


def coverage_rows(session: Session, year: int, latest: list[tuple[Package, str]] | None = None) -> list[dict[str, Any]]:
    """Each unit's figures once: from the latest package of each unit imported here (district "")
    and from the latest package of each district (that district's units, district = its name here)."""
    rows: list[dict[str, Any]] = []
    for package, unit_name in _latest(session, year) if latest is None else latest:
        content = package.content
        if package.level == "unit":
            body = content["body"]
            figures = body["figures"]
            rows.append(
                _row(
                    "",
                    unit_name,
                    str(body["unit"].get("code", "")),
                    body["self_assessment"],
                    figures["departments"],
                    figures["people"],
                    content,
                )
            )
        else:
            for row in content["body"]["units"]:
                inner = str(row.get("district") or "")
                rows.append({**row, "district": unit_name + (f"/{inner}" if inner else "")})
    rows.sort(key=lambda r: (r["district"], r["name"], r["code"]))
    return rows


def tier_coverage(session: Session, year: int, units: set[int] | None = None) -> TierCoverage | None:
    """The year's 全覆盖 figures from the packages imported (None when there are none); `units`
    limits them to packages of those units of this workspace (a campaign's list)."""
    latest = _latest(session, year)
    if units is not None:
        latest = [(p, n) for p, n in latest if p.unit_id in units]
    if not latest:
        return None
    rows = coverage_rows(session, year, latest)
    done = [r for r in rows if r["self_assessed"]]
    districts = sum(1 for p, _n in latest if p.level == "district")
    region = package_says("region_district" if districts else "region_unit")
    departments = sum(int(r["departments"]["completed"]) for r in rows)
    people = sum(int(r["people"]["completed"]) for r in rows)
    return TierCoverage(
        region=region,
        units=len(done),
        departments=departments,
        people=people,
        districts=districts,
        sentence=coverage_sentence(region, len(done), departments, people, districts),
    )


def year_coverage(ctx: Context, year: int) -> TierCoverage | None:
    with ctx.db.read() as session:
        return tier_coverage(session, year)
