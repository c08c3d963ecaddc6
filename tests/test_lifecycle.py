"""Records through their lifecycle (records.md §1–§4), on SQLite and PostgreSQL: imported twice,
interrupted by kill -9, amended after a rectification was reported and after it was verified,
re-inspected through every path, and counted in a campaign report — each unit and problem once."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from seccheck.storage.tables import Audit, Document, NoticeNumber
from tests.conftest import ROOT, Workspace
from tests.test_notice import pdftext, squash

WECHAT = ROOT / "examples" / "wechat-groups.answers.toml"
# The example's failing checks, by its hand-checked header: W01b W02 W07 W08 W11 W13.
EXAMPLE_FAILING = {"W01b", "W02", "W07", "W08", "W11", "W13"}


def variant(folder: Path, name: str, unit: str, changes: dict[str, str], date: str | None = None) -> Path:
    """The wechat example for another unit, with some answers replaced (`"W03" = …` lines)."""
    text = WECHAT.read_text(encoding="utf-8").replace('unit = "某区司法局"', f'unit = "{unit}"')
    for key, value in changes.items():
        text, n = re.subn(rf"^{key} = .*$", f"{key} = {value}", text, flags=re.M)
        assert n == 1, key
    if date:
        text = text.replace("date = 2026-11-18", f"date = {date}")
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def rects(ws: Workspace, unit: str | None = None) -> dict[str, dict[str, object]]:
    rows = json.loads(ws.run("rectify", "list", "--json", *(("--unit", unit) if unit else ())).out)
    return {str(r["check_id"]): r for r in rows}


def count(ws: Workspace, model: type, *where: object) -> int:
    db = ws.db()
    with db.read() as session:
        n = session.scalar(select(func.count()).select_from(model).where(*where))  # type: ignore[arg-type]
    db.close()
    return int(n or 0)


def test_importing_the_same_content_again_changes_nothing(workspace: Workspace, tmp_path: Path) -> None:
    first = workspace.run("import", "--new-unit", WECHAT)
    assert first.code == 0, first.text
    # The same answers written differently: comments, key order, 2 vs 2.0 in a deduction.
    text = WECHAT.read_text(encoding="utf-8")
    reordered = tmp_path / "again.toml"
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    reordered.write_text("\n".join(lines).replace("deduct = 2,", "deduct = 2.0,"), encoding="utf-8")
    again = workspace.run("import", "--new-unit", WECHAT, reordered)
    assert again.code == 0, again.text
    assert "导入 0 个，2 个已导入过（未改动）" in again.out
    assert count(workspace, Audit) == 1 and count(workspace, NoticeNumber) == 1
    assert len(rects(workspace)) == len(EXAMPLE_FAILING)
    # The interview path sees it too: a second audit of the same unit, ruleset and year is refused.
    other = variant(tmp_path, "other.toml", "某区司法局", {"W03": "{ value = false, deduct = 2 }"})
    refused = workspace.run("import", other)
    assert refused.code == 1 and "已有 wechat-groups 检查 1" in refused.err and "--amend" in refused.err
    assert count(workspace, Audit) == 1


def test_an_import_killed_midway_is_completed_by_running_it_again(workspace: Workspace, tmp_path: Path) -> None:
    files = [
        str(
            variant(
                tmp_path, f"u{n:02d}.toml", f"单位{n:02d}", {"W03": "{ value = false, deduct = 2 }"} if n % 3 else {}
            )
        )
        for n in range(12)
    ]
    env = {**os.environ, **workspace.env, "NO_COLOR": "1"}
    command = [sys.executable, "-m", "seccheck", "import", "--new-unit", *files]
    proc = subprocess.Popen(command, cwd=workspace.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while count(workspace, Audit) < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    done_before = count(workspace, Audit)
    assert 0 < done_before < 12  # killed in the middle
    rerun = workspace.run("import", "--new-unit", *files)
    assert rerun.code == 0, rerun.text
    assert f"{done_before} 个已导入过" in rerun.out or f"导入 {12 - done_before} 个" in rerun.out
    # Every file once, every audit with findings has its notice, numbers unique and gapless.
    assert count(workspace, Audit) == 12
    db = workspace.db()
    with db.read() as session:
        numbers = sorted(n.number for n in session.scalars(select(NoticeNumber)))
        documents = session.scalars(select(Document)).all()
    db.close()
    assert numbers == list(range(1, 13))
    assert len({d.audit_id for d in documents}) == 12
    # Paths relative to the workspace (issue 28): a copied workspace points into itself.
    assert all(not Path(d.path).is_absolute() and (workspace.root / d.path).is_file() for d in documents)
    assert workspace.run("verify", "--all").code == 0


def test_amending_keeps_each_rectification_and_the_notice_number(workspace: Workspace) -> None:
    assert workspace.run("import", "--new-unit", WECHAT).code == 0
    before = rects(workspace)
    reported, verified = before["W07"]["id"], before["W08"]["id"]
    assert workspace.run("rectify", "report", str(reported), "--note", "已实名").code == 0
    assert workspace.run("rectify", "report", str(verified), "--note", "已移出").code == 0
    assert workspace.run("rectify", "verify", str(verified)).code == 0
    # An unrelated answer changes: every rectification stays as it was, under the same id.
    run = workspace.run("audit", "amend", "1", "--set", "W00b=7", "--reason", "数字更正")
    assert run.code == 0, run.text
    assert "整改通知书" not in run.out  # the problems are as notified: the notice stands, none is issued
    after = rects(workspace)
    assert {c: (r["id"], r["state"], r["note"]) for c, r in after.items()} == {
        c: (
            r["id"],
            "reported" if c == "W07" else "verified" if c == "W08" else "open",
            "已实名" if c == "W07" else "已移出" if c == "W08" else None,
        )
        for c, r in before.items()
    }
    # A check that turns out compliant withdraws its finding; failing again reopens the same one.
    withdrawn = workspace.run("audit", "amend", "1", "--set", "W13=是")
    assert withdrawn.code == 0, withdrawn.text
    assert "W13" not in rects(workspace)
    # The problems changed: the corrected notice (更正) under the same number replaces the first.
    assert "某保检〔2026〕1号" in withdrawn.out
    (corrected,) = (workspace.root / "reports").glob("某保检〔2026〕1号-*-更正.pdf")
    assert "本通知书更正2026年11月23日印发的同号通知书" in squash(pdftext(corrected))
    assert workspace.run("audit", "amend", "1", "--set", "W13=否:2").code == 0
    assert rects(workspace)["W13"]["id"] == before["W13"]["id"] and rects(workspace)["W13"]["state"] == "open"
    # A newly failing check opens a new finding; the verified one is untouched by all of this.
    assert workspace.run("audit", "amend", "1", "--set", "W03=否:2").code == 0
    final = rects(workspace)
    assert set(final) == EXAMPLE_FAILING | {"W03"} and final["W08"]["state"] == "verified"
    assert count(workspace, NoticeNumber) == 1 and count(workspace, Audit) == 1
    shown = json.loads(workspace.run("audit", "show", "1", "--json").out)
    assert shown["revision"] == 5
    assert workspace.run("verify", "1").code == 0


def reinspection_file(folder: Path, unit: str = "某区司法局") -> Path:
    # W01b, W02, W08, W11 fixed; W07, W13 still failing; W03 newly failing; 8 groups dissolved now.
    changes = {"W01b": "true", "W02": "true", "W08": "true", "W11": "0", "W03": "{ value = false, deduct = 2 }"}
    return variant(folder, f"re-{unit}.toml", unit, {**changes, "W00b": "8"}, date="2026-11-22")


def check_closed_out(ws: Workspace, original_ids: dict[str, object]) -> None:
    after = rects(ws)
    for check in ("W01b", "W02", "W08", "W11"):
        assert after[check]["state"] == "verified" and after[check]["id"] == original_ids[check]
    for check in ("W07", "W13"):  # still failing: the same rectification, still open, deadline moved on
        assert after[check]["state"] == "open" and after[check]["id"] == original_ids[check]
        assert after[check]["audit_id"] == 1
    assert after["W03"]["audit_id"] == 2 and after["W03"]["state"] == "open"  # newly found at re-inspection
    assert len(after) == 7


def test_reinspection_from_a_file(workspace: Workspace, tmp_path: Path) -> None:
    assert workspace.run("import", "--new-unit", WECHAT).code == 0
    ids = {c: r["id"] for c, r in rects(workspace).items()}
    run = workspace.run("reinspect", "1", "--answers", reinspection_file(tmp_path))
    assert run.code == 0, run.text
    assert "已整改（整改记录已核实）：W01b、W02、W08、W11" in run.out
    assert "仍未整改（整改期限顺延）：W07、W13" in run.out and "新发现：W03" in run.out
    check_closed_out(workspace, ids)
    # The same file again is recognised: no second re-inspection.
    again = workspace.run("reinspect", "1", "--answers", reinspection_file(tmp_path))
    assert again.code == 0 and "已导入过" in again.out
    assert count(workspace, Audit) == 2
    assert workspace.run("verify", "--all").code == 0


def test_reinspection_finished_with_audit_resume(workspace: Workspace, tmp_path: Path) -> None:
    """Started with `reinspect`, answered, left; finished with `audit --resume` (as the program
    advises): the same close-out runs."""
    from seccheck.app.audits import save_answer
    from seccheck.app.reinspection import start_reinspection
    from seccheck.io.answersfile import load_answers
    from tests.conftest import TODAY

    assert workspace.run("import", "--new-unit", WECHAT).code == 0
    ids = {c: r["id"] for c, r in rects(workspace).items()}
    ctx = workspace.context(TODAY)
    draft = start_reinspection(ctx, 1, [], None)
    again = start_reinspection(ctx, 1, [], None)
    assert again.audit_id == draft.audit_id and not again.created  # one open re-inspection per chain
    answers, _ = load_answers(reinspection_file(tmp_path))
    for key in ("W01b", "W02", "W07", "W08", "W11", "W13", "W03"):
        save_answer(ctx, draft.audit_id, key, answers.answers[key])
    ctx.db.close()
    run = workspace.run("audit", "--resume", str(draft.audit_id))
    assert run.code == 0, run.text
    assert "复查结果（检查 1 → 检查 2）" in run.out and "新发现：W03" in run.out
    check_closed_out(workspace, ids)


def test_amending_a_reinspection_undoes_a_verification_it_no_longer_backs(workspace: Workspace, tmp_path: Path) -> None:
    assert workspace.run("import", "--new-unit", WECHAT).code == 0
    assert workspace.run("reinspect", "1", "--answers", reinspection_file(tmp_path)).code == 0
    assert rects(workspace)["W08"]["state"] == "verified"
    assert workspace.run("audit", "amend", "2", "--set", "W08=否:2", "--set", "W03=是").code == 0
    after = rects(workspace)
    assert after["W08"]["state"] == "open" and after["W08"]["audit_id"] == 1
    assert "W03" not in after  # the re-inspection's own finding withdrawn
    assert workspace.run("verify", "--all").code == 0


def test_campaign_figures_count_each_unit_and_problem_once(workspace: Workspace, tmp_path: Path) -> None:
    """A: imported twice. B: amended after a report and a verification, one finding withdrawn.
    C: re-inspected (4 fixed, 2 still failing, 1 new; stats change). D: planned, not inspected."""
    campaign = "2026年微信工作群专项检查"
    for unit in ("单位A", "单位B", "单位C", "单位D"):
        assert workspace.run("unit", "add", unit).code == 0
    created = workspace.run(
        "campaign", "create", campaign, "--ruleset", "wechat-groups", "--from", "2026-11-01", "--to", "2026-12-31",
        "--unit", "单位A", "--unit", "单位B", "--unit", "单位C", "--unit", "单位D",
    )  # fmt: skip
    assert created.code == 0, created.text
    a = variant(tmp_path, "a.toml", "单位A", {})
    b = variant(tmp_path, "b.toml", "单位B", {"W01b": "true", "W02": "true"})
    c = variant(tmp_path, "c.toml", "单位C", {})
    assert workspace.run("import", "--campaign", campaign, a, b, c).code == 0
    assert workspace.run("import", "--campaign", campaign, a).code == 0  # again
    b_rects = rects(workspace, "单位B")
    assert workspace.run("rectify", "report", str(b_rects["W07"]["id"]), "--note", "已实名").code == 0
    assert workspace.run("rectify", "report", str(b_rects["W08"]["id"]), "--note", "已移出").code == 0
    assert workspace.run("rectify", "verify", str(b_rects["W08"]["id"])).code == 0
    b_audit = b_rects["W07"]["audit_id"]
    assert workspace.run("audit", "amend", str(b_audit), "--set", "W13=是").code == 0
    c_audit = rects(workspace, "单位C")["W07"]["audit_id"]
    assert workspace.run("reinspect", str(c_audit), "--answers", reinspection_file(tmp_path, "单位C")).code == 0

    # Independent counts: A 6 problems; B 4 found, W13 withdrawn -> 3; C 6 + W03 new at re-inspection.
    found = len(EXAMPLE_FAILING) + (len(EXAMPLE_FAILING) - 2 - 1) + (len(EXAMPLE_FAILING) + 1)
    rectified = 1 + 4  # B: W08 verified by hand; C: four fixed at re-inspection
    dissolved = 6 + 6 + 8  # once per unit, C from its latest audit (the re-inspection)
    run = workspace.run("report", campaign, "--format", "xlsx")
    assert run.code == 0, run.text
    paragraph = run.out.replace("\n", "")
    assert "应检4家单位，已检查3家，覆盖率75%" in paragraph
    assert (found, rectified) == (16, 5)
    assert "发现问题16个，已整改5个，整改率31.3%" in paragraph  # 5/16 = 31.25%, half up
    assert f"整顿解散{dissolved}个" in paragraph
    assert "复查1家单位" in paragraph
    book = load_workbook(workspace.root / "reports" / f"{campaign}-汇总.xlsx")
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(values_only=True)}
    assert summary["检查记录"] == 3 and summary["已检单位"] == 3 and summary["发现问题"] == found
    assert book["问题"].max_row - 1 == found
    grades = {k: v for k, v in summary.items() if str(k).startswith("等次：")}
    assert sum(grades.values()) == 3  # three units graded, the re-inspection not counted as a fourth


def test_amending_an_earlier_reinspection_never_duplicates_a_problem(workspace: Workspace, tmp_path: Path) -> None:
    """Re-inspection 2 finds W07 still failing, re-inspection 3 finds it fixed; amending 2 afterwards
    leaves 3's verification alone and opens no second record for W07."""
    assert workspace.run("import", "--new-unit", WECHAT).code == 0
    assert workspace.run("reinspect", "1", "--answers", reinspection_file(tmp_path)).code == 0
    everything = {"W01b": "true", "W02": "true", "W07": "true", "W08": "true", "W11": "0", "W13": "true", "W03": "true"}
    fixed = variant(tmp_path, "fixed.toml", "某区司法局", everything, date="2026-11-23")
    third = workspace.run("reinspect", "1", "--answers", fixed)
    assert third.code == 0 and "已整改（整改记录已核实）：W07、W13、W03" in third.out, third.text
    assert workspace.run("audit", "amend", "2", "--note", "W07=复核").code == 0
    after = rects(workspace)
    assert after["W07"]["state"] == "verified" and after["W07"]["audit_id"] == 1
    db = workspace.db()
    with db.read() as session:
        from seccheck.storage.tables import FindingRow, Rectification

        rows = session.execute(select(FindingRow.check_id, Rectification.state).join(Rectification)).all()
    db.close()
    assert sorted(c for c, s in rows if s != "withdrawn") == sorted(EXAMPLE_FAILING | {"W03"})


def test_a_reinspection_verifies_only_what_it_asked(workspace: Workspace, tmp_path: Path) -> None:
    """The original is amended while a re-inspection is open: the new problem's check was copied
    compliant into the draft, never asked again, so the re-inspection does not verify it."""
    from seccheck.app.audits import save_answer
    from seccheck.app.reinspection import start_reinspection
    from seccheck.domain.answers import Answer
    from tests.conftest import TODAY

    assert workspace.run("import", "--new-unit", WECHAT).code == 0
    ctx = workspace.context(TODAY)
    draft = start_reinspection(ctx, 1, [], None)
    assert workspace.run("audit", "amend", "1", "--set", "W03=否:2").code == 0
    for key in ("W01b", "W02", "W07", "W08", "W13"):
        save_answer(ctx, draft.audit_id, key, Answer(value=True))
    save_answer(ctx, draft.audit_id, "W11", Answer(value=0))
    ctx.db.close()
    run = workspace.run("audit", "--resume", str(draft.audit_id))
    assert run.code == 0, run.text
    after = rects(workspace)
    assert after["W03"]["state"] == "open"
    assert {c for c, r in after.items() if r["state"] == "verified"} == EXAMPLE_FAILING


def test_an_interrupted_reinspection_from_a_file_completes_on_the_next_run(
    workspace: Workspace, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import seccheck.app.reinspection as reinspection

    assert workspace.run("import", "--new-unit", WECHAT).code == 0
    path = reinspection_file(tmp_path)

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # the process dies between saving the answers and finalising

    with monkeypatch.context() as patch:
        patch.setattr(reinspection, "finalise", crash)
        assert workspace.run("reinspect", "1", "--answers", path).code == 130
    run = workspace.run("reinspect", "1", "--answers", path)
    assert run.code == 0 and "复查结果（检查 1 → 检查 2）" in run.out, run.text
    assert count(workspace, Audit) == 2 and rects(workspace)["W01b"]["state"] == "verified"
    # A file for another unit is refused before any draft is made.
    other = variant(tmp_path, "other.toml", "某区民政局", {})
    assert workspace.run("unit", "add", "某区民政局").code == 0
    refused = workspace.run("reinspect", "1", "--answers", other)
    assert refused.code == 1 and "复查的是 '某区司法局'" in refused.err
    assert count(workspace, Audit) == 2


# --- batches: one transaction per batch (issue 26), every promise of records.md kept ------------------

# The batches an import of many files goes in: 1, 2, 4, 8 … 200 files (seccheck.app.imports).
BATCH_ENDS = [1, 3, 7, 15, 31, 63, 127, 255, 455]  # and then every 200


def test_a_file_refused_in_the_middle_of_a_batch_leaves_the_others_in(workspace: Workspace, tmp_path: Path) -> None:
    from bench.generate import generate
    from seccheck.storage.tables import Submission

    folder = tmp_path / "answers"
    folder.mkdir()
    files = generate(folder, 20, units=20)  # batches: [0] [1-2] [3-6] [7-14] [15-19]

    def edit(n: int, old: str, new: str) -> None:
        text = files[n].read_text(encoding="utf-8")
        assert old in text
        files[n].write_text(text.replace(old, new, 1), encoding="utf-8")

    edit(9, 'unit = "单位009"', 'unit = "单位008"')  # a second audit of a unit of the same batch
    edit(10, 'unit = "单位010"', 'unit = "单位000"')  # a second audit of a unit of an earlier batch
    edit(11, "date = 2026-", "date = 2027-")  # a date in the future: refused inside the transaction
    edit(12, "[answers]\n", '[answers]\n"NOPE" = true\n')  # an unknown check: refused on reading
    run = workspace.run("import", "--new-unit", "--no-notice", *files)
    assert run.code == 1, run.text
    assert "导入 16 个" in run.out and "跳过 4 个有问题的文件" in run.out, run.text
    for n in (9, 10, 11, 12):
        assert f"跳过 {files[n]}" in run.err
    assert "已有 unit-self-assessment 检查" in run.err and "--amend" in run.err
    assert count(workspace, Audit) == 16 and count(workspace, Submission) == 16
    db = workspace.db()
    with db.read() as session:
        sources = {Path(s).name for s in session.scalars(select(Audit.source))}
    db.close()
    assert sources == {f.name for n, f in enumerate(files) if n not in (9, 10, 11, 12)}
    assert workspace.run("verify", "--all").code == 0
    # Run again: nothing twice, the same four refused.
    again = workspace.run("import", "--new-unit", "--no-notice", *files)
    assert "导入 0 个，16 个已导入过（未改动）" in again.out and "跳过 4 个有问题的文件" in again.out, again.text
    assert count(workspace, Audit) == 16


def test_an_import_killed_mid_batch_loses_that_batch_only_and_a_rerun_completes_it(
    workspace: Workspace, tmp_path: Path
) -> None:
    from bench.generate import generate
    from seccheck.storage.tables import FindingRow, Submission

    folder = tmp_path / "answers"
    folder.mkdir()
    files = [str(f) for f in generate(folder, 100, units=30)]  # batches end at 1, 3, 7 … 63, 100
    env = {**os.environ, **workspace.env, "NO_COLOR": "1"}
    command = [sys.executable, "-m", "seccheck", "import", "--new-unit", "--another-audit", "--no-notice", *files]
    proc = subprocess.Popen(command, cwd=workspace.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while count(workspace, Audit) < 7 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    done_before = count(workspace, Audit)
    # Whole batches only: the one in flight is gone entirely, none is half in.
    assert done_before in BATCH_ENDS and done_before < len(files), done_before
    assert count(workspace, Submission) == done_before
    assert workspace.run("verify", "--all").code == 0
    rerun = workspace.run("import", "--new-unit", "--another-audit", "--no-notice", *files)
    assert rerun.code == 0, rerun.text
    assert f"导入 {len(files) - done_before} 个，{done_before} 个已导入过（未改动）" in rerun.out, rerun.text
    assert count(workspace, Audit) == len(files) and count(workspace, Submission) == len(files)
    assert count(workspace, FindingRow) > 0
    assert workspace.run("verify", "--all").code == 0  # findings agree with each result, the chain is whole
