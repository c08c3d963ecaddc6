"""Setting up a workspace: its configuration, reports folder and database."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from seccheck.errors import BadInput, Problem
from seccheck.storage.db import Database
from seccheck.storage.workspace import Issuer, Workspace, init_workspace
from seccheck.tomlfile import LineIndex, problems_from_validation


def create_workspace(
    root: Path,
    *,
    issuer: str = "",
    prefix: str = "",
    marking: str = "",
    contact: str = "",
    phone: str = "",
    inspectors: list[str] | None = None,
    db_url: str | None = None,
) -> Workspace:
    given = {"name": issuer, "prefix": prefix, "marking": marking, "contact": contact, "phone": phone}
    try:
        checked = Issuer.model_validate(given)
    except ValidationError as exc:
        # Named as the options of `seccheck init` are: --issuer, --prefix …
        options = {"name": "--issuer"}
        raise BadInput(
            [
                Problem(p.message, field=options.get(p.field or "", f"--{p.field}"))
                for p in problems_from_validation(exc, given, "seccheck init", LineIndex(""))
            ]
        ) from None
    workspace = init_workspace(root, checked, inspectors or [], db_url)
    # Creates the schema now, so the first command finds it ready, and the ledger key (owner-only,
    # docs/storage.md) for a new database; a shared database whose ledger is already coded needs the
    # office's key instead (refused with what to do).
    database = Database(workspace.db_url, key_file=workspace.key_file)
    try:
        with database.engine.begin() as conn:
            database.ledger_key(conn)
    finally:
        database.close()
    return workspace
