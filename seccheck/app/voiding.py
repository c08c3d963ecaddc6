"""Discarding a draft, voiding a final audit (its notice numbers kept, marked 作废), and the register of
notice numbers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from seccheck import limits
from seccheck.app.context import Context
from seccheck.app.records import VoidInfo
from seccheck.errors import BadInput, Conflict, Problem
from seccheck.storage import audits as repo
from seccheck.storage import events
from seccheck.storage import notices as notice_repo


def discard(ctx: Context, audit_id: int, reason: str = "") -> None:
    """Put aside a draft (a mistaken start, a typo in the unit): kept, but out of every list and figure."""
    limits.checked_text(reason, limits.REPORT, what="作废原因", field="reason", multiline=True)

    def work(session: Session) -> None:
        audit = repo.get(session, audit_id)
        if audit.status != "draft":
            raise Conflict(
                [Problem(f"只能作废草稿；检查 {audit_id} 已定稿，要更正请用 seccheck audit amend", field="audit")]
            )
        audit.status = "discarded"
        events.record(session, at=ctx.at(), actor=ctx.actor, action="audit.discarded", audit_id=audit.id, reason=reason)

    ctx.db.transaction(work)


def number_label(prefix: str, year: int, number: int) -> str:
    from seccheck.notice.content import notice_number

    return notice_number(prefix, year, number)


def void(ctx: Context, audit_id: int, reason: str) -> VoidInfo:
    """Void a final audit entered by mistake (wrong unit, wrong campaign, wrong file): it stays, sealed,
    with its answers, result and notices, but counts in no figure; its notice numbers stay taken (a
    字号 is never reused) and the register marks them 作废. The ledger records it with the reason and
    who did it (the audit's status, and an event)."""
    reason = reason.strip()
    if not reason:
        raise BadInput([Problem("请用 --reason 写明作废的理由（如：误将其他单位的答案文件导入）", field="reason")])

    def work(session: Session) -> VoidInfo:
        audit = repo.get(session, audit_id)
        if audit.status == "draft":
            raise Conflict(
                [Problem(f"检查 {audit_id} 是草稿；草稿请用 seccheck audit discard {audit_id}", field="audit")]
            )
        if audit.status != "final":
            raise Conflict([Problem(f"检查 {audit_id} 已作废，无需再作废", field="audit")])
        if audit.reinspection_of is not None:
            raise Conflict(
                [
                    Problem(
                        f"检查 {audit_id} 是复查，不能单独作废；作废原检查 {audit.chain_id} 时其复查一并作废",
                        field="audit",
                    )
                ]
            )
        # The whole chain goes: its re-inspections were made of what was voided.
        for later in repo.chain(session, audit.chain_id or audit.id):
            if later.id != audit.id and later.status in ("final", "draft"):
                later.status = "void" if later.status == "final" else "discarded"
        audit.status = "void"
        prefix = ctx.workspace.config.issuer.prefix
        numbers = [number_label(prefix, n.year, n.number) for n in notice_repo.numbers_of(session, audit.id)]
        events.record(
            session,
            at=ctx.at(),
            actor=ctx.actor,
            action="audit.voided",
            audit_id=audit.id,
            reason=reason,
            numbers=numbers,
        )
        return VoidInfo(audit.id, reason, ctx.actor, ctx.at(), numbers)

    return ctx.db.transaction(work)


@dataclass(frozen=True)
class RegisterRow:
    number: str  # 某保检〔2026〕4号
    audit_id: int
    unit: str
    issued: dt.date
    void: bool  # its audit was voided: the number stays taken, marked 作废


def notice_register(ctx: Context, year: int | None = None) -> list[RegisterRow]:
    """发文登记: every notice number taken, in order, with its unit; voided ones marked."""
    prefix = ctx.workspace.config.issuer.prefix
    with ctx.db.read() as session:
        return [
            RegisterRow(number_label(prefix, n.year, n.number), n.audit_id, unit, n.issued_at, status == "void")
            for n, unit, status in notice_repo.register(session, year)
        ]
