"""Writing an audit out: its answers (TOML), the ruleset it was scored with (TOML) and its result (JSON).

`seccheck import AUDIT.answers.toml --ruleset AUDIT.ruleset.toml` scores to the same result.
Files are owner-only and written atomically.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from seccheck.domain.answers import Answer, Answers
from seccheck.domain.seal import answer_record
from seccheck.fileutil import write_atomic


def write_export(
    out_dir: Path, stem: str, *, answers: Answers, ruleset_text: str, header: str, result: Any
) -> list[Path]:
    import tomli_w

    out_dir.mkdir(parents=True, exist_ok=True)
    doc: dict[str, Any] = {
        "format": 1,
        "ruleset": answers.ruleset,
        "ruleset_version": answers.ruleset_version,
        "unit": answers.unit,
        "date": answers.date,
        "mode": answers.mode,
        "inspectors": list(answers.inspectors),
        "methods": list(answers.methods),
        "answers": {key: _answer_toml(a) for key, a in answers.answers.items()},
    }
    paths = [out_dir / f"{stem}.answers.toml", out_dir / f"{stem}.ruleset.toml", out_dir / f"{stem}.result.json"]
    write_atomic(paths[0], (header + tomli_w.dumps(doc)).encode("utf-8"))
    write_atomic(paths[1], ruleset_text.encode("utf-8"))
    write_atomic(paths[2], json.dumps(result, ensure_ascii=False, indent=2).encode("utf-8"))
    return paths


def _toml_number(value: Any) -> Any:
    # TOML writers print Decimal("1") as 1.0, which reads back as Decimal("1.0"): keep 1 an integer.
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def _answer_toml(answer: Answer) -> Any:
    if answer.na:
        return "na"
    if answer.deduct is None and answer.note is None and not answer.evidence:
        return _toml_number(answer.value)
    table: dict[str, Any] = {"value": _toml_number(answer.value)}
    if answer.deduct is not None:
        table["deduct"] = _toml_number(answer.deduct)
    if answer.note is not None:
        table["note"] = answer.note
    if answer.evidence:
        table["evidence"] = answer_record(answer)["evidence"]
    return table
