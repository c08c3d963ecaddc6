"""Setting up a workspace: its configuration, reports folder and database."""

from __future__ import annotations

from pathlib import Path

from seccheck.storage.db import Database
from seccheck.storage.workspace import Issuer, Workspace, init_workspace


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
    workspace = init_workspace(
        root,
        Issuer(name=issuer, prefix=prefix, marking=marking, contact=contact, phone=phone),
        inspectors or [],
        db_url,
    )
    Database(workspace.db_url).close()  # creates the schema now, so the first command finds it ready
    return workspace
