"""Long batches (import, verify --all, reports): a progress bar with n/N, rate and time left on a
terminal, nothing of it when the output is piped, and a closing one-line tally either way."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest

from seccheck.app.imports import ImportOptions, import_files
from seccheck.app.reports import make_report, write_year_summary
from tests.conftest import ROOT, TODAY, Workspace, seccheck

WECHAT = ROOT / "examples" / "wechat-groups.answers.toml"
MANY = 25  # more than a batch lists one by one (render.BATCH_LISTED)
# On a terminal, enough that the import lasts longer than a few of the bar's refreshes (about 300 a
# second): a bar drawn only once the task has finished shows no time left.
TTY_MANY = 600


def answers(folder: Path, count: int) -> list[Path]:
    text = WECHAT.read_text(encoding="utf-8")
    folder.mkdir(exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"单位{n:03}.toml"
        path.write_text(text.replace('unit = "某区司法局"', f'unit = "单位{n:03}"'), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture
def ws(tmp_path: Path, fresh_db: Callable[[Path], None]) -> Workspace:
    root = tmp_path / "ws"
    fresh_db(root)
    assert seccheck("init", root, "--issuer", "某区国家保密局", "--prefix", "某保检").code == 0
    return Workspace(root, f"sqlite:///{root / 'seccheck.db'}")


def test_a_long_import_piped_prints_only_its_tally(ws: Workspace, tmp_path: Path) -> None:
    files = answers(tmp_path / "many", MANY)
    run = ws.run("import", "--new-unit", "--no-notice", *files)
    assert run.code == 0, run.text
    assert run.out.splitlines() == [f"导入 {MANY} 个"]
    assert run.err == ""
    verified = ws.run("verify", "--all")
    assert verified.code == 0 and len(verified.out.splitlines()) == 1
    assert verified.out.startswith(f"核验 {MANY} 份检查：封签全部相符；账本：✓ 相符（共 ")
    assert verified.err == ""


def test_a_short_batch_lists_each_file_then_ends_with_the_tally(ws: Workspace, tmp_path: Path) -> None:
    files = answers(tmp_path / "few", 2)
    run = ws.run("import", "--new-unit", *files)
    assert run.code == 0, run.text
    lines = run.out.splitlines()
    assert lines[-1] == "导入 2 个，出具整改通知书 2 份"
    assert [line for line in lines if line.startswith("  检查 ")] == [
        f"  检查 1 ← {files[0]}（已导入）",
        f"  检查 2 ← {files[1]}（已导入）",
    ]
    assert not any(re.search(r"\d+/\d+", line) for line in lines)
    verified = ws.run("verify", "1", "2")
    lines = verified.out.splitlines()
    assert lines[:2] == ["检查 1：✓ 封签相符", "检查 2：✓ 封签相符"] and len(lines) == 3
    assert lines[2].startswith("核验 2 份检查：封签全部相符；账本：✓ 相符")


def test_a_tampered_audit_is_named_and_counted(ws: Workspace, tmp_path: Path) -> None:
    answers(tmp_path / "two", 2)
    assert ws.run("import", "--new-unit", "--no-notice", *sorted((tmp_path / "two").iterdir())).code == 0
    from sqlalchemy import text

    db = ws.db()
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audits SET grade = '符合要求' WHERE id = 2"))
    db.close()
    run = ws.run("verify", "--all")
    assert run.code == 1
    lines = run.out.splitlines()
    assert lines[0] == "检查 1：✓ 封签相符" and len(lines) == 2
    assert lines[1].startswith("核验 2 份检查：1 份与封签不符，1 份相符；账本：")
    assert "检查 2：✗" in run.err


def test_the_use_cases_report_each_step(ws: Workspace, tmp_path: Path) -> None:
    """The callback sees every step, in order, up to the total: what the bar draws is true."""
    files = answers(tmp_path / "three", 3)
    assert ws.run("campaign", "create", "秋季", "--ruleset", "wechat-groups").code == 0
    calls: list[tuple[int, int, str]] = []
    ctx = ws.context(TODAY)
    options = ImportOptions(campaign="秋季", new_unit=True, notice=False)
    import_files(ctx, files, options, lambda done, total, step="": calls.append((done, total, step)))
    assert calls == [(1, 3, "单位000.toml"), (2, 3, "单位001.toml"), (3, 3, "单位002.toml")]
    for fmt in ("html", "xlsx"):
        calls.clear()
        make_report(ctx, "秋季", fmt=fmt, out_dir=tmp_path, progress=lambda d, t, s="": calls.append((d, t, s)))
        assert [c[0] for c in calls] == list(range(1, calls[0][1] + 1)), (fmt, calls)
    for fmt in ("text", "docx"):
        calls.clear()
        write_year_summary(
            ctx, TODAY.year, fmt=fmt, out_dir=tmp_path, progress=lambda d, t, s="": calls.append((d, t, s))
        )
        assert [c[0] for c in calls] == list(range(1, calls[0][1] + 1)), (fmt, calls)
    ctx.db.close()


def spawn(ws: Workspace, *args: str | Path) -> pexpect.spawn:
    env = {**os.environ, **ws.env, "TERM": "xterm-256color", "NO_COLOR": "1", "COLUMNS": "100"}
    return pexpect.spawn(
        sys.executable,
        ["-m", "seccheck", *map(str, args)],
        cwd=str(ws.root),
        env=env,
        encoding="utf-8",
        dimensions=(24, 100),
        timeout=240,
    )


def test_progress_appears_on_a_terminal(ws: Workspace, tmp_path: Path) -> None:
    files = answers(tmp_path / "tty", TTY_MANY)
    child = spawn(ws, "import", "--new-unit", "--no-notice", *files)
    child.expect(pexpect.EOF)
    child.close()
    screen = str(child.before)
    assert child.exitstatus == 0, screen
    assert f"{TTY_MANY}/{TTY_MANY}" in screen and re.search(rf"导入 .*\b\d+/{TTY_MANY}\b", screen)
    assert re.search(r"\d+\.\d (份/秒|秒/份)", screen), screen
    assert "剩余 " in screen
    # The bar is erased when the batch ends: the last line is the tally.
    last = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.replace("\r\n", "\n")).split("\r")[-1]
    assert last.strip().splitlines()[-1] == f"导入 {TTY_MANY} 个"
    child = spawn(ws, "verify", "--all")
    child.expect_exact(f"{TTY_MANY + 1}/{TTY_MANY + 1}")  # each audit, then the ledger
    child.expect_exact(f"核验 {TTY_MANY} 份检查：封签全部相符；账本：✓ 相符")
    child.expect(pexpect.EOF)
