"""Opening the database: engine settings, migrations on open, transactions that retry on lock.

SQLite runs in WAL mode with a busy timeout and BEGIN IMMEDIATE, so several processes can write
to one workspace: each waits its turn instead of failing. PostgreSQL (psycopg 3) is used as is;
migrations take an advisory lock so two processes opening a new database do not race.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from seccheck.errors import BadInput, EnvironmentProblem, Problem
from seccheck.storage import ledger

# The newest migration; checked against Alembic's own idea of head by a test. Knowing it here
# lets an up-to-date database open without importing Alembic at all.
HEAD = "0012"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_S = 60
T = TypeVar("T")


def normalise_url(url: str) -> str:
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, *, create: bool = True) -> Engine:
    """An engine for `url`. A missing SQLite file is created only when `create` is true: commands in an
    existing workspace never make an empty database in place of one that went missing."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.query.get("uri"):
            path = Path(parsed.database)
            if not path.exists() and not create:
                raise EnvironmentProblem(
                    [
                        Problem(
                            f"数据库文件 {path} 不存在；如已移动，请在 seccheck.toml 的 [database] url 中写明新位置，"
                            "或用 --db 指定（不会自动新建空数据库）",
                            field="database",
                        )
                    ]
                )
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                # Owner-only from the first byte; SQLite gives its -wal and -shm files the same mode.
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S}, json_serializer=_json_text)

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=FULL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # type: ignore[no-untyped-def]
            # Take the write lock at the start, so the busy timeout applies; a deferred
            # transaction that upgrades to a writer fails at once under contention.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True, json_serializer=_json_text)
    raise BadInput(
        [
            Problem(
                f"不支持的数据库地址：{parsed.render_as_string(hide_password=True)}；"
                "应为 sqlite:///文件 或 postgresql+psycopg://…"
            )
        ]
    )


def _json_text(data: object) -> str:
    # JSON columns as a person reading the database expects them: characters, not \u escapes.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def history() -> list[tuple[str, str]]:
    """Every migration, oldest first: (revision, first line of its description)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    scripts = list(ScriptDirectory.from_config(config).walk_revisions())
    # The description's first paragraph, on one line.
    return [(s.revision, " ".join((s.doc or "").strip().split("\n\n")[0].split())) for s in reversed(scripts)]


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError:
            return None


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (default: the newest). Cheap when it is already there."""
    if revision == "head" and current_revision(engine) == HEAD:
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # Migrations rebuild tables on SQLite (it cannot change a column's type): with foreign keys
            # on, dropping the old `audits` would cascade-delete every answer. SQLite's own procedure
            # (https://sqlite.org/lang_altertable.html#otheralter): keys off outside the transaction,
            # checked before commit, on again after.
            _pragma(conn, "PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(7205131)"))
                config.attributes["connection"] = conn
                command.upgrade(config, revision)
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"migration left rows whose references do not exist: {broken[:5]}")
        finally:
            if sqlite:
                _pragma(conn, "PRAGMA foreign_keys=ON")


def _pragma(conn: Connection, statement: str) -> None:
    """A PRAGMA outside any transaction (foreign_keys is a no-op inside one): on the driver's connection,
    which runs in autocommit mode (`isolation_level = None` above)."""
    driver = conn.connection.driver_connection
    assert driver is not None
    driver.execute(statement)


class Database:
    def __init__(self, url: str, *, upgrade: bool = True, create: bool = True) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url, create=create)
        try:
            if upgrade:
                migrate(self.engine)
        except OperationalError as exc:
            shown = make_url(self.url).render_as_string(hide_password=True)
            raise EnvironmentProblem([Problem(f"无法打开数据库 {shown}：{_reason(exc)}", field="database")]) from None
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        ledger.install(self.sessions)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def transaction(self, work: Callable[[Session], T], *, attempts: int = 8) -> T:
        """Run `work` in one transaction, retrying when another writer holds a lock."""
        for attempt in range(attempts):
            try:
                with self.sessions.begin() as session:
                    return work(session)
            except (OperationalError, IntegrityError) as exc:
                if attempt == attempts - 1 or not _retryable(exc):
                    raise
                time.sleep(min(2.0, 0.05 * 2**attempt) * (0.5 + random.random()))
        raise AssertionError("unreachable")  # pragma: no cover

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def _retryable(exc: DBAPIError) -> bool:
    message = str(exc.orig).lower()
    # SQLite lock contention; PostgreSQL serialisation and deadlock; a unique race on a unit
    # name created by two importers at once (the retry then finds the other's row).
    return any(s in message for s in ("locked", "busy", "deadlock", "could not serialize", "unique", "duplicate key"))


def _reason(exc: DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
