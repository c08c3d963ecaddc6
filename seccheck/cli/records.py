"""Commands that move records in and out and check them: import, export, verify."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from seccheck.cli.app import App, pass_app
from seccheck.cli.exit import ExitStatus


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
    from seccheck.cli import render_records

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
    from seccheck.app.package_import import is_package
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
    render_records.import_report(report)
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
    from seccheck.cli import render_records
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
        bad += render_records.verified(found, listed=len(found.audits) <= render_records.BATCH_LISTED)
    if bad:
        sys.exit(ExitStatus.BAD_INPUT)


COMMANDS = [import_cmd, export_cmd, verify_cmd]
