"""Commands over the workspace's records: init, units, campaigns, audits, import, export, verify."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import click

from seccheck.cli.app import App, pass_app

EXIT_BAD_INPUT = 1


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"应为日期，如 2026-11-20（实际：{value}）") from None


@click.command("init")
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--issuer", default="", help="发文机关全称，如 某区国家保密局。")
@click.option("--prefix", default="", help="发文字号前缀，如 某保检。")
@click.option("--marking", default="", help="通知书左上角标识，如 工作秘密；默认不印。")
@click.option("--contact", default="", help="联系人。")
@click.option("--phone", default="", help="联系电话。")
@click.option("--inspector", "inspectors", multiple=True, help="默认检查人员，可重复。")
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
) -> None:
    """建立工作区：seccheck.toml（发文机关、字号前缀等）、数据库和 reports/ 目录。"""
    from seccheck.storage.db import Database
    from seccheck.storage.workspace import Issuer, init_workspace

    ws = init_workspace(
        directory,
        Issuer(name=issuer, prefix=prefix, marking=marking, contact=contact, phone=phone),
        list(inspectors),
        app.db_url,
    )
    Database(ws.db_url).close()
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
    """被检查单位：添加、列出、从 CSV 导入。"""


@unit_group.command("add")
@click.argument("name")
@click.option("--code", default="", help="单位代码（如统一社会信用代码）。")
@click.option("--kind", default="", help="单位类型，如 党政机关、企业、打字复印店。")
@click.option("--contact", default="", help="联系人和电话。")
@pass_app
def unit_add(app: App, name: str, code: str, kind: str, contact: str) -> None:
    """添加一个单位。"""
    from seccheck.storage.store import add_unit

    unit_id = add_unit(app.db(), name, code, kind, contact)
    click.echo(f"已添加单位 {unit_id}：{name}")


@unit_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_app
def unit_list(app: App, as_json: bool) -> None:
    """列出单位及其检查次数。"""
    from seccheck.cli import render
    from seccheck.storage.store import list_units

    units = list_units(app.db())
    if as_json:
        click.echo(json.dumps([u.__dict__ for u in units], ensure_ascii=False, indent=2))
        return
    render.units(units)


@unit_group.command("import")
@click.argument("csv_file", metavar="CSV", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def unit_import(app: App, csv_file: Path) -> None:
    """从 CSV 导入单位（UTF-8；表头 name/单位名称，可选 code/代码、kind/类型、contact/联系人）。"""
    from seccheck.storage.store import import_units, read_units_csv

    rows = read_units_csv(csv_file)
    added, existing = import_units(app.db(), rows)
    click.echo(f"导入 {added} 个单位" + (f"；{len(existing)} 个已存在，未改动" if existing else ""))


# --- campaigns -----------------------------------------------------------------------------------


@click.group("campaign")
def campaign_group() -> None:
    """专项行动：建立、列出、查看进度。"""


@campaign_group.command("create")
@click.argument("name")
@click.option("--year", type=int, default=None, help="年度（默认今年）。")
@click.option("--ruleset", "rulesets", multiple=True, required=True, metavar="ID|FILE", help="使用的规则集，可重复。")
@click.option("--from", "start", metavar="DATE", help="开始日期，如 2026-09-01。")
@click.option("--to", "end", metavar="DATE", help="结束日期。")
@click.option("--unit", "units", multiple=True, help="应检单位（须已添加），可重复。")
@pass_app
def campaign_create(
    app: App,
    name: str,
    year: int | None,
    rulesets: tuple[str, ...],
    start: str | None,
    end: str | None,
    units: tuple[str, ...],
) -> None:
    """建立专项行动：名称、年度、规则集、时间段和应检单位。"""
    from seccheck.storage.store import create_campaign

    campaign_id = create_campaign(
        app.db(), name, year or dt.date.today().year, rulesets, _date(start), _date(end), units
    )
    click.echo(f"已建立专项行动 {campaign_id}：{name}（应检单位 {len(set(units))} 个）")


@campaign_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_app
def campaign_list(app: App, as_json: bool) -> None:
    """列出专项行动及覆盖情况。"""
    from seccheck.cli import render
    from seccheck.storage.store import list_campaigns

    campaigns = list_campaigns(app.db())
    if as_json:
        click.echo(json.dumps([_jsonable(c.__dict__) for c in campaigns], ensure_ascii=False, indent=2))
        return
    render.campaigns(campaigns)


@campaign_group.command("show")
@click.argument("ref", metavar="NAME|ID")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_app
def campaign_show(app: App, ref: str, as_json: bool) -> None:
    """查看一个专项行动：应检和已检单位。"""
    from seccheck.cli import render
    from seccheck.storage.store import get_campaign, list_audits

    info = get_campaign(app.db(), ref)
    audits = list_audits(app.db(), campaign=str(info.id))
    if as_json:
        click.echo(
            json.dumps(
                _jsonable({**info.__dict__, "audits": [a.__dict__ for a in audits]}), ensure_ascii=False, indent=2
            )
        )
        return
    render.campaign(info, audits)


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
@click.option("--unit", help="被检查单位全称。")
@click.option("--campaign", help="归入专项行动（名称或编号）。")
@click.option("--self", "mode", flag_value="self", help="自查。")
@click.option("--inspection", "mode", flag_value="inspection", help="检查（有检查人员时的默认）。")
@click.option("--inspector", "inspectors", multiple=True, help="检查人员，可重复（默认取工作区配置）。")
@click.option("--method", "methods", multiple=True, help="检查方式，如 查阅资料、现场查看，可重复。")
@click.option("--date", "date_text", metavar="DATE", help="检查日期（默认今天）。")
@click.option(
    "--answers",
    "answers_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="从答案文件导入，不逐题询问：校验、导入、定稿。",
)
@click.option("--resume", "resume_id", type=int, metavar="ID", help="继续一次未完成的检查。")
@click.option("--no-notice", is_flag=True, help="定稿后不出具整改通知书（默认有问题时出具）。")
@pass_app
def audit_start(
    app: App,
    ruleset_ref: str | None,
    unit: str | None,
    campaign: str | None,
    mode: str | None,
    inspectors: tuple[str, ...],
    methods: tuple[str, ...],
    date_text: str | None,
    answers_file: Path | None,
    resume_id: int | None,
    no_notice: bool,
) -> None:
    """开始或继续一次检查：先问基本情况，再逐题询问适用的检查，每答一题即保存；定稿后出具整改通知书。"""
    from seccheck.cli.interview_cmd import run_audit

    run_audit(
        app,
        ruleset_ref,
        unit,
        campaign,
        mode,
        inspectors,
        methods,
        _date(date_text),
        answers_file,
        resume_id,
        notice=not no_notice,
    )


@audit_group.command("list")
@click.option("--unit", help="只列出这个单位的检查。")
@click.option("--campaign", help="只列出这个专项行动的检查（名称或编号）。")
@click.option("--status", type=click.Choice(["draft", "final"]), help="只列出草稿或已定稿的检查。")
@click.option("--all", "include_superseded", is_flag=True, help="包括已被修订的旧版本。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_app
def audit_list(
    app: App, unit: str | None, campaign: str | None, status: str | None, include_superseded: bool, as_json: bool
) -> None:
    """列出检查记录：编号、单位、规则集、日期、状态、等次和得分率。"""
    from seccheck.cli import render
    from seccheck.storage.store import list_audits

    audits = list_audits(app.db(), unit=unit, campaign=campaign, status=status, include_superseded=include_superseded)
    if as_json:
        click.echo(json.dumps([_jsonable(a.__dict__) for a in audits], ensure_ascii=False, indent=2))
        return
    render.audits(audits)


@audit_group.command("show")
@click.argument("audit_id", type=int)
@click.option("--explain", is_flag=True, help="列出计算过程。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出检查信息、答案和评分结果。")
@pass_app
def audit_show(app: App, audit_id: int, explain: bool, as_json: bool) -> None:
    """查看一次检查：基本信息、封签、评分结果和问题。"""
    from seccheck.cli import render
    from seccheck.seal import answer_record
    from seccheck.storage.store import load_audit

    record = load_audit(app.db(), audit_id)
    if as_json:
        data = {
            "id": record.id,
            "unit": record.unit,
            "campaign": record.campaign,
            "status": record.status,
            "revision": record.revision,
            "revision_of": record.revision_of,
            "superseded_by": record.superseded_by,
            "seal": record.seal,
            "ruleset": {
                "id": record.ruleset.ruleset.id,
                "version": record.ruleset.ruleset.version,
                "sha256": record.ruleset.sha256,
            },
            "answers": {k: answer_record(a) for k, a in record.answers.answers.items()},
            "result": json.loads(record.result_json) if record.result_json else None,
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    render.audit(record, explain=explain)


@audit_group.command("amend")
@click.argument("audit_id", type=int)
@click.option(
    "--set",
    "settings",
    multiple=True,
    required=True,
    metavar="ID=VALUE",
    help="改一个答案：是/否/true/false、数字、na 或文本；区间扣分写 ID=否:0.5。可重复。",
)
@click.option("--note", "notes", multiple=True, metavar="ID=TEXT", help="改一个答案的备注。可重复。")
@click.option("--reason", default="", help="修订原因，记入日志。")
@pass_app
def audit_amend(app: App, audit_id: int, settings: tuple[str, ...], notes: tuple[str, ...], reason: str) -> None:
    """修订已定稿的检查：生成新版本并重新评分、封签，旧版本保留。"""
    from seccheck.cli.values import parse_settings
    from seccheck.storage.store import amend, load_audit

    record = load_audit(app.db(), audit_id)
    changes = parse_settings(record.ruleset.ruleset, record.answers, settings, notes)
    new_id = amend(app.db(), audit_id, changes, reason)
    new = load_audit(app.db(), new_id)
    assert new.result is not None
    click.echo(
        f"已生成检查 {new_id}（第 {new.revision} 版，修订自 {audit_id}）：{new.result.grade}"
        + (f"，得分率 {new.result.percent}%" if new.result.percent is not None else "")
    )


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--ruleset", "ruleset_ref", metavar="FILE|ID", help="规则集文件或内置 id（默认取答案文件中的）。")
@click.option("--campaign", help="归入专项行动（名称或编号）。")
@click.option("--draft", is_flag=True, help="作为草稿导入：允许未答完，不评分、不封签。")
@click.option("--no-notice", is_flag=True, help="不出具整改通知书（默认为有问题的检查出具）。")
@pass_app
def import_cmd(
    app: App, files: tuple[Path, ...], ruleset_ref: str | None, campaign: str | None, draft: bool, no_notice: bool
) -> None:
    """导入答案文件：逐个校验，定稿封签，为有问题的检查出具整改通知书；有问题的文件列出后跳过，其余照常导入。"""
    from seccheck.cli import render
    from seccheck.storage.store import import_many

    done, failed = import_many(app.db(), files, ruleset=ruleset_ref, campaign=campaign, draft=draft)
    if not draft and not no_notice:
        failed += _notices(app, [audit_id for _, audit_id in done])
    for path, problems in failed:
        render.problems(problems)
        render.err.print(f"[red]跳过[/] {path}", soft_wrap=True)
    click.echo(f"导入 {len(done)} 个" + (f"，跳过 {len(failed)} 个有问题的文件" if failed else ""))
    if len(done) <= 20:
        for path, audit_id in done:
            click.echo(f"  检查 {audit_id} ← {path}")
    if failed:
        sys.exit(EXIT_BAD_INPUT)


@click.command("export")
@click.argument("audit_id", type=int)
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="输出目录（默认工作区的 reports/）。"
)
@pass_app
def export_cmd(app: App, audit_id: int, out_dir: Path | None) -> None:
    """导出一次检查：答案（TOML）、所用规则集（TOML）和评分结果（JSON），可重新导入得到相同结果。"""
    from seccheck.storage.store import export_audit

    paths = export_audit(app.db(), audit_id, out_dir or app.workspace().reports)
    for path in paths:
        click.echo(str(path))


@click.command("verify")
@click.argument("audit_ids", nargs=-1, type=int)
@click.option("--all", "check_all", is_flag=True, help="核验全部已定稿的检查。")
@pass_app
def verify_cmd(app: App, audit_ids: tuple[int, ...], check_all: bool) -> None:
    """核验检查记录的封签：重新计算 SHA-256 并重新评分，报告定稿后的任何改动。"""
    from seccheck.storage.store import list_audits, verify

    ids = list(audit_ids)
    if check_all:
        ids += [a.id for a in list_audits(app.db(), status="final", include_superseded=True)]
    if not ids:
        raise click.UsageError("请给出检查编号，或用 --all")
    bad = 0
    for audit_id in dict.fromkeys(ids):
        problems = verify(app.db(), audit_id)
        if problems:
            bad += 1
            for p in problems:
                click.echo(f"检查 {audit_id}：✗ {p}", err=True)
        else:
            click.echo(f"检查 {audit_id}：✓ 封签相符")
    if bad:
        sys.exit(EXIT_BAD_INPUT)


def _notices(app: App, audit_ids: list[int]) -> list[tuple[Path, list[Any]]]:
    """Notices for the imported audits that have findings; a failure is reported, not fatal."""
    from seccheck.errors import InputError
    from seccheck.notice.service import make_notice
    from seccheck.storage.store import load_audit

    failed: list[tuple[Path, list[Any]]] = []
    for audit_id in audit_ids:
        record = load_audit(app.db(), audit_id)
        if record.result is None or not record.result.findings:
            continue
        try:
            made = make_notice(app.db(), app.workspace(), audit_id)
            click.echo(f"  整改通知书 {made.number}：{made.path}")
        except InputError as exc:
            failed.append((Path(f"检查 {audit_id} 的整改通知书"), exc.problems))
    return failed


def _jsonable(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _jsonable(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_jsonable(v) for v in data]
    if isinstance(data, dt.date):
        return data.isoformat()
    return data


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
    """出具整改通知书：按 GB/T 9704 版式生成 PDF（或 HTML），发文字号按年度连续编号，重出时不变。"""
    from seccheck.notice.service import make_notice

    made = make_notice(
        app.db(), app.workspace(), audit_id, fmt=fmt, out_dir=out_dir, allow_missing_glyphs=allow_missing_glyphs
    )
    click.echo(f"{made.number}：{made.path}")


@click.command("doctor")
@pass_app
def doctor_cmd(app: App) -> None:
    """检查出具通知书所需的一切：各角色的中文字体、HarfBuzz 子集化、WeasyPrint 版本、数据库、报告目录。"""
    from seccheck.cli import render
    from seccheck.notice.doctor import run_checks

    checks = run_checks(app.workspace_dir, app.db_url)
    render.doctor(checks)
    if any(not c.ok and c.required for c in checks):
        sys.exit(EXIT_BAD_INPUT)


COMMANDS = [
    init_cmd,
    unit_group,
    campaign_group,
    audit_group,
    import_cmd,
    export_cmd,
    verify_cmd,
    notice_cmd,
    doctor_cmd,
]
