"""What reaches a terminal: user text is shown, never obeyed.

Two rules, applied in the one place each kind of output passes through:
- Control characters (C0 but tab and newline, DEL, C1, and the bidirectional overrides) in anything
  printed are replaced by visible stand-ins (␛ for ESC …): a unit named "\\x1b[2J" cannot clear the
  screen. rich output passes `SafeConsole.render` (seccheck.cli.console); everything else written to a terminal (click's
  echo and messages) passes `SafeStream`, installed around stdout and stderr when they are terminals.
  Piped output (JSON for scripts) is left exact.
- rich markup is off: text is printed as it is, so a path with "[/x]" is a path. The few lines that
  style themselves say so with `console.markup(…)`, escaping what they interpolate.

This module imports nothing heavy: the streams are guarded before any command runs.
"""

from __future__ import annotations

import re
from typing import IO, Any

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟, the Unicode control pictures
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def visible(text: str) -> str:
    """The text with every control character replaced by a visible stand-in."""
    return CONTROL.sub(_picture, text) if CONTROL.search(text) else text


class SafeStream:
    """A text stream for a terminal that makes control characters visible in what is written."""

    def __init__(self, raw: IO[str]) -> None:
        self.raw = raw

    def write(self, text: str) -> int:
        self.raw.write(visible(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


def guard_terminal_streams() -> None:
    """Wrap stdout and stderr in SafeStream when they are terminals (idempotent)."""
    import sys

    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, SafeStream) and _is_terminal(stream):
            setattr(sys, name, SafeStream(stream))


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
