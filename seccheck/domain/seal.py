"""Canonical serialisation of answers, the SHA-256 seal of a final revision, and the digest that
identifies a submission. Pure: no I/O.

The seal covers the digest of the ruleset text, the audit's particulars, every answer and the
structured result. Anyone holding the database can recompute it.

Seal formats (records.md §5); every sealed revision records its format and is verified by that
format's rule, so an upgrade never makes an old record fail:
- 1 (seccheck 0.1): the result JSON as stored, display sentences included; numbers as written.
- 2: canonical structured content only: numbers in one spelling (1, 1.0 and 1.00 are the same),
  the result's figures, codes and ids, never its wording (titles, questions and texts come from the
  ruleset, which is sealed by its digest; sentences are produced for people when shown). The seal
  names its format and the engine version that computed it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from seccheck.domain.answers import Answer, Answers, AnswerValue
from seccheck.domain.ledger import canonical as _canonical
from seccheck.domain.ledger import canonical_decimal


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
    return _canonical(data)


def answered_by_digest(answered_by: Mapping[str, str]) -> str:
    """Who gave each answer of a revision ({key: person}), as one SHA-256 kept with the revision and
    recorded in the ledger: the persons stay in the answers, the ledger entry stays small."""
    return hashlib.sha256(canonical(dict(answered_by)).encode("utf-8")).hexdigest()


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
    if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        return {"decimal": canonical_decimal(value)}
    return encode_value(value)


# --- seal format 2: canonical structured content --------------------------------------------------

SEAL_FORMAT = 2

# What of a result is sealed, level by level: figures, codes and ids (kind "decimal" values are put in
# canonical form). Everything else in a result is wording or ruleset text shown to people.
_RESULT_FIELDS: dict[str, dict[str, str]] = {
    "result": {
        "format": "plain",
        "ruleset_id": "plain",
        "ruleset_version": "plain",
        "method": "plain",
        "normalize": "plain",
        "date": "plain",
        "mode": "plain",
        "applicable": "decimal",
        "earned": "decimal",
        "aggravated": "decimal",
        "raw": "decimal",
        "percent": "decimal",
        "percent_exact": "plain",
        "grade": "plain",
        "grade_index": "plain",
        "grade_reason": "struct",
        "veto": "plain",
        "veto_checks": "plain",
        "stats": "decimals",
        "categories": "category",
        "findings": "finding",
    },
    "category": {
        "id": "plain",
        "applicable": "plain",
        "reason": "struct",
        "points": "decimal",
        "earned": "decimal",
        "deduction": "decimal",
        "aggravated": "decimal",
        "findings": "plain",
        "items": "item",
    },
    "item": {
        "id": "plain",
        "points": "decimal",
        "aggravating": "plain",
        "applicable": "plain",
        "reason": "struct",
        "deduction_total": "decimal",
        "deduction": "decimal",
        "earned": "decimal",
        "capped": "plain",
        "checks": "check",
    },
    "check": {
        "id": "plain",
        "kind": "plain",
        "applicable": "plain",
        "value": "struct",
        "na": "plain",
        "compliant": "plain",
        "deduction": "decimal",
        "reason": "struct",
        "breach": "struct",
        "veto": "plain",
    },
    "finding": {
        "check_id": "plain",
        "item_id": "plain",
        "category_id": "plain",
        "value": "struct",
        "deduction": "decimal",
        "severity": "plain",
        "deadline_days": "plain",
        "due": "plain",
        "note": "plain",
        "evidence": "plain",
        "veto": "plain",
        "aggravating": "plain",
    },
}


_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {level: tuple(f.items()) for level, f in _RESULT_FIELDS.items()}


def _sealed(level: str, data: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    get = data.get
    for name, kind in _FIELDS[level]:
        value = get(name)
        if value is None or kind == "plain":
            out[name] = value
        elif kind == "decimal":
            out[name] = canonical_decimal(value)
        elif kind == "struct" and (value is True or value is False):
            out[name] = value  # most answers: a yes or a no
        elif kind == "decimals":
            out[name] = {k: canonical_decimal(v) for k, v in value.items()}
        elif kind == "struct":
            out[name] = _canonical_struct(value)
        else:
            out[name] = [_sealed(kind, part) for part in value]
    return out


_DECIMAL_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _canonical_struct(value: Any) -> Any:
    # Reason codes carry their numbers as JSON strings ("1.50"): one spelling per number, as elsewhere.
    if isinstance(value, Mapping):
        return {k: _canonical_struct(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical_struct(v) for v in value]
    if isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value):
        return canonical_decimal(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return canonical_decimal(value)
    return value


def sealed_result(result: Mapping[str, Any]) -> dict[str, Any]:
    """The structured part of a result's JSON data: what seal format 2 covers."""
    return _sealed("result", result)


def _sealed_answer(record: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "value": _canonical_number(decode_value(record["value"])),
        "na": record["na"],
        "deduct": None if record["deduct"] is None else canonical_decimal(record["deduct"]),
        "note": record["note"],
        "evidence": list(record["evidence"]),
    }


def sealed_content(
    ruleset_sha256: str, particulars: Mapping[str, Any], snapshot: Mapping[str, Any], result: Any, engine: str
) -> dict[str, Any]:
    """Everything seal format 2 covers, in canonical form."""
    return {
        "seal_format": SEAL_FORMAT,
        "engine": engine,
        "ruleset_sha256": ruleset_sha256,
        "audit": dict(particulars),
        "answers": {key: _sealed_answer(record) for key, record in snapshot.items()},
        "result": sealed_result(result),
    }


def seal_v2(
    ruleset_sha256: str, particulars: Mapping[str, Any], snapshot: Mapping[str, Any], result: Any, engine: str
) -> str:
    body = sealed_content(ruleset_sha256, particulars, snapshot, result, engine)
    return hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()


def seal_by_format(
    seal_format: int,
    ruleset_sha256: str,
    particulars: Mapping[str, Any],
    snapshot: Mapping[str, Any],
    result: Any,
    engine: str,
) -> str:
    """The seal of sealed content by the rule of the format it was sealed with."""
    if seal_format == 1:
        return seal_of(ruleset_sha256, particulars, snapshot, result)
    if seal_format == 2:
        return seal_v2(ruleset_sha256, particulars, snapshot, result, engine)
    raise ValueError(f"unknown seal format {seal_format}")


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
        # Only when given, so that the files written before tiers keep their identity.
        **({"department": answers.department} if answers.department is not None else {}),
        **({"person": answers.person} if answers.person is not None else {}),
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
