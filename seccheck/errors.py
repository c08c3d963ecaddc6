"""Problems found in user input, reported all at once and never as a traceback.

Every problem names where it is (file, line when known, the id of the profile question,
category, item or check, and the field) and says what was expected. Commands print the list
and exit 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    message: str
    file: str | None = None
    line: int | None = None
    id: str | None = None
    field: str | None = None
    warning: bool = False

    def __str__(self) -> str:
        parts = []
        if self.file is not None:
            parts.append(self.file + (f":{self.line}" if self.line is not None else ""))
        if self.id is not None:
            parts.append(f"id {self.id}")
        if self.field is not None:
            parts.append(f"字段 {self.field}")
        prefix = "警告" if self.warning else "错误"
        where = f" {'，'.join(parts)}" if parts else ""
        return f"{prefix}{where}：{self.message}"


@dataclass
class InputError(Exception):
    """Raised with every problem found in one input; the CLI prints them and exits 1."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


# Files larger than this are refused before parsing: a ruleset or answers file is a few
# hundred kilobytes at most, and parsing a huge file would only waste the inspector's time.
MAX_INPUT_BYTES = 8 * 1024 * 1024
