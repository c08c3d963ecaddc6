"""Problems found in user input, reported all at once and never as a traceback.

Every problem names where it is (file, line when known, the id of the profile question,
category, item or check, and the field) and says what was expected. Commands print the list
and exit 1.
"""

from __future__ import annotations

from dataclasses import dataclass

MESSAGE_LIMIT = 2000  # characters of one problem's message as printed


@dataclass(frozen=True)
class Problem:
    message: str
    file: str | None = None
    line: int | None = None
    id: str | None = None
    field: str | None = None
    warning: bool = False

    def __str__(self) -> str:
        from seccheck.limits import shortened

        parts = []
        if self.file is not None:
            parts.append(shortened(self.file, 300) + (f":{self.line}" if self.line is not None else ""))
        if self.id is not None:
            parts.append(f"id {shortened(self.id)}")
        if self.field is not None:
            parts.append(f"字段 {shortened(self.field, 120)}")
        prefix = "警告" if self.warning else "错误"
        where = f" {'，'.join(parts)}" if parts else ""
        # A message that repeats a hostile value whole is cut: no input makes a screenful of one line.
        return f"{prefix}{where}：{shortened(self.message, MESSAGE_LIMIT)}"


class SeccheckError(Exception):
    """Something the user or the machine must put right, with every problem found at once.

    The CLI maps each subclass to one exit status (seccheck.cli.exit); nothing else decides it.
    """

    def __init__(self, problems: list[Problem] | None = None) -> None:
        super().__init__()
        self.problems: list[Problem] = list(problems or [])

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class BadInput(SeccheckError):
    """The input (a file, an option, a typed answer) is wrong; the problems say how to fix it."""


class NotFound(SeccheckError):
    """A record the user named (an audit, unit, campaign, rectification) does not exist."""


class Conflict(SeccheckError):
    """The request clashes with what is recorded (a second audit, a wrong state, a taken name)."""


class EnvironmentProblem(SeccheckError):
    """The machine is in the way: disk full, read-only database, unreachable server, a path we must not write."""


def bad_input(message: str, **where: object) -> BadInput:
    return BadInput([Problem(message, **where)])  # type: ignore[arg-type]


def not_found(message: str, **where: object) -> NotFound:
    return NotFound([Problem(message, **where)])  # type: ignore[arg-type]


def conflict(message: str, **where: object) -> Conflict:
    return Conflict([Problem(message, **where)])  # type: ignore[arg-type]


# Files larger than this are refused before parsing: a ruleset or answers file is a few
# hundred kilobytes at most, and parsing a huge file would only waste the inspector's time.
MAX_INPUT_BYTES = 8 * 1024 * 1024
