"""The `seccheck` command. Thin: parse options, call the core, print.

Only click is imported at start-up; the core and rich are imported inside commands so that
`seccheck --help` stays fast.

Exit codes: 0 done, 1 bad input (every problem printed), 2 usage error, 130 interrupted.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from seccheck.cli import zh

zh.install()  # click's own words in Chinese; before any option is declared


class _Group(click.Group):
    """Every error becomes its exit status and a message in one place (seccheck.cli.exit)."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        from seccheck.cli.safe import guard_terminal_streams

        guard_terminal_streams()  # control characters never reach a terminal, whoever prints
        return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        from seccheck.cli.exit import ExitStatus
        from seccheck.errors import SeccheckError

        try:
            return super().invoke(ctx)
        except SeccheckError as exc:
            _fail(ctx, exc)
        except KeyboardInterrupt:
            click.echo("\n已中断。", err=True)
            ctx.exit(ExitStatus.INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except OSError as exc:
            from seccheck.cli.exit import from_os_error

            _fail(ctx, from_os_error(exc))
        except Exception as exc:
            from seccheck.cli.exit import from_database_error

            mapped = from_database_error(exc)
            if mapped is not None:
                _fail(ctx, mapped)
            # A bug of ours, not the user's input: say so plainly; the traceback on request.
            if os.environ.get("SECCHECK_DEBUG"):
                raise
            click.echo(
                f"内部错误：{type(exc).__name__}: {exc}\n这是 seccheck 的缺陷，请连同所用命令报告；"
                "设置 SECCHECK_DEBUG=1 可显示详细信息。",
                err=True,
            )
            ctx.exit(ExitStatus.INTERNAL)


def _fail(ctx: click.Context, exc: Any) -> None:
    from seccheck.cli import render
    from seccheck.cli.exit import status_of

    render.problems(exc.problems)
    ctx.exit(status_of(exc))


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from seccheck.versions import version_lines

    click.echo("\n".join(version_lines()))
    ctx.exit()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "-V",
    "--version",
    is_flag=True,
    is_eager=True,
    expose_value=False,
    help="显示 seccheck 的版本、依赖锁定文件的 sha256 和主要依赖的版本，然后退出。",
    callback=_print_version,
)
@click.option(
    "--workspace",
    "-w",
    type=click.Path(file_okay=False, path_type=Path),
    help="工作区目录（默认从当前目录向上查找 seccheck.toml）。",
)
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    envvar="SECCHECK_DB",
    show_envvar=True,
    help="数据库地址，如 postgresql+psycopg://用户@主机/库；默认为工作区内的 SQLite。",
)
@click.pass_context
def main(ctx: click.Context, workspace: Path | None, db_url: str | None) -> None:
    """seccheck：保密自查自评与专项检查。

    规则集（TOML）描述检查项目；按官方扣分制（实有项目、扣分封顶、加重扣分、否决项）评分，并说明每一分的扣除理由。

    退出码：0 成功，1 输入有误，2 用法错误，3 找不到记录，4 与已有记录冲突，5 环境问题（磁盘、权限、数据库），
    130 已中断，70 内部错误。
    """
    from seccheck.cli.app import App

    app = App(workspace, db_url)
    ctx.obj = app
    ctx.call_on_close(app.close)


# --- seccheck ruleset ---------------------------------------------------------------------------


@main.group(cls=_Group)
def ruleset() -> None:
    """规则集：校验、列出、查看，输出 JSON Schema；用电子表格编写（template、from-xlsx、to-xlsx）。"""


@ruleset.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def ruleset_check(files: tuple[Path, ...]) -> None:
    """校验规则集文件，一次列出所有问题（文件、行号、id、字段、期望值）。"""
    from seccheck.cli import render
    from seccheck.errors import BadInput
    from seccheck.ruleset.load import load_ruleset

    failed = False
    for path in files:
        try:
            loaded = load_ruleset(path)
        except BadInput as exc:
            render.problems(exc.problems)
            failed = True
            continue
        render.problems(list(loaded.warnings))
        render.ruleset_ok(loaded)
    if failed:
        from seccheck.cli.exit import ExitStatus

        sys.exit(ExitStatus.BAD_INPUT)


@ruleset.command("schema")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="写入文件而不是打印。")
@click.option("--answers", is_flag=True, help="输出答案文件格式的 JSON Schema（随包附带 answers.schema.json）。")
def ruleset_schema(out: Path | None, answers: bool) -> None:
    """输出规则集格式（--answers：答案文件格式）的 JSON Schema，由模型生成，随包附带同样内容的文件。"""
    from seccheck.app.rulesets import schema_text

    text = schema_text(answers=answers)
    if out is None:
        click.echo(text, nl=False)
    else:
        from seccheck.fileutil import write_atomic

        write_atomic(out, text.encode("utf-8"))
        click.echo(f"已写入 {out}")


@ruleset.command("list")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
def ruleset_list(files: tuple[Path, ...]) -> None:
    """列出内置规则集和给出的规则集文件。"""
    from seccheck.cli import render
    from seccheck.ruleset.load import builtin_rulesets, load_ruleset

    loaded = builtin_rulesets() + [load_ruleset(p) for p in files]
    render.ruleset_table(loaded)


@ruleset.command("show")
@click.argument("ref")
def ruleset_show(ref: str) -> None:
    """以树形显示规则集：类别、检查项、检查、分值和扣分规则。REF 为内置 id 或文件路径。"""
    from seccheck.cli import render
    from seccheck.ruleset.load import resolve_ruleset

    render.ruleset_tree(resolve_ruleset(ref))


@ruleset.command("template")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="模板文件（.xlsx）。")
def ruleset_template(out: Path) -> None:
    """写出用电子表格编写规则集的模板（.xlsx）：各工作表、列名批注、下拉列表和中文说明。"""
    from seccheck.app.rulesets import write_template

    write_template(out)
    click.echo(f"已写入模板 {out}；填好后用 seccheck ruleset from-xlsx {out} --out 规则集.toml 转换")


@ruleset.command("from-xlsx")
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="规则集文件（.toml）。")
def ruleset_from_xlsx(workbook: Path, out: Path) -> None:
    """把电子表格（.xlsx）转换为规则集 TOML；一次列出所有问题（工作表、行号、列名），再按规则集格式校验。"""
    from seccheck.app.rulesets import convert_workbook
    from seccheck.cli import render

    loaded = convert_workbook(workbook, out)
    render.problems(list(loaded.warnings))
    render.ruleset_ok(loaded)
    click.echo(f"已写入 {out}")


@ruleset.command("to-xlsx")
@click.argument("ref")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="电子表格文件（.xlsx）。")
def ruleset_to_xlsx(ref: str, out: Path) -> None:
    """把规则集（内置 id 或文件）导出为电子表格（.xlsx），可修改后用 from-xlsx 转回。"""
    from seccheck.app.rulesets import write_workbook

    write_workbook(ref, out)
    click.echo(f"已写入 {out}")


# --- seccheck score -----------------------------------------------------------------------------


@main.command("score")
@click.argument("answers_file", metavar="ANSWERS", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--ruleset", "ruleset_ref", metavar="FILE|ID", help="规则集文件或内置 id（默认取答案文件中的 ruleset）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出完整评分结果（数值为字符串，保持精确）。")
@click.option("--explain", is_flag=True, help="列出计算过程：实有项目分值、得分、加重扣分、每一处扣分及理由。")
def score_cmd(answers_file: Path, ruleset_ref: str | None, as_json: bool, explain: bool) -> None:
    """按规则集为答案文件评分：等次、得分率、分类得分表和发现的问题。"""
    from seccheck.app.rulesets import score_file
    from seccheck.cli import render

    scored = score_file(answers_file, ruleset_ref)
    render.problems(scored.warnings)
    result, loaded = scored.result, scored.ruleset
    if as_json:
        from seccheck.app import views

        click.echo(views.to_json(result))
        return
    render.result(result, explain=explain, rs=loaded.ruleset)


def _register() -> None:
    from seccheck.cli import (
        audits_cmd,
        campaigns_cmd,
        documents_cmd,
        followup,
        forms_cmd,
        records,
        tiers_cmd,
        units_cmd,
        workspace_cmd,
    )

    for module in (
        workspace_cmd,
        units_cmd,
        campaigns_cmd,
        audits_cmd,
        records,
        documents_cmd,
        followup,
        forms_cmd,
        tiers_cmd,
    ):
        for command in module.COMMANDS:
            main.add_command(command)


_register()

if __name__ == "__main__":  # pragma: no cover
    main()
