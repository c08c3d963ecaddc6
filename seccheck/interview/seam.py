"""What the interview shows and asks, and its two seams: the `Asker` (a screen: the terminal in the CLI,
a script in tests) and the `Recorder` (where answers are saved). No flow here."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol

from seccheck.domain.answers import Answer
from seccheck.domain.result import Result
from seccheck.ruleset.model import Category, Check, Item, ProfileQuestion

HELP, BACK, SKIP, QUIT = "?", "b", "s", "q"
SUB_HINT = "? 帮助，b 返回上一步，q 保存退出"
NA_WORDS = {"na", "不适用", "n/a"}


@dataclass(frozen=True)
class Question:
    """One question in asking order: a profile question or an applicable check."""

    key: str
    question: ProfileQuestion | Check
    item: Item | None = None
    category: Category | None = None
    label: str = "基本情况"  # what the person reads: the item's number, never the program's id

    @property
    def is_profile(self) -> bool:
        return self.item is None


@dataclass(frozen=True)
class Header:
    ruleset_title: str
    ruleset_version: str
    unit: str
    mode: str
    profile_count: int
    check_count: int
    audit_id: int | None
    resumed: int  # answers already given


@dataclass(frozen=True)
class CategoryStart:
    title: str


@dataclass(frozen=True)
class Message:
    text: str
    level: Literal["info", "error", "warning"] = "info"


@dataclass(frozen=True)
class HelpView:
    question: Question
    cost: str
    help: str | None
    basis: str | None
    rectify: str | None
    finding: str | None
    problem: str = ""


@dataclass(frozen=True)
class ReviewRow:
    key: str
    question: str
    answer: str
    deduction: Decimal
    finding: bool
    category: str


@dataclass(frozen=True)
class Review:
    rows: tuple[ReviewRow, ...]
    missing: tuple[str, ...]


@dataclass(frozen=True)
class Done:
    result: Result


Shown = Header | CategoryStart | Message | HelpView | Review | Done


@dataclass(frozen=True)
class Prompt:
    kind: Literal["answer", "deduct", "note", "evidence", "review", "confirm"]
    text: str
    question: Question | None = None
    position: int = 0
    total: int = 0
    cost: str = ""
    accepted: str = ""
    current: str | None = None  # the answer given before, kept on an empty reply
    allow_na: bool = False
    progress: str = ""  # the running score
    problem: str = ""  # which answer is the problem, when it is not the usual 否


class Asker(Protocol):
    def show(self, shown: Shown) -> None: ...

    def ask(self, prompt: Prompt) -> str:
        """The person's reply. EOFError means no more input (treated as quit)."""
        ...


class Recorder(Protocol):
    def save(self, key: str, answer: Answer) -> None: ...

    def remove(self, key: str) -> None: ...

    def attach(self, path: str) -> str:
        """Keep an evidence file (hashed and copied); returns how the answer refers to it."""
        ...

    def finalize(self) -> Result: ...
