"""The checks every way of making an audit runs before it writes anything: the date, the campaign (its rulesets
and planned units) and the scope (one audit per unit, ruleset and campaign or year)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from seccheck.app.context import Context
from seccheck.errors import BadInput, Conflict, Problem
from seccheck.ruleset.load import LoadedRuleset, resolve_ruleset
from seccheck.storage import audits as repo
from seccheck.storage import campaigns as campaign_repo
from seccheck.storage.tables import Campaign, Unit


def check_date(ctx: Context, day: dt.date, campaign: Campaign | None, *, accept: bool, file: str | None = None) -> None:
    """An audit date in the future or outside its campaign's period is refused unless accepted."""
    if accept:
        return
    problems = []
    if day > ctx.today():
        problems.append(
            Problem(f"检查日期 {day} 晚于今天（{ctx.today()}）；确需如此请加 --accept-date", file=file, field="date")
        )
    if campaign is not None:
        start, end = campaign.period_start, campaign.period_end
        if (start and day < start) or (end and day > end):
            period = f"{start or '…'} 至 {end or '…'}"
            problems.append(
                Problem(
                    f"检查日期 {day} 不在专项行动“{campaign.name}”的时间段（{period}）内；确需如此请加 --accept-date",
                    file=file,
                    field="date",
                )
            )
    if problems:
        raise BadInput(problems)


def _campaign_ruleset_ids(campaign: Campaign) -> list[str]:
    ids = []
    for ref in campaign.rulesets:
        try:
            ids.append(resolve_ruleset(ref).ruleset.id)
        except BadInput:
            ids.append(ref)  # a ruleset file no longer where it was: compare by what was written
    return ids


def check_campaign(
    session: Session,
    campaign: Campaign | None,
    loaded: LoadedRuleset,
    unit: Unit,
    *,
    add: bool = False,
    file: str | None = None,
) -> None:
    """A campaign takes only its own rulesets and the units on its list (issue 22): a wrong file must
    not slip into an office's figures. `add` puts an unlisted unit on the list, as asked explicitly."""
    if campaign is None:
        return
    problems = []
    rulesets = _campaign_ruleset_ids(campaign)
    if rulesets and loaded.ruleset.id not in rulesets and loaded.ruleset.id not in campaign.rulesets:
        titles = "、".join(rulesets)
        problems.append(
            Problem(
                f"规则集“{loaded.ruleset.title}”（{loaded.ruleset.id}）不是专项行动“{campaign.name}”的规则集"
                f"（{titles}）；请核对答案文件的 ruleset 和 --campaign 是否写对，"
                "不属于该专项行动的检查请不加 --campaign 导入",
                file=file,
                field="ruleset",
            )
        )
    planned = campaign_repo.planned_ids(session, campaign.id)
    if planned and unit.id not in planned:
        if add and not problems:
            campaign_repo.add_unit(session, campaign.id, unit.id)
        elif not add:
            problems.append(
                Problem(
                    f"单位“{unit.name}”不在专项行动“{campaign.name}”的应检单位名单中；"
                    "请核对单位名称和 --campaign，确应检查请加 --add-to-campaign（同时把它加入名单），"
                    f"或先 seccheck campaign add-unit {campaign.name} {unit.name}",
                    file=file,
                    field="unit",
                )
            )
    if problems:
        raise BadInput(problems)


def check_scope(
    session: Session,
    unit_id: int,
    unit: str,
    ruleset_id: str,
    campaign: Campaign | None,
    day: dt.date,
    tier: tuple[int | None, int | None] = (None, None),
) -> None:
    """A second, independent audit of the same unit, ruleset and campaign is refused (records.md §1);
    below the unit, of the same department or person (`tier`, forms.md §4)."""
    from seccheck.app.answer_tiers import same_tier

    existing = same_tier(
        session,
        repo.originals_in_scope(
            session,
            unit_id=unit_id,
            ruleset_id=ruleset_id,
            campaign_id=campaign.id if campaign else None,
            year=day.year,
        ),
        tier,
    )
    if not existing:
        return
    audit = existing[-1]
    where = f"专项行动“{campaign.name}”中" if campaign else f"{day.year} 年（不属于任何专项行动）"
    state = "草稿" if audit.status == "draft" else "已定稿"
    raise Conflict(
        [
            Problem(
                f"{unit} 在{where}已有 {ruleset_id} 检查 {audit.id}（{state}）。"
                f"修改请用 seccheck audit amend {audit.id}，复查请用 seccheck reinspect {audit.id}；"
                "确是另一次独立的检查请加 --another-audit",
                field="unit",
            )
        ]
    )
