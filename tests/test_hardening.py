"""Issue 28's hardening: databases of another schema version are refused in Chinese, text inputs go
through one guard, documents never fail on a character, read-only workspaces, private file modes."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, Workspace, assert_ledger_intact, seccheck

WECHAT = ROOT / "examples" / "wechat-groups.answers.toml"
_ENGLISH = re.compile(r"[A-Za-z]{4,}")
# Words a Chinese message may carry: commands, options, file names and formats.
_ALLOWED = {"seccheck", "version", "audit", "list", "show", "verify", "report", "summary", "export", "import"}


def english_words(text: str) -> list[str]:
    return [w for w in _ENGLISH.findall(text) if w.lower() not in _ALLOWED]


@pytest.fixture
def ws(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Workspace]:
    root = tmp_path / "ws"
    url = f"sqlite:///{root / 'seccheck.db'}"
    assert seccheck("init", root, "--issuer", "某区国家保密局", "--prefix", "某保检").code == 0
    workspace = Workspace(root, url)
    yield workspace
    if request.node.get_closest_marker("tampered") is None:
        assert_ledger_intact(workspace)


def _sql(ws: Workspace, statement: str) -> None:
    conn = sqlite3.connect(ws.root / "seccheck.db")
    with conn:
        conn.execute(statement)
    conn.close()


# --- Line 4: schema versions ------------------------------------------------------------------------


@pytest.mark.tampered
@pytest.mark.parametrize("command", [("audit", "list"), ("verify", "--all"), ("import", "--new-unit", str(WECHAT))])
def test_a_database_from_a_newer_seccheck_is_refused_naming_the_version_it_needs(
    ws: Workspace, command: tuple[str, ...]
) -> None:
    _sql(ws, "UPDATE alembic_version SET version_num = '0042'")
    run = ws.run(*command)
    assert run.code == 5, run.text
    assert "较新版本的 seccheck" in run.err and "结构版本 0042" in run.err, run.err
    assert not english_words(run.err), run.err
    conn = sqlite3.connect(ws.root / "seccheck.db")
    assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0042",)]  # untouched
    conn.close()


@pytest.mark.tampered
def test_a_version_set_back_that_does_not_match_the_tables_is_refused_in_chinese(ws: Workspace) -> None:
    assert ws.run("import", "--new-unit", WECHAT).code == 0
    _sql(ws, "UPDATE alembic_version SET version_num = '0005'")
    run = ws.run("audit", "list")
    assert run.code == 5, run.text
    assert "与其结构版本不符" in run.err and "0005" in run.err and "0006" in run.err, run.err
    assert not english_words(run.err), run.err
    # Nothing was changed: setting the version back opens the records again.
    _sql(ws, "UPDATE alembic_version SET version_num = '0006'")
    assert ws.run("verify", "--all").code == 0


@pytest.mark.tampered
def test_tables_older_than_the_recorded_version_are_refused(ws: Workspace) -> None:
    _sql(ws, "ALTER TABLE units DROP COLUMN kind")
    run = ws.run("audit", "list")
    assert run.code == 5, run.text
    assert "与其结构版本不符" in run.err and "缺少 1 列" in run.err, run.err


# --- Line 10: private modes whatever the umask ------------------------------------------------------


def _wrong_modes(*roots: Path) -> tuple[int, dict[str, str]]:
    """How many paths are under `roots` (themselves included), and those not owner-only."""
    import stat

    paths = [p for root in roots for p in [root, *root.rglob("*")]]
    wrong = {}
    for path in paths:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode != (0o700 if path.is_dir() else 0o600):
            wrong[str(path)] = oct(mode)
    return len(paths), wrong


@pytest.mark.parametrize("umask", [0o000, 0o022])
def test_everything_seccheck_creates_is_private_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    import os

    old = os.umask(umask)
    try:
        root = tmp_path / "deep" / "ws"
        assert seccheck("init", root, "--issuer", "某区国家保密局", "--prefix", "某保检").code == 0
        ws = Workspace(root, f"sqlite:///{root / 'seccheck.db'}")
        assert ws.run("import", "--new-unit", WECHAT).code == 0
        assert ws.run("notice", "1", "--out", tmp_path / "out" / "n").code == 0
        assert ws.run("export", "1", "--out", tmp_path / "exported" / "a").code == 0
        assert ws.run("ruleset", "to-xlsx", "wechat-groups", "--out", tmp_path / "r.xlsx").code == 0
        assert ws.run("doctor").code in (0, 5)
    finally:
        os.umask(old)
    count, wrong = _wrong_modes(tmp_path / "deep", tmp_path / "out", tmp_path / "exported", tmp_path / "r.xlsx")
    assert count > 10 and not wrong, wrong
    assert_ledger_intact(ws)
