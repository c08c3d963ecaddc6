"""Writing an audit out: its answers (TOML), the ruleset it was scored with (TOML), its result (JSON)
and its evidence files (in `AUDIT.evidence/`, named by the answers relative to the answers file).

`seccheck import AUDIT.answers.toml --ruleset AUDIT.ruleset.toml` scores to the same result, with the
same evidence. Files are owner-only and written atomically.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from seccheck.domain.answers import Answer, Answers
from seccheck.domain.seal import answer_record
from seccheck.fileutil import inside, private_dir, write_atomic


def write_export(
    out_dir: Path,
    stem: str,
    *,
    answers: Answers,
    ruleset_text: str,
    header: str,
    result: Any,
    evidence_root: Path | None = None,
) -> list[Path]:
    import tomli_w

    private_dir(out_dir)
    copied: list[Path] = []
    if evidence_root is not None:
        answers, copied = _export_evidence(out_dir, f"{stem}.evidence", answers, evidence_root)
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
    return paths + copied


def _export_evidence(out_dir: Path, folder: str, answers: Answers, root: Path) -> tuple[Answers, list[Path]]:
    """Copy the evidence kept in the workspace beside the answers; the answers then name the copies."""
    copied: list[Path] = []
    changed: dict[str, Answer] = {}
    for key, answer in answers.answers.items():
        refs = []
        for ref in answer.evidence:
            try:
                source = inside(root, ref)
            except ValueError:
                source = None
            if source is not None and source.is_file():
                target = inside(out_dir / folder, Path(ref).name)
                private_dir(target.parent)
                write_atomic(target, source.read_bytes())
                copied.append(target)
                refs.append(f"{folder}/{target.name}")
            else:
                refs.append(ref)
        if answer.evidence:
            changed[key] = answer.model_copy(update={"evidence": tuple(refs)})
    if not changed:
        return answers, copied
    return answers.model_copy(update={"answers": {**answers.answers, **changed}}), copied


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
