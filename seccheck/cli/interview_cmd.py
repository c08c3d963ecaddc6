"""`seccheck audit RULESET --unit …`: start or resume an interview, or take an answers file.

Only the terminal is decided here (is there one to ask on?); the rest is the use cases'.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from seccheck.cli.app import App
from seccheck.cli.exit import ExitStatus


@dataclass(frozen=True)
class AuditRequest:
    ruleset_ref: str | None = None
    unit: str | None = None
    new_unit: bool = False
    campaign: str | None = None
    mode: str | None = None
    inspectors: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    date: dt.date | None = None
    accept_date: bool = False
    another: bool = False
    add_to_campaign: bool = False
    answers_file: Path | None = None
    resume_id: int | None = None
    notice: bool = True


def has_terminal() -> bool:
    return sys.stdin.isatty()


def run_audit(app: App, request: AuditRequest) -> None:
    from seccheck.cli import render, render_records

    ctx = app.context()
    if request.answers_file is not None:
        from seccheck.app.imports import ImportOptions, import_file
        from seccheck.app.interview import is_form_draft

        if is_form_draft(request.answers_file):
            # A draft saved from an offline form: kept as a draft audit, then asked on in the terminal.
            imported = import_file(ctx, request.answers_file, ImportOptions(draft=True, notice=request.notice))
            render.out.print(f"已导入表单草稿为检查 {imported.audit_id}，接着询问未答的问题。", soft_wrap=True)
            run_draft(app, imported.audit_id, notice=request.notice)
            return
        imported = import_file(
            ctx,
            request.answers_file,
            ImportOptions(
                ruleset=request.ruleset_ref,
                campaign=request.campaign,
                notice=request.notice,
                new_unit=request.new_unit,
                another=request.another,
                accept_date=request.accept_date,
                add_to_campaign=request.add_to_campaign,
            ),
        )
        render_records.imported_one(ctx, imported)
        if imported.followups.problems:
            sys.exit(ExitStatus.BAD_INPUT)
        return

    audit_id = request.resume_id
    if audit_id is None:
        if not request.ruleset_ref or not request.unit:
            raise click.UsageError("请给出规则集和被检查单位：seccheck audit RULESET --unit 单位，或 --resume ID")
        if not has_terminal():
            # Never leave an empty draft behind for a question nobody can answer.
            raise click.UsageError("没有终端，无法逐题询问；请在终端中运行，或用 --answers 提供答案文件")
        audit_id = _open(app, request)
    run_draft(app, audit_id, notice=request.notice)


def _open(app: App, request: AuditRequest) -> int:
    from seccheck.app.interview import open_interview
    from seccheck.cli import render

    assert request.ruleset_ref is not None and request.unit is not None
    draft = open_interview(
        app.context(),
        request.ruleset_ref,
        request.unit,
        campaign=request.campaign,
        mode=request.mode,
        inspectors=request.inspectors,
        methods=request.methods,
        date=request.date,
        new_unit=request.new_unit,
        another=request.another,
        accept_date=request.accept_date,
        add_to_campaign=request.add_to_campaign,
    )
    if draft.created:
        render.out.print(f"已建立检查 {draft.audit_id}。", soft_wrap=True)
    return draft.audit_id


def run_draft(app: App, audit_id: int, *, notice: bool = True) -> None:
    """Ask the draft's questions on the terminal (or finish it without one if nothing is missing)."""
    from seccheck.app.interview import finish_without_terminal, run_interview
    from seccheck.cli import render_records

    ctx = app.context()
    if not has_terminal():
        render_records.finalised(finish_without_terminal(ctx, audit_id, notice=notice))
        return

    from seccheck.cli.terminal import TerminalAsker

    try:
        outcome, done = run_interview(ctx, audit_id, TerminalAsker(), notice=notice)
    except KeyboardInterrupt:
        click.echo(f"\n已中断。已答的题都已保存。继续：seccheck audit --resume {audit_id}", err=True)
        sys.exit(ExitStatus.INTERRUPTED)
    if outcome == "quit" or done is None:
        click.echo(f"已保存。继续：seccheck audit --resume {audit_id}")
        return
    render_records.finalised(done)
