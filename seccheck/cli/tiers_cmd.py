"""Commands over a unit's departments and people, and the roll-up of the tiers (forms.md §4)."""

from __future__ import annotations

from pathlib import Path

import click

from seccheck.cli.app import App, pass_app
from seccheck.cli.params import ALLOW_MISSING_GLYPHS, OUT_DIR

UNIT = click.option("--unit", "unit", required=True, help="所属单位（须已添加）。")


@click.group("people")
def people_group() -> None:
    """单位的人员名单：从 CSV 导入、添加、列出、改名、调动、移出（只记姓名、工号和所在内设机构）。"""


@people_group.command("import")
@click.argument("csv_file", metavar="CSV", type=click.Path(dir_okay=False, path_type=Path))
@UNIT
@pass_app
def people_import(app: App, csv_file: Path, unit: str) -> None:
    """从 CSV 导入人员（UTF-8；表头 内设机构,姓名,工号；工号可省略，同名的人须填）。

    已在名单中的人不重复登记，所在内设机构与文件不同的按文件调动。
    """
    from seccheck.app.tiers import import_people

    done = import_people(app.context(), unit, csv_file)
    click.echo(
        f"{unit}：新增人员 {done.added} 名、调动 {done.moved} 名、未变 {done.unchanged} 名；"
        f"新增内设机构 {done.departments_added} 个"
    )


@people_group.command("add")
@click.argument("name")
@UNIT
@click.option("--department", required=True, help="所在内设机构（须已有，或先 seccheck unit department add）。")
@click.option("--staff-no", "staff_no", default="", help="工号；同名的人须填。")
@pass_app
def people_add(app: App, name: str, unit: str, department: str, staff_no: str) -> None:
    """添加一名人员。"""
    from seccheck.app.tiers import add_person

    add_person(app.context(), unit, department, name, staff_no)
    click.echo(f"已添加人员：{name}（{department}）")


@people_group.command("list")
@UNIT
@click.option("--department", default=None, help="只列这个内设机构的人员。")
@pass_app
def people_list(app: App, unit: str, department: str | None) -> None:
    """列出单位的人员（姓名、工号、所在内设机构）。"""
    from seccheck.app.tiers import list_people

    rows = list_people(app.context(), unit, department)
    if not rows:
        click.echo(f"{unit}还没有人员名单。用 seccheck unit people import 名单.csv --unit {unit} 导入。")
        return
    for row in rows:
        click.echo(f"{row.department}\t{row.name}\t{row.staff_no}")
    click.echo(f"共 {len(rows)} 名")


@people_group.command("rename")
@click.argument("person")
@click.argument("new")
@UNIT
@pass_app
def people_rename(app: App, person: str, new: str, unit: str) -> None:
    """更正人员姓名（PERSON 为工号，或单位内唯一的姓名）；检查记录不变。"""
    from seccheck.app.tiers import rename_person

    rename_person(app.context(), unit, person, new)
    click.echo(f"已更正：{person} → {new}")


@people_group.command("move")
@click.argument("person")
@UNIT
@click.option("--to", "to", required=True, help="调入的内设机构。")
@pass_app
def people_move(app: App, person: str, unit: str, to: str) -> None:
    """人员调到另一个内设机构：已做的自查仍记在当时所在的内设机构，本年度只计一次。"""
    from seccheck.app.tiers import move_person

    before, after = move_person(app.context(), unit, person, to)
    click.echo(f"{person}：{before} → {after}")


@people_group.command("remove")
@click.argument("person")
@UNIT
@pass_app
def people_remove(app: App, person: str, unit: str) -> None:
    """把人员移出名单（调离、退休）：不再计入应自查人数，已有记录保留。"""
    from seccheck.app.tiers import remove_person

    remove_person(app.context(), unit, person)
    click.echo(f"已移出名单：{person}")


@click.group("department")
def department_group() -> None:
    """单位的内设机构：添加、列出、改名、撤销。"""


@department_group.command("add")
@click.argument("name")
@UNIT
@pass_app
def department_add(app: App, name: str, unit: str) -> None:
    """添加一个内设机构。"""
    from seccheck.app.tiers import add_department

    add_department(app.context(), unit, name)
    click.echo(f"已添加内设机构：{name}")


@department_group.command("list")
@UNIT
@pass_app
def department_list(app: App, unit: str) -> None:
    """列出内设机构及人数。"""
    from seccheck.app.tiers import list_departments

    rows = list_departments(app.context(), unit)
    if not rows:
        click.echo(f"{unit}还没有内设机构。用 seccheck unit department add 或 unit people import 添加。")
        return
    for row in rows:
        former = f"（曾用名：{'、'.join(row.former_names)}）" if row.former_names else ""
        click.echo(f"{row.name}{former}\t{row.people} 人")


@department_group.command("rename")
@click.argument("old")
@click.argument("new")
@UNIT
@pass_app
def department_rename(app: App, old: str, new: str, unit: str) -> None:
    """内设机构改名：人员和记录不变，旧名称仍可用于答卷导入。"""
    from seccheck.app.tiers import rename_department

    rename_department(app.context(), unit, old, new)
    click.echo(f"内设机构改名：{old} → {new}")


@department_group.command("remove")
@click.argument("name")
@UNIT
@pass_app
def department_remove(app: App, name: str, unit: str) -> None:
    """撤销内设机构（须先调出其人员）：不再计入应自查数，已有记录保留。"""
    from seccheck.app.tiers import remove_department

    remove_department(app.context(), unit, name)
    click.echo(f"已撤销内设机构：{name}")


@click.command("rollup")
@click.argument("unit")
@click.option("--year", type=int, default=None, help="年度；默认今年。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（Rollup，见 docs/json.md）。")
@click.option("--report", "report", is_flag=True, help="另写出单位报送保密局的自查自评工作报告（GB/T 9704 版式）。")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "docx", "html"]),
    default="pdf",
    show_default=True,
    help="工作报告的格式：pdf 供打印盖章，docx 供编辑。",
)
@click.option("--to", "to", default=None, metavar="机关", help="主送机关（默认工作区配置的发文机关）。")
@OUT_DIR
@ALLOW_MISSING_GLYPHS
@click.option(
    "--export",
    "export",
    type=click.Path(dir_okay=False, path_type=Path),
    help="导出封签的上报数据包（本单位定稿的自查自评、三级数字和核验码），报送上级机关用 seccheck import 导入。",
)
@pass_app
def rollup_cmd(
    app: App,
    unit: str,
    year: int | None,
    as_json: bool,
    report: bool,
    fmt: str,
    to: str | None,
    out_dir: Path | None,
    allow_missing_glyphs: bool,
    export: Path | None,
) -> None:
    """单位三级自查汇总：内设机构、人员完成情况，按检查项的问题数，下级问题汇总到单位级检查项目。

    加 --export 导出封签的上报数据包；加 --report 写出单位的自查自评工作报告（覆盖情况、得分和等次、主要问题、
    整改情况，单位负责人签字，末尾印上报数据包的核验码；两者可同时给出）。同样的数据再写一次，日期和核验码不变。
    """
    if export is not None:
        from seccheck.app.packages import export_unit_package

        ctx = app.context()
        receipt = export_unit_package(ctx, unit, year or ctx.today().year, export)
        again = "" if receipt.new else "（数据与上次导出的相同，核验码不变）"
        click.echo(f"已导出上报数据包：{receipt.path}{again}")
        click.echo(f"核验码：{receipt.code}")
        if not report:
            return

    if report:
        from seccheck.app.selfreport import write_selfreport
        from seccheck.cli.progress import progress_bar

        with progress_bar(f"自查自评工作报告（{fmt.upper()}）", "步") as progress:
            made = write_selfreport(
                app.context(), unit, year, fmt=fmt, to=to, out_dir=out_dir,
                allow_missing_glyphs=allow_missing_glyphs, progress=progress,
            )  # fmt: skip
        click.echo(f"{made.content.title}：{made.path}")
        return
    given = [name for name, value in (("--to", to), ("--out", out_dir)) if value is not None]
    if given or fmt != "pdf" or allow_missing_glyphs:
        raise click.UsageError(f"{'、'.join(given) or '--format'} 只用于写工作报告：请同时给出 --report")
    from seccheck.app.rollup import rollup

    data = rollup(app.context(), unit, year)
    if as_json:
        from seccheck.app import views

        click.echo(views.to_json(data))
        return
    tiers = {"unit": "单位", "department": "内设机构", "individual": "个人"}
    click.echo(f"{data.unit} {data.year} 年度保密自查自评汇总")
    click.echo(
        f"内设机构：{data.departments.total} 个，完成自查 {data.departments.completed} 个；"
        f"人员：{data.people.total} 名，完成自查 {data.people.completed} 名"
    )
    for row in data.department_coverage:
        done = "已自查" if row.self_checked else "未自查"
        click.echo(f"  {row.department}：{done}；人员 {row.people_completed}/{row.people_total}")
    if not data.problems:
        click.echo("未发现问题。")
        return
    click.echo("发现的问题（按检查项，每个单位、内设机构或个人计一次）：")
    for problem in data.problems:
        click.echo(f"  {problem.count} 个{tiers[problem.tier]}：{problem.text}")
    if data.unit_items:
        click.echo("下级问题按单位级检查项目汇总：")
        for item in data.unit_items:
            click.echo(f"  {item.title}：{item.count} 个")
            for problem in item.problems:
                click.echo(f"    {problem.count} 个{tiers[problem.tier]}：{problem.text}")


COMMANDS = [rollup_cmd]
