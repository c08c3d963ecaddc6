"""Tiers below the unit (forms.md §4): departments and people, answers files naming them, the roll-up."""

from __future__ import annotations

from pathlib import Path

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
