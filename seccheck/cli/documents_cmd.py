"""Issuing an audit's documents again: `seccheck notice` (rectification notice or review) and `scoresheet`."""

from __future__ import annotations

from pathlib import Path

import click

from seccheck.cli.app import App, pass_app
from seccheck.cli.params import ALLOW_MISSING_GLYPHS, OUT_DIR


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
@OUT_DIR
@ALLOW_MISSING_GLYPHS
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
@OUT_DIR
@ALLOW_MISSING_GLYPHS
@pass_app
def scoresheet_cmd(app: App, audit_id: int, fmt: str, out_dir: Path | None, allow_missing_glyphs: bool) -> None:
    """出具自查自评表（评分表）：逐项分值、实有项目、扣分、得分和扣分说明，合计得分率和考评结果。"""
    from seccheck.app.documents import write_scoresheet

    made = write_scoresheet(
        app.context(), audit_id, fmt=fmt, out_dir=out_dir, allow_missing_glyphs=allow_missing_glyphs
    )
    click.echo(str(made.path))


COMMANDS = [notice_cmd, scoresheet_cmd]
