"""How a long batch (an import, `verify --all`, a report) tells its caller how far it has got.

The use cases know nothing of terminals: they call the `Progress` they were given after each step,
and the command line turns that into a progress bar (seccheck/cli/progress.py), or nothing when the
output is not a terminal.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def __call__(self, done: int, total: int, step: str = "") -> None:
        """`done` of `total` steps are finished; `step` names the one finished (a file, an audit)."""


def no_progress(done: int, total: int, step: str = "") -> None:
    """The progress of a caller that does not want to know."""


class Steps:
    """A use case of a few named stages (read, lay out, render, write): each call finishes one."""

    def __init__(self, progress: Progress, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def __call__(self, step: str) -> None:
        self.done += 1
        self.progress(self.done, self.total, step)
