"""Issue 28's hardening: databases of another schema version are refused in Chinese, text inputs go
through one guard, documents never fail on a character, read-only workspaces, private file modes."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from seccheck.storage.db import HEAD
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
    assert "与其结构版本不符" in run.err and "0005" in run.err and HEAD in run.err, run.err
    assert not english_words(run.err), run.err
    # Nothing was changed: setting the version back opens the records again.
    _sql(ws, f"UPDATE alembic_version SET version_num = '{HEAD}'")
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


# --- Line 5: one guard for text; documents never fail on a character ---------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("audit", "amend", "1", "--set", "W01b=是", "--reason", "更正\x1b]52;c;aGk=\x07"),
        ("audit", "amend", "1", "--set", "W01b=是", "--reason", "x" * 2001),
        ("rectify", "reject", "1", "--reason", "理由\x1b[2J"),
    ],
)
def test_every_text_option_goes_through_the_guard(ws: Workspace, args: tuple[str, ...]) -> None:
    assert ws.run("import", "--new-unit", WECHAT).code == 0
    run = ws.run(*args)
    assert run.code == 1, run.text
    assert "控制字符" in run.err or "过长" in run.err, run.err
    assert "\x1b" not in run.text and "\x07" not in run.text
    assert ws.run("audit", "show", "1", "--json").code == 0
    import json

    assert json.loads(ws.run("audit", "show", "1", "--json").out)["revision"] == 1


def test_a_blank_inspector_name_is_refused(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "blank.toml"
    text = WECHAT.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^inspectors = .*$", 'inspectors = ["　 "]', text)
    if "inspectors" not in text:
        text = text.replace("date = 2026-11-18", 'date = 2026-11-18\ninspectors = ["　 "]')
    path.write_text(text, encoding="utf-8")
    run = ws.run("import", "--new-unit", path)
    assert run.code == 1 and "空白" in run.err, run.text


def test_invisible_characters_in_notes_and_names_never_stop_a_notice(tmp_path: Path) -> None:
    import subprocess

    root = tmp_path / "ws"
    # A name a person types refuses them (issue 22), naming the character; free text keeps them.
    refused = seccheck("init", root, "--issuer", "某区\u202e国家保密局", "--prefix", "某保检")
    assert refused.code != 0 and "U+202E" in refused.text, refused.text
    assert seccheck("init", root, "--issuer", "某区国家保密局", "--prefix", "某保检").code == 0
    ws = Workspace(root, f"sqlite:///{root / 'seccheck.db'}")
    path = tmp_path / "bidi.toml"
    text = WECHAT.read_text(encoding="utf-8")
    text = text.replace("台账缺 2 个项目群", "台账缺\u202e 2 个\u200b项目群\u2066\u2069\u2028第二行👍")
    path.write_text(text, encoding="utf-8")
    run = ws.run("import", "--new-unit", path)
    assert run.code == 0, run.text
    pdfs = list((root / "reports").glob("*.pdf"))
    assert len(pdfs) == 1 and "\u202e" not in pdfs[0].name
    shown = subprocess.run(["pdftotext", "-raw", str(pdfs[0]), "-"], capture_output=True, text=True, check=True).stdout
    squashed = re.sub(r"\s+", "", shown)
    assert "台账缺2个项目群第二行〓" in squashed and "某区国家保密局" in squashed, shown  # no font has 👍
    assert not re.search("[\u200b\u202a-\u202e\u2066-\u2069]", shown)
    html = ws.run("notice", "1", "--format", "html")
    assert html.code == 0, html.text
    page = next((root / "reports").glob("*.html")).read_text(encoding="utf-8")
    assert "台账缺 2 个项目群" in page and "\u202e" not in page
    # The record keeps the note as written.
    conn = sqlite3.connect(root / "seccheck.db")
    notes = [row[0] for row in conn.execute("SELECT note FROM answers WHERE note LIKE '%台账缺%'")]
    conn.close()
    assert notes and "\u202e" in notes[0]


# --- Line 8: read-only workspaces -------------------------------------------------------------------


@pytest.fixture
def archived(ws: Workspace, tmp_path: Path) -> Iterator[Workspace]:
    """A workspace with a campaign, an audit and its notice, copied and made read-only (chmod -R a-w)."""
    import shutil
    import stat

    assert ws.run("campaign", "create", "微信群", "--ruleset", "wechat-groups").code == 0
    assert ws.run("import", "--new-unit", WECHAT, "--campaign", "微信群").code == 0
    copy = tmp_path / "archive"
    shutil.copytree(ws.root, copy)
    paths = [copy, *copy.rglob("*")]
    for path in paths:
        mode = stat.S_IMODE(path.stat().st_mode)
        path.chmod(mode & ~0o222)
    before = {p: p.stat().st_mtime_ns for p in paths}
    yield Workspace(copy, f"sqlite:///{copy / 'seccheck.db'}")
    assert {p: p.stat().st_mtime_ns for p in paths} == before  # not a byte written
    assert sorted(copy.rglob("*")) == sorted(paths[1:])  # no -wal, -shm or journal left behind
    for path in paths:
        path.chmod(stat.S_IMODE(path.stat().st_mode) | 0o200)


def test_a_read_only_copy_can_be_verified_listed_shown_reported_and_exported(
    archived: Workspace, tmp_path: Path
) -> None:
    import json

    out = tmp_path / "out"
    assert archived.run("verify", "--all").code == 0
    assert archived.run("verify", "1").code == 0
    listed = archived.run("audit", "list", "--json")
    assert listed.code == 0 and json.loads(listed.out)[0]["unit"] == "某区司法局"
    assert archived.run("audit", "show", "1").code == 0
    report = archived.run("report", "微信群", "--out", out)
    assert report.code == 0, report.text
    summary = archived.run("summary", "--year", "2026", "--format", "xlsx", "--out", out)
    assert summary.code == 0, summary.text
    exported = archived.run("export", "1", "--out", out / "export")
    assert exported.code == 0, exported.text
    assert list(out.glob("*.pdf")) and list((out / "export").iterdir())
    # Without --out it says where not to write, not a permission error.
    default = archived.run("report", "微信群")
    assert default.code == 5 and "--out" in default.err and "只读" in default.err, default.text


@pytest.mark.parametrize(
    "args",
    [
        ("unit", "add", "某区财政局"),
        ("import", "--new-unit", str(WECHAT)),
        ("notice", "1"),
        ("rectify", "reject", "1", "--reason", "未整改"),
    ],
)
def test_writing_commands_on_a_read_only_copy_say_it_is_read_only(archived: Workspace, args: tuple[str, ...]) -> None:
    run = archived.run(*args)
    assert run.code == 5, run.text
    assert "工作区是只读的" in run.err, run.err
    assert not english_words(run.err.replace(str(archived.root), "")), run.err


@pytest.mark.tampered
def test_a_read_only_copy_of_an_older_schema_is_not_migrated(ws: Workspace, tmp_path: Path) -> None:
    import shutil

    _sql(ws, "UPDATE alembic_version SET version_num = '0005'")  # its tables are 0006: refused as not matching
    copy = tmp_path / "old"
    shutil.copytree(ws.root, copy)
    (copy / "seccheck.db").chmod(0o400)
    copy.chmod(0o500)
    try:
        run = Workspace(copy, f"sqlite:///{copy / 'seccheck.db'}").run("audit", "list")
    finally:
        copy.chmod(0o700)
    assert run.code == 5 and "结构版本" in run.err, run.text


# --- Line 9: the largest notice: capped, with progress -----------------------------------------------


def test_a_ruleset_holds_at_most_the_checks_one_notice_can_hold(tmp_path: Path) -> None:
    from bench.notice_memory import ruleset_text
    from seccheck import limits

    path = tmp_path / "big.toml"
    path.write_text(ruleset_text(limits.CHECKS + 1), encoding="utf-8")
    run = seccheck("ruleset", "check", path)
    assert run.code == 1 and f"最多 {limits.CHECKS} 个检查" in run.err, run.text
    path.write_text(ruleset_text(limits.CHECKS), encoding="utf-8")
    assert seccheck("ruleset", "check", path).code == 0


def test_a_long_notice_reports_its_stages_and_pages(ws: Workspace, tmp_path: Path) -> None:
    from bench.notice_memory import answers_text, ruleset_text
    from seccheck.app.documents import write_notice

    rules, answers = tmp_path / "rs.toml", tmp_path / "a.toml"
    rules.write_text(ruleset_text(60), encoding="utf-8")
    answers.write_text(answers_text(60), encoding="utf-8")
    assert ws.run("import", "--new-unit", "--no-notice", "--ruleset", rules, answers).code == 0
    heard: list[tuple[int, int, str]] = []
    ctx = ws.context()
    try:
        write_notice(ctx, 1, progress=lambda done, total, step="": heard.append((done, total, step)))
    finally:
        ctx.db.close()
    pages = [step for _d, _t, step in heard if step.startswith("排版第")]
    assert len(pages) >= 3, heard
    assert heard[-1] == (4, 4, "写入文件") and [d for d, _t, _s in heard] == sorted(d for d, _t, _s in heard)


# --- Line 7: every text of a ruleset has a limit -----------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "limit"),
    [
        ('label = "符合要求"', 'label = "' + "等" * 21 + '"', "上限 20 字"),
        ('description = "对机关', 'description = "' + "说" * 2001 + "对机关", "上限 2000 字"),
    ],
)
def test_ruleset_texts_without_their_own_limit_have_one(tmp_path: Path, old: str, new: str, limit: str) -> None:
    text = (ROOT / "rulesets" / "wechat-groups.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "r.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    run = seccheck("ruleset", "check", path)
    assert run.code == 1 and limit in run.err, run.text
    assert max(len(line) for line in run.err.splitlines()) < 300


def test_the_documents_drop_exactly_the_invisible_format_characters() -> None:
    import sys
    import unicodedata

    from seccheck.limits import neutralised

    dropped = []
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        category = unicodedata.category(ch)
        kept = neutralised("字" + ch) == "字" + ch
        if category == "Cf":
            assert not kept, f"U+{code:04X}"
        elif not kept:
            dropped.append((code, category))
    assert all(category in ("Zl", "Zp", "Cn") for _code, category in dropped), dropped
    assert neutralised("甲\u2028乙\u202e丙") == "甲\n乙丙"


@pytest.mark.tampered
def test_both_databases_refuse_a_newer_schema_and_set_back_versions(workspace: Workspace) -> None:
    from sqlalchemy import text

    from seccheck.storage.db import make_engine

    assert workspace.run("import", "--new-unit", WECHAT).code == 0
    engine = make_engine(workspace.db_url)
    for version, words in (("0099", "较新版本的 seccheck"), ("0004", "与其结构版本不符")):
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": version})
        run = workspace.run("verify", "--all")
        assert run.code == 5 and words in run.err and version in run.err, run.text
        assert not english_words(run.err), run.err
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": HEAD})
    engine.dispose()
    assert workspace.run("verify", "--all").code == 0
