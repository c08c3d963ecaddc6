"""The progress of a long batch on a terminal: a rich progress bar on standard error with n/N, the rate
and the time left, drawn only when standard error is a terminal and erased when the batch ends, so
that piped or redirected output holds nothing but the results and the closing tally."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from seccheck.app.progress import no_progress
from seccheck.cli import render

if TYPE_CHECKING:
    from seccheck.app.progress import Progress as ProgressCallback


class RateColumn(ProgressColumn):
    """Steps per second (or seconds per step when slower than one a second)."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        if not speed:
            return Text("", style="dim")
        if speed >= 1:
            return Text(f"{speed:.1f} {self.unit}/秒", style="dim")
        return Text(f"{1 / speed:.1f} 秒/{self.unit}", style="dim")


class LeftColumn(TimeRemainingColumn):
    def render(self, task: Task) -> Text:
        if task.finished or task.total is None or not task.speed:
            return Text("")
        return Text(f"剩余 {super().render(task).plain}", style="dim")


def shows_progress() -> bool:
    console = render.err
    return console.is_terminal and not console.is_dumb_terminal


@contextmanager
def progress_bar(title: str, unit: str = "个") -> Iterator[ProgressCallback]:
    """A `Progress` for a use case: draws `title ━━━━ 12/300 4.1 个/秒 剩余 0:01:10 最近的一步`."""
    if not shows_progress():
        yield no_progress
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(unit),
        LeftColumn(),
        TextColumn("[dim]{task.fields[step]}[/]"),
        console=render.err,
        transient=True,
        refresh_per_second=8,
    )
    task = bar.add_task(escape(title), total=None, step="", visible=False)  # shown from the first step

    def advance(done: int, total: int, step: str = "") -> None:
        # What a step is called comes from the user's files: never read as rich markup, and cut short.
        shown = step if len(step) <= 30 else step[:29] + "…"
        bar.update(task, completed=done, total=total, step=escape(render_safe(shown)), visible=True)

    with bar:
        yield advance


def render_safe(text: str) -> str:
    """Control characters of a file name never reach the terminal."""
    return "".join(c if c.isprintable() else "?" for c in text)
