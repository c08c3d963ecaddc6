"""Commands after the notice: rectification tracking and campaign reports."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from seccheck.cli.app import App, pass_app

EXIT_BAD_INPUT = 1


@click.group("rectify")
def rectify_group() -> None:
    """整改：列出、报告整改情况、核实、退回。"""


@rectify_group.command("list")
@click.option("--overdue", is_flag=True, help="只列出逾期未整改的。")
@click.option("--unit", help="只列出这个单位的。")
@click.option("--campaign", help="只列出这个专项行动的（名称或编号）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_app
def rectify_list(app: App, overdue: bool, unit: str | None, campaign: str | None, as_json: bool) -> None:
    """列出问题的整改状态：待整改、已报告、已核实、退回；逾期按整改期限计算。"""
    from seccheck.cli import render
    from seccheck.storage.rectify import list_rectifications

    rows = list_rectifications(app.db(), today=dt.date.today(), overdue=overdue, unit=unit, campaign=campaign)
    if as_json:
        data = [{**r.__dict__, "due": r.due.isoformat()} for r in rows]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    render.rectifications(rows)


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
    from seccheck.storage.evidence import keep_evidence
    from seccheck.storage.rectify import report

    try:
        kept = [keep_evidence(app.workspace().evidence, path) for path in evidence]
    except OSError as exc:
        raise click.BadParameter(f"无法读取佐证材料：{exc}") from None
    info = report(app.db(), rect_id, note, kept)
    click.echo(f"整改记录 {info.id}（{info.unit}，{info.check_id}）：已报告")


@rectify_group.command("verify")
@click.argument("rect_id", metavar="ID", type=int)
@pass_app
def rectify_verify(app: App, rect_id: int) -> None:
    """核实整改到位。"""
    from seccheck.storage.rectify import verify

    info = verify(app.db(), rect_id)
    click.echo(f"整改记录 {info.id}（{info.unit}，{info.check_id}）：已核实")


@rectify_group.command("reject")
@click.argument("rect_id", metavar="ID", type=int)
@click.option("--reason", required=True, help="退回理由。")
@pass_app
def rectify_reject(app: App, rect_id: int, reason: str) -> None:
    """退回整改情况，要求重新整改并再次报告。"""
    from seccheck.storage.rectify import reject

    info = reject(app.db(), rect_id, reason)
    click.echo(f"整改记录 {info.id}（{info.unit}，{info.check_id}）：已退回")


@click.command("report")
@click.argument("campaign", metavar="CAMPAIGN")
@click.option(
    "--format", "fmt", type=click.Choice(["pdf", "html", "xlsx"]), default="pdf", show_default=True, help="输出格式。"
)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="输出目录（默认 reports/）。")
@pass_app
def report_cmd(app: App, campaign: str, fmt: str, out_dir: Path | None) -> None:
    """专项行动汇总：覆盖率、等次分布、得分、薄弱类别、常见问题、整改情况、统计数字和年终总结段落。"""
    from seccheck.cli import render
    from seccheck.report.service import make_report

    made = make_report(app.db(), app.workspace(), campaign, fmt=fmt, out_dir=out_dir, today=dt.date.today())
    render.out.print(made.summary.paragraph, soft_wrap=False)
    render.out.print(str(made.path), overflow="fold")
    if not made.summary.units:
        sys.exit(EXIT_BAD_INPUT)


@click.command("reinspect")
@click.argument("audit_id", type=int)
@click.option("--check", "checks", multiple=True, metavar="ID", help="另外要重新检查的检查 id，可重复。")
@click.option("--date", "date_text", metavar="DATE", help="复查日期（默认今天）。")
@click.option("--no-notice", is_flag=True, help="定稿后不出具整改通知书。")
@pass_app
def reinspect_cmd(app: App, audit_id: int, checks: tuple[str, ...], date_text: str | None, no_notice: bool) -> None:
    """复查：只重新询问上次不合规的检查（可另加），生成关联的新检查，并列出已整改、仍未整改和新发现的问题。"""
    from seccheck.cli import render
    from seccheck.cli.interview_cmd import run_audit
    from seccheck.storage.store import close_reinspection, find_reinspection_draft, load_audit, start_reinspection

    date = dt.date.fromisoformat(date_text) if date_text else dt.date.today()
    new_id = find_reinspection_draft(app.db(), audit_id) or start_reinspection(app.db(), audit_id, list(checks), date)
    render.out.print(f"复查检查 {audit_id}：检查 {new_id}")
    run_audit(app, None, None, None, None, (), (), None, None, new_id, notice=not no_notice)
    if load_audit(app.db(), new_id).status != "final":
        return
    diff = close_reinspection(app.db(), new_id)
    render.reinspection(audit_id, new_id, diff)


COMMANDS = [rectify_group, report_cmd, reinspect_cmd]
