"""`seccheck form`: issue offline forms to units and follow their return (forms.md §1)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from seccheck.cli.app import App, pass_app
from seccheck.cli.params import DATE


class _DefaultIssue(click.Group):
    """`seccheck form RULESET …` issues a form; `seccheck form status` is the one subcommand."""

    default_command = "issue"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: Any) -> None:
        formatter.write_usage(ctx.command_path, "RULESET --unit 单位 [选项] | status [选项]")


@click.group("form", cls=_DefaultIssue)
def form_group() -> None:
    """离线表单：为单位生成可在浏览器中离线填写的自查表（一个 HTML 文件），并跟踪回收情况。

    \b
    seccheck form unit-self-assessment --unit 某区司法局 --due 2026-12-31
    seccheck form unit-self-assessment --campaign 2026年度自查 --all-units --out 表单/
    seccheck form department-self-check --unit 某区教育局 --all-departments --out 表单/
    seccheck form individual-self-check --unit 某区教育局 --all-people [--department 办公室] --out 表单/
    seccheck form individual-self-check --unit 某区教育局 --person 001
    seccheck form status [--campaign 2026年度自查] [--json | --xlsx 回收情况.xlsx]

    单位填好后报送的答案文件用 seccheck import 导入（先核验表单编号、单位、规则集版本、核验值和证明材料）。
    """


@form_group.command("issue")
@click.argument("ruleset_ref", metavar="RULESET")
@click.option("--unit", "unit", help="填表单位（须已添加）。")
@click.option("--campaign", help="所属专项行动（名称或编号）。")
@click.option(
    "--all-units", is_flag=True, help="为 --campaign 的全部应检单位各生成一份，写入 --out 目录，并写出分发清单。"
)
@click.option(
    "--department", help="内设机构（内设机构自查按内设机构下发；与 --all-people 同用时只为该内设机构的人员生成）。"
)
@click.option("--person", help="人员的工号或姓名（个人自查按人员下发；须在 --unit 的人员名单中）。")
@click.option(
    "--all-people", is_flag=True, help="为 --unit 名单中的每个人各生成一份个人自查表，写入 --out 目录，并写出分发清单。"
)
@click.option(
    "--all-departments",
    is_flag=True,
    help="为 --unit 的每个内设机构各生成一份内设机构自查表，写入 --out 目录，并写出分发清单。",
)
@click.option("--due", type=DATE, help="报送截止日期，如 2026-12-31。")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="输出文件（一份表单）或目录（--all-units、--all-people、--all-departments，默认 表单）。",
)
@pass_app
def form_issue(
    app: App,
    ruleset_ref: str,
    unit: str | None,
    campaign: str | None,
    all_units: bool,
    department: str | None,
    person: str | None,
    all_people: bool,
    all_departments: bool,
    due: dt.date | None,
    out: Path | None,
) -> None:
    """生成离线表单并登记（表单编号、单位、内设机构或人员、规则集版本和摘要、专项行动、日期），记入防篡改台账。

    单位自查用 --unit；内设机构自查（department-self-check）用 --department 或 --all-departments；
    个人自查（individual-self-check）用 --person 或 --all-people（加 --department 时只为该内设机构的人员生成）。
    """
    from seccheck.app import form_lists, forms

    if sum((all_units, all_people, all_departments)) > 1:
        raise click.UsageError("--all-units、--all-people、--all-departments 只能选一个")
    if all_people or all_departments:
        flag = "--all-people" if all_people else "--all-departments"
        if not unit:
            raise click.UsageError(f"{flag} 需要 --unit 单位")
        if person or (all_departments and department):
            raise click.UsageError(f"{flag} 不能同时给出 --person" + ("或 --department" if all_departments else ""))
        folder = out or Path("表单")
        every = "people" if all_people else "departments"
        issued = forms.issue_for_tier(
            app.context(), ruleset_ref, unit, every, campaign, due, folder, department=department
        )
        what = "人" if all_people else "个内设机构"
        click.echo(f"已为 {unit} 的 {len(issued)} {what}各生成一份离线表单，写入 {folder}")
        click.echo(
            f"分发清单：{folder / (form_lists.DISTRIBUTION + '.xlsx')}、{folder / (form_lists.DISTRIBUTION + '.csv')}"
        )
        return
    if all_units:
        if not campaign or unit or department or person:
            raise click.UsageError("--all-units 需要 --campaign，且不能同时给出 --unit、--department 或 --person")
        folder = out or Path("表单")
        issued = forms.issue_for_campaign(app.context(), ruleset_ref, campaign, due, folder)
        click.echo(f"已为 {len(issued)} 个单位生成离线表单，写入 {folder}")
        click.echo(
            f"分发清单：{folder / (form_lists.DISTRIBUTION + '.xlsx')}、{folder / (form_lists.DISTRIBUTION + '.csv')}"
        )
        return
    if not unit:
        raise click.UsageError("请用 --unit 指定填表单位，或用 --campaign … --all-units 为全部应检单位生成")
    done = forms.issue_form(app.context(), ruleset_ref, unit, campaign, due, out, department=department, person=person)
    whom = f"单位 {done.unit}" + (f"，内设机构 {done.department}" if done.department else "")
    whom += f"，人员 {done.person}" + (f"（工号 {done.staff_no}）" if done.staff_no else "") if done.person else ""
    click.echo(f"已生成离线表单 {done.path}（表单编号 {done.number}，{whom}）")
    click.echo("把该文件发给填表人；用浏览器打开填写，保存的答案文件用 seccheck import 导入。")


@form_group.command("status")
@click.option("--campaign", help="只看一个专项行动（名称或编号）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@click.option(
    "--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path), help="写出电子表格（回收情况、催报名单）。"
)
@pass_app
def form_status(app: App, campaign: str | None, as_json: bool, xlsx: Path | None) -> None:
    """各单位离线表单的下发、回收、逾期情况和催报名单。"""
    from seccheck.app import form_lists

    status = form_lists.form_status(app.context(), campaign)
    if as_json:
        from seccheck.app import views

        click.echo(
            views.to_json(
                [
                    views.IssuedForm(
                        number=r.number,
                        unit=r.unit,
                        campaign=r.campaign,
                        ruleset_id=r.ruleset_id,
                        ruleset_version=r.ruleset_version,
                        issued_on=r.issued_on,
                        due=r.due,
                        state=r.state,
                        returned_on=r.returned_on,
                        audit_id=r.audit_id,
                        department=r.department or None,
                        person=r.person or None,
                        staff_no=r.staff_no or None,
                    )
                    for r in status.rows
                ]
            )
        )
        return
    if xlsx is not None:
        from seccheck.fileutil import write_atomic

        write_atomic(xlsx, form_lists.status_xlsx(status))
        click.echo(f"已写入 {xlsx}")
        return
    from seccheck.cli import render

    render.form_status(status)


COMMANDS = [form_group]
