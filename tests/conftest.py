from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


class Run:
    def __init__(self, proc: subprocess.CompletedProcess[str]) -> None:
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    @property
    def text(self) -> str:
        return self.out + self.err


def seccheck(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run the real command in a child process, as a user would."""
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120", **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "seccheck", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    run = Run(proc)
    assert "Traceback" not in run.text, run.text
    return run


@pytest.fixture
def worked_ruleset() -> Path:
    return DATA / "worked-example.toml"


@pytest.fixture(scope="session")
def pg_server():  # type: ignore[no-untyped-def]
    """A real PostgreSQL server for the whole run; a failure to start fails the tests that need it."""
    from tests.pgserver import PostgresServer

    server = PostgresServer.start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'seccheck.db'}"
    server = request.getfixturevalue("pg_server")
    return str(server.create_database())


class Workspace:
    """A workspace made with `seccheck init`, and a way to run commands in it."""

    def __init__(self, root: Path, db_url: str) -> None:
        self.root = root
        self.db_url = db_url
        self.env = {"SECCHECK_DB": db_url, "SECCHECK_USER": "测试员"}

    def run(self, *args: str | Path, env: dict[str, str] | None = None) -> Run:
        return seccheck(*args, cwd=self.root, env={**self.env, **(env or {})})

    def db(self):  # type: ignore[no-untyped-def]
        from seccheck.storage.db import Database

        return Database(self.db_url)


@pytest.fixture
def workspace(tmp_path: Path, db_url: str) -> Workspace:
    root = tmp_path / "ws"
    run = seccheck(
        "init",
        root,
        "--issuer",
        "某区国家保密局",
        "--prefix",
        "某保检",
        "--inspector",
        "李明",
        env={"SECCHECK_DB": db_url},
    )
    assert run.code == 0, run.text
    return Workspace(root, db_url)
