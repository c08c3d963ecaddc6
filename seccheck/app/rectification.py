"""Rectification (整改) of each finding: report, verify, reject; listing with overdue derived."""

from __future__ import annotations

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


def list_rectifications(
    ctx: Context, *, overdue: bool = False, unit: str | None = None, campaign: str | None = None
) -> list[RectificationInfo]:
    with ctx.db.read() as session:
        unit_id = unit_id_of(session, unit) if unit else None
        campaign_id = campaign_repo.find(session, campaign).id if campaign else None
        rows = repo.listing(session, today=ctx.today(), unit_id=unit_id, campaign_id=campaign_id)
    return [r for r in rows if r.overdue] if overdue else rows


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
                        f"只有“{wanted}”的记录才能{ACTION_LABELS[action]}",
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


def reject(ctx: Context, rect_id: int, reason: str) -> RectificationInfo:
    reason = _text(reason, "reason", "退回理由")
    return _change(ctx, rect_id, "reject", state="rejected", reason=reason)
