"""The rich console every terminal line goes through: markup off, control characters made visible."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

import rich.text
from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.text import Text

from seccheck.cli.safe import CONTROL, SafeStream, visible
from seccheck.text import linebreak

# The one place rich decides where a line ends (Text.wrap, and through it tables, trees and rules):
# rich breaks Chinese at any character; this breaker keeps the 禁则 (no line starts with 。，、）？ …,
# none ends with （《 …) and keeps Latin words and numbers whole. tests/test_linebreak.py pins it.
rich.text.divide_line = linebreak.divide_line  # type: ignore[attr-defined]


def markup(text: str) -> Text:
    """A line that styles itself with rich markup; what it interpolates must be `escape`d."""
    return Text.from_markup(text)


class SafeConsole(Console):
    """A rich console without markup whose every segment of text is made visible."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(markup=False, highlight=False, **kwargs)

    def render(self, renderable: RenderableType, options: ConsoleOptions | None = None) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            if segment.control or not CONTROL.search(segment.text):
                yield segment
            else:
                yield Segment(visible(segment.text), segment.style, segment.control)

    @property
    def file(self) -> IO[str]:
        # rich writes its own escape sequences: it goes to the stream under a SafeStream.
        stream = super().file
        return stream.raw if isinstance(stream, SafeStream) else stream

    @file.setter
    def file(self, new_file: IO[str]) -> None:
        self._file = new_file
