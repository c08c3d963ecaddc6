"""What commands share: the workspace and database chosen by --workspace / --db, opened lazily."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from seccheck.storage.db import Database
    from seccheck.storage.workspace import Workspace


@dataclass
class App:
    workspace_dir: Path | None = None
    db_url: str | None = None
    _workspace: Workspace | None = field(default=None, repr=False)
    _db: Database | None = field(default=None, repr=False)

    def workspace(self) -> Workspace:
        if self._workspace is None:
            from seccheck.storage.workspace import find_workspace, open_workspace

            if self.workspace_dir is not None:
                self._workspace = open_workspace(self.workspace_dir.resolve(), self.db_url)
            else:
                self._workspace = find_workspace(None, self.db_url)
        return self._workspace

    def db(self) -> Database:
        if self._db is None:
            from seccheck.storage.db import Database

            self._db = Database(self.workspace().db_url)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()


pass_app = click.make_pass_decorator(App)
