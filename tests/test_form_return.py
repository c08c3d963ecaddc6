"""Issuing forms, filling one in Chromium, and importing what comes back (forms.md §1, §3): the form
checks refuse with a Chinese message and record nothing; the same file twice records nothing new; a
later different file is a new revision of the same audit."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from seccheck.domain.scoring import score
from seccheck.io.answersfile import load_answers
from seccheck.ruleset.load import resolve_ruleset
from tests.conftest import TODAY, Workspace, assert_ledger_intact, seccheck
from tests.formbrowser import FILL_JS, fields, make_answers, random_answers

UNIT, OTHER = "某区司法局", "某区<b>教育局"


@pytest.fixture
def ws(tmp_path: Path) -> Any:
    root = tmp_path / "ws"
    db_url = f"sqlite:///{root / 'seccheck.db'}"
    assert (
        seccheck("init", root, "--issuer", "某区国家保密局", "--prefix", "某保检", env={"SECCHECK_DB": db_url}).code
        == 0
    )
    w = Workspace(root, db_url)
    for name in (UNIT, OTHER):
        assert w.run("unit", "add", name).code == 0
    yield w
    assert_ledger_intact(w)


def ledger_size(ws: Workspace) -> int:
    from sqlalchemy import text

    with ws.db().engine.connect() as conn:
        return int(conn.execute(text("select count(*) from ledger")).scalar_one())


def issue(ws: Workspace, unit: str, out: str, ruleset: str = "wechat-groups") -> str:
    run = ws.run("form", ruleset, "--unit", unit, "--due", "2026-12-31", "--out", ws.root / out)
    assert run.code == 0, run.text
    return re.search(r"表单编号 (\S+)，", run.out).group(1)  # type: ignore[union-attr]


def fill_and_save(
    browser: Any, form: Path, answers: dict[str, str], out: Path, *, final: bool = True, evidence: Path | None = None
) -> Path:
    ctx = browser.new_context()
    ctx.clock.set_fixed_time(f"{TODAY.isoformat()}T10:00:00")  # the unit fills it in on the tests' day
    page = ctx.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(form.as_uri())
    page.wait_for_selector("html[data-ready=true]")
    page.evaluate(FILL_JS, [answers])
    if evidence is not None:
        first = page.locator("input[type=file][name$='.evidence']").first
        first.set_input_files(str(evidence))
        page.locator("ul.evidence li").first.wait_for(state="attached")
    page.fill("input[name=filled_by]", "王五")
    page.fill("input[name=reviewed_by]", "赵六")
    with page.expect_download() as info:
        page.click("[data-action=save]" if final else "[data-action=save-draft]")
    info.value.save_as(out)
    ctx.close()
    assert [u for u in requests if not u.startswith("data:")] == [form.as_uri()]
    return out


def test_issue_fill_return_import(browser: Any, ws: Workspace, tmp_path: Path) -> None:
    number = issue(ws, UNIT, "form.html")
    loaded = resolve_ruleset("wechat-groups")
    rs = loaded.ruleset
    given = random_answers(rs, random.Random("roundtrip"))
    returned = fill_and_save(browser, ws.root / "form.html", fields(given), tmp_path / "答案.toml")

    # The file is an answers file (ruleset-format.md §4) with a [form] table, and `score` takes it.
    answers, _ = load_answers(returned)
    assert answers.form is not None and answers.form.number == number and answers.form.status == "final"
    assert (answers.form.filled_by, answers.form.reviewed_by) == ("王五", "赵六")
    expected = score(rs, make_answers(rs, given, unit=UNIT))
    run = seccheck("score", returned, "--json")
    assert run.code == 0, run.text
    assert json.loads(run.out)["grade"] == expected.grade

    before = ledger_size(ws)
    run = ws.run("import", returned, "--no-notice")
    assert run.code == 0, run.text
    assert ledger_size(ws) > before
    status = json.loads(ws.run("form", "status", "--json").out)
    assert [(s["number"], s["state"], s["audit_id"]) for s in status] == [(number, "returned", 1)]
    audit = json.loads(ws.run("audit", "show", "1", "--json").out)
    assert audit["grade"] == expected.grade

    # The same file twice: nothing new.
    size = ledger_size(ws)
    again = ws.run("import", returned, "--no-notice")
    assert again.code == 0, again.text
    assert ledger_size(ws) == size

    # A later, different file of the same form: a new revision of the same audit.
    changed = dict(given)
    yesno = next(k for k, a in given.items() if isinstance(a.value, bool) and k in rs.checks)
    from seccheck.domain.answers import Answer

    changed[yesno] = Answer(value=not given[yesno].value)
    changed = {k: v for k, v in random_answers_fix(rs, changed).items()}
    later = fill_and_save(browser, ws.root / "form.html", fields(changed), tmp_path / "答案2.toml")
    run = ws.run("import", later, "--no-notice")
    assert run.code == 0, run.text
    audit = json.loads(ws.run("audit", "show", "1", "--json").out)
    assert audit["revision"] == 2
    assert len(json.loads(ws.run("audit", "list", "--json").out)) == 1


def random_answers_fix(rs: Any, given: dict[str, Any]) -> dict[str, Any]:
    """Keep an edited answer set valid: applicable questions only, range deductions where needed."""
    from seccheck.domain.answers import Answer
    from seccheck.domain.applicability import applicability, is_compliant

    app = applicability(rs, given)
    out: dict[str, Any] = {}
    for key, a in given.items():
        if key in rs.profile_by_id or a.na:
            out[key] = a
            continue
        if not app.check.get(key, False):
            continue
        item, chk = rs.checks[key]
        if isinstance(chk.deduct, tuple) and item.scored and not is_compliant(chk, a.value) and a.deduct is None:
            a = Answer(value=a.value, deduct=chk.deduct[1])
        if is_compliant(chk, a.value) and a.deduct is not None:
            a = Answer(value=a.value)
        out[key] = a
    missing = [c for c, ok in app.check.items() if ok and c not in out]
    assert not missing, missing
    return out


def refused(ws: Workspace, path: Path, words: str) -> None:
    size = ledger_size(ws)
    run = ws.run("import", path, "--no-notice")
    assert run.code == 1, run.text
    assert words in run.text, run.text
    assert "Traceback" not in run.text
    assert ledger_size(ws) == size
    assert json.loads(ws.run("audit", "list", "--json").out) == []


def test_refusals(browser: Any, ws: Workspace, tmp_path: Path) -> None:
    number = issue(ws, UNIT, "form.html")
    issue(ws, OTHER, "other.html")
    rs = resolve_ruleset("wechat-groups").ruleset
    given = random_answers(rs, random.Random("refusals"))
    good = fill_and_save(browser, ws.root / "form.html", fields(given), tmp_path / "good.toml")
    text = good.read_text(encoding="utf-8")

    def variant(name: str, new: str) -> Path:
        assert new != text
        path = tmp_path / name
        path.write_text(new, encoding="utf-8")
        return path

    refused(
        ws,
        variant("never.toml", text.replace(f'number = "{number}"', 'number = "自查表〔2026〕99号"')),
        "不是本工作区下发的表单",
    )
    refused(ws, variant("unit.toml", text.replace(f'unit = "{UNIT}"', f'unit = "{OTHER}"')), "是下发给 某区司法局 的")
    version = re.search(r'ruleset_version = "([^"]+)"', text).group(1)  # type: ignore[union-attr]
    refused(
        ws,
        variant("version.toml", text.replace(f'ruleset_version = "{version}"', 'ruleset_version = "2020.1"')),
        "请用下发的表单重新填写",
    )
    # One answer edited after export.
    key, value = next(
        (k, "true" if v == "false" else "false")
        for k, v in fields(given).items()
        if v in ("true", "false") and k in rs.checks
    )
    edited = re.sub(rf'^"{re.escape(key)}" = (true|false)', f'"{key}" = {value}', text, flags=re.M)
    refused(ws, variant("edited.toml", edited), "核验值不符")
    draft = fill_and_save(browser, ws.root / "form.html", {}, tmp_path / "draft.toml", final=False)
    refused(ws, draft, "草稿")

    # Evidence listed with its SHA-256: missing, then different.
    evidence = tmp_path / "src" / "会议记录.pdf"
    evidence.parent.mkdir()
    evidence.write_bytes(b"%PDF-1.4 meeting minutes")
    folder = tmp_path / "returned"
    folder.mkdir()
    with_evidence = fill_and_save(browser, ws.root / "form.html", fields(given), folder / "ev.toml", evidence=evidence)
    refused(ws, with_evidence, "缺少证明材料 会议记录.pdf")
    (folder / "会议记录.pdf").write_bytes(b"%PDF-1.4 something else")
    refused(ws, with_evidence, "与表单中记录的 SHA-256 不符")
    (folder / "会议记录.pdf").write_bytes(evidence.read_bytes())
    run = ws.run("import", with_evidence, "--no-notice")
    assert run.code == 0, run.text


def test_a_form_draft_continues_in_the_interview(browser: Any, ws: Workspace, tmp_path: Path) -> None:
    """`audit start --answers` takes a draft saved from the form: it becomes a draft audit with those
    answers (the terminal interview then asks the rest; without a terminal it lists what is missing)."""
    issue(ws, UNIT, "form.html")
    rs = resolve_ruleset("wechat-groups").ruleset
    given = random_answers(rs, random.Random("draft"))
    partial = {"has_groups": "true", **dict(list(fields(given).items())[1:3])}
    draft = fill_and_save(browser, ws.root / "form.html", partial, tmp_path / "draft.toml", final=False)
    answers, _ = load_answers(draft)
    assert answers.form is not None and answers.form.status == "draft"
    assert set(answers.answers) == set(partial)
    refused(ws, draft, "草稿")
    run = ws.run("audit", "start", "wechat-groups", "--answers", draft)
    assert "已导入表单草稿为检查 1" in run.text, run.text
    assert "未作答" in run.text or "未答" in run.text, run.text
    drafts = json.loads(ws.run("audit", "list", "--status", "draft", "--json").out)
    assert [d["id"] for d in drafts] == [1]
    shown = json.loads(ws.run("audit", "show", "1", "--json").out)
    assert set(shown["answers"]) >= set(partial)


def test_issue_for_every_planned_unit_and_follow_up(ws: Workspace, tmp_path: Path) -> None:
    """`--campaign C --all-units`: one file per planned unit, the distribution list (XLSX, CSV), each
    form recorded and sealed; `form status` shows issued / overdue / returned and who to remind."""
    import csv

    from openpyxl import load_workbook
    from sqlalchemy import text

    formula = "=HYPERLINK(1)单位"
    assert ws.run("unit", "add", formula).code == 0
    run = ws.run(
        "campaign",
        "create",
        "2026年度自查",
        "--ruleset",
        "wechat-groups",
        "--unit",
        UNIT,
        "--unit",
        OTHER,
        "--unit",
        formula,
    )
    assert run.code == 0, run.text
    before = ledger_size(ws)
    run = ws.run(
        "form",
        "wechat-groups",
        "--campaign",
        "2026年度自查",
        "--all-units",
        "--due",
        "2026-12-01",
        "--out",
        tmp_path / "out",
    )
    assert run.code == 0, run.text
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len([f for f in files if f.endswith(".html")]) == 3
    assert "分发清单.xlsx" in files and "分发清单.csv" in files
    with (tmp_path / "out" / "分发清单.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["单位", "文件名", "表单编号", "报送截止日期"]
    assert {r[0] for r in rows[1:]} == {UNIT, OTHER, "'" + formula}
    assert all((tmp_path / "out" / r[1]).exists() and r[3] == "2026-12-01" for r in rows[1:])
    sheet = load_workbook(tmp_path / "out" / "分发清单.xlsx").active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert formula in {v[0] for v in values} and all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    # Recorded and sealed: three issued forms in the ledger.
    assert ledger_size(ws) > before
    with ws.db().engine.connect() as conn:
        sealed = conn.execute(text("select count(*) from ledger where table_name = 'issued_forms'")).scalar_one()
        assert sealed == 3
    status = json.loads(ws.run("form", "status", "--json").out)
    assert {s["state"] for s in status} == {"issued"}
    late = ws.run("form", "status", env={"SECCHECK_TODAY": "2026-12-05"})
    assert "逾期未报 3 份" in late.out and "催报名单" in late.out, late.out
    assert ws.run("form", "status", "--xlsx", tmp_path / "s.xlsx").code == 0
    book = load_workbook(tmp_path / "s.xlsx")
    assert book.sheetnames == ["回收情况", "催报名单"]
    # Refusals when issuing: an unknown unit, a past due date, --all-units without a campaign.
    assert ws.run("form", "wechat-groups", "--unit", "不存在的单位").code == 3
    assert ws.run("form", "wechat-groups", "--unit", UNIT, "--due", "2020-01-01").code == 1
    assert ws.run("form", "wechat-groups", "--all-units").code == 2
