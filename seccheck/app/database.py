"""Administering the database: which schema version it has, upgrading it, the list of migrations."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from seccheck.storage import db as storage
from seccheck.storage.workspace import find_workspace, open_workspace


@dataclass(frozen=True)
class SchemaState:
    url: str  # shown without a password
    current: str | None
    head: str
    history: list[tuple[str, str]]

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def _url(workspace_dir: Path | None, db_url: str | None) -> str:
    workspace = open_workspace(workspace_dir.resolve(), db_url) if workspace_dir else find_workspace(None, db_url)
    return workspace.db_url


def _key(workspace_dir: Path | None, db_url: str | None) -> Path | None:
    workspace = open_workspace(workspace_dir.resolve(), db_url) if workspace_dir else find_workspace(None, db_url)
    return workspace.key_file


def schema_state(workspace_dir: Path | None, db_url: str | None) -> SchemaState:
    """The database's schema version, read without upgrading anything."""
    url = _url(workspace_dir, db_url)
    database = storage.Database(url, upgrade=False, create=False)
    try:
        current = storage.current_revision(database.engine)
    finally:
        database.close()
    return SchemaState(make_url(url).render_as_string(hide_password=True), current, storage.HEAD, storage.history())


def upgrade(workspace_dir: Path | None, db_url: str | None) -> SchemaState:
    """Bring the schema to the newest version (every command also does this when it opens the database)."""
    url = _url(workspace_dir, db_url)
    storage.Database(url, create=False, key_file=_key(workspace_dir, db_url)).close()
    return schema_state(workspace_dir, db_url)
