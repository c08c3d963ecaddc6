"""A bureau's import of a package reported upward (forms.md §3-4, issue 25): the same refusals as a
returned form (tampered, foreign, duplicate: nothing new); a later package is a new revision."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from seccheck.app.context import Context
from seccheck.app.package_keys import anchor_code
from seccheck.domain import package as pkg
from seccheck.domain.seal import seal_by_format
from seccheck.errors import BadInput, Problem
from seccheck.storage import events
from seccheck.storage import units as unit_repo
from seccheck.storage.tables import Package, PackageKey, Unit
from seccheck.text.zh import package_says


@dataclass(frozen=True)
class PackageImported:
    path: Path
    level: str
    subject: str
    year: int
    outcome: str  # new | revised | already
    revision: int
    units: int  # units whose figures it carries


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
                package_row(
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


def package_row(
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
                anchor=anchor_code((latest.anchor_position, latest.anchor_digest)),
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
