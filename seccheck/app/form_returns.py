"""A returned offline form's answers file (forms.md §3): checked against the form issued (number, unit,
department and person, version, mac, draft, evidence) before it goes through the same import as any
answers file; the form is then marked returned."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from seccheck.app.context import Context
from seccheck.domain.answers import Answers
from seccheck.domain.formfile import mac_matches
from seccheck.errors import BadInput, Problem
from seccheck.ruleset.load import LoadedRuleset
from seccheck.storage import audits as audit_repo
from seccheck.storage import events
from seccheck.storage import forms as repo
from seccheck.storage import units as unit_repo
from seccheck.storage.tables import Campaign, IssuedForm, Person, RulesetCopy, Unit

# --- a returned file --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Returned:
    """A returned file that passed the form checks: the form's ruleset copy and campaign, and the
    audit an earlier file of the same form became (a later file revises it)."""

    form_id: int
    number: str
    loaded: LoadedRuleset
    campaign: str | None
    audit_id: int | None
    # Whom the audit is for (department id, person id) when the form was issued per department or
    # per person; None for a unit's form (the file's own `department`/`person`, if any, then apply).
    tier: tuple[int | None, int | None] | None = None


def _check_tier(
    session: Session, form: IssuedForm, unit: Unit, answers: Answers, name: str
) -> tuple[int, int | None] | None:
    """The form's department and person against the file's (forms.md §4), refused by field; the tier
    the audit is recorded for. A person is the one the form was issued to (found by the row, not by a
    name that may since have changed), recorded in the department they are in when the file is
    imported: moved after the form was issued, their audit counts where they are now."""
    tier = repo.tier_of(session, form.id)
    if tier is None:
        return None
    whom = f"{unit.name} {tier.department}" + (f" {tier.person_name}" if tier.person_name else "")
    if answers.department != tier.department:
        raise BadInput(
            [
                Problem(
                    f"表单 {form.number} 是下发给 {whom} 的，文件中的内设机构却是 {answers.department or '（未写）'}；"
                    "答案文件不能手工修改，请让填表人用下发给自己的表单重新保存答案文件",
                    file=name,
                    field="department",
                )
            ]
        )
    if (answers.person or "") != tier.person:
        raise BadInput(
            [
                Problem(
                    f"表单 {form.number} 是下发给 {whom} 的，文件中的人员却是 {answers.person or '（未写）'}；"
                    "答案文件不能手工修改，请让本人用下发给自己的表单重新保存答案文件",
                    file=name,
                    field="person",
                )
            ]
        )
    if tier.person_id is None:
        return tier.department_id, None
    person = session.get(Person, tier.person_id)
    assert person is not None
    return person.department_id, person.id


def check_returned(ctx: Context, path: Path, answers: Answers, *, allow_draft: bool = False) -> Returned:
    """Refuse, saying what to do, a file from a form this workspace never issued, for another unit
    or ruleset version, whose mac does not verify, a draft, or whose evidence is missing or differs."""
    stamp = answers.form
    assert stamp is not None
    name = str(path)

    def refuse(message: str, field: str = "form") -> BadInput:
        return BadInput([Problem(message, file=name, field=field)])

    with ctx.db.read() as session:
        form = repo.by_number(session, stamp.number)
        if form is None:
            raise refuse(
                f"表单编号 {stamp.number} 不是本工作区下发的表单；请确认文件来自本机关下发的表单，"
                "或用 seccheck form status 查看已下发的表单编号"
            )
        unit = session.get(Unit, form.unit_id)
        assert unit is not None
        named, _former = unit_repo.resolve(session, answers.unit)
        if named is None or named.id != unit.id:
            raise refuse(
                f"表单 {form.number} 是下发给 {unit.name} 的，文件中的单位却是 {answers.unit}；"
                "请让该单位用下发给自己的表单填写",
                "unit",
            )
        tier = _check_tier(session, form, unit, answers, name)
        if tier is None and (answers.department is not None or answers.person is not None):
            raise refuse(
                f"表单 {form.number} 是下发给单位 {unit.name} 的，文件中却写了内设机构或人员；"
                "答案文件不能手工修改，请用下发的表单重新保存答案文件",
                "department" if answers.department is not None else "person",
            )
        if (
            answers.ruleset != form.ruleset_id
            or answers.ruleset_version != form.ruleset_version
            or stamp.ruleset_sha256 != form.ruleset_sha256
        ):
            raise refuse(
                f"表单 {form.number} 按规则集 {form.ruleset_id} {form.ruleset_version} 下发，"
                f"文件却属于 {answers.ruleset} {answers.ruleset_version or ''}；请用下发的表单重新填写",
                "ruleset",
            )
        if not mac_matches(form.key, answers, stamp):
            raise refuse(
                f"核验值不符：文件在表单保存之后被改动过，或不是由表单 {form.number} 生成的；"
                "请让单位用下发的表单重新保存定稿答案文件后报送"
            )
        if stamp.status != "final" and not allow_draft:
            raise refuse(
                f"这是表单 {form.number} 保存的草稿，尚未定稿；请单位答完全部问题后保存定稿答案文件再报送"
                "（要在终端里接着填写，用 seccheck audit start --answers 该文件）"
            )
        copy = session.get(RulesetCopy, form.ruleset_sha256)
        assert copy is not None
        loaded = audit_repo.frozen_ruleset(copy.text, copy.sha256)
        campaign = session.get(Campaign, form.campaign_id) if form.campaign_id else None
        returned = Returned(form.id, form.number, loaded, campaign.name if campaign else None, form.audit_id, tier)

    listed = {e.name: e.sha256 for e in stamp.evidence}
    problems = []
    for key, answer in answers.answers.items():
        for ref in answer.evidence:
            expected = listed.get(ref)
            source = path.parent / ref
            if expected is None:
                problems.append(
                    Problem(f"证明材料 {ref} 未列出 SHA-256；请用表单重新保存", name, None, key, "evidence")
                )
                continue
            try:
                actual = hashlib.sha256(source.read_bytes()).hexdigest()
            except OSError:
                problems.append(
                    Problem(
                        f"缺少证明材料 {ref}（应放在答案文件所在目录 {path.parent}）；请单位补送该文件",
                        name,
                        None,
                        key,
                        "evidence",
                    )
                )
                continue
            if actual != expected:
                problems.append(
                    Problem(
                        f"证明材料 {ref} 与表单中记录的 SHA-256 不符（文件已被替换或改动）；请单位重新报送原文件",
                        name,
                        None,
                        key,
                        "evidence",
                    )
                )
    if problems:
        raise BadInput(problems)
    return returned


def mark_returned(session: Session, ctx: Context, form_id: int, audit_id: int, mac: str) -> None:
    form = session.get(IssuedForm, form_id)
    assert form is not None
    if form.audit_id == audit_id and form.last_mac == mac:
        return
    form.audit_id = audit_id
    form.returned_on = ctx.today()
    form.last_mac = mac
    events.record(session, at=ctx.at(), actor=ctx.actor, action="form.returned", audit_id=audit_id, number=form.number)
