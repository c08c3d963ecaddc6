# Long on purpose: opening a database is one sequence (engine, schema, migration, transactions); HEAD stays here.
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

from seccheck.errors import BadInput, EnvironmentProblem, Problem, SeccheckError
from seccheck.fileutil import private_dir
from seccheck.storage import ledger, ledger_key

# The newest migration; checked against Alembic's own idea of head by a test. Knowing it here
# lets an up-to-date database open without importing Alembic at all.
HEAD = "0014"
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
                private_dir(path.parent)
                # Owner-only from the first byte; SQLite gives its -wal and -shm files the same mode.
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            if readonly_file(path):
                return _readonly_engine(path)
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


def readonly_file(path: Path) -> bool:
    """Whether the SQLite file at `path` is a read-only copy: it, or its folder, has no write permission
    (for anyone: an archive made with chmod -R a-w reads as read-only even to root), or the file
    system is mounted read-only."""
    folder = path.parent
    for each in (path, folder):
        try:
            writable_bits = each.stat().st_mode & 0o222
        except OSError:
            return False
        if not writable_bits or not os.access(each, os.W_OK):
            return True
    return False


def _readonly_engine(path: Path) -> Engine:
    """An engine that opens a read-only copy without writing a byte: no WAL switch, no lock files.

    Without a write-ahead log beside it the file is opened `immutable` (SQLite then needs no -shm
    file, which a read-only folder could not hold); with one, read-only, so its last changes count."""
    import sqlite3
    from urllib.parse import quote

    wal = path.with_name(path.name + "-wal")
    flags = "mode=ro" if wal.exists() and wal.stat().st_size > 0 else "mode=ro&immutable=1"
    uri = f"file:{quote(str(path.resolve()))}?{flags}"

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, check_same_thread=False)

    engine = create_engine("sqlite://", creator=connect, json_serializer=_json_text)

    @event.listens_for(engine, "connect")
    def _sqlite_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn):  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN")

    return engine


# JSON columns as a person reading the database expects them: characters, not \u escapes.
_JSON_TEXT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _json_text(data: object) -> str:
    return _JSON_TEXT.encode(data)


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


def known_revisions() -> list[str]:
    """Every schema version this seccheck knows, oldest first."""
    return [revision for revision, _ in history()]


def schema_problem(engine: Engine, revision: str | None) -> EnvironmentProblem | None:
    """Why a database cannot be used at schema version `revision`, or None: made by a newer seccheck
    (a version this one does not know), or its tables are not what its recorded version says."""
    if revision is not None and revision != HEAD and revision not in known_revisions():
        return EnvironmentProblem(
            [
                Problem(
                    f"此数据库由较新版本的 seccheck 建立或升级过（数据库结构版本 {_short(revision)}），"
                    f"本程序只认识到结构版本 {HEAD}；需要能打开结构版本 {_short(revision)} 的 seccheck："
                    "请改用建立它的那一版或更新的 seccheck（seccheck --version 显示本程序的版本），"
                    "不要用本程序写入它",
                )
            ]
        )
    if revision == HEAD:
        from seccheck.storage.tables import Base

        wanted = {(t.name, c.name) for t in Base.metadata.sorted_tables for c in t.columns}
        lacking = sorted(wanted - set(_columns(engine)))
        if lacking:
            return schema_mismatch(revision, "缺少 " + _listed(lacking))
        return None
    # An older version: its tables must be what that version's migrations made (checked only on the
    # way to an upgrade, which is rare), so that a version number set back is not "upgraded" again.
    present = _columns(engine)
    expected = _columns_at(revision)
    extra, missing = sorted(set(present) - set(expected)), sorted(set(expected) - set(present))
    # Types are compared on SQLite (where the expected schema is made); PostgreSQL's are spelled otherwise.
    retyped = sorted(
        k for k in set(present) & set(expected) if engine.dialect.name == "sqlite" and present[k] != expected[k]
    )
    parts = [f"多出 {_listed(extra)}" if extra else "", f"缺少 {_listed(missing)}" if missing else ""]
    parts.append(f"{_listed(retyped)}类型不同" if retyped else "")
    if any(parts):
        return schema_mismatch(revision, "；".join(p for p in parts if p))
    return None


def _listed(columns: list[tuple[str, str]]) -> str:
    # Counted, not named: table and column names are the program's, not the reader's.
    return f"{len(columns)} 列"


_COLUMNS_AT: dict[str | None, dict[tuple[str, str], str]] = {}


def _columns_at(revision: str | None) -> dict[tuple[str, str], str]:
    """The tables and columns that this seccheck's migrations make at `revision` (on an empty SQLite)."""
    if revision is None:
        return {}
    if revision not in _COLUMNS_AT:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="seccheck-schema-") as folder:
            engine = make_engine(f"sqlite:///{Path(folder) / 'schema.db'}")
            try:
                _upgrade(engine, revision)
                _COLUMNS_AT[revision] = _columns(engine)
            finally:
                engine.dispose()
    return _COLUMNS_AT[revision]


def schema_mismatch(revision: str | None, detail: str = "") -> EnvironmentProblem:
    recorded = f"记录的结构版本是 {_short(revision)}" if revision else "没有记录结构版本"
    found = f"（{detail}）" if detail else ""
    return EnvironmentProblem(
        [
            Problem(
                f"数据库的表与其结构版本不符：{recorded}，但表的结构不是这一版{found}；"
                f"本程序需要结构版本 {HEAD} 或更早、且表与版本一致的数据库。"
                "数据库可能被其他程序改动过或版本记录被改过：请从备份恢复，或联系维护人员；未做任何修改",
            )
        ]
    )


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:32] + "…"


def _columns(engine: Engine) -> dict[tuple[str, str], str]:
    """The (table, column) pairs of the database's own tables, with their declared types."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.exec_driver_sql(
                "SELECT m.name, p.name, upper(p.type) FROM sqlite_master m, pragma_table_info(m.name) p "
                "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
            ).all()
        else:
            rows = conn.execute(
                text(
                    "SELECT table_name, column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = current_schema()"
                )
            ).all()
    return {(str(t), str(c)): str(kind) for t, c, kind in rows if t != "alembic_version"}


def migrate(engine: Engine, revision: str = "head", key: ledger.KeySource | None = None) -> None:
    """Bring the schema to `revision` (default: the newest). Cheap when it is already there.
    `key` gives the ledger key for the entries a migration appends.

    A database this seccheck cannot read as its recorded version says is refused, unchanged."""
    current = current_revision(engine)
    problem = schema_problem(engine, current)
    if problem is not None:
        raise problem
    if revision == "head" and current == HEAD:
        return
    try:
        _upgrade(engine, revision, key)
    except SeccheckError:
        raise
    except Exception as exc:
        from alembic.util import CommandError

        if isinstance(exc, DBAPIError) and _environmental(exc):
            raise
        if isinstance(exc, DBAPIError | CommandError):
            raise schema_mismatch(current, "升级到新结构时数据库拒绝了修改") from None
        raise


def _upgrade(engine: Engine, revision: str, key: ledger.KeySource | None = None) -> None:
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
                config.attributes["ledger_key"] = key
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


def readonly_copy(url: str) -> Path | None:
    """The SQLite file of `url` when it is a read-only copy (see readonly_file), else None."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    path = Path(parsed.database)
    return path if path.exists() and readonly_file(path) else None


class Database:
    """The database and the ledger key its entries are coded with (`key_file`, default
    seccheck.storage.ledger_key.default_key_file: beside a SQLite file, or SECCHECK_KEY_FILE)."""

    def __init__(self, url: str, *, upgrade: bool = True, create: bool = True, key_file: Path | None = None) -> None:
        self.url = normalise_url(url)
        self.key_file = key_file or ledger_key.default_key_file(self.url)
        self._key: bytes | None = None
        self.engine = make_engine(self.url, create=create)
        #: The file of a read-only copy (an archived workspace): opened for reading only, never migrated.
        self.readonly = readonly_copy(self.url)
        try:
            if self.readonly is not None:
                if upgrade:  # `db status` (upgrade=False) only reads the version
                    _check_readonly_schema(self.engine, self.readonly)
            elif upgrade:
                migrate(self.engine, key=lambda conn: self.ledger_key(conn, upgrading=True))
        except OperationalError as exc:
            shown = make_url(self.url).render_as_string(hide_password=True)
            raise EnvironmentProblem([Problem(f"无法打开数据库 {shown}：{_reason(exc)}", field="database")]) from None
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        ledger.install(self.sessions, self.ledger_key)

    def verification_key(self) -> bytes | None:
        """The ledger key for checking codes, if it can be found (never makes one)."""
        if self._key is None and self.key_file is not None:
            self._key = ledger_key.read_key(self.key_file)
        return self._key

    def ledger_key(self, conn: Connection, *, upgrading: bool = False) -> bytes | None:
        """The key new entries are coded with (called inside the writing transaction). A workspace
        whose ledger has no coded entry yet (made before keys existed) gets its key now; a key that
        has gone missing after entries were coded with it is never replaced: writing is refused. The
        last entry must carry a valid code, except while migration 0008 takes the key into use."""
        if self.key_file is None:
            return None
        if self._key is None:
            self._key = ledger_key.read_key(self.key_file)
        if self._key is not None:
            if not upgrading:
                self._check_head(conn)
            return self._key
        if self._key is None:
            if ledger.has_keyed_entries(conn):
                raise EnvironmentProblem(
                    [
                        Problem(
                            f"找不到账本密钥文件 {self.key_file}，而账本中已有用它生成的校验码：不能再写入。"
                            "请从备份恢复该文件（多人共用数据库时向发文机关索取，用环境变量 "
                            f"{ledger_key.KEY_ENV} 指定），见 docs/storage.md“账本密钥”",
                            field="key",
                        )
                    ]
                )
            # The ledger's first coded entry follows now: it vouches for the uncoded ones before it.
            self._key = ledger_key.create_key(self.key_file)
        return self._key

    def _check_head(self, conn: Connection) -> None:
        """Never extend a ledger whose last entry lacks a valid code: a ledger rebuilt by someone
        without the key would otherwise be vouched for by the next honest entry."""
        from seccheck.domain.ledger import mac_matches

        assert self._key is not None
        last = conn.execute(
            text("SELECT position, algorithm, digest, mac FROM ledger ORDER BY position DESC LIMIT 1")
        ).first()
        if last is None or (last.mac is not None and mac_matches(last.algorithm, self._key, last.digest, last.mac)):
            return
        why = "没有校验码" if last.mac is None else "的校验码与账本密钥不符"
        raise EnvironmentProblem(
            [
                Problem(
                    f"账本末尾第 {last.position} 条{why}：账本在 seccheck 之外被改动过（或所用密钥不是本工作区的），"
                    "为免在其上继续写入，本次未做任何改动。请先运行 seccheck verify --all 查明，并从备份恢复数据库"
                    "或密钥（见 docs/storage.md“账本密钥”）",
                    field="key",
                )
            ]
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def require_writable(self) -> None:
        """Refuse at once, in Chinese, when this is a read-only copy."""
        if self.readonly is not None:
            raise readonly_problem(self.readonly)

    def transaction(self, work: Callable[[Session], T], *, attempts: int = 8) -> T:
        """Run `work` in one transaction, retrying when another writer holds a lock."""
        self.require_writable()
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


def readonly_problem(path: Path) -> EnvironmentProblem:
    return EnvironmentProblem(
        [
            Problem(
                "工作区是只读的（数据库文件或所在目录没有写权限，或文件系统只读），本命令要写入记录，不能运行；"
                "只读副本上可以核验（verify）、列出和查看检查（audit list/show）、出汇总（report、summary）"
                "和导出（export），输出请用 --out 写到可写的目录。要修改记录，请在原工作区操作，"
                "或把副本复制到可写的位置",
                file=str(path),
            )
        ]
    )


def _check_readonly_schema(engine: Engine, path: Path) -> None:
    """A read-only copy is read as it is: refused when its schema is not this seccheck's newest."""
    current = current_revision(engine)
    problem = schema_problem(engine, current)
    if problem is not None:
        raise problem
    if current != HEAD:
        raise EnvironmentProblem(
            [
                Problem(
                    f"这个只读工作区的数据库是旧的结构版本（{current or '无'}），本程序需要结构版本 {HEAD}，"
                    "而只读副本不能升级：请把工作区复制到可写的位置，用本程序打开一次（会自动升级）后再使用",
                    file=str(path),
                )
            ]
        )


def _environmental(exc: DBAPIError) -> bool:
    """The machine's fault (lock, disk, permission, connection), not the schema's."""
    message = str(exc.orig).lower()
    words = ("locked", "busy", "readonly", "read-only", "disk", "unable to open", "connection", "could not connect")
    return any(w in message for w in words)


def _reason(exc: DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
