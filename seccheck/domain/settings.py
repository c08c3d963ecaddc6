"""`ID=VALUE` settings typed by a person (amending an audit), read with the interview's words (answertext). Pure."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError

from seccheck.domain.answers import Answer, Answers
from seccheck.domain.answertext import AnswerTextError, match_id, parse_deduct, parse_value
from seccheck.errors import BadInput, Problem
from seccheck.ruleset.model import Ruleset
from seccheck.tomlfile import LineIndex, problems_from_validation


def parse_settings(rs: Ruleset, current: Answers, settings: Sequence[str], notes: Sequence[str]) -> dict[str, Answer]:
    changes: dict[str, Answer] = {}
    problems: list[Problem] = []
    known = [*rs.profile_by_id, *rs.items_by_id, *rs.checks]  # ids are typed in any case: 1B is 1b
    for setting in settings:
        ident, sep, text = setting.partition("=")
        ident = match_id(ident, known) or ident.strip()
        if not sep:
            problems.append(Problem("应写成 ID=答案，如 1b=否:0.5", field="--set"))
            continue
        question = rs.profile_by_id.get(ident) or (rs.checks[ident][1] if ident in rs.checks else None)
        if text.strip().lower() == "na":
            changes[ident] = Answer(na=True)
            continue
        if question is None:
            problems.append(Problem("未知编号：规则集中没有这个问题或检查", id=ident, field="--set"))
            continue
        value_text, _, deduct_text = text.partition(":")
        try:
            value = parse_value(question, value_text)
            deduct = None
            if deduct_text:
                bounds = getattr(question, "deduct", None)
                if not isinstance(bounds, tuple):
                    raise AnswerTextError("此检查不是区间扣分，不能自定扣分")
                deduct = parse_deduct(deduct_text, bounds, question.deduct_step)  # type: ignore[union-attr]
        except AnswerTextError as exc:
            problems.append(Problem(str(exc), id=ident, field="--set"))
            continue
        old = current.answers.get(ident)
        changes[ident] = Answer(
            value=value, deduct=deduct, note=old.note if old else None, evidence=old.evidence if old else ()
        )
    for entry in notes:
        ident, _, text = entry.partition("=")
        ident = match_id(ident, [*known, *current.answers]) or ident.strip()
        base = changes.get(ident) or current.answers.get(ident)
        if base is None:
            problems.append(Problem("没有这个答案，无法修改备注", id=ident, field="--note"))
            continue
        # Validated like a note in a file (length, control characters), never copied in unchecked.
        data = {**base.model_dump(), "note": text}
        try:
            changes[ident] = Answer.model_validate(data)
        except ValidationError as exc:
            for p in problems_from_validation(exc, data, "--note", LineIndex("")):
                problems.append(Problem(p.message, id=ident, field="--note"))
    if problems:
        raise BadInput(problems)
    return changes
