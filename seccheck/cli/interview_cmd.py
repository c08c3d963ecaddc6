"""`seccheck audit RULESET --unit …`: start or resume an interview, or take an answers file."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from seccheck.cli.app import App

EXIT_INTERRUPTED = 130


def run_audit(
    app: App,
    ruleset_ref: str | None,
    unit: str | None,
    campaign: str | None,
    mode: str | None,
    inspectors: tuple[str, ...],
    methods: tuple[str, ...],
    date: dt.date | None,
    answers_file: Path | None,
    resume_id: int | None,
    notice: bool = True,
) -> None:
    from seccheck.answers import Answers
    from seccheck.cli import render
    from seccheck.errors import InputError, Problem
    from seccheck.interview import Interview, missing_answers
    from seccheck.ruleset.load import resolve_ruleset
    from seccheck.storage.recorder import DatabaseRecorder
    from seccheck.storage.store import find_draft, import_answers, load_audit, start_draft

    db = app.db()
    workspace = app.workspace()
    if answers_file is not None:
        audit_id = import_answers(db, answers_file, ruleset=ruleset_ref, campaign=campaign)
        _finished(app, audit_id, notice=notice)
        return

    if resume_id is None:
        if not ruleset_ref or not unit:
            raise click.UsageError("请给出规则集和被检查单位：seccheck audit RULESET --unit 单位，或 --resume ID")
        loaded = resolve_ruleset(ruleset_ref)
        resume_id = find_draft(db, unit, loaded.ruleset.id, campaign)
        if resume_id is None:
            names = list(inspectors) or list(workspace.config.defaults.inspectors)
            meta = Answers(
                format=1,
                ruleset=loaded.ruleset.id,
                ruleset_version=loaded.ruleset.version,
                unit=unit,
                date=date or dt.date.today(),
                mode=mode or ("inspection" if names else "self"),
                inspectors=tuple(names),
                methods=tuple(methods),
                answers={},
            )
            resume_id = start_draft(db, loaded, meta, campaign)
            render.out.print(f"已建立检查 {resume_id}。", soft_wrap=True)
    record = load_audit(db, resume_id)
    if record.status != "draft":
        raise InputError([Problem(f"检查 {resume_id} 已定稿；要修改请用 seccheck audit amend {resume_id}")])
    rs = record.ruleset.ruleset

    if not sys.stdin.isatty():
        # No one to ask: finish only if nothing is missing; never wait for input that cannot come.
        missing = missing_answers(rs, record.answers.answers)
        if missing:
            raise InputError(
                [
                    Problem(
                        f"没有终端，无法逐题询问；检查 {resume_id} 缺少 {len(missing)} 个答案：{'、'.join(missing)}。"
                        "请在终端中运行，或用 --answers 提供答案文件",
                        field="answers",
                    )
                ]
            )
        DatabaseRecorder(db, resume_id, workspace.evidence).finalize()
        _finished(app, resume_id, notice=notice)
        return

    from seccheck.cli.terminal import TerminalAsker

    interview = Interview(
        rs, record.answers, TerminalAsker(), DatabaseRecorder(db, resume_id, workspace.evidence), audit_id=resume_id
    )
    try:
        outcome = interview.run()
    except KeyboardInterrupt:
        click.echo(f"\n已中断。已答的题都已保存。继续：seccheck audit --resume {resume_id}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if outcome == "quit":
        click.echo(f"已保存。继续：seccheck audit --resume {resume_id}")
        return
    _finished(app, resume_id, shown=True, notice=notice)


def _finished(app: App, audit_id: int, *, shown: bool = False, notice: bool = True) -> None:
    from seccheck.cli import render
    from seccheck.storage.store import load_audit

    record = load_audit(app.db(), audit_id)
    if not shown and record.result is not None:
        render.result(record.result)
    render.out.print(f"[green]检查 {audit_id} 已定稿。[/]")
    render.out.print(f"封签 SHA-256：{record.seal}", soft_wrap=True)
    if notice and record.result is not None and record.result.findings:
        issue_notice(app, audit_id)


def issue_notice(app: App, audit_id: int) -> None:
    """Render the notice of a just-finalised audit; the audit stays final whatever happens here."""
    from seccheck.cli import render
    from seccheck.notice.service import make_notice

    made = make_notice(app.db(), app.workspace(), audit_id)
    render.out.print(f"整改通知书 {made.number}：")
    render.out.print(str(made.path), overflow="fold")
