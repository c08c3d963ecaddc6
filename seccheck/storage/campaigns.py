"""Campaigns (专项行动) and their planned units."""

from __future__ import annotations

import datetime as dt
import difflib

from sqlalchemy import select
from sqlalchemy.orm import Session

from seccheck.domain.listing import CampaignInfo
from seccheck.errors import not_found
from seccheck.storage.tables import Audit, Campaign, CampaignUnit, Unit


def find(session: Session, ref: str) -> Campaign:
    campaign = session.scalars(select(Campaign).where(Campaign.name == ref)).first()
    if campaign is None and ref.isdigit():
        campaign = session.get(Campaign, int(ref))
    if campaign is None:
        names = list(session.scalars(select(Campaign.name)))
        near = difflib.get_close_matches(ref, names, n=3, cutoff=0.5)
        hint = f"相近的专项行动：{'、'.join(near)}；" if near else ""
        raise not_found(
            f"找不到专项行动 {ref!r}（按名称或编号）。{hint}请核对名称（seccheck campaign list 列出全部专项行动）",
            field="campaign",
        )
    return campaign


def by_name(session: Session, name: str) -> Campaign | None:
    return session.scalars(select(Campaign).where(Campaign.name == name)).first()


def create(
    session: Session,
    name: str,
    year: int,
    rulesets: list[str],
    start: dt.date | None,
    end: dt.date | None,
    unit_ids: list[int],
    at: dt.datetime,
) -> Campaign:
    campaign = Campaign(
        name=name,
        year=year,
        rulesets=list(rulesets),
        period_start=start,
        period_end=end,
        created_at=at,
    )
    session.add(campaign)
    session.flush()
    for unit_id in dict.fromkeys(unit_ids):
        session.add(CampaignUnit(campaign_id=campaign.id, unit_id=unit_id))
    return campaign


def planned_ids(session: Session, campaign_id: int) -> list[int]:
    return list(session.scalars(select(CampaignUnit.unit_id).where(CampaignUnit.campaign_id == campaign_id)))


def add_unit(session: Session, campaign_id: int, unit_id: int) -> bool:
    if session.get(CampaignUnit, (campaign_id, unit_id)) is not None:
        return False
    session.add(CampaignUnit(campaign_id=campaign_id, unit_id=unit_id))
    return True


def remove_unit(session: Session, campaign_id: int, unit_id: int) -> bool:
    link = session.get(CampaignUnit, (campaign_id, unit_id))
    if link is None:
        return False
    session.delete(link)
    return True


def info(session: Session, campaign: Campaign) -> CampaignInfo:
    planned = list(
        session.scalars(
            select(Unit.name)
            .join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
            .where(CampaignUnit.campaign_id == campaign.id)
            .order_by(Unit.id)
        )
    )
    rows = session.execute(
        select(Audit.id, Unit.name)
        .join(Unit, Unit.id == Audit.unit_id)
        .where(Audit.campaign_id == campaign.id, Audit.status == "final", Audit.reinspection_of.is_(None))
        .order_by(Audit.id)
    ).all()
    return CampaignInfo(
        campaign.id,
        campaign.name,
        campaign.year,
        list(campaign.rulesets),
        campaign.period_start,
        campaign.period_end,
        planned,
        list(dict.fromkeys(name for _, name in rows)),
        len(rows),
    )


def listing(session: Session) -> list[CampaignInfo]:
    return [info(session, c) for c in session.scalars(select(Campaign).order_by(Campaign.id))]
