"""Forms issued per person and per department (forms.md §4): `--person`, `--department`, `--all-people`,
`--all-departments`; the form signs `department` and `person`; its returned file is that person's (or
department's) self-check, counted once by `seccheck rollup`; a file naming someone else is refused."""

from __future__ import annotations

import csv
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from seccheck.domain.answers import Answer
from seccheck.io.answersfile import load_answers
from seccheck.ruleset.load import resolve_ruleset
from tests.conftest import Workspace, assert_ledger_intact, seccheck
from tests.formbrowser import fields, random_answers
from tests.test_form_return import fill_and_save, ledger_size, random_answers_fix

UNIT = "某区教育局"
STAFF = "内设机构,姓名,工号\n办公室,张三,001\n办公室,李四,\n人事科,=王五,003\n"


@pytest.fixture
def ws(tmp_path: Path) -> Any:
    root = tmp_path / "ws"
    db_url = f"sqlite:///{root / 'seccheck.db'}"
    run = seccheck("init", root, "--issuer", "某区国家保密局", "--prefix", "某保检", env={"SECCHECK_DB": db_url})
    assert run.code == 0
    w = Workspace(root, db_url)
    assert w.run("unit", "add", UNIT).code == 0
    yield w
    assert_ledger_intact(w)


def staffed(ws: Workspace, tmp_path: Path) -> None:
    names = tmp_path / "名单.csv"
    names.write_text(STAFF, encoding="utf-8-sig")
    run = ws.run("unit", "people", "import", names, "--unit", UNIT)
    assert run.code == 0, run.text


def rollup(ws: Workspace) -> dict[str, Any]:
    run = ws.run("rollup", UNIT, "--year", "2026", "--json")
    assert run.code == 0, run.text
    return json.loads(run.out)  # type: ignore[no-any-return]


def issue_person(ws: Workspace, who: str, out: Path) -> str:
    run = ws.run("form", "individual-self-check", "--unit", UNIT, "--person", who, "--due", "2026-12-31", "--out", out)
    assert run.code == 0, run.text
    return re.search(r"表单编号 (\S+)，", run.out).group(1)  # type: ignore[union-attr]


def test_a_persons_form_filled_returned_and_counted_once(browser: Any, ws: Workspace, tmp_path: Path) -> None:
    staffed(ws, tmp_path)
    form = tmp_path / "张三.html"
    number = issue_person(ws, "001", form)
    html = form.read_text(encoding="utf-8")
    assert "<td data-department>办公室</td>" in html and "张三（工号 001）" in html

    rs = resolve_ruleset("individual-self-check").ruleset
    given = random_answers(rs, random.Random("person"))
    saved = fill_and_save(browser, form, fields(given), tmp_path / "答案.toml")
    answers, _ = load_answers(saved)
    assert (answers.unit, answers.department, answers.person) == (UNIT, "办公室", "001")
    assert answers.form is not None and answers.form.number == number

    # Edited by hand to be someone else's (the form's mac covers `person` and `department`): refused,
    # naming the file and the field, nothing recorded.
    text = saved.read_text(encoding="utf-8")
    for field, edited in (
        ("person", text.replace('person = "001"', 'person = "李四"')),
        ("department", text.replace('department = "办公室"', 'department = "人事科"')),
    ):
        path = tmp_path / f"改{field}.toml"
        path.write_text(edited, encoding="utf-8")
        size = ledger_size(ws)
        run = ws.run("import", path, "--no-notice")
        assert run.code == 1, run.text
        assert str(path) in run.text and field in run.text and "是下发给 某区教育局 办公室 张三 的" in run.text
        assert ledger_size(ws) == size
    run = ws.run("import", saved, "--no-notice")
    assert run.code == 0, run.text
    counted = rollup(ws)
    assert counted["people"] == {"total": 3, "completed": 1}
    status = json.loads(ws.run("form", "status", "--json").out)
    assert [(s["department"], s["person"], s["staff_no"], s["state"]) for s in status] == [
        ("办公室", "张三", "001", "returned")
    ]

    # The same file twice: nothing new.
    size = ledger_size(ws)
    assert ws.run("import", saved, "--no-notice").code == 0
    assert ledger_size(ws) == size
    assert rollup(ws)["people"] == {"total": 3, "completed": 1}

    # 张三 moves to 人事科, then answers again on the same form: revision 2 of the same audit, still one
    # person, now counted in 人事科 (where he is when the file comes back).
    assert ws.run("unit", "people", "move", "001", "--unit", UNIT, "--to", "人事科").code == 0
    changed = dict(given)
    key = next(k for k, a in given.items() if isinstance(a.value, bool) and k in rs.checks)
    changed[key] = Answer(value=not given[key].value)
    later = fill_and_save(browser, form, fields(random_answers_fix(rs, changed)), tmp_path / "答案2.toml")
    run = ws.run("import", later, "--no-notice")
    assert run.code == 0, run.text
    audits = json.loads(ws.run("audit", "list", "--json").out)
    assert len(audits) == 1
    assert json.loads(ws.run("audit", "show", str(audits[0]["id"]), "--json").out)["revision"] == 2
    counted = rollup(ws)
    assert counted["people"] == {"total": 3, "completed": 1}
    coverage = {d["department"]: d["people_completed"] for d in counted["department_coverage"]}
    assert coverage == {"办公室": 0, "人事科": 1}
    with ws.db().engine.connect() as conn:
        from sqlalchemy import text as sql

        tiers = conn.execute(sql("select d.name from audit_tiers t join departments d on d.id = t.department_id"))
        assert [r[0] for r in tiers] == ["办公室"]  # the audit keeps the department it was first answered in


def test_issue_for_every_person_and_every_department(ws: Workspace, tmp_path: Path) -> None:
    staffed(ws, tmp_path)
    out = tmp_path / "人员"
    run = ws.run("form", "individual-self-check", "--unit", UNIT, "--all-people", "--due", "2026-12-31", "--out", out)
    assert run.code == 0, run.text
    with (out / "分发清单.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["单位", "内设机构", "姓名", "工号", "文件名", "表单编号", "报送截止日期"]
    assert [(r[1], r[2], r[3]) for r in rows[1:]] == [
        ("办公室", "张三", "001"),
        ("办公室", "李四", ""),
        ("人事科", "'=王五", "003"),
    ]
    for r in rows[1:]:
        assert (out / r[4]).is_file() and r[4].startswith(UNIT + "-") and "/" not in r[4]
    assert sorted(p.name for p in out.iterdir() if p.suffix == ".html") == sorted(r[4] for r in rows[1:])
    # A person's name is shown as text (never a formula in the list, never markup in the page).
    assert any("王五（003）" in r[4] for r in rows[1:])
    page = next(out.glob("*王五*.html")).read_text(encoding="utf-8")
    assert "=王五（工号 003）" in page and '"person":"003"' in page

    only = tmp_path / "办公室"
    run = ws.run(
        "form", "individual-self-check", "--unit", UNIT, "--all-people", "--department", "办公室", "--out", only
    )
    assert run.code == 0, run.text
    assert len(list(only.glob("*.html"))) == 2

    depts = tmp_path / "内设机构"
    run = ws.run("form", "department-self-check", "--unit", UNIT, "--all-departments", "--out", depts)
    assert run.code == 0, run.text
    with (depts / "分发清单.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["单位", "内设机构", "文件名", "表单编号", "报送截止日期"]
    assert [r[1] for r in rows[1:]] == ["办公室", "人事科"]

    # With a campaign: its rulesets and units only (a returned file outside them would be refused).
    for name, ruleset in (("个人自查", "individual-self-check"), ("单位自查", "unit-self-assessment")):
        run = ws.run("campaign", "create", name, "--ruleset", ruleset, "--unit", UNIT)
        assert run.code == 0, run.text
    run = ws.run(
        "form",
        "individual-self-check",
        "--unit",
        UNIT,
        "--all-people",
        "--campaign",
        "单位自查",
        "--out",
        tmp_path / "x",
    )
    assert run.code == 1 and "不是专项行动“单位自查”的规则集" in run.text, run.text
    run = ws.run(
        "form",
        "individual-self-check",
        "--unit",
        UNIT,
        "--person",
        "李四",
        "--campaign",
        "个人自查",
        "--out",
        tmp_path / "李四.html",
    )
    assert run.code == 0, run.text

    status = ws.run("form", "status")
    assert "内设机构" in status.out and "人事科" in status.out and "王五" in status.out, status.out
    assert len(json.loads(ws.run("form", "status", "--json").out)) == 3 + 2 + 2 + 1
    assert [s["person"] for s in json.loads(ws.run("form", "status", "--campaign", "个人自查", "--json").out)] == [
        "李四"
    ]


def test_refusals_when_issuing(ws: Workspace, tmp_path: Path) -> None:
    def refused(*args: str | Path, words: str, code: int = 1) -> None:
        size = ledger_size(ws)
        run = ws.run("form", *args)
        assert run.code == code, run.text
        assert words in run.text, run.text
        assert "Traceback" not in run.text
        assert ledger_size(ws) == size

    out = tmp_path / "out"
    refused("individual-self-check", "--unit", UNIT, "--all-people", "--out", out, words="seccheck unit people import")
    refused("department-self-check", "--unit", UNIT, "--all-departments", "--out", out, words="没有登记内设机构")
    staffed(ws, tmp_path)
    refused("unit-self-assessment", "--unit", UNIT, "--all-people", "--out", out, words="不是个人自查，不能按人员下发")
    refused("department-self-check", "--unit", UNIT, "--all-people", "--out", out, words="--all-departments")
    refused("individual-self-check", "--unit", UNIT, "--all-departments", "--out", out, words="是个人自查，按人员下发")
    refused("unit-self-assessment", "--unit", UNIT, "--all-departments", "--out", out, words="不是内设机构自查")
    refused("individual-self-check", "--unit", UNIT, "--out", out / "x.html", words="--person")
    refused("department-self-check", "--unit", UNIT, "--out", out / "x.html", words="--department")
    refused(
        "individual-self-check",
        "--unit",
        UNIT,
        "--person",
        "赵六",
        "--out",
        out / "x.html",
        words="人员名单中没有",
        code=3,
    )
    refused(
        "individual-self-check",
        "--unit",
        UNIT,
        "--person",
        "001",
        "--department",
        "人事科",
        "--out",
        out / "x.html",
        words="属于 办公室",
    )
    refused("individual-self-check", "--unit", UNIT, "--all-people", "--all-departments", words="只能选一个", code=2)
    refused("individual-self-check", "--all-people", words="需要 --unit", code=2)
    assert not out.exists() or not list(out.iterdir())


@pytest.mark.parametrize(
    ("department", "person", "person_name"),
    [(None, None, None), ('人事"科\\</script>', "=0\u00e901", "张<b>三"), ("办公室", "李四", "李四")],
    ids=["unit", "hostile", "name-only"],
)
def test_the_pages_mac_over_department_and_person_is_pythons(
    browser: Any, tmp_path: Path, department: str | None, person: str | None, person_name: str | None
) -> None:
    """The page's answers file, for random answer sets, verifies with seccheck's mac (the canonical body
    with `department` and `person` when the form names them, without when it is a unit's form); the
    same file naming anyone else does not."""
    from seccheck.domain.formfile import mac_matches
    from seccheck.forms.page import FormIssue, render_form
    from tests.formbrowser import FILL_JS

    loaded = resolve_ruleset("individual-self-check")
    key = "ab" * 32
    issue = FormIssue(
        number="测〔2026〕7号",
        unit="某区<i>教育局",
        key=key,
        ruleset_sha256=loaded.sha256,
        department=department,
        person=person,
        person_name=person_name,
    )
    form = tmp_path / "form.html"
    form.write_text(render_form(loaded.ruleset, issue), encoding="utf-8")
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(form.as_uri())
    page.wait_for_selector("html[data-ready=true]")
    assert page.text_content("[data-unit]") == "某区<i>教育局"
    if department is not None:
        assert page.text_content("[data-department]") == department
        assert page.text_content("[data-person]").startswith(person_name)  # type: ignore[union-attr]
    rng = random.Random(f"mac {department}")
    for n in range(12):
        page.evaluate(FILL_JS, [fields(random_answers(loaded.ruleset, rng))])
        made = page.evaluate("(at) => window.seccheckForm.answersFile(true, at)", f"2026-11-23T08:00:0{n % 10}.000Z")
        path = tmp_path / f"{n}.toml"
        path.write_text(made["text"], encoding="utf-8")
        answers, _ = load_answers(path)
        assert (answers.department, answers.person) == (department, person)
        assert answers.form is not None and answers.form.mac == made["mac"]
        assert mac_matches(key, answers, answers.form)
        for other in ({"person": "另一人"}, {"department": "另一处"}):
            assert not mac_matches(key, answers.model_copy(update=other), answers.form)
    ctx.close()


def test_a_signed_file_naming_someone_the_form_was_not_for_is_refused(ws: Workspace, tmp_path: Path) -> None:
    """The department/person check stands on its own, not only on the mac: a file signed with the
    form's own key (as only its form can) but naming a person on a unit's form, or another person on a
    person's form, is refused by field; nothing is recorded."""
    from sqlalchemy import text as sql

    from seccheck.domain.formfile import form_mac

    staffed(ws, tmp_path)
    assert (
        ws.run("form", "individual-self-check", "--unit", UNIT, "--person", "李四", "--out", tmp_path / "a.html").code
        == 0
    )
    assert ws.run("form", "wechat-groups", "--unit", UNIT, "--out", tmp_path / "b.html").code == 0
    with ws.db().engine.connect() as conn:
        forms = dict(conn.execute(sql("select ruleset_id, number from issued_forms")).all())
        keys = dict(conn.execute(sql("select number, key from issued_forms")).all())
        digests = dict(conn.execute(sql("select number, ruleset_sha256 from issued_forms")).all())
    examples = Path(__file__).parent.parent / "examples"
    body = (examples / "individual-self-check.answers.toml").read_text(encoding="utf-8").split("[answers]", 1)[1]

    def signed(name: str, number: str, head: str, body: str = body) -> Path:
        path = tmp_path / name
        stamp = f'number = "{number}"\nruleset_sha256 = "{digests[number]}"\nexported = "2026-11-23T08:00:00.000Z"\n'
        stamp += 'status = "final"\nfilled_by = "李四"\nreviewed_by = "赵六"\nevidence = []\n'
        path.write_text(head + "[answers]" + body + "\n[form]\n" + stamp + f'mac = "{"0" * 64}"\n', encoding="utf-8")
        answers, _ = load_answers(path)
        assert answers.form is not None
        mac = form_mac(keys[number], answers, answers.form)
        path.write_text(path.read_text(encoding="utf-8").replace("0" * 64, mac), encoding="utf-8")
        return path

    version = resolve_ruleset("individual-self-check").ruleset.version
    head = f'format = 1\nruleset = "individual-self-check"\nruleset_version = "{version}"\nunit = "{UNIT}"\n'
    head += 'department = "办公室"\n{person}date = 2026-11-10\nmode = "self"\n'
    cases = [
        (signed("other.toml", forms["individual-self-check"], head.format(person='person = "001"\n')), "person"),
        (signed("none.toml", forms["individual-self-check"], head.format(person="")), "person"),
    ]
    unit_head, unit_body = (examples / "wechat-groups.answers.toml").read_text(encoding="utf-8").split("[answers]", 1)
    unit_head = unit_head.replace('unit = "某区司法局"', f'unit = "{UNIT}"\ndepartment = "办公室"')
    unit_file = signed("unit.toml", forms["wechat-groups"], unit_head, unit_body)
    run = ws.run("import", unit_file, "--no-notice")
    assert run.code == 1 and "是下发给单位 某区教育局 的，文件中却写了内设机构或人员" in run.text, run.text
    for path, field in cases:
        size = ledger_size(ws)
        run = ws.run("import", path, "--no-notice")
        assert run.code == 1, run.text
        assert f"字段 {field}" in run.text or field in run.text, run.text
        assert "是下发给 某区教育局 办公室 李四 的" in run.text, run.text
        assert ledger_size(ws) == size
    good = signed("good.toml", forms["individual-self-check"], head.format(person='person = "李四"\n'))
    run = ws.run("import", good, "--no-notice")
    assert run.code == 0, run.text
    assert rollup(ws)["people"] == {"total": 3, "completed": 1}
