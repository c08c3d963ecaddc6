"""Canonical serialisation of answers, the SHA-256 seal of a final revision, and the digest that
identifies a submission. Pure: no I/O.

The seal covers the digest of the ruleset text, the audit's particulars, every answer and the
result. Anyone holding the database (or a printed notice with the digest) can recompute it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from seccheck.domain.answers import Answer, Answers, AnswerValue


def encode_value(value: AnswerValue | None) -> Any:
    """A JSON value that decodes to the same Python type (2 stays int, 0.5 stays Decimal)."""
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    return value


def decode_value(data: Any) -> AnswerValue | None:
    if isinstance(data, dict):
        if "decimal" in data:
            return Decimal(data["decimal"])
        if "date" in data:
            return dt.date.fromisoformat(data["date"])
        raise ValueError(f"unknown encoded value {data!r}")
    return data  # type: ignore[no-any-return]


def answer_record(answer: Answer) -> dict[str, Any]:
    return {
        "value": encode_value(answer.value),
        "na": answer.na,
        "deduct": None if answer.deduct is None else str(answer.deduct),
        "note": answer.note,
        "evidence": list(answer.evidence),
    }


def canonical(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def audit_seal(
    ruleset_sha256: str, particulars: Mapping[str, Any], answers: Mapping[str, Answer], result_json: str
) -> str:
    return seal_of(ruleset_sha256, particulars, answers_snapshot(answers), json.loads(result_json))


def answers_snapshot(answers: Mapping[str, Answer]) -> dict[str, Any]:
    """The answers as sealed: typed values, in canonical JSON form."""
    return {key: answer_record(a) for key, a in answers.items()}


def seal_of(ruleset_sha256: str, particulars: Mapping[str, Any], snapshot: Mapping[str, Any], result: Any) -> str:
    """The seal of a revision from its sealed content (particulars, answers snapshot, result data)."""
    body = {"ruleset_sha256": ruleset_sha256, "audit": dict(particulars), "answers": dict(snapshot), "result": result}
    return hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()


def _canonical_number(value: Any) -> Any:
    # 1, 1.0 and 1.00 are the same number: one form for each, so equal content has one digest.
    if isinstance(value, Decimal):
        normal = value.normalize()
        return {"decimal": format(normal, "f") if normal == normal.to_integral_value() else str(normal)}
    if isinstance(value, int) and not isinstance(value, bool):
        return {"decimal": str(value)}
    return encode_value(value)


def submission_digest(answers: Answers) -> str:
    """The identity of a submission (records.md §1): the digest of its canonical content.

    Comments, key order, spacing and the way a number is written do not change it.
    """
    body = {
        "ruleset": answers.ruleset,
        "ruleset_version": answers.ruleset_version,
        "unit": answers.unit,
        "date": answers.date.isoformat(),
        "mode": answers.mode,
        "inspectors": list(answers.inspectors),
        "methods": list(answers.methods),
        "answers": {
            key: {
                "value": _canonical_number(a.value),
                "na": a.na,
                "deduct": None if a.deduct is None else _canonical_number(a.deduct),
                "note": a.note,
                "evidence": list(a.evidence),
            }
            for key, a in answers.answers.items()
        },
    }
    return hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()
