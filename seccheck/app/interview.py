"""Running the interview for a draft: every answer saved as it is given, finalising through the one
finalise use case (so a re-inspection finished here is closed out like any other)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from seccheck.app.audits import Draft, Finalised, finalise, load_audit, open_draft, remove_answer, save_answer
from seccheck.app.context import Context
from seccheck.domain.answers import Answer, Answers, Mode
from seccheck.domain.result import Result
from seccheck.errors import BadInput, Conflict, Problem
from seccheck.interview.flow import Interview
from seccheck.interview.order import missing_answers
from seccheck.interview.seam import Asker
from seccheck.io.evidence import keep_evidence
from seccheck.ruleset.load import resolve_ruleset
from seccheck.ruleset.model import Ruleset


@dataclass
class DraftRecorder:
    """The interview's Recorder for a draft in the workspace's database."""

    ctx: Context
    audit_id: int
    notice: bool = True
    finalised: Finalised | None = None

    def save(self, key: str, answer: Answer) -> None:
        save_answer(self.ctx, self.audit_id, key, answer)

    def remove(self, key: str) -> None:
        remove_answer(self.ctx, self.audit_id, key)

    def attach(self, path: str) -> str:
        return keep_evidence(self.ctx.workspace.evidence, path)

    def finalize(self) -> Result:
        self.finalised = finalise(self.ctx, self.audit_id, notice=self.notice)
        return self.finalised.result


def default_mode(rs: Ruleset, inspectors: Sequence[str]) -> Mode:
    """A self-assessment ruleset starts as 自查 (unless --inspection); otherwise an inspection when
    there are inspectors, else 自查."""
    if rs.default_mode is not None:
        return rs.default_mode
    return "inspection" if inspectors else "self"


def open_interview(
    ctx: Context,
    ruleset_ref: str,
    unit: str,
    *,
    campaign: str | None = None,
    mode: str | None = None,
    inspectors: Sequence[str] = (),
    methods: Sequence[str] = (),
    date: dt.date | None = None,
    new_unit: bool = False,
    another: bool = False,
    accept_date: bool = False,
    add_to_campaign: bool = False,
) -> Draft:
    """The draft to ask questions for: the unit's unfinished one, or a new one. Inspectors default to
    the workspace's; with inspectors it is an inspection (检查), without a self-assessment (自查)."""
    loaded = resolve_ruleset(ruleset_ref)
    names = list(inspectors) or list(ctx.workspace.config.defaults.inspectors)
    meta = Answers(
        format=1,
        ruleset=loaded.ruleset.id,
        ruleset_version=loaded.ruleset.version,
        unit=unit,
        date=date or ctx.today(),
        mode=mode or default_mode(loaded.ruleset, names),
        inspectors=tuple(names),
        methods=tuple(methods),
        answers={},
    )
    return open_draft(
        ctx,
        loaded,
        meta,
        campaign=campaign,
        new_unit=new_unit,
        another=another,
        accept_date=accept_date,
        add_to_campaign=add_to_campaign,
    )


def _draft(ctx: Context, audit_id: int) -> None:
    record = load_audit(ctx, audit_id)
    if record.status != "draft":
        raise Conflict([Problem(f"检查 {audit_id} 不是草稿，不能继续问答；要修改请用 seccheck audit amend {audit_id}")])


def missing(ctx: Context, audit_id: int) -> list[str]:
    record = load_audit(ctx, audit_id)
    return missing_answers(record.ruleset.ruleset, record.answers.answers)


def run_interview(
    ctx: Context, audit_id: int, asker: Asker, *, notice: bool = True
) -> tuple[Literal["finalized", "quit"], Finalised | None]:
    _draft(ctx, audit_id)
    record = load_audit(ctx, audit_id)
    recorder = DraftRecorder(ctx, audit_id, notice)
    interview = Interview(record.ruleset.ruleset, record.answers, asker, recorder, audit_id=audit_id)
    outcome = interview.run()
    return outcome, recorder.finalised


def finish_without_terminal(ctx: Context, audit_id: int, *, notice: bool = True) -> Finalised:
    """No one to ask: finalise only if nothing is missing, never wait for input that cannot come."""
    _draft(ctx, audit_id)
    gaps = missing(ctx, audit_id)
    if gaps:
        raise BadInput(
            [
                Problem(
                    f"没有终端，无法逐题询问；检查 {audit_id} 缺少 {len(gaps)} 个答案：{'、'.join(gaps)}。"
                    "请在终端中运行，或用 --answers 提供答案文件",
                    field="answers",
                )
            ]
        )
    return finalise(ctx, audit_id, notice=notice)


def is_form_draft(answers_file: Path) -> bool:
    """Whether an answers file is a draft saved from an offline form: imported as a draft audit, then asked
    on in the terminal."""
    from seccheck.io.answersfile import load_answers

    answers, _lines = load_answers(answers_file)
    return answers.form is not None and answers.form.status == "draft"
