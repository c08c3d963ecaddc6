"""Commands after the notice: rectification tracking and campaign reports."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from seccheck.cli.app import App, pass_app
from seccheck.cli.exit import ExitStatus
from seccheck.cli.params import DATE, OUT_DIR


@click.group("rectify")
def rectify_group() -> None:
    """整改：列出、报告整改情况、核实、退回；现场核实可一步办结（close）。"""


@rectify_group.command("list")
@click.option("--overdue", is_flag=True, help="只列出逾期未整改的。")
@click.option("--unit", help="只列出这个单位的。")
@click.option("--campaign", help="只列出这个专项行动的（名称或编号）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_app
def rectify_list(app: App, overdue: bool, unit: str | None, campaign: str | None, as_json: bool) -> None:
    """列出问题的整改状态：待整改、已报告、已核实、退回；逾期按整改期限计算。"""
    from seccheck.app.rectification import rectification_listing
    from seccheck.cli import render_records

    found = rectification_listing(app.context(), overdue=overdue, unit=unit, campaign=campaign)
    if as_json:
        from seccheck.app import views

        click.echo(views.to_json([views.rectification(r) for r in found.rows]))
        return
    if overdue and not found.rows and found.total:
        click.echo(f"没有逾期的整改记录（共 {found.total} 条，均未逾期或已核实）；去掉 --overdue 列出全部。")
        return
    render_records.rectifications(found.rows)


@rectify_group.command("report")
@click.argument("rect_id", metavar="ID", type=int)
@click.option("--note", required=True, help="整改情况。")
@click.option(
    "--evidence",
    "evidence",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="佐证材料文件，可重复（经 SHA-256 校验后复制到工作区）。",
)
@pass_app
def rectify_report(app: App, rect_id: int, note: str, evidence: tuple[Path, ...]) -> None:
    """登记单位报来的整改情况和佐证材料。"""
    from seccheck.app.rectification import report

    info = report(app.context(), rect_id, note, list(evidence))
    click.echo(f"整改记录 {info.id}（{info.unit}：{info.finding}）：已报告；核实后用 seccheck rectify verify {info.id}")


@rectify_group.command("verify")
@click.argument("rect_id", metavar="ID", type=int)
@pass_app
def rectify_verify(app: App, rect_id: int) -> None:
    """核实整改到位。"""
    from seccheck.app.rectification import verify

    info = verify(app.context(), rect_id)
    click.echo(f"整改记录 {info.id}（{info.unit}：{info.finding}）：已核实")


@rectify_group.command("close")
@click.argument("rect_id", metavar="ID", type=int)
@click.option("--note", required=True, help="现场核实的情况（如：已整改，现场查看属实）。")
@click.option(
    "--evidence",
    "evidence",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="佐证材料文件，可重复（经 SHA-256 校验后复制到工作区）。",
)
@pass_app
def rectify_close(app: App, rect_id: int, note: str, evidence: tuple[Path, ...]) -> None:
    """检查人员在现场核实整改到位：一步登记整改情况并核实（相当于 report 加 verify）。"""
    from seccheck.app.rectification import close

    info = close(app.context(), rect_id, note, list(evidence))
    click.echo(f"整改记录 {info.id}（{info.unit}：{info.finding}）：已报告并核实")


@rectify_group.command("reject")
@click.argument("rect_id", metavar="ID", type=int)
@click.option("--reason", required=True, help="退回理由。")
@pass_app
def rectify_reject(app: App, rect_id: int, reason: str) -> None:
    """退回整改情况，要求重新整改并再次报告。"""
    from seccheck.app.rectification import reject

    info = reject(app.context(), rect_id, reason)
    again = f"单位重新整改后再用 seccheck rectify report {info.id}"
    click.echo(f"整改记录 {info.id}（{info.unit}：{info.finding}）：已退回；{again}")


@click.command("report")
@click.argument("campaign", metavar="CAMPAIGN")
@click.option(
    "--format", "fmt", type=click.Choice(["pdf", "html", "xlsx"]), default="pdf", show_default=True, help="输出格式。"
)
@OUT_DIR
@pass_app
def report_cmd(app: App, campaign: str, fmt: str, out_dir: Path | None) -> None:
    """专项行动汇总：覆盖率、等次分布、得分、薄弱类别、常见问题、整改情况、统计数字和年终总结段落。"""
    from seccheck.app.reports import make_report
    from seccheck.cli.progress import progress_bar

    ctx = app.context()
    with progress_bar(f"汇总（{fmt.upper()}）", "步") as progress:
        made = make_report(ctx, campaign, fmt=fmt, out_dir=out_dir, progress=progress)
    for text in made.summary.paragraphs:
        click.echo(text)  # one line each, never wrapped: pasted as it is
    click.echo(str(made.path))
    if not made.summary.units:
        sys.exit(ExitStatus.BAD_INPUT)


@click.command("summary")
@click.option("--year", "year", type=int, required=True, help="年度。")
@click.option(
    "--campaign", "campaigns", multiple=True, metavar="NAME", help="只汇总这些专项行动（名称或编号），可重复。"
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "pdf", "html", "docx", "xlsx"]),
    default="text",
    show_default=True,
    help="text 只打印；其他格式另写入文件。",
)
@OUT_DIR
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出各段表述及其开头的数字。")
@click.option(
    "--export",
    "export",
    type=click.Path(dir_okay=False, path_type=Path),
    help="导出封签的区县汇总数据包（各单位的数字，每个单位一次，和本机关的核验码），报送上级机关。",
)
@pass_app
def summary_cmd(
    app: App, year: int, campaigns: tuple[str, ...], fmt: str, out_dir: Path | None, as_json: bool, export: Path | None
) -> None:
    """年终总结表述：一年中各专项行动的数字（每个单位每个规则集只算一次），每段一行，可直接粘贴。"""
    from seccheck.app.reports import write_year_summary
    from seccheck.cli.progress import progress_bar

    ctx = app.context()
    if export is not None:
        from seccheck.app.packages import export_district_package

        receipt = export_district_package(ctx, year, export)
        again = "" if receipt.new else "（数据与上次导出的相同，核验码不变）"
        click.echo(f"已导出区县汇总数据包：{receipt.path}{again}")
        click.echo(f"核验码：{receipt.code}")
        return
    with progress_bar(f"年终总结（{fmt.upper()}）", "步") as progress:
        made = write_year_summary(ctx, year, campaigns, fmt=fmt, out_dir=out_dir, progress=progress)
    if as_json:
        from seccheck.app import views

        click.echo(views.to_json(views.year_summary(made.summary)))
        if made.path is not None:
            click.echo(str(made.path), err=True)
        return
    for text in made.summary.paragraphs:
        click.echo(text)  # one line each, never wrapped, whatever the terminal width
    if made.path is not None:
        click.echo(str(made.path))


@click.command("reinspect")
@click.argument("audit_id", type=int)
@click.option("--check", "checks", multiple=True, metavar="ID", help="另外要重新检查的检查 id，可重复。")
@click.option("--date", "date", type=DATE, help="复查日期（默认今天；用 --answers 时取答案文件中的日期）。")
@click.option("--accept-date", is_flag=True, help="接受晚于今天或不在专项行动时间段内的复查日期。")
@click.option(
    "--answers",
    "answers_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="从答案文件完成复查，不逐题询问（无需终端）。",
)
@click.option("--no-notice", is_flag=True, help="定稿后不出具文书。")
@pass_app
def reinspect_cmd(
    app: App,
    audit_id: int,
    checks: tuple[str, ...],
    date: dt.date | None,
    accept_date: bool,
    answers_file: Path | None,
    no_notice: bool,
) -> None:
    """复查：只重新询问尚未整改到位的问题（可另加），生成关联的复查检查；定稿时核实已整改的问题，列出仍未整改和新发现的问题。"""
    from seccheck.app.reinspection import reinspect_from_file, start_reinspection
    from seccheck.cli import render, render_records
    from seccheck.cli.interview_cmd import has_terminal, run_draft

    ctx = app.context()
    if answers_file is not None:
        done = reinspect_from_file(ctx, audit_id, answers_file, checks, accept_date=accept_date, notice=not no_notice)
        render_records.finalised(done)
        return
    if not has_terminal():
        raise click.UsageError("没有终端，无法逐题询问；请在终端中运行，或用 --answers 提供复查的答案文件")
    draft = start_reinspection(ctx, audit_id, checks, date, accept_date=accept_date)
    render.out.print(f"复查检查 {audit_id}：检查 {draft.audit_id}" + ("" if draft.created else "（继续上次的复查）"))
    run_draft(app, draft.audit_id, notice=not no_notice)


COMMANDS = [rectify_group, report_cmd, summary_cmd, reinspect_cmd]
