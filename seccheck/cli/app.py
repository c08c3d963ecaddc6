"""What commands share: the workspace and database chosen by --workspace / --db, opened lazily
into the use cases' Context."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from seccheck.app.context import Context


@dataclass
class App:
    workspace_dir: Path | None = None
    db_url: str | None = None
    _context: Context | None = field(default=None, repr=False)

    def context(self) -> Context:
        if self._context is None:
            from seccheck.app.context import open_context

            self._context = open_context(self.workspace_dir, self.db_url)
        return self._context

    def close(self) -> None:
        if self._context is not None:
            self._context.db.close()


pass_app = click.make_pass_decorator(App)
