"""Units, campaigns, drafts, dates and the error statuses: what a user gets wrong ends in a clear
message and a documented status, never a traceback or exit 70."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from seccheck.errors import NotFound
from tests.conftest import ROOT, TODAY, Workspace, assert_ledger_intact, seccheck

WECHAT = ROOT / "examples" / "wechat-groups.answers.toml"
UNIT_EXAMPLE = ROOT / "examples" / "unit-self-assessment.answers.toml"


def copy_for(folder: Path, unit: str, *, date: str | None = None, name: str = "a.toml") -> Path:
    text = WECHAT.read_text(encoding="utf-8").replace('unit = "某区司法局"', f'unit = "{unit}"')
    if date:
        text = text.replace("date = 2026-11-18", f"date = {date}")
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def ws(tmp_path: Path, request: pytest.FixtureRequest, fresh_db: Callable[[Path], None]) -> Iterator[Workspace]:
    root = tmp_path / "ws"
    url = f"sqlite:///{root / 'seccheck.db'}"
    fresh_db(root)
    assert seccheck("init", root, "--issuer", "某区国家保密局", "--prefix", "某保检").code == 0
    workspace = Workspace(root, url)
    yield workspace
    if request.node.get_closest_marker("tampered") is None:
        assert_ledger_intact(workspace)


def test_a_typo_in_a_unit_name_is_refused_with_close_matches(ws: Workspace, tmp_path: Path) -> None:
    assert ws.run("unit", "add", "某区司法局").code == 0
    run = ws.run("import", copy_for(tmp_path, "某区司发局"))
    assert run.code == 1 and "单位 '某区司发局' 不存在" in run.err and "相近的单位：某区司法局" in run.err
    assert json.loads(ws.run("audit", "list", "--json").out) == []
    assert [u["name"] for u in json.loads(ws.run("unit", "list", "--json").out)] == ["某区司法局"]
    # The interview checks it the same way, before any draft exists.
    from seccheck.app.audits import open_draft
    from seccheck.domain.answers import Answers
    from seccheck.ruleset.load import resolve_ruleset

    loaded = resolve_ruleset("wechat-groups")
    meta = Answers(format=1, ruleset="wechat-groups", unit="某区司发局", date=TODAY, answers={})
    with pytest.raises(NotFound, match="相近的单位：某区司法局"):
        open_draft(ws.context(TODAY), loaded, meta, campaign=None)
    assert json.loads(ws.run("audit", "list", "--json").out) == []


def test_rename_keeps_the_unit_and_its_old_name_still_finds_it(ws: Workspace, tmp_path: Path) -> None:
    assert ws.run("import", "--new-unit", WECHAT).code == 0
    assert ws.run("unit", "rename", "某区司法局", "某区司法行政局").code == 0
    units = json.loads(ws.run("unit", "list", "--json").out)
    assert [(u["id"], u["name"], u["audit_count"]) for u in units] == [(1, "某区司法行政局", 1)]
    # A file that still uses the old name belongs to the same unit (here: refused as a second audit).
    again = ws.run("import", copy_for(tmp_path, "某区司法局", date="2026-11-19"))
    assert again.code == 1 and "某区司法行政局" in again.err  # a skipped file in a batch: 1
    assert json.loads(ws.run("audit", "list", "--unit", "某区司法局", "--json").out)[0]["unit"] == "某区司法行政局"
    taken = ws.run("unit", "add", "某区司法局")
    assert taken.code == 4
    assert ws.run("verify", "1").code == 0  # the seal holds the name as sealed


def test_merge_moves_audits_and_campaigns(ws: Workspace, tmp_path: Path) -> None:
    assert ws.run("unit", "add", "某区司法局").code == 0
    assert ws.run("campaign", "create", "微信群", "--ruleset", "wechat-groups", "--unit", "某区司法局").code == 0
    dup = copy_for(tmp_path, "区司法局")
    refused = ws.run("import", "--new-unit", dup, "--campaign", "微信群")  # not on the list (issue 22)
    assert refused.code == 1 and "--add-to-campaign" in refused.text
    assert ws.run("import", "--new-unit", dup, "--campaign", "微信群", "--add-to-campaign").code == 0
    shown = json.loads(ws.run("campaign", "show", "微信群", "--json").out)
    assert shown["covered"] == ["区司法局"] and shown["planned"] == ["某区司法局", "区司法局"]
    run = ws.run("unit", "merge", "区司法局", "某区司法局")
    assert run.code == 0 and "转移检查记录 1 份" in run.out
    shown = json.loads(ws.run("campaign", "show", "微信群", "--json").out)
    assert shown["covered"] == ["某区司法局"] and shown["planned"] == ["某区司法局"]
    assert [u["name"] for u in json.loads(ws.run("unit", "list", "--json").out)] == ["某区司法局"]
    assert ws.run("unit", "merge", "某区司法局", "某区司法局").code == 1
    assert ws.run("unit", "merge", "不存在", "某区司法局").code == 3


def test_campaign_units_and_period(ws: Workspace, tmp_path: Path) -> None:
    for unit in ("甲", "乙"):
        assert ws.run("unit", "add", unit).code == 0
    assert ws.run("campaign", "create", "检查", "--ruleset", "wechat-groups", "--from", "2026-11-01").code == 0
    added = ws.run("campaign", "add-unit", "检查", "甲", "乙")
    assert added.code == 0 and "增加 2 个" in added.out
    assert "都已在内" in ws.run("campaign", "add-unit", "检查", "甲").out
    assert ws.run("campaign", "remove-unit", "检查", "乙").code == 0
    assert json.loads(ws.run("campaign", "show", "检查", "--json").out)["planned"] == ["甲"]
    assert ws.run("campaign", "add-unit", "检查", "丙").code == 1  # unknown unit
    assert ws.run("import", copy_for(tmp_path, "甲"), "--campaign", "检查").code == 0
    narrowed = ws.run("campaign", "edit", "检查", "--from", "2026-11-20")
    assert narrowed.code == 4 and "检查 1 的日期不在新的时间段内" in narrowed.err
    renamed = ws.run("campaign", "edit", "检查", "--name", "2026年检查", "--to", "2026-12-31")
    assert renamed.code == 0 and "2026年检查" in renamed.out


def test_dates_in_the_future_or_outside_the_campaign_are_refused(ws: Workspace, tmp_path: Path) -> None:
    future = copy_for(tmp_path, "某区司法局", date=(TODAY + dt.timedelta(days=1)).isoformat())
    run = ws.run("import", "--new-unit", future)
    assert run.code == 1 and "晚于今天" in run.err and "--accept-date" in run.err
    assert (
        ws.run(
            "campaign", "create", "十月", "--ruleset", "wechat-groups", "--from", "2026-10-01", "--to", "2026-10-31"
        ).code
        == 0
    )
    outside = ws.run("import", "--new-unit", WECHAT, "--campaign", "十月")
    assert outside.code == 1 and "不在专项行动“十月”的时间段（2026-10-01 至 2026-10-31）内" in outside.err
    assert ws.run("import", "--new-unit", WECHAT, "--campaign", "十月", "--accept-date").code == 0
    bad = ws.run("reinspect", "1", "--date", "2026-13-45")
    assert bad.code == 2 and "应为日期" in bad.err
    early = ws.run(
        "campaign", "create", "x", "--ruleset", "wechat-groups", "--from", "2026-12-01", "--to", "2026-11-01"
    )
    assert early.code == 1 and "晚于结束日期" in early.err


def test_drafts_can_be_discarded_and_leave_no_trace_in_figures(ws: Workspace, tmp_path: Path) -> None:
    partial = tmp_path / "partial.toml"
    partial.write_text(WECHAT.read_text(encoding="utf-8").replace("W14 = true\n", ""), encoding="utf-8")
    assert ws.run("import", "--new-unit", "--draft", partial).code == 0
    blocked = ws.run("import", WECHAT)
    assert blocked.code == 1 and "草稿" in blocked.err
    assert ws.run("audit", "discard", "1", "--reason", "开错了").code == 0
    assert json.loads(ws.run("audit", "list", "--json").out) == []
    assert [a["id"] for a in json.loads(ws.run("audit", "list", "--status", "discarded", "--json").out)] == [1]
    assert ws.run("import", WECHAT).code == 0  # the discarded draft no longer stands in the way
    # A draft whose file is later imported complete is finalised, not duplicated.
    complete = tmp_path / "complete.toml"
    complete.write_text(WECHAT.read_text(encoding="utf-8").replace("某区司法局", "某区民政局"), encoding="utf-8")
    assert ws.run("import", "--new-unit", "--draft", complete).code == 0
    finished = ws.run("import", complete)
    assert finished.code == 0 and "1 个草稿已定稿" in finished.out
    assert [a["status"] for a in json.loads(ws.run("audit", "list", "--unit", "某区民政局", "--json").out)] == ["final"]
    refused = ws.run("audit", "discard", "2")
    assert refused.code == 4 and "只能作废草稿" in refused.err
    assert ws.run("audit", "discard", "99").code == 3


def test_deadlines_count_from_the_notice_date(ws: Workspace) -> None:
    # Inspected on 11-18, entered on 11-23: W07's 30 days run from the notice (11-23), not the inspection.
    assert ws.run("import", "--new-unit", WECHAT).code == 0
    due = {r["check_id"]: r["due"] for r in json.loads(ws.run("rectify", "list", "--json").out)}
    assert due["W07"] == (TODAY + dt.timedelta(days=30)).isoformat()
    # The workspace may count from the inspection instead — never before the notice date.
    config = ws.root / "seccheck.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('deadline_from = "notice"', 'deadline_from = "audit"'))
    assert ws.run("unit", "add", "某区民政局").code == 0
    assert ws.run("import", copy_for(ws.root, "某区民政局")).code == 0
    due = {r["check_id"]: r["due"] for r in json.loads(ws.run("rectify", "list", "--unit", "某区民政局", "--json").out)}
    assert due["W07"] == "2026-12-18"
    assert all(d >= TODAY.isoformat() for d in due.values())


def test_a_notice_without_findings_is_not_issued(ws: Workspace, tmp_path: Path) -> None:
    clean = tmp_path / "clean.toml"
    text = WECHAT.read_text(encoding="utf-8")
    for key in ("W01b", "W02", "W07", "W08", "W13"):
        text = "\n".join(f"{key} = true" if line.startswith(f"{key} = ") else line for line in text.splitlines())
    clean.write_text(
        text.replace('W11 = { value = 1, note = "群内转发内部会议纪要截图 1 次" }', "W11 = 0"), encoding="utf-8"
    )
    run = ws.run("import", "--new-unit", clean)
    assert run.code == 0 and "出具整改通知书" not in run.out
    refused = ws.run("notice", "1")
    assert refused.code == 4 and "没有发现问题" in refused.err
    assert os.listdir(ws.root / "reports") == []


def test_a_read_only_database_is_an_environment_problem(ws: Workspace) -> None:
    assert ws.run("import", "--new-unit", "--no-notice", WECHAT).code == 0
    read_only = f"sqlite:///file:{ws.root / 'seccheck.db'}?mode=ro&uri=true"
    run = ws.run("unit", "add", "某区民政局", env={"SECCHECK_DB": read_only})
    assert run.code == 5 and "只读" in run.err
    assert ws.run("audit", "list", env={"SECCHECK_DB": read_only}).code == 0  # reading still works


def test_a_symlink_in_reports_is_not_followed(ws: Workspace, tmp_path: Path) -> None:
    assert ws.run("import", "--new-unit", "--no-notice", WECHAT).code == 0
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me", encoding="utf-8")
    (ws.root / "reports" / "某保检〔2026〕1号-某区司法局.pdf").symlink_to(outside)
    run = ws.run("notice", "1")
    assert run.code == 5 and "链接" in run.err
    assert outside.read_text(encoding="utf-8") == "keep me"


def test_a_full_disk_is_an_environment_problem(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    assert ws.run("import", "--new-unit", "--no-notice", WECHAT).code == 0

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)  # the operating system says: no space left
    run = ws.run("notice", "1")
    assert run.code == 5 and "磁盘已满" in run.err
    assert not [p for p in (ws.root / "reports").iterdir() if p.suffix == ".pdf"]  # nothing half-written


def test_names_are_trimmed_and_far_dates_refused(ws: Workspace, tmp_path: Path) -> None:
    assert ws.run("import", "--new-unit", WECHAT).code == 0
    spaced = copy_for(tmp_path, "某区司法局\u3000", date="2026-11-19")
    run = ws.run("import", "--another-audit", spaced)
    assert run.code == 0, run.text
    assert [u["name"] for u in json.loads(ws.run("unit", "list", "--json").out)] == ["某区司法局"]
    far = copy_for(tmp_path, "某区司法局", date="9999-12-31", name="far.toml")
    refused = ws.run("import", "--another-audit", "--accept-date", far)
    assert refused.code == 1 and "检查日期应在" in refused.err
    assert ws.run("score", far).code == 1


def test_a_discarded_drafts_file_can_be_imported_again(ws: Workspace) -> None:
    assert ws.run("import", "--new-unit", "--draft", WECHAT).code == 0
    assert ws.run("audit", "discard", "1").code == 0
    again = ws.run("import", WECHAT)
    assert again.code == 0 and "导入 1 个" in again.out, again.text
    assert [a["id"] for a in json.loads(ws.run("audit", "list", "--json").out)] == [2]


def test_init_records_the_database_and_never_falls_back_to_a_local_one(tmp_path: Path, pg_server) -> None:  # type: ignore[no-untyped-def]
    url = pg_server.create_database()
    root = tmp_path / "pgws"
    assert seccheck("init", root, "--db", url).code == 0
    assert url in (root / "seccheck.toml").read_text(encoding="utf-8")
    # Later commands, with no --db and no SECCHECK_DB, use the recorded server.
    assert (
        seccheck(
            "import", "--new-unit", "--no-notice", WECHAT, cwd=root, env={"SECCHECK_TODAY": TODAY.isoformat()}
        ).code
        == 0
    )
    assert len(json.loads(seccheck("audit", "list", "--json", cwd=root).out)) == 1
    assert not (root / "seccheck.db").exists()
    # An unreachable server is an environment problem, said plainly; nothing local is made instead.
    config = root / "seccheck.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(url, url.replace("/t_", "/missing_")), encoding="utf-8"
    )
    down = seccheck("audit", "list", cwd=root)
    assert down.code == 5 and "无法打开数据库" in down.err
    assert not (root / "seccheck.db").exists()


def test_a_missing_sqlite_database_is_not_recreated_empty(ws: Workspace) -> None:
    assert ws.run("import", "--new-unit", "--no-notice", WECHAT).code == 0
    (ws.root / "seccheck.db").rename(ws.root / "moved.db")
    run = seccheck("audit", "list", cwd=ws.root)
    assert run.code == 5 and "不存在" in run.err
    assert not (ws.root / "seccheck.db").exists()
    moved = f"sqlite:///{ws.root / 'moved.db'}"
    assert len(json.loads(seccheck("audit", "list", "--json", cwd=ws.root, env={"SECCHECK_DB": moved}).out)) == 1


def test_db_commands_show_and_upgrade_the_schema(ws: Workspace) -> None:
    from seccheck.storage.db import HEAD

    current = seccheck("db", "current", cwd=ws.root)
    assert current.code == 0 and f"结构版本：{HEAD}；最新：{HEAD}" in current.out and "已是最新" in current.out
    history = seccheck("db", "history", cwd=ws.root)
    assert history.code == 0 and f"→ {HEAD}" in history.out and "0001" in history.out
    assert seccheck("db", "upgrade", cwd=ws.root).code == 0
