"""`seccheck audit` (start, list, show, amend, discard, void) and the notice-number register."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from seccheck.cli.app import App, pass_app
from seccheck.cli.params import DATE


class _DefaultStart(click.Group):
    """`seccheck audit RULESET …` means `seccheck audit start RULESET …`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["start", *args]
        return super().parse_args(ctx, args)


@click.group("audit", cls=_DefaultStart)
def audit_group() -> None:
    """检查：逐题问答（seccheck audit RULESET --unit 单位），列出、查看、修订检查记录。"""


@audit_group.command("start")
@click.argument("ruleset_ref", metavar="RULESET", required=False)
@click.option("--unit", help="被检查单位全称（须已登记；新单位加 --new-unit）。")
@click.option("--new-unit", is_flag=True, help="--unit 是新单位：登记后开始检查。")
@click.option("--campaign", help="归入专项行动（名称或编号）。")
@click.option("--self", "mode", flag_value="self", help="自查。")
@click.option(
    "--inspection",
    "mode",
    flag_value="inspection",
    help="检查（自查自评规则集默认自查，其他有检查人员时默认检查）。",
)
@click.option("--inspector", "inspectors", multiple=True, help="检查人员，可重复（默认取工作区配置）。")
@click.option("--method", "methods", multiple=True, help="检查方式，如 查阅资料、现场查看，可重复。")
@click.option("--date", "date", type=DATE, help="检查日期（默认今天）。")
@click.option("--accept-date", is_flag=True, help="接受晚于今天或不在专项行动时间段内的检查日期。")
@click.option(
    "--add-to-campaign", is_flag=True, help="单位不在专项行动的应检单位名单中时，把它加入名单（默认拒绝，以免归错）。"
)
@click.option("--another-audit", is_flag=True, help="同一单位、规则集、专项行动已有检查时，仍另建一次独立的检查。")
@click.option(
    "--answers",
    "answers_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="从答案文件导入，不逐题询问：校验、导入、定稿。",
)
@click.option("--resume", "resume_id", type=int, metavar="ID", help="继续一次未完成的检查（含复查）。")
@click.option("--no-notice", is_flag=True, help="定稿后不出具整改通知书（默认有问题时出具）。")
@pass_app
def audit_start(
    app: App,
    ruleset_ref: str | None,
    unit: str | None,
    new_unit: bool,
    campaign: str | None,
    mode: str | None,
    inspectors: tuple[str, ...],
    methods: tuple[str, ...],
    date: dt.date | None,
    accept_date: bool,
    add_to_campaign: bool,
    another_audit: bool,
    answers_file: Path | None,
    resume_id: int | None,
    no_notice: bool,
) -> None:
    """开始或继续一次检查：先问基本情况，再逐题询问适用的检查，每答一题即保存；定稿后出具整改通知书。"""
    from seccheck.cli.interview_cmd import AuditRequest, run_audit

    run_audit(
        app,
        AuditRequest(
            ruleset_ref=ruleset_ref,
            unit=unit,
            new_unit=new_unit,
            campaign=campaign,
            mode=mode,
            inspectors=inspectors,
            methods=methods,
            date=date,
            accept_date=accept_date,
            another=another_audit,
            add_to_campaign=add_to_campaign,
            answers_file=answers_file,
            resume_id=resume_id,
            notice=not no_notice,
        ),
    )


@audit_group.command("list")
@click.option("--unit", help="只列出这个单位的检查。")
@click.option("--campaign", help="只列出这个专项行动的检查（名称或编号）。")
@click.option(
    "--status",
    type=click.Choice(["draft", "final", "discarded", "void"]),
    help="只列出草稿、已定稿、已作废的草稿或定稿后作废的检查。",
)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_app
def audit_list(app: App, unit: str | None, campaign: str | None, status: str | None, as_json: bool) -> None:
    """列出检查记录：编号、单位、规则集、日期、状态、版本、等次和得分率（不含已作废的草稿）。"""
    from seccheck.app.audits import list_audits
    from seccheck.cli import render_records

    audits = list_audits(app.context(), unit=unit, campaign=campaign, status=status)
    if as_json:
        from seccheck.app import views

        click.echo(views.to_json([views.audit(a) for a in audits]))
        return
    render_records.audits(audits)


@audit_group.command("show")
@click.argument("audit_id", type=int)
@click.option("--explain", is_flag=True, help="列出计算过程。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出检查信息、答案和评分结果。")
@pass_app
def audit_show(app: App, audit_id: int, explain: bool, as_json: bool) -> None:
    """查看一次检查：基本信息、封签、评分结果和问题。"""
    from seccheck.app.audits import load_audit
    from seccheck.cli import render_records

    record = load_audit(app.context(), audit_id)
    if as_json:
        from seccheck.app import views

        click.echo(views.to_json(views.audit_detail(record)))
        return
    render_records.audit(record, explain=explain)


@audit_group.command("amend")
@click.argument("audit_id", type=int)
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="ID=VALUE",
    help="改一个答案：是/否/true/false、数字、na 或文本；区间扣分写 ID=否:0.5。可重复。",
)
@click.option("--note", "notes", multiple=True, metavar="ID=TEXT", help="改一个答案的备注。可重复。")
@click.option("--reason", default="", help="修订原因，记入日志。")
@click.option("--no-notice", is_flag=True, help="不重出整改通知书。")
@pass_app
def audit_amend(
    app: App, audit_id: int, settings: tuple[str, ...], notes: tuple[str, ...], reason: str, no_notice: bool
) -> None:
    """修订已定稿的检查：检查编号不变，生成新版本并重新评分、封签；各问题的整改记录保留，已合规的问题撤销。"""
    from seccheck.app.audits import amend_typed
    from seccheck.cli import render_records

    if not settings and not notes:
        raise click.UsageError("请用 --set ID=答案 或 --note ID=备注 给出要修改的内容")
    done = amend_typed(app.context(), audit_id, settings, notes, reason, notice=not no_notice)
    click.echo(
        f"检查 {audit_id} 已修订为第 {done.revision} 版：{done.result.grade}"
        + (f"，得分率 {done.result.percent}%" if done.result.percent is not None else "")
    )
    render_records.followups(done)


@audit_group.command("discard")
@click.argument("audit_id", type=int)
@click.option("--reason", default="", help="作废原因，记入日志。")
@pass_app
def audit_discard(app: App, audit_id: int, reason: str) -> None:
    """作废一份草稿（开错了单位、规则集等）：不再列出、不计入任何数字，记录保留。"""
    from seccheck.app.voiding import discard

    discard(app.context(), audit_id, reason)
    click.echo(f"草稿检查 {audit_id} 已作废")


@audit_group.command("void")
@click.argument("audit_id", type=int)
@click.option("--reason", required=True, help="作废的理由（记入账本），如：误将其他单位的答案文件导入。")
@pass_app
def audit_void(app: App, audit_id: int, reason: str) -> None:
    """作废一次误录的已定稿检查：记录保留并封存（理由、作废人记入账本），不再计入任何数字；其通知书在发文登记中标明作废，字号不再使用。"""
    from seccheck.app.voiding import void

    done = void(app.context(), audit_id, reason)
    click.echo(f"检查 {audit_id} 已作废，不再计入任何数字。")
    if done.numbers:
        click.echo(f"发文字号 {'、'.join(done.numbers)} 在发文登记中标明作废，不再使用；请通知被检查单位该文书作废。")


@click.command("register")
@click.option("--year", type=int, help="只列出这一年的发文字号。")
@pass_app
def register_cmd(app: App, year: int | None) -> None:
    """发文登记：已取用的每个发文字号、被检查单位、检查编号和取号日期；所属检查作废的标明作废。"""
    from seccheck.app.voiding import notice_register
    from seccheck.cli import render_records

    render_records.register(notice_register(app.context(), year))


COMMANDS = [audit_group, register_cmd]
