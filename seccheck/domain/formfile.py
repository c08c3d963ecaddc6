"""The `[form]` table of an answers file returned from an offline form (forms.md §3), and its `mac`:
HMAC-SM3 of the canonical answers under the key made for that one form. Pure: no I/O.

The canonical body is what the form's JavaScript builds (seccheck/forms/assets/form.js,
`answersFile`): JSON with sorted keys and no spaces, every number a decimal string in one spelling
(`canonical_decimal`), so the browser and Python agree on values such as 0.1. `department` and
`person` are in the body only when the file names them (forms issued per department or person).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from seccheck import limits
from seccheck.domain.ledger import canonical, canonical_decimal

HEX64 = r"^[0-9a-f]{64}$"


class EvidenceHash(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(min_length=1, max_length=limits.EVIDENCE_PATH)]
    sha256: Annotated[str, Field(pattern=HEX64)]


class FormStamp(BaseModel):
    """What a form adds to the answers file it saves."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: Annotated[str, Field(min_length=1, max_length=64)] = Field(description="表单编号")
    ruleset_sha256: Annotated[str, Field(pattern=HEX64)] = Field(description="规则集内容摘要（SHA-256）")
    exported: Annotated[str, Field(min_length=1, max_length=40)] = Field(description="保存时间（UTC）")
    status: Literal["draft", "final"] = Field(description="draft 草稿；final 定稿")
    filled_by: Annotated[str, Field(max_length=limits.PERSON)] = Field(default="", description="填表人")
    reviewed_by: Annotated[str, Field(max_length=limits.PERSON)] = Field(default="", description="单位负责人（审核人）")
    evidence: tuple[EvidenceHash, ...] = Field(default=(), description="证明材料的文件名和 SHA-256")
    mac: Annotated[str, Field(pattern=HEX64)] = Field(description="HMAC-SM3 核验值")


def _value(value: Any) -> Any:
    import datetime as dt
    from decimal import Decimal

    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | Decimal):
        return {"decimal": canonical_decimal(value)}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    raise TypeError(value)


def mac_body(answers: Any, stamp: FormStamp) -> str:
    """The canonical text the mac is computed over (`answers` is a seccheck.domain.answers.Answers)."""
    body: dict[str, Any] = {
        "form": stamp.number,
        "ruleset": answers.ruleset,
        "ruleset_version": answers.ruleset_version,
        "ruleset_sha256": stamp.ruleset_sha256,
        "unit": answers.unit,
        "date": {"date": answers.date.isoformat()},
        "mode": answers.mode,
        "status": stamp.status,
        "filled_by": stamp.filled_by,
        "reviewed_by": stamp.reviewed_by,
        "exported": stamp.exported,
        "evidence": [[e.name, e.sha256] for e in stamp.evidence],
        "answers": {
            key: {
                "value": None if a.na else _value(a.value),
                "na": a.na,
                "deduct": None if a.deduct is None else canonical_decimal(a.deduct),
                "note": a.note,
                "evidence": list(a.evidence),
            }
            for key, a in answers.answers.items()
        },
    }
    # A form issued per department or per person signs whom it is for (forms.md §4); a unit's form
    # writes neither key, so its body is what it was before forms had them.
    if answers.department is not None:
        body["department"] = answers.department
    if answers.person is not None:
        body["person"] = answers.person
    return canonical(body)


def form_mac(key_hex: str, answers: Any, stamp: FormStamp) -> str:
    return hmac.new(bytes.fromhex(key_hex), mac_body(answers, stamp).encode("utf-8"), "sm3").hexdigest()


def mac_matches(key_hex: str, answers: Any, stamp: FormStamp) -> bool:
    return hmac.compare_digest(form_mac(key_hex, answers, stamp), stamp.mac)


def key_digest(key_hex: str) -> str:
    return hashlib.sha256(bytes.fromhex(key_hex)).hexdigest()
