"""The keys that seal packages reported upward (forms.md §4, issue 25): the bureau issues one per unit
(or district) and keeps it; the unit registers the one it was given. Only a key's digest is sealed."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from seccheck.app.context import Context
from seccheck.app.tiers import unit_named
from seccheck.domain import package as pkg
from seccheck.domain.ledger import hash_hex
from seccheck.errors import BadInput, Conflict, Problem
from seccheck.fileutil import write_atomic
from seccheck.storage import events
from seccheck.storage import units as unit_repo
from seccheck.storage.tables import PackageKey, Unit
from seccheck.text.zh import package_says

KEY_FORMAT = 1
KEY_KIND = "seccheck-package-key"


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


def held_key(session: Session, level: str, unit: Unit | None) -> PackageKey:
    query = select(PackageKey).where(PackageKey.role == "held", PackageKey.level == level)
    if unit is not None:
        query = query.where(PackageKey.unit_id == unit.id)
    key = session.scalars(query.order_by(PackageKey.id.desc())).first()
    if key is None:
        subject = unit.name if unit is not None else "本机关"
        raise Conflict([Problem(package_says("no_held_key", subject=subject), field="package_key")])
    return key


def anchor_code(anchor: tuple[int, str]) -> str:
    from seccheck.notice.content import verification_code

    return verification_code(anchor)
