"""`seccheck unit key`: package keys for the sealed packages reported upward (issue 25), and how an
imported package is reported."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from seccheck.cli.app import App, pass_app

if TYPE_CHECKING:
    from seccheck.app.context import Context


@click.group("key")
def key_group() -> None:
    """上报密钥：上级机关发给下级单位（区县）用于封签上报数据包的密钥。

    \b
    上级：seccheck unit key issue 某区教育局 [--out 文件]        发密钥给单位
          seccheck unit key issue 某区保密局 --district          发密钥给区（县）
    下级：seccheck unit key add 某区教育局-上报密钥.toml          登记上级发来的密钥
    """


@key_group.command("issue")
@click.argument("unit")
@click.option("--district", is_flag=True, help="发给区（县）：用于封签其年度汇总数据包（summary --export）。")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="密钥文件（默认 reports/ 下）。")
@pass_app
def key_issue(app: App, unit: str, district: bool, out: Path | None) -> None:
    """给本工作区的一个单位（或区县）发一把新的上报密钥，写成文件交给对方。"""
    from seccheck.app.package_keys import issue_key

    issued = issue_key(app.context(), unit, district=district, out=out)
    click.echo(f"已为 {issued.subject} 生成上报密钥：{issued.path}")
    click.echo("请以安全的方式交给对方（不经聊天工具），对方用 seccheck unit key add 该文件 登记。")


@key_group.command("add")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def key_add(app: App, file: Path) -> None:
    """登记上级机关发来的上报密钥；此后 rollup --export（或 summary --export）用它封签数据包。"""
    from seccheck.app.package_keys import add_key

    held = add_key(app.context(), file)
    click.echo(f"已登记 {held.issuer} 发给 {held.subject} 的上报密钥。")


def package_imported(done: object) -> str:
    from seccheck.app.package_import import PackageImported

    assert isinstance(done, PackageImported)
    what = "区县汇总数据包" if done.level == "district" else "自查自评数据包"
    head = f"{done.path}：{done.subject} {done.year} 年{what}"
    if done.outcome == "already":
        return f"{head}：已导入过（第 {done.revision} 版），未改动"
    if done.outcome == "revised":
        return f"{head}：已导入为第 {done.revision} 版，取代此前的版本（单位 {done.units} 家）"
    return f"{head}：已导入（单位 {done.units} 家）"


def import_packages(ctx: Context, packages: list[Path]) -> bool:
    """Sealed packages from units (districts), each verified and recorded; True if any was refused
    (a refused one changes nothing, the others import)."""
    from seccheck.app.package_import import import_package
    from seccheck.errors import BadInput

    refused = False
    for path in packages:
        try:
            click.echo(package_imported(import_package(ctx, path)))
        except BadInput as exc:
            refused = True
            for problem in exc.problems:
                click.echo(f"✗ {problem}", err=True)
    return refused
