"""Commands over the workspace itself: init, doctor and the database's schema (db current, upgrade, history)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from seccheck.cli.app import App, pass_app
from seccheck.cli.exit import ExitStatus


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


@click.command("doctor")
@pass_app
def doctor_cmd(app: App) -> None:
    """检查出具通知书所需的一切：各角色的中文字体、HarfBuzz 子集化、WeasyPrint 版本、数据库、报告目录。"""
    from seccheck.app.doctor import run_checks
    from seccheck.cli import render_records

    checks = run_checks(app.workspace_dir, app.db_url)
    render_records.doctor(checks)
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


COMMANDS = [init_cmd, doctor_cmd, db_group]
