"""Rectification (整改) of each finding: report, verify, reject; listing with overdue derived."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from seccheck import limits
from seccheck.app.context import Context
from seccheck.app.units import unit_id_of
from seccheck.domain.rectification import ACTION_LABELS, STATE_LABELS, TRANSITIONS
from seccheck.errors import BadInput, Conflict, EnvironmentProblem, Problem
from seccheck.io.evidence import keep_evidence
from seccheck.storage import campaigns as campaign_repo
from seccheck.storage import events
from seccheck.storage import findings as repo
from seccheck.storage.findings import RectificationInfo


@dataclass
class Listing:
    rows: list[RectificationInfo]
    total: int  # records matching the unit and campaign before `--overdue` kept only the overdue ones


def list_rectifications(
    ctx: Context, *, overdue: bool = False, unit: str | None = None, campaign: str | None = None
) -> list[RectificationInfo]:
    return rectification_listing(ctx, overdue=overdue, unit=unit, campaign=campaign).rows


def rectification_listing(
    ctx: Context, *, overdue: bool = False, unit: str | None = None, campaign: str | None = None
) -> Listing:
    """The records, and how many there were before only the overdue were kept (so a listing can say
    “none overdue” rather than “none at all”)."""
    with ctx.db.read() as session:
        unit_id = unit_id_of(session, unit) if unit else None
        campaign_id = campaign_repo.find(session, campaign).id if campaign else None
        rows = repo.listing(session, today=ctx.today(), unit_id=unit_id, campaign_id=campaign_id)
    return Listing([r for r in rows if r.overdue] if overdue else rows, len(rows))


def _next_step(rect_id: int, action: str, state: str) -> str:
    """What to do instead, when an action does not fit the record's state."""
    if state == "withdrawn":
        return "这个问题已在修订中撤销，无需整改"
    if action == "verify" and state in ("open", "rejected"):
        return (
            f"请先用 seccheck rectify report {rect_id} --note 整改情况 登记单位报来的整改情况，再核实；"
            f"在现场核实整改到位的，可用 seccheck rectify close {rect_id} --note 核实情况 一步完成"
        )
    if action == "reject" and state in ("open", "rejected"):
        return f"单位还没有报告整改情况，无可退回；请等单位报告（seccheck rectify report {rect_id}）后再退回"
    if state == "verified":
        return "这个问题已核实整改到位，无需再办；seccheck rectify list 查看其他问题"
    if action == "report" and state == "reported":
        return f"已报告，等待核实：核实用 seccheck rectify verify {rect_id}，退回用 seccheck rectify reject {rect_id}"
    return "seccheck rectify list 查看各问题的状态"


def _change(ctx: Context, rect_id: int, action: str, **fields: object) -> RectificationInfo:
    def work(session: Session) -> None:
        rect, finding, audit = repo.rectification(session, rect_id)
        allowed = TRANSITIONS[action]
        if rect.state not in allowed:
            wanted = "、".join(STATE_LABELS[s] for s in allowed)
            raise Conflict(
                [
                    Problem(
                        f"整改记录 {rect_id} 当前为“{STATE_LABELS[rect.state]}”，"
                        f"只有“{wanted}”的记录才能{ACTION_LABELS[action]}。{_next_step(rect_id, action, rect.state)}",
                        field="rectification",
                    )
                ]
            )
        before = rect.state
        for name, value in fields.items():
            setattr(rect, name, value)
        rect.updated_at = ctx.at()
        rect.updated_by = ctx.actor
        events.record(
            session,
            at=ctx.at(),
            actor=ctx.actor,
            action=f"rectification.{action}",
            audit_id=audit.id,
            rectification=rect_id,
            check=finding.check_id,
            before=before,
            after=rect.state,
            **{k: v for k, v in fields.items() if k in ("report_note", "reason", "report_evidence")},
        )

    ctx.db.transaction(work)
    with ctx.db.read() as session:
        return repo.listing(session, today=ctx.today(), rect_id=rect_id, include_withdrawn=True)[0]


def _text(text: str, field: str, what: str) -> str:
    """A note as stored: not blank, no control characters but line breaks and tabs (records.md §6)."""
    if not text.strip():
        raise BadInput([Problem(f"请写明{what}（--{field}）", field=field)])
    return limits.checked_text(text, limits.REPORT, what=what, field=field, multiline=True)


def report(ctx: Context, rect_id: int, note: str, evidence: list[Path]) -> RectificationInfo:
    note = _text(note, "note", "整改情况")
    try:
        kept = [keep_evidence(ctx.workspace.evidence, path) for path in evidence]
    except OSError as exc:
        raise EnvironmentProblem([Problem(f"无法读取佐证材料：{exc}", field="evidence")]) from None
    return _change(ctx, rect_id, "report", state="reported", report_note=note, report_evidence=kept, reason=None)


def verify(ctx: Context, rect_id: int) -> RectificationInfo:
    return _change(ctx, rect_id, "verify", state="verified")


def close(ctx: Context, rect_id: int, note: str, evidence: list[Path]) -> RectificationInfo:
    """An inspector on site sees the problem fixed: the report (what was seen) and the verification
    together. Two ledger events, as if reported and then verified; refused, like a report, unless the
    record is open or was sent back."""
    report(ctx, rect_id, note, evidence)
    return verify(ctx, rect_id)


def reject(ctx: Context, rect_id: int, reason: str) -> RectificationInfo:
    reason = _text(reason, "reason", "退回理由")
    return _change(ctx, rect_id, "reject", state="rejected", reason=reason)
