# Long on purpose: every --json model in one place, so field names and value types agree across commands.
"""What `--json` prints: one model per noun, the same field names and value types in every command.

docs/json.md describes them for people; `json_schema()` gives their JSON Schema, and a test runs every
command that has `--json` and validates what it printed against the schema of its model.

The conventions (docs/json.md, 约定):
- counts and record ids (audit, unit, campaign, rectification) are JSON integers; a count of
  something is named `<thing>_count`, a list of things is named by their plural (`audits` is always
  a list of audits);
- decimals (points, deductions, percentages) are strings such as "82.2", which keep them exact;
- dates are ISO strings ("2026-11-20"), moments ISO 8601 with the zone ("2026-11-23T09:00:00Z");
- a ruleset is referred to by `ruleset_id` and `ruleset_version`, a unit and a campaign by their
  current names (`unit`, `campaign`), another audit by its id (`audit_id`, `reinspection_of`);
- a finding's text is `text`, wherever the finding appears (the result's findings, rectifications);
- `answer` is always the answer as shown to people ("是", "否", "4", "不适用", "（未答）"); `value`
  is always the typed value (true/false, an integer, a decimal or date as a string, text).

The scoring result (`Result`, `Finding`) is the domain's own dataclass, serialised as it is, so what
scoring adds to it appears here without a second copy of its fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, PlainSerializer, TypeAdapter, WithJsonSchema

from seccheck.domain.answers import Answer as AnswerRecord
from seccheck.domain.answers import Mode
from seccheck.domain.rectification import State
from seccheck.domain.result import Finding, Result
from seccheck.ruleset.model import Option, Severity
from seccheck.text import zh

if TYPE_CHECKING:
    from seccheck.app.records import AuditRecord
    from seccheck.domain import figures
    from seccheck.domain.listing import AuditSummary, CampaignInfo, UnitInfo
    from seccheck.storage.findings import RectificationInfo

__all__ = [
    "Answer",
    "Audit",
    "AuditDetail",
    "Campaign",
    "CampaignDetail",
    "Finding",
    "Rectification",
    "Result",
    "Unit",
]

Status = Literal["draft", "final", "discarded", "void"]
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
# A decimal as a string in plain notation ("0.5", "86.0"), never an exponent.
DecimalText = Annotated[
    Decimal,
    PlainSerializer(lambda d: format(d, "f"), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": DECIMAL_PATTERN}, mode="serialization"),
]


class _View(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_serialization_defaults_required=True)


class Unit(_View):
    """被检查单位（`unit list`）。"""

    id: int
    name: str
    code: str
    kind: str
    contact: str
    audit_count: int


class Audit(_View):
    """一次检查（`audit list`、`campaign show` 的 audits）。"""

    id: int
    unit: str
    campaign: str | None
    ruleset_id: str
    ruleset_version: str
    date: dt.date
    mode: Mode
    status: Status
    revision: int
    reinspection_of: int | None
    grade: str | None
    percent: DecimalText | None


class Answer(_View):
    """一个答案（`audit show` 的 answers，按检查 id）。"""

    answer: str
    value: bool | int | str | None
    na: bool
    deduct: DecimalText | None
    note: str | None
    evidence: list[str]


class AuditDetail(Audit):
    """一次检查的全部内容（`audit show`）：Audit 的字段，加封签、答案和评分结果。"""

    chain_id: int | None
    seal: str | None
    ruleset_sha256: str
    inspectors: list[str]
    methods: list[str]
    source: str
    created_by: str
    created_at: dt.datetime
    finalized_at: dt.datetime | None
    answers: dict[str, Answer]
    result: Result | None


class Campaign(_View):
    """专项行动（`campaign list`）。planned 为应检单位，covered 为已有定稿检查的单位（名称）。"""

    id: int
    name: str
    year: int
    ruleset_ids: list[str]
    period_start: dt.date | None
    period_end: dt.date | None
    planned: list[str]
    covered: list[str]
    audit_count: int


class CampaignDetail(Campaign):
    """一个专项行动及其检查（`campaign show`）。"""

    audits: list[Audit]


class IssuedForm(_View):
    """一份下发的离线表单及其回收情况（`form status`）。state：issued 已下发、overdue 逾期未报、returned 已回收。"""

    number: str
    unit: str
    campaign: str | None
    ruleset_id: str
    ruleset_version: str
    issued_on: dt.date
    due: dt.date | None
    state: str
    returned_on: dt.date | None
    audit_id: int | None
    department: str | None = None
    person: str | None = None
    staff_no: str | None = None


class Rectification(_View):
    """一个问题的整改记录（`rectify list`）：所属问题的字段与 Finding 同名同型。"""

    id: int
    audit_id: int
    unit: str
    check_id: str
    text: str
    severity: Severity
    due: dt.date
    state: State
    overdue: bool
    note: str | None
    reason: str | None
    updated_at: dt.datetime
    updated_by: str


class KindFigures(_View):
    """一类检查覆盖的对象数（`YearSummary.subjects` 的 kinds）。"""

    kind: str
    unit_count: int


class SubjectFigures(_View):
    """一种检查对象（单位、打字复印店……）全年的数字：每个对象只算一次，不论几类检查、几个专项行动。"""

    subject: str
    measure: str
    mode: Mode
    unit_count: int
    planned_count: int
    planned_covered_count: int
    unlisted_count: int
    kinds: list[KindFigures]


class Coverage(_View):
    """全覆盖：本年度导入的上报数据包中完成自查自评的单位、内设机构和人员（每个各计一次）。"""

    region: str
    unit_count: int
    department_count: int
    person_count: int
    district_count: int
    sentence: str


class YearSummary(_View):
    """年终总结表述（`summary`）：各段表述及其开头的数字。"""

    year: int
    campaigns: list[str]
    paragraphs: list[str]
    subjects: list[SubjectFigures]
    coverage: Coverage | None = None


# --- building them from what the use cases return -------------------------------------------------


def year_summary(summary: figures.YearSummary) -> YearSummary:
    from seccheck.domain.paragraph import subjects

    out = []
    modes: tuple[Mode, ...] = ("inspection", "self")
    for mode in modes:
        mine = [g for g in summary.groups if (g.mode == "self") == (mode == "self") and (g.covered or g.planned)]
        for s in subjects(mine):
            kinds = s.kinds or ((s.wording.kind, s.covered),)
            out.append(
                SubjectFigures(
                    subject=s.wording.subject,
                    measure=s.wording.measure,
                    mode=mode,
                    unit_count=s.covered,
                    planned_count=s.planned,
                    planned_covered_count=s.planned_covered,
                    unlisted_count=s.unlisted,
                    kinds=[KindFigures(kind=k, unit_count=n) for k, n in kinds],
                )
            )
    c = summary.coverage
    coverage = (
        None
        if c is None
        else Coverage(
            region=c.region,
            unit_count=c.units,
            department_count=c.departments,
            person_count=c.people,
            district_count=c.districts,
            sentence=c.sentence,
        )
    )
    return YearSummary(
        year=summary.year, campaigns=summary.campaigns, paragraphs=summary.paragraphs, subjects=out, coverage=coverage
    )


def _percent(value: Decimal | str | int | None) -> Decimal | None:
    """The listed percent as the result shows it: one decimal place, however the column stores it."""
    return None if value is None else Decimal(value).quantize(Decimal("0.1"))


def _value(value: object) -> bool | int | str | None:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not an answer value: {value!r}")


def _moment(value: dt.datetime | str | None) -> dt.datetime | None:
    if not value:
        return None
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


def unit(info: UnitInfo) -> Unit:
    return Unit(
        id=info.id, name=info.name, code=info.code, kind=info.kind, contact=info.contact, audit_count=info.audits
    )


def audit(summary: AuditSummary) -> Audit:
    return Audit(
        id=summary.id,
        unit=summary.unit,
        campaign=summary.campaign,
        ruleset_id=summary.ruleset_id,
        ruleset_version=summary.ruleset_version,
        date=summary.date,
        mode=summary.mode,
        status=summary.status,
        revision=summary.revision,
        reinspection_of=summary.reinspection_of,
        grade=summary.grade,
        percent=_percent(summary.percent),
    )


def answer(record: AnswerRecord, options: Sequence[Option] = ()) -> Answer:
    return Answer(
        answer=zh.answer_text(record, options),
        value=_value(record.value),
        na=record.na,
        deduct=record.deduct,
        note=record.note,
        evidence=list(record.evidence),
    )


def _options(record: AuditRecord, key: str) -> Sequence[Option]:
    found = record.ruleset.ruleset.checks.get(key)
    return found[1].options if found is not None else ()


def audit_detail(record: AuditRecord) -> AuditDetail:
    meta = record.answers
    result = record.result
    return AuditDetail(
        id=record.id,
        unit=record.unit,
        campaign=record.campaign,
        ruleset_id=record.ruleset.ruleset.id,
        ruleset_version=record.ruleset.ruleset.version,
        date=meta.date,
        mode=meta.mode,
        status=record.status,
        revision=record.revision,
        reinspection_of=record.reinspection_of,
        grade=result.grade if result is not None else None,
        percent=result.percent if result is not None else None,
        chain_id=record.chain_id,
        seal=record.seal,
        ruleset_sha256=record.ruleset.sha256,
        inspectors=list(meta.inspectors),
        methods=list(meta.methods),
        source=record.source,
        created_by=record.created_by,
        created_at=_moment(record.created_at),
        finalized_at=_moment(record.finalized_at),
        answers={key: answer(a, _options(record, key)) for key, a in meta.answers.items()},
        result=result,
    )


def _campaign_fields(info: CampaignInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "name": info.name,
        "year": info.year,
        "ruleset_ids": list(info.rulesets),
        "period_start": info.period_start,
        "period_end": info.period_end,
        "planned": list(info.planned),
        "covered": list(info.covered),
        "audit_count": info.audits,
    }


def campaign(info: CampaignInfo) -> Campaign:
    return Campaign(**_campaign_fields(info))


def campaign_detail(info: CampaignInfo, audits: Sequence[AuditSummary]) -> CampaignDetail:
    return CampaignDetail(**_campaign_fields(info), audits=[audit(a) for a in audits])


def rectification(info: RectificationInfo) -> Rectification:
    return Rectification(
        id=info.id,
        audit_id=info.audit_id,
        unit=info.unit,
        check_id=info.check_id,
        text=info.finding,
        severity=info.severity,
        due=info.due,
        state=info.state,
        overdue=info.overdue,
        note=info.note,
        reason=info.reason,
        updated_at=dt.datetime.fromisoformat(info.updated_at),
        updated_by=info.updated_by,
    )


# --- JSON text and JSON Schema --------------------------------------------------------------------


class TierCount(_View):
    """一级（内设机构或人员）的应自查数和已完成数。"""

    total: int
    completed: int


class DepartmentCoverage(_View):
    """一个内设机构：本机构是否已自查，其人员完成情况（n/N）。"""

    department: str
    self_checked: bool
    people_total: int
    people_completed: int


class RollupProblem(_View):
    """一个检查项发现的问题：几个对象（单位、内设机构或个人）各计一次。"""

    ruleset_id: str
    check: str
    tier: Literal["unit", "department", "individual"]
    text: str
    count: int
    rolls_up_to: str | None


class RolledUpItem(_View):
    """单位级检查项目及汇总到其下的下级问题。"""

    item: str
    title: str
    count: int
    problems: list[RollupProblem]


class Rollup(_View):
    """一个单位一年的三级汇总（`rollup --json`）。"""

    unit: str
    year: int
    departments: TierCount
    people: TierCount
    department_coverage: list[DepartmentCoverage]
    problems: list[RollupProblem]
    unit_items: list[RolledUpItem]


MODELS: dict[str, type[Any]] = {
    "Unit": Unit,
    "Campaign": Campaign,
    "CampaignDetail": CampaignDetail,
    "Audit": Audit,
    "AuditDetail": AuditDetail,
    "Answer": Answer,
    "Rectification": Rectification,
    "IssuedForm": IssuedForm,
    "Result": Result,
    "Finding": Finding,
    "YearSummary": YearSummary,
    "Rollup": Rollup,
}


@cache
def _adapter(shape: Any) -> TypeAdapter[Any]:
    return TypeAdapter(shape)


def to_json(data: BaseModel | Result | Sequence[BaseModel]) -> str:
    """The JSON text a command prints: UTF-8 as it is (no \\u escapes), indented by two."""
    return _adapter(Any).dump_json(data, indent=2).decode("utf-8")


def json_schema(name: str, *, many: bool = False) -> dict[str, Any]:
    """The JSON Schema (2020-12) of what a command prints: the model `name`, or a list of them.

    Strict: every field is required (the output always has it, null where empty) and no other
    field is allowed, so a field that appears or disappears without documentation is caught.
    """
    model = MODELS[name]
    shape: Any = list[model] if many else model  # type: ignore[valid-type]
    schema = _adapter(shape).json_schema(mode="serialization")
    _close(schema)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def _close(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            node["required"] = list(node["properties"])
            node["additionalProperties"] = False
            for field in node["properties"].values():
                field.pop("default", None)  # always printed: a default would only mislead
        for value in node.values():
            _close(value)
    elif isinstance(node, list):
        for value in node:
            _close(value)
