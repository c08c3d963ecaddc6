"""Campaigns: create, list, show, planned units, name and period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from seccheck.app.context import Context
from seccheck.app.units import clean_name, unknown_unit
from seccheck.domain.listing import AuditSummary, CampaignInfo
from seccheck.errors import BadInput, Conflict, Problem
from seccheck.ruleset.load import resolve_ruleset
from seccheck.storage import audits as audit_repo
from seccheck.storage import campaigns as repo
from seccheck.storage import events
from seccheck.storage import units as unit_repo
from seccheck.storage.tables import Audit


def _unit_ids(session: Session, names: Sequence[str]) -> list[int]:
    ids, problems = [], []
    for name in names:
        unit, _ = unit_repo.resolve(session, name)
        if unit is None:
            problems += unknown_unit(session, name).problems
        else:
            ids.append(unit.id)
    if problems:
        raise BadInput(problems)
    return ids


def _check_period(start: dt.date | None, end: dt.date | None) -> None:
    if start and end and start > end:
        raise BadInput([Problem(f"开始日期 {start} 晚于结束日期 {end}", field="period")])


def create_campaign(
    ctx: Context,
    name: str,
    year: int | None,
    rulesets: Sequence[str],
    start: dt.date | None,
    end: dt.date | None,
    units: Sequence[str],
) -> int:
    name = clean_name(name, "name")
    problems = []
    for ref in rulesets:
        try:
            resolve_ruleset(ref)
        except BadInput as exc:
            problems += exc.problems
    if problems:
        raise BadInput(problems)
    _check_period(start, end)

    def work(session: Session) -> int:
        if repo.by_name(session, name) is not None:
            raise Conflict([Problem(taken(name), field="name")])
        ids = _unit_ids(session, units)
        campaign = repo.create(
            session, name, year or (start or ctx.today()).year, list(rulesets), start, end, ids, ctx.at()
        )
        events.record(
            session, at=ctx.at(), actor=ctx.actor, action="campaign.created", campaign=campaign.id, name=name, units=ids
        )
        return campaign.id

    return ctx.db.transaction(work)


def list_campaigns(ctx: Context) -> list[CampaignInfo]:
    with ctx.db.read() as session:
        return repo.listing(session)


def show_campaign(ctx: Context, ref: str) -> tuple[CampaignInfo, list[AuditSummary]]:
    with ctx.db.read() as session:
        campaign = repo.find(session, ref)
        return repo.info(session, campaign), audit_repo.listing(session, campaign_id=campaign.id)


def change_units(ctx: Context, ref: str, names: Sequence[str], *, add: bool) -> list[str]:
    """Add units to (or remove them from) a campaign's planned units; returns the names changed."""

    def work(session: Session) -> list[str]:
        campaign = repo.find(session, ref)
        changed = []
        for unit_id, name in zip(_unit_ids(session, names), names, strict=True):
            done = (
                repo.add_unit(session, campaign.id, unit_id) if add else repo.remove_unit(session, campaign.id, unit_id)
            )
            if done:
                changed.append(name)
                events.record(
                    session,
                    at=ctx.at(),
                    actor=ctx.actor,
                    action="campaign.unit_added" if add else "campaign.unit_removed",
                    campaign=campaign.id,
                    unit=unit_id,
                    name=name,
                )
        return changed

    return ctx.db.transaction(work)


def edit_campaign(
    ctx: Context,
    ref: str,
    *,
    new_name: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> CampaignInfo:
    """Rename a campaign or change its period; a period that would leave out its audits is refused."""

    def work(session: Session) -> CampaignInfo:
        campaign = repo.find(session, ref)
        changes: dict[str, object] = {}
        if new_name is not None:
            name = clean_name(new_name, "name")
            if name != campaign.name and repo.by_name(session, name) is not None:
                raise Conflict([Problem(taken(name), field="name")])
            changes["name"] = [campaign.name, name]
            campaign.name = name
        if start is not None or end is not None:
            first = start or campaign.period_start
            last = end or campaign.period_end
            _check_period(first, last)
            outside = [
                a.id
                for a in session.scalars(
                    select(Audit).where(Audit.campaign_id == campaign.id, Audit.status != "discarded")
                )
                if (first and a.date < first) or (last and a.date > last)
            ]
            if outside:
                ids = "、".join(str(i) for i in outside)
                raise Conflict([Problem(f"检查 {ids} 的日期不在新的时间段内；请先核对这些检查的日期", field="period")])
            changes["period"] = [str(first) if first else None, str(last) if last else None]
            campaign.period_start, campaign.period_end = first, last
        if changes:
            events.record(
                session, at=ctx.at(), actor=ctx.actor, action="campaign.changed", campaign=campaign.id, changes=changes
            )
        return repo.info(session, campaign)

    return ctx.db.transaction(work)


def taken(name: str) -> str:
    return f"专项行动 {name!r} 已存在；请换一个名称，或用 seccheck campaign show 查看已有的"
