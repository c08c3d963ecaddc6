"""Tiers below the unit (forms.md §4): departments and people, answers files naming them, the roll-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Workspace

UNIT = "某区教育局"


def _people(ws: Workspace, tmp_path: Path, text: str) -> Path:
    path = tmp_path / "名单.csv"
    path.write_text(text, encoding="utf-8-sig")
    return path


def _listing(ws: Workspace) -> list[str]:
    run = ws.run("unit", "people", "list", "--unit", UNIT)
    assert run.code == 0, run.text
    return run.out.splitlines()


def test_people_import_add_list_rename_move_remove(workspace: Workspace, tmp_path: Path) -> None:
    ws = workspace
    assert ws.run("unit", "add", UNIT).code == 0
    csv = _people(ws, tmp_path, "内设机构,姓名,工号\n办公室,张三,001\n办公室,李四,\n人事科,张三,002\n")
    run = ws.run("unit", "people", "import", csv, "--unit", UNIT)
    assert run.code == 0, run.text
    assert "新增人员 3 名" in run.out and "新增内设机构 2 个" in run.out
    assert _listing(ws) == ["办公室\t张三\t001", "办公室\t李四\t", "人事科\t张三\t002", "共 3 名"]

    # The same file again lists nobody twice; a file moving someone moves them.
    assert "新增人员 0 名" in ws.run("unit", "people", "import", csv, "--unit", UNIT).out
    moved = _people(ws, tmp_path, "内设机构,姓名,工号\n人事科,李四,\n")
    assert "调动 1 名" in ws.run("unit", "people", "import", moved, "--unit", UNIT).out

    # Two people named 张三: the name alone is refused with their 工号, the 工号 identifies.
    run = ws.run("unit", "people", "move", "张三", "--unit", UNIT, "--to", "人事科")
    assert run.code == 1 and "001" in run.err and "002" in run.err and "工号" in run.err
    assert ws.run("unit", "people", "move", "001", "--unit", UNIT, "--to", "人事科").code == 0
    # Unknown names are refused with the near ones.
    run = ws.run("unit", "people", "remove", "李斯", "--unit", UNIT)
    assert run.code != 0 and "李四" in run.err
    run = ws.run("unit", "people", "move", "李四", "--unit", UNIT, "--to", "人事处")
    assert run.code != 0 and "人事科" in run.err

    assert ws.run("unit", "people", "add", "王五", "--unit", UNIT, "--department", "办公室").code == 0
    run = ws.run("unit", "people", "add", "王五", "--unit", UNIT, "--department", "办公室")
    assert run.code != 0 and "--staff-no" in run.err
    assert ws.run("unit", "people", "rename", "王五", "王武", "--unit", UNIT).code == 0
    assert ws.run("unit", "department", "rename", "人事科", "组织人事科", "--unit", UNIT).code == 0
    run = ws.run("unit", "department", "remove", "办公室", "--unit", UNIT)
    assert run.code != 0 and "1 名人员" in run.err
    assert ws.run("unit", "people", "remove", "王武", "--unit", UNIT).code == 0
    assert ws.run("unit", "department", "remove", "办公室", "--unit", UNIT).code == 0
    assert _listing(ws) == ["组织人事科\t张三\t001", "组织人事科\t李四\t", "组织人事科\t张三\t002", "共 3 名"]
    run = ws.run("unit", "department", "list", "--unit", UNIT)
    assert run.out.splitlines() == ["组织人事科（曾用名：人事科）\t3 人"]

    # Every change is in the ledger (the fixture verifies the chain after the test), moves included.
    from seccheck.storage.tables import LedgerEntry

    with ws.db().read() as session:
        tables = [e.table_name for e in session.query(LedgerEntry).order_by(LedgerEntry.position)]
    assert tables.count("people") >= 3 + 1 + 1 + 1 + 1 + 1  # 3 added, moves, add, rename, remove
    assert "departments" in tables


def test_a_people_file_with_problems_changes_nothing(workspace: Workspace, tmp_path: Path) -> None:
    ws = workspace
    assert ws.run("unit", "add", UNIT).code == 0
    bad = _people(ws, tmp_path, "内设机构,姓名,工号\n办公室,张三,\n办公室,张三,\n,李四,003\n人事科,赵六,003\n")
    run = ws.run("unit", "people", "import", bad, "--unit", UNIT)
    assert run.code == 1
    assert "名单.csv:3" in run.err and "同名" in run.err
    assert "名单.csv:4" in run.err and "内设机构为空" in run.err
    assert "名单.csv:5" in run.err and "工号与第 4 行重复" in run.err
    assert "还没有人员名单" in ws.run("unit", "people", "list", "--unit", UNIT).out
    run = ws.run("unit", "people", "import", _people(ws, tmp_path, "姓名\n张三\n"), "--unit", UNIT)
    assert run.code == 1 and "缺少内设机构列" in run.err
    good = _people(ws, tmp_path, "内设机构,姓名\n办公室,张三\n")
    run = ws.run("unit", "people", "import", good, "--unit", "某区教肓局")
    assert run.code != 0 and UNIT in run.err


EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
INDIVIDUAL = (EXAMPLES / "individual-self-check.answers.toml").read_text(encoding="utf-8")
DEPARTMENT = (EXAMPLES / "department-self-check.answers.toml").read_text(encoding="utf-8")
STAFF = "内设机构,姓名,工号\n办公室,张某,\n办公室,张三,001\n人事科,张三,002\n人事科,李四,\n"


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _person_file(tmp_path: Path, name: str, person: str, department: str = "办公室", extra: str = "") -> Path:
    text = INDIVIDUAL.replace('person = "张某"', f'person = "{person}"').replace(
        'department = "办公室"', f'department = "{department}"'
    )
    return _file(tmp_path, name, text.replace("P01 = true", "P01 = true" + extra))


def _staffed(ws: Workspace, tmp_path: Path) -> None:
    assert ws.run("unit", "add", UNIT).code == 0
    assert ws.run("unit", "people", "import", _people(ws, tmp_path, STAFF), "--unit", UNIT).code == 0


def test_answers_files_name_department_and_person(workspace: Workspace, tmp_path: Path) -> None:
    ws = workspace
    _staffed(ws, tmp_path)
    # Unknown department and person: refused with the near names, nothing recorded.
    run = ws.run("import", "--no-notice", _person_file(tmp_path, "a.toml", "张二", "办公厅"))
    assert run.code != 0
    assert "字段 department" in run.err and "办公室" in run.err
    assert "字段 person" in run.err and "张三" in run.err
    # A name two people share: the 工号 is asked for.
    run = ws.run("import", "--no-notice", _person_file(tmp_path, "b.toml", "张三"))
    assert run.code != 0 and "001" in run.err and "002" in run.err
    from seccheck.storage.tables import Audit

    with ws.db().read() as session:
        assert session.query(Audit).count() == 0

    # Two people of one unit with the same answers: two audits, not one file imported twice.
    one = ws.run("import", "--no-notice", _person_file(tmp_path, "c.toml", "001"))
    two = ws.run("import", "--no-notice", _person_file(tmp_path, "d.toml", "002", "人事科"))
    assert one.code == 0 and two.code == 0, one.text + two.text
    assert "检查 1 ←" in one.out and "检查 2 ←" in two.out
    # The department's own self-check is a third, apart from its people's.
    dept = ws.run("import", "--no-notice", EXAMPLES / "department-self-check.answers.toml")
    assert dept.code == 0 and "检查 3 ←" in dept.out, dept.text
    # The same person again with other answers is refused as a second audit of the same scope …
    again = _person_file(tmp_path, "e.toml", "001", extra='\nP03 = { value = false, note = "补" }')
    again.write_text(again.read_text(encoding="utf-8").replace("P03 = true\n", "", 1), encoding="utf-8")
    run = ws.run("import", "--no-notice", again)
    assert run.code != 0 and "检查 1" in run.err and "--amend" in run.err
    # … and with --amend revises that person's audit, not another's.
    run = ws.run("import", "--no-notice", "--amend", again)
    assert run.code == 0 and "检查 1" in run.out, run.text

    from seccheck.storage.tables import AuditTier, Department, Person

    with ws.db().read() as session:
        tiers = {t.audit_id: (t.department_id, t.person_id) for t in session.query(AuditTier)}
        people = {p.staff_no or p.name: p.id for p in session.query(Person)}
        depts = {d.name: d.id for d in session.query(Department)}
    assert tiers == {
        1: (depts["办公室"], people["001"]),
        2: (depts["人事科"], people["002"]),
        3: (depts["办公室"], None),
    }


def test_old_files_with_a_combined_name_keep_importing(workspace: Workspace, tmp_path: Path) -> None:
    ws = workspace
    old = INDIVIDUAL.replace(
        'unit = "某区教育局"\ndepartment = "办公室"\nperson = "张某"', 'unit = "某区教育局办公室 张某"'
    )
    assert "department" not in old.split("[answers]")[0]
    path = _file(tmp_path, "old.toml", old)
    run = ws.run("import", "--new-unit", "--no-notice", path)
    assert run.code == 0, run.text
    assert "已导入过，未改动" in ws.run("import", "--no-notice", path).out  # the same file: nothing new
    assert "某区教育局办公室 张某" in ws.run("unit", "list").out
    # --new-unit adds the department and person a new file names, as it adds the unit.
    run = ws.run("import", "--new-unit", "--no-notice", EXAMPLES / "individual-self-check.answers.toml")
    assert run.code == 0, run.text
    assert _listing(ws) == ["办公室\t张某\t", "共 1 名"]


def _rollup(ws: Workspace) -> dict:  # type: ignore[type-arg]
    import json

    run = ws.run("rollup", UNIT, "--year", "2026", "--json")
    assert run.code == 0, run.text
    return json.loads(run.out)  # type: ignore[no-any-return]


def test_rollup_counts_each_person_and_department_once(workspace: Workspace, tmp_path: Path) -> None:
    ws = workspace
    _staffed(ws, tmp_path)  # 办公室: 张某, 张三(001); 人事科: 张三(002), 李四
    empty = _rollup(ws)
    assert empty["departments"] == {"total": 2, "completed": 0}
    assert empty["people"] == {"total": 4, "completed": 0}
    assert empty["problems"] == [] and empty["unit_items"] == []

    # 张某 answers (P02 failing) and the same file comes twice: one person, one problem.
    zhang = EXAMPLES / "individual-self-check.answers.toml"
    assert ws.run("import", "--no-notice", zhang).code == 0
    assert ws.run("import", "--no-notice", zhang).code == 0
    # 001 answers with the same problem, then revises the answer (P03 failing too) with --amend.
    first = _person_file(tmp_path, "001.toml", "001")
    assert ws.run("import", "--no-notice", first).code == 0
    revised = _person_file(tmp_path, "001b.toml", "001", extra='\nP03 = { value = false, note = "未报告" }')
    revised.write_text(revised.read_text(encoding="utf-8").replace("P03 = true\n", "", 1), encoding="utf-8")
    assert ws.run("import", "--no-notice", "--amend", revised).code == 0
    # The department self-checks (D03, D19 failing).
    assert ws.run("import", "--no-notice", EXAMPLES / "department-self-check.answers.toml").code == 0

    data = _rollup(ws)
    from jsonschema import Draft202012Validator

    from seccheck.app import views

    assert list(Draft202012Validator(views.json_schema("Rollup")).iter_errors(data)) == []
    assert data["people"] == {"total": 4, "completed": 2}
    assert data["departments"] == {"total": 2, "completed": 1}
    counts = {(p["ruleset_id"], p["check"]): p["count"] for p in data["problems"]}
    assert counts == {
        ("individual-self-check", "P02"): 2,
        ("individual-self-check", "P03"): 1,
        ("department-self-check", "D03"): 1,
        ("department-self-check", "D19"): 1,
    }
    # Lower-tier problems under the unit-level items they bear on (rolls_up_to in the built-in rulesets).
    items = {i["item"]: (i["title"], i["count"], sorted(p["check"] for p in i["problems"])) for i in data["unit_items"]}
    assert items == {
        "u3.2": ("领导干部和涉密人员保密教育", 2, ["P02"]),
        "u4.4": ("重大事项报告", 1, ["P03"]),
        "4": ("内设机构负责人履行本部门保密工作责任", 1, ["D03"]),
        "u6.8": ("定期清查", 1, ["D19"]),
    }
    office = {c["department"]: c for c in data["department_coverage"]}
    assert office["办公室"] == {"department": "办公室", "self_checked": True, "people_total": 2, "people_completed": 2}
    assert office["人事科"]["people_completed"] == 0

    # 001 moves to 人事科: still one person done; the coverage follows where they are now.
    assert ws.run("unit", "people", "move", "001", "--unit", UNIT, "--to", "人事科").code == 0
    # The department is renamed; a file written with the old name still counts for the same department.
    assert ws.run("unit", "department", "rename", "办公室", "综合办公室", "--unit", UNIT).code == 0
    old_name = _file(
        tmp_path, "dept.toml", DEPARTMENT.replace('inspectors = ["周红"]', 'inspectors = ["周红", "王明"]')
    )
    assert 'department = "办公室"' in old_name.read_text(encoding="utf-8")
    run = ws.run("import", "--no-notice", "--amend", old_name)
    assert run.code == 0 and "检查 3" in run.out, run.text
    data = _rollup(ws)
    assert data["people"] == {"total": 4, "completed": 2}
    assert data["departments"] == {"total": 2, "completed": 1}
    coverage = {
        c["department"]: (c["self_checked"], c["people_completed"], c["people_total"])
        for c in data["department_coverage"]
    }
    assert coverage == {"综合办公室": (True, 1, 1), "人事科": (False, 1, 3)}
    assert {(p["check"], p["count"]) for p in data["problems"]} == {("P02", 2), ("P03", 1), ("D03", 1), ("D19", 1)}
    # A person who leaves is no longer due; the year before has nothing.
    assert ws.run("unit", "people", "remove", "李四", "--unit", UNIT).code == 0
    assert _rollup(ws)["people"] == {"total": 3, "completed": 2}
    run = ws.run("rollup", UNIT, "--year", "2025")
    assert run.code == 0 and "完成自查 0 名" in run.out and "未发现问题" in run.out
    text = ws.run("rollup", UNIT, "--year", "2026").out
    assert "内设机构：2 个，完成自查 1 个；人员：3 名，完成自查 2 名" in text
    assert "领导干部和涉密人员保密教育：2 个" in text
    run = ws.run("rollup", "某区教肓局")
    assert run.code != 0 and UNIT in run.err


def test_every_lower_tier_check_rolls_up_to_a_unit_level_item() -> None:
    from seccheck.ruleset.load import resolve_ruleset

    unit_items = resolve_ruleset("unit-self-assessment").ruleset.items_by_id
    for ruleset_id in ("individual-self-check", "department-self-check"):
        checks = resolve_ruleset(ruleset_id).ruleset.checks
        targets = {check_id: check.rolls_up_to for check_id, (_item, check) in checks.items()}
        assert all(targets.values()), [c for c, t in targets.items() if not t]
        assert {t for t in targets.values() if t not in unit_items} == set(), ruleset_id
    assert resolve_ruleset("unit-self-assessment").ruleset.checks["1a"][1].rolls_up_to is None


def test_the_terminal_interview_from_a_file_keeps_the_person(workspace: Workspace, tmp_path: Path) -> None:
    ws = workspace
    _staffed(ws, tmp_path)
    # (The checklist ruleset has no score sheet: that follow-up's note makes the exit status 1.)
    run = ws.run("audit", "individual-self-check", "--answers", EXAMPLES / "individual-self-check.answers.toml")
    assert "已导入：检查 1" in run.out, run.text
    run = ws.run("audit", "individual-self-check", "--answers", _person_file(tmp_path, "x.toml", "李四", "人事科"))
    assert "已导入：检查 2" in run.out, run.text
    assert _rollup(ws)["people"] == {"total": 4, "completed": 2}
    run = ws.run("audit", "individual-self-check", "--answers", _person_file(tmp_path, "y.toml", "李斯", "人事科"))
    assert run.code != 0 and "李四" in run.err


@pytest.mark.tampered
def test_verify_all_catches_a_person_moved_behind_the_ledgers_back(workspace: Workspace, tmp_path: Path) -> None:
    from sqlalchemy import text

    ws = workspace
    _staffed(ws, tmp_path)
    assert ws.run("import", "--no-notice", EXAMPLES / "individual-self-check.answers.toml").code == 0
    assert ws.run("verify", "--all").code == 0
    db = ws.db()
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE people SET department_id = 2 WHERE id = 1"))
        conn.execute(text("UPDATE audit_tiers SET person_id = 2 WHERE audit_id = 1"))
    db.close()
    run = ws.run("verify", "--all")
    assert run.code == 1, run.text
    assert "人员 1" in run.err and "内设机构" in run.err, run.err
    assert "检查所属的内设机构和人员 1" in run.err, run.err
    assert "people" not in run.err and "department_id" not in run.err
