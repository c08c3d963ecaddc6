"""Canonical serialisation of answers and the SHA-256 seal of a final audit. Pure: no I/O.

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

from seccheck.answers import Answer, AnswerValue


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
    body = {
        "ruleset_sha256": ruleset_sha256,
        "audit": dict(particulars),
        "answers": {key: answer_record(a) for key, a in answers.items()},
        "result": json.loads(result_json),
    }
    return hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()
