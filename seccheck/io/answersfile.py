"""Reading an answers file (TOML) into the Answers model, every problem at once."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from seccheck.domain.answers import Answers
from seccheck.errors import BadInput, Problem
from seccheck.tomlfile import LineIndex, problems_from_validation, read_toml


def load_answers(path: Path | str) -> tuple[Answers, LineIndex]:
    data, text = read_toml(path)
    lines = LineIndex(text)
    try:
        return Answers.model_validate(data), lines
    except ValidationError as exc:
        problems = problems_from_validation(exc, data, str(path), lines)
        # Inside [answers] the key is the id: name it, not a field path.
        fixed = []
        for p in problems:
            if p.id is None and p.field and p.field.startswith("answers."):
                ident = p.field.split(".")[1]
                rest = ".".join(p.field.split(".")[2:]) or None
                fixed.append(Problem(p.message, p.file, lines.of_key(ident) or p.line, ident, rest))
            else:
                fixed.append(p)
        raise BadInput(fixed) from None
