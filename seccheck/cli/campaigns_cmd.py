"""`seccheck campaign`: create, list, show, edit campaigns and their planned units."""

from __future__ import annotations

import datetime as dt

import click

from seccheck.cli.app import App, pass_app
from seccheck.cli.params import DATE


@click.group("campaign")
def campaign_group() -> None:
    """专项行动：建立、列出、查看进度。"""


@campaign_group.command("create")
@click.argument("name")
@click.option("--year", type=int, default=None, help="年度（默认今年）。")
@click.option("--ruleset", "rulesets", multiple=True, required=True, metavar="ID|FILE", help="使用的规则集，可重复。")
@click.option("--from", "start", type=DATE, help="开始日期，如 2026-09-01。")
@click.option("--to", "end", type=DATE, help="结束日期。")
@click.option("--unit", "units", multiple=True, help="应检单位（须已添加），可重复。")
@pass_app
def campaign_create(
    app: App,
    name: str,
    year: int | None,
    rulesets: tuple[str, ...],
    start: dt.date | None,
    end: dt.date | None,
    units: tuple[str, ...],
) -> None:
    """建立专项行动：名称、年度、规则集、时间段和应检单位。"""
    from seccheck.app.campaigns import create_campaign

    campaign_id = create_campaign(app.context(), name, year, rulesets, start, end, units)
    click.echo(f"已建立专项行动 {campaign_id}：{name}（应检单位 {len(set(units))} 个）")


@campaign_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_app
def campaign_list(app: App, as_json: bool) -> None:
    """列出专项行动及覆盖情况。"""
    from seccheck.app.campaigns import list_campaigns
    from seccheck.cli import render_records

    campaigns = list_campaigns(app.context())
    if as_json:
        from seccheck.app import views

        click.echo(views.to_json([views.campaign(c) for c in campaigns]))
        return
    render_records.campaigns(campaigns)


@campaign_group.command("show")
@click.argument("ref", metavar="NAME|ID")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_app
def campaign_show(app: App, ref: str, as_json: bool) -> None:
    """查看一个专项行动：应检和已检单位。"""
    from seccheck.app.campaigns import show_campaign
    from seccheck.cli import render_records

    info, audits = show_campaign(app.context(), ref)
    if as_json:
        from seccheck.app import views

        click.echo(views.to_json(views.campaign_detail(info, audits)))
        return
    render_records.campaign(info, audits)


@campaign_group.command("add-unit")
@click.argument("ref", metavar="CAMPAIGN")
@click.argument("units", nargs=-1, required=True, metavar="UNIT...")
@pass_app
def campaign_add_unit(app: App, ref: str, units: tuple[str, ...]) -> None:
    """把单位加入专项行动的应检单位（单位须已添加）。"""
    from seccheck.app.campaigns import change_units

    changed = change_units(app.context(), ref, units, add=True)
    click.echo(f"应检单位增加 {len(changed)} 个" + (f"：{'、'.join(changed)}" if changed else "（都已在内）"))


@campaign_group.command("remove-unit")
@click.argument("ref", metavar="CAMPAIGN")
@click.argument("units", nargs=-1, required=True, metavar="UNIT...")
@pass_app
def campaign_remove_unit(app: App, ref: str, units: tuple[str, ...]) -> None:
    """从专项行动的应检单位中移除单位（已有的检查记录不受影响）。"""
    from seccheck.app.campaigns import change_units

    changed = change_units(app.context(), ref, units, add=False)
    click.echo(f"应检单位移除 {len(changed)} 个" + (f"：{'、'.join(changed)}" if changed else "（都不在内）"))


@campaign_group.command("edit")
@click.argument("ref", metavar="CAMPAIGN")
@click.option("--name", "new_name", help="新名称。")
@click.option("--from", "start", type=DATE, help="新的开始日期。")
@click.option("--to", "end", type=DATE, help="新的结束日期。")
@pass_app
def campaign_edit(app: App, ref: str, new_name: str | None, start: dt.date | None, end: dt.date | None) -> None:
    """修改专项行动的名称或时间段（已有检查不在新时间段内时拒绝）。"""
    from seccheck.app.campaigns import edit_campaign

    info = edit_campaign(app.context(), ref, new_name=new_name, start=start, end=end)
    period = f"{info.period_start or '…'} 至 {info.period_end or '…'}"
    click.echo(f"专项行动 {info.id}：{info.name}（{period}）")


COMMANDS = [campaign_group]
