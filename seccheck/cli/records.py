"""Commands over the workspace's records: init, units, campaigns, audits, import, export, verify."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from seccheck.cli.app import App, pass_app
from seccheck.cli.exit import ExitStatus
from seccheck.cli.params import DATE


@click.command("init")
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--issuer", default="", help="发文机关全称，如 某区国家保密局。")
@click.option("--prefix", default="", help="发文字号前缀，如 某保检。")
@click.option("--marking", default="", help="通知书左上角标识，如 工作秘密；默认不印。")
@click.option("--contact", default="", help="联系人。")
@click.option("--phone", default="", help="联系电话。")
@click.option("--inspector", "inspectors", multiple=True, help="默认检查人员，可重复。")
@click.option(
    "--db",
    "init_db",
    metavar="URL",
    help="数据库地址（如 PostgreSQL），写入 seccheck.toml，以后的命令都用它；默认为工作区内的 SQLite。",
)
@click.pass_obj
def init_cmd(
    app: App,
    directory: Path,
    issuer: str,
    prefix: str,
    marking: str,
    contact: str,
    phone: str,
    inspectors: tuple[str, ...],
    init_db: str | None,
) -> None:
    """建立工作区：seccheck.toml（发文机关、字号前缀、数据库地址等）、数据库和 reports/ 目录。"""
    from seccheck.app.workspace import create_workspace

    ws = create_workspace(
        directory,
        issuer=issuer,
        prefix=prefix,
        marking=marking,
        contact=contact,
        phone=phone,
        inspectors=list(inspectors),
        db_url=init_db or app.db_url,
    )
    click.echo(f"已建立工作区：{ws.root}")
    click.echo(f"  配置：{ws.root / 'seccheck.toml'}（发文机关、字号前缀、联系人，可随时修改）")
    click.echo(f"  数据库：{_safe_url(ws.db_url)}")
    click.echo(f"  报告目录：{ws.reports}")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# --- units ---------------------------------------------------------------------------------------


@click.group("unit")
def unit_group() -> None:
    """被检查单位：添加、列出、从 CSV 导入、改名、合并。"""


@unit_group.command("add")
@click.argument("name")
@click.option("--code", default="", help="单位代码（如统一社会信用代码）。")
@click.option("--kind", default="", help="单位类型，如 党政机关、企业、打字复印店。")
@click.option("--contact", default="", help="联系人和电话。")
@pass_app
def unit_add(app: App, name: str, code: str, kind: str, contact: str) -> None:
    """添加一个单位。"""
    from seccheck.app.units import add_unit

    unit_id = add_unit(app.context(), name, code, kind, contact)
    click.echo(f"已添加单位 {unit_id}：{name}")


@unit_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_app
def unit_list(app: App, as_json: bool) -> None:
    """列出单位及其检查次数。"""
    from seccheck.app.units import list_units
    from seccheck.cli import render

    units = list_units(app.context())
    if as_json:
        from seccheck.app import views

        click.echo(views.to_json([views.unit(u) for u in units]))
        return
    render.units(units)


@unit_group.command("import")
@click.argument("csv_file", metavar="CSV", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def unit_import(app: App, csv_file: Path) -> None:
    """从 CSV 导入单位（UTF-8；表头 name/单位名称，可选 code/代码、kind/类型、contact/联系人）。"""
    from seccheck.app.units import import_units

    added, existing = import_units(app.context(), csv_file)
    click.echo(f"导入 {added} 个单位" + (f"；{len(existing)} 个已存在，未改动" if existing else ""))


@unit_group.command("rename")
@click.argument("old")
@click.argument("new")
@pass_app
def unit_rename(app: App, old: str, new: str) -> None:
    """单位改名：编号和全部记录不变，旧名称仍可用于导入和查找。"""
    from seccheck.app.units import rename_unit

    unit_id = rename_unit(app.context(), old, new)
    click.echo(f"单位 {unit_id}：{old} → {new}")


@unit_group.command("merge")
@click.argument("source", metavar="FROM")
@click.argument("target", metavar="INTO")
@pass_app
def unit_merge(app: App, source: str, target: str) -> None:
    """把重复登记的单位 FROM 并入 INTO：检查记录和专项行动随之转移，FROM 的名称成为 INTO 的别名。"""
    from seccheck.app.units import merge_units

    moved = merge_units(app.context(), source, target)
    click.echo(f"已将 {source} 并入 {target}（转移检查记录 {moved} 份）")


def _tier_commands() -> None:
    from seccheck.cli.packages_cmd import key_group
    from seccheck.cli.tiers_cmd import department_group, people_group

    unit_group.add_command(people_group)
    unit_group.add_command(department_group)
    unit_group.add_command(key_group)


_tier_commands()


# --- campaigns -----------------------------------------------------------------------------------


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
    from seccheck.cli import render

    campaigns = list_campaigns(app.context())
    if as_json:
        from seccheck.app import views

        click.echo(views.to_json([views.campaign(c) for c in campaigns]))
        return
    render.campaigns(campaigns)


@campaign_group.command("show")
@click.argument("ref", metavar="NAME|ID")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_app
def campaign_show(app: App, ref: str, as_json: bool) -> None:
    """查看一个专项行动：应检和已检单位。"""
    from seccheck.app.campaigns import show_campaign
    from seccheck.cli import render

    info, audits = show_campaign(app.context(), ref)
    if as_json:
        from seccheck.app import views

        click.echo(views.to_json(views.campaign_detail(info, audits)))
        return
    render.campaign(info, audits)


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


# --- audits --------------------------------------------------------------------------------------


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
    from seccheck.cli import render

    audits = list_audits(app.context(), unit=unit, campaign=campaign, status=status)
    if as_json:
        from seccheck.app import views

        click.echo(views.to_json([views.audit(a) for a in audits]))
        return
    render.audits(audits)


@audit_group.command("show")
@click.argument("audit_id", type=int)
@click.option("--explain", is_flag=True, help="列出计算过程。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出检查信息、答案和评分结果。")
@pass_app
def audit_show(app: App, audit_id: int, explain: bool, as_json: bool) -> None:
    """查看一次检查：基本信息、封签、评分结果和问题。"""
    from seccheck.app.audits import load_audit
    from seccheck.cli import render

    record = load_audit(app.context(), audit_id)
    if as_json:
        from seccheck.app import views

        click.echo(views.to_json(views.audit_detail(record)))
        return
    render.audit(record, explain=explain)


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
    from seccheck.cli import render

    if not settings and not notes:
        raise click.UsageError("请用 --set ID=答案 或 --note ID=备注 给出要修改的内容")
    done = amend_typed(app.context(), audit_id, settings, notes, reason, notice=not no_notice)
    click.echo(
        f"检查 {audit_id} 已修订为第 {done.revision} 版：{done.result.grade}"
        + (f"，得分率 {done.result.percent}%" if done.result.percent is not None else "")
    )
    render.followups(done)


@audit_group.command("discard")
@click.argument("audit_id", type=int)
@click.option("--reason", default="", help="作废原因，记入日志。")
@pass_app
def audit_discard(app: App, audit_id: int, reason: str) -> None:
    """作废一份草稿（开错了单位、规则集等）：不再列出、不计入任何数字，记录保留。"""
    from seccheck.app.audits import discard

    discard(app.context(), audit_id, reason)
    click.echo(f"草稿检查 {audit_id} 已作废")


@audit_group.command("void")
@click.argument("audit_id", type=int)
@click.option("--reason", required=True, help="作废的理由（记入账本），如：误将其他单位的答案文件导入。")
@pass_app
def audit_void(app: App, audit_id: int, reason: str) -> None:
    """作废一次误录的已定稿检查：记录保留并封存（理由、作废人记入账本），不再计入任何数字；其通知书在发文登记中标明作废，字号不再使用。"""
    from seccheck.app.audits import void

    done = void(app.context(), audit_id, reason)
    click.echo(f"检查 {audit_id} 已作废，不再计入任何数字。")
    if done.numbers:
        click.echo(f"发文字号 {'、'.join(done.numbers)} 在发文登记中标明作废，不再使用；请通知被检查单位该文书作废。")


@click.command("register")
@click.option("--year", type=int, help="只列出这一年的发文字号。")
@pass_app
def register_cmd(app: App, year: int | None) -> None:
    """发文登记：已取用的每个发文字号、被检查单位、检查编号和取号日期；所属检查作废的标明作废。"""
    from seccheck.app.audits import notice_register
    from seccheck.cli import render

    render.register(notice_register(app.context(), year))


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--ruleset", "ruleset_ref", metavar="FILE|ID", help="规则集文件或内置 id（默认取答案文件中的）。")
@click.option("--campaign", help="归入专项行动（名称或编号）。")
@click.option("--draft", is_flag=True, help="作为草稿导入：允许未答完，不评分、不封签。")
@click.option("--no-notice", is_flag=True, help="不出具整改通知书（默认为有问题的检查出具）。")
@click.option("--new-unit", is_flag=True, help="答案文件中的单位尚未登记时，登记为新单位（默认拒绝，以免错字）。")
@click.option("--amend", "amend_existing", is_flag=True, help="以文件修订同一单位、规则集、专项行动已定稿的检查。")
@click.option("--another-audit", is_flag=True, help="同一单位、规则集、专项行动已有检查时，仍另建一次独立的检查。")
@click.option("--accept-date", is_flag=True, help="接受晚于今天或不在专项行动时间段内的检查日期。")
@click.option(
    "--add-to-campaign", is_flag=True, help="单位不在专项行动的应检单位名单中时，把它加入名单（默认拒绝，以免归错）。"
)
@pass_app
def import_cmd(
    app: App,
    files: tuple[Path, ...],
    ruleset_ref: str | None,
    campaign: str | None,
    draft: bool,
    no_notice: bool,
    new_unit: bool,
    amend_existing: bool,
    another_audit: bool,
    accept_date: bool,
    add_to_campaign: bool,
) -> None:
    """导入答案文件：逐个校验，定稿封签，为有问题的检查出具整改通知书。

    同一内容再次导入不会重复（显示“已导入”），并补齐上次未完成的通知书；有问题的文件列出后跳过，其余照常导入。
    """
    from seccheck.app.imports import ImportOptions, import_files
    from seccheck.cli import render

    options = ImportOptions(
        ruleset=ruleset_ref,
        campaign=campaign,
        draft=draft,
        notice=not no_notice,
        new_unit=new_unit,
        another=another_audit,
        amend=amend_existing,
        accept_date=accept_date,
        add_to_campaign=add_to_campaign,
    )
    from seccheck.cli.progress import progress_bar

    ctx = app.context()
    from seccheck.app.packages import is_package
    from seccheck.cli.packages_cmd import import_packages

    packages = [f for f in files if is_package(f)]
    refused = import_packages(ctx, packages)
    files = tuple(f for f in files if f not in packages)
    if not files:
        if refused:
            sys.exit(ExitStatus.BAD_INPUT)
        return
    with progress_bar("导入", "份") as progress:
        report = import_files(ctx, files, options, progress)
    render.import_report(report)
    if refused or report.failed or any(i.followups.problems for i in report.done):
        sys.exit(ExitStatus.BAD_INPUT)


@click.command("export")
@click.argument("audit_id", type=int)
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="输出目录（默认工作区的 reports/）。"
)
@pass_app
def export_cmd(app: App, audit_id: int, out_dir: Path | None) -> None:
    """导出一次检查：答案（TOML）、所用规则集（TOML）和评分结果（JSON），可重新导入得到相同结果。"""
    from seccheck.app.audits import export_audit

    ctx = app.context()
    for path in export_audit(ctx, audit_id, ctx.output_dir(out_dir)):
        click.echo(str(path))


@click.command("verify")
@click.argument("audit_ids", nargs=-1, type=int)
@click.option(
    "--all",
    "check_all",
    is_flag=True,
    help="核验整个工作区：账本的每一条、每一份定稿检查及全部问题、整改、发文字号、文书记录。",
)
@click.option("--anchor", "anchors", multiple=True, metavar="位置:摘要", help="核对文书上印的核验码（可多次给出）。")
@pass_app
def verify_cmd(app: App, audit_ids: tuple[int, ...], check_all: bool, anchors: tuple[str, ...]) -> None:
    """核验封签和账本：每一版的封签、当前答案和结果、重新评分，以及账本记载的每一条记录；报告定稿后的任何改动。"""
    from seccheck.app.verification import check_anchor, verify_workspace
    from seccheck.cli import render
    from seccheck.cli.progress import progress_bar

    if not audit_ids and not check_all and not anchors:
        raise click.UsageError("请给出检查编号，或用 --all、--anchor")
    ctx = app.context()
    bad = 0
    for anchor in anchors:
        checked = check_anchor(ctx, anchor)
        bad += bool(checked.problems)
        for p in checked.problems:
            click.echo(f"核验码 {anchor}：✗ {p}", err=True)
        if not checked.problems:
            click.echo(f"核验码 {anchor}：✓ 账本与文书相符")
        if checked.since:
            click.echo(f"核验码 {anchor}：此后改动了文书出具时已有的记录 {len(checked.since)} 次（自这份文书以来）：")
            for line in checked.since:
                click.echo(f"  {line}")
    if audit_ids or check_all:
        with progress_bar("核验", "项") as progress:
            found = verify_workspace(ctx, audit_ids, every_final=check_all, progress=progress)
        bad += render.verified(found, listed=len(found.audits) <= render.BATCH_LISTED)
    if bad:
        sys.exit(ExitStatus.BAD_INPUT)


@click.command("notice")
@click.argument("audit_id", type=int)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "html"]),
    default="pdf",
    show_default=True,
    help="输出 PDF 或 HTML（同一模板，HTML 可离线在浏览器中打开）。",
)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="输出目录（默认 reports/）。")
@click.option("--allow-missing-glyphs", is_flag=True, help="即使有字符在字体中找不到（会印成方框）也照样输出。")
@pass_app
def notice_cmd(app: App, audit_id: int, fmt: str, out_dir: Path | None, allow_missing_glyphs: bool) -> None:
    """出具整改通知书（复查则为复查意见书）：按 GB/T 9704 版式生成 PDF（或 HTML），发文字号按年度连续编号，
    重出和修订后不变；修订改变了问题时出具同号的更正通知书。"""
    from seccheck.app.documents import write_notice_or_review
    from seccheck.cli.progress import progress_bar

    with progress_bar("出具文书", unit="步") as progress:
        made = write_notice_or_review(
            app.context(), audit_id, fmt=fmt, out_dir=out_dir, allow_missing_glyphs=allow_missing_glyphs,
            progress=progress,
        )  # fmt: skip
    click.echo(f"{made.number}：{made.path}")


@click.command("scoresheet")
@click.argument("audit_id", type=int)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "html"]),
    default="pdf",
    show_default=True,
    help="输出 PDF 或 HTML。",
)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="输出目录（默认 reports/）。")
@click.option("--allow-missing-glyphs", is_flag=True, help="即使有字符在字体中找不到（会印成方框）也照样输出。")
@pass_app
def scoresheet_cmd(app: App, audit_id: int, fmt: str, out_dir: Path | None, allow_missing_glyphs: bool) -> None:
    """出具自查自评表（评分表）：逐项分值、实有项目、扣分、得分和扣分说明，合计得分率和考评结果。"""
    from seccheck.app.documents import write_scoresheet

    made = write_scoresheet(
        app.context(), audit_id, fmt=fmt, out_dir=out_dir, allow_missing_glyphs=allow_missing_glyphs
    )
    click.echo(str(made.path))


@click.command("doctor")
@pass_app
def doctor_cmd(app: App) -> None:
    """检查出具通知书所需的一切：各角色的中文字体、HarfBuzz 子集化、WeasyPrint 版本、数据库、报告目录。"""
    from seccheck.app.doctor import run_checks
    from seccheck.cli import render

    checks = run_checks(app.workspace_dir, app.db_url)
    render.doctor(checks)
    if any(not c.ok and c.required for c in checks):
        sys.exit(ExitStatus.ENVIRONMENT)


@click.group("db")
def db_group() -> None:
    """数据库管理：结构版本、升级、迁移历史（平时每个命令打开数据库时自动升级）。"""


def _schema(state: object) -> None:
    from seccheck.app.database import SchemaState

    assert isinstance(state, SchemaState)
    click.echo(f"数据库：{state.url}")
    click.echo(f"结构版本：{state.current or '（空库，尚未建表）'}；最新：{state.head}")
    click.echo("已是最新。" if state.up_to_date else "需要升级：seccheck db upgrade（或运行任一命令时自动升级）。")


@db_group.command("current")
@click.pass_obj
def db_current(app: App) -> None:
    """显示数据库的结构版本（不升级）。"""
    from seccheck.app.database import schema_state

    _schema(schema_state(app.workspace_dir, app.db_url))


@db_group.command("upgrade")
@click.pass_obj
def db_upgrade(app: App) -> None:
    """把数据库结构升级到最新版本（升级前请备份）。"""
    from seccheck.app.database import upgrade

    _schema(upgrade(app.workspace_dir, app.db_url))


@db_group.command("history")
@click.pass_obj
def db_history(app: App) -> None:
    """列出全部迁移（结构版本），标出数据库当前所在的版本。"""
    from seccheck.app.database import schema_state

    state = schema_state(app.workspace_dir, app.db_url)
    for revision, title in state.history:
        mark = "→" if revision == state.current else " "
        click.echo(f"{mark} {revision}  {title}")


COMMANDS = [
    init_cmd,
    unit_group,
    campaign_group,
    audit_group,
    import_cmd,
    export_cmd,
    verify_cmd,
    notice_cmd,
    register_cmd,
    scoresheet_cmd,
    doctor_cmd,
    db_group,
]
