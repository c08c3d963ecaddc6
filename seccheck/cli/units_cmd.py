"""`seccheck unit`: add, list, import, rename, merge units (and, under them, people and departments)."""

from __future__ import annotations

from pathlib import Path

import click

from seccheck.cli.app import App, pass_app


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
    from seccheck.cli import render_records

    units = list_units(app.context())
    if as_json:
        from seccheck.app import views

        click.echo(views.to_json([views.unit(u) for u in units]))
        return
    render_records.units(units)


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


COMMANDS = [unit_group]
