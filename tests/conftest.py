from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Set before rich's consoles are made (they read NO_COLOR once): output as a pipe would get it.
os.environ.setdefault("NO_COLOR", "1")
os.environ.setdefault("COLUMNS", "120")

TODAY = dt.date(2026, 11, 23)  # the day the tests' workspaces live in (SECCHECK_TODAY)
ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


# Test folders in memory when the machine has room: SQLite (synchronous=FULL) and the atomic file
# writes sync to disk on every commit, and a sync to a virtual machine's disk takes milliseconds (on
# tmpfs, microseconds); the whole run syncs tens of thousands of times. `--basetemp` chooses another
# place; the folder made here is removed at the end of the run.
_MEMORY_ROOM = 4 << 30  # bytes free on /dev/shm needed (a run's test folders reach several hundred MB)


@pytest.hookimpl(tryfirst=True)  # before pytest's own tmp_path factory reads the option
def pytest_configure(config: pytest.Config) -> None:
    if config.option.basetemp or hasattr(config, "workerinput"):  # given, or an xdist worker: set already
        return
    shm = Path("/dev/shm")
    try:
        # writable, and not noexec: tests run programs they install into their folders
        usable = shm.is_dir() and os.access(shm, os.W_OK) and not os.statvfs(shm).f_flag & os.ST_NOEXEC
        roomy = usable and shutil.disk_usage(shm).free >= _MEMORY_ROOM
    except OSError:
        roomy = False
    if roomy:
        config.option.basetemp = config.stash[_BASETEMP] = tempfile.mkdtemp(prefix="seccheck-tests-", dir=shm)


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(_BASETEMP, None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


_BASETEMP = pytest.StashKey[str]()


class Run:
    def __init__(self, proc: subprocess.CompletedProcess[str]) -> None:
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    @property
    def text(self) -> str:
        return self.out + self.err


@contextlib.contextmanager
def _inside(cwd: Path | None, env: dict[str, str]) -> Iterator[None]:
    old_cwd = Path.cwd()
    old_env = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    if cwd is not None:
        os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(old_cwd)
        for key, value in old_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class _Result:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.returncode, self.stdout, self.stderr = code, out, err


def seccheck(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run the command in this process, as `seccheck ARGS` would run (no terminal on stdin).

    In-process because a child process proves nothing more for most tests and costs half a second
    of start-up each; `seccheck_process` is there for what only a real process shows.
    """
    from click.testing import CliRunner

    from seccheck.cli.main import main

    full_env = {
        "NO_COLOR": "1",
        "COLUMNS": "120",
        "SECCHECK_DB": "",
        "SECCHECK_USER": "",
        "SECCHECK_TODAY": "",
        **(env or {}),
    }
    with _inside(cwd, {k: v for k, v in full_env.items() if v}):
        removed = {k: os.environ.pop(k) for k, v in full_env.items() if not v and k in os.environ}
        try:
            result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)
        finally:
            os.environ.update(removed)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    run = Run(_Result(result.exit_code, result.stdout, result.stderr))  # type: ignore[arg-type]
    assert "Traceback" not in run.text, run.text
    assert run.code != 70, run.text
    return run


def seccheck_process(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
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


@pytest.fixture(autouse=True)
def example_evidence(tmp_path: Path) -> None:
    """Tests write edited copies of the example answers files into tmp_path; the evidence file the
    unit example names goes beside them, as it stands beside the original in examples/."""
    photo = ROOT / "examples" / "复制登记簿照片.jpg"
    (tmp_path / photo.name).write_bytes(photo.read_bytes())


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


# Workspaces start from a database migrated once per test run (per xdist worker) rather than running
# every migration for each test: `seccheck init` then finds the schema current, as it would in a
# workspace made by the same version. The migrations themselves are tested from an empty database
# (tests/test_migrations.py, and every test that takes `db_url` itself).


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from seccheck.storage.db import Database

    path = tmp_path_factory.mktemp("template") / "seccheck.db"
    Database(f"sqlite:///{path}").close()
    return path


@pytest.fixture(scope="session")
def pg_template(pg_server) -> str:  # type: ignore[no-untyped-def]
    """The name of a PostgreSQL database at the newest schema, to copy (CREATE DATABASE … TEMPLATE)."""
    from sqlalchemy.engine import make_url

    from seccheck.storage.db import Database

    url = str(pg_server.create_database("template"))
    Database(url).close()
    return str(make_url(url).database)


def seed_database(path: Path, template: Path) -> None:
    """A copy of the migrated template at `path` (owner-only, as seccheck makes its databases)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(template.read_bytes())


@pytest.fixture
def fresh_db(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[Path], None]:
    """Seed a workspace's own SQLite database (DIR/seccheck.db) before `seccheck init DIR`."""
    template = request.getfixturevalue("sqlite_template")
    return lambda root: seed_database(root / "seccheck.db", template)


@pytest.fixture(params=["sqlite", "postgresql"])
def ws_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database of each kind at the newest schema, for a workspace."""
    if request.param == "sqlite":
        path = tmp_path / "seccheck.db"
        seed_database(path, request.getfixturevalue("sqlite_template"))
        return f"sqlite:///{path}"
    server = request.getfixturevalue("pg_server")
    return str(server.create_database(template=request.getfixturevalue("pg_template")))


class Workspace:
    """A workspace made with `seccheck init`, and a way to run commands in it."""

    def __init__(self, root: Path, db_url: str) -> None:
        self.root = root
        self.db_url = db_url
        self.env = {"SECCHECK_DB": db_url, "SECCHECK_USER": "测试员", "SECCHECK_TODAY": TODAY.isoformat()}

    def run(self, *args: str | Path, env: dict[str, str] | None = None) -> Run:
        return seccheck(*args, cwd=self.root, env={**self.env, **(env or {})})

    def context(self, today: object = None):  # type: ignore[no-untyped-def]
        """The use cases' Context for this workspace (a fixed clock when `today` is given)."""
        from seccheck.app.context import Context, FixedClock, SystemClock
        from seccheck.storage.workspace import open_workspace

        ws = open_workspace(self.root, self.db_url)
        clock = FixedClock(today) if today is not None else SystemClock()  # type: ignore[arg-type]
        return Context(actor="测试员", workspace=ws, db=self.db(), clock=clock)

    def db(self):  # type: ignore[no-untyped-def]
        from seccheck.storage.db import Database
        from seccheck.storage.workspace import open_workspace

        return Database(self.db_url, key_file=open_workspace(self.root, self.db_url).key_file)


def assert_ledger_intact(ws: Workspace) -> None:
    """Whatever a test did through seccheck, the ledger still accounts for every sealed row."""
    if not (ws.root / "seccheck.toml").exists():
        return
    from seccheck.app.verification import check_ledger
    from seccheck.errors import SeccheckError

    try:
        ctx = ws.context()
    except SeccheckError:
        return  # the test made the database unreachable on purpose
    try:
        problems = check_ledger(ctx).problems
    finally:
        ctx.db.close()
    assert not problems, problems


@pytest.fixture
def workspace(tmp_path: Path, ws_db_url: str, request: pytest.FixtureRequest) -> Iterator[Workspace]:
    db_url = ws_db_url
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
    ws = Workspace(root, db_url)
    yield ws
    if request.node.get_closest_marker("tampered") is None:
        assert_ledger_intact(ws)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Debian chromium for the whole test session (tests/formbrowser.py)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="the dev extras install playwright")
    from tests.formbrowser import ARGS, chromium_path

    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=ARGS)
        yield b
        b.close()
