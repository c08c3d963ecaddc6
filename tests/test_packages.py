"""Sealed packages reported upward (issue 25 lines 5-7): unit → bureau, district → city; each figure
counted once whatever the re-imports, revisions and districts; tampered, foreign and duplicate
packages record nothing new. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Workspace, assert_ledger_intact, seccheck, seed_database

UNIT = "某区教育局"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
STAFF = "内设机构,姓名,工号\n办公室,张某,\n办公室,张三,001\n人事科,张三,002\n人事科,李四,\n"
INDIVIDUAL = (EXAMPLES / "individual-self-check.answers.toml").read_text(encoding="utf-8")


def _another(ws: Workspace, tmp_path: Path, request: pytest.FixtureRequest, name: str, issuer: str) -> Workspace:
    """One more workspace on the same kind of database as `ws` (a unit's, a district's, a city's)."""
    if ws.db_url.startswith("sqlite"):
        path = tmp_path / name / "seccheck.db"
        seed_database(path, request.getfixturevalue("sqlite_template"))
        url = f"sqlite:///{path}"
    else:
        server = request.getfixturevalue("pg_server")
        url = str(server.create_database(template=request.getfixturevalue("pg_template")))
    root = tmp_path / name / "ws"
    run = seccheck(
        "init", root, "--issuer", issuer, "--prefix", "某检", "--inspector", "王晓丽", env={"SECCHECK_DB": url}
    )
    assert run.code == 0, run.text
    return Workspace(root, url)


def _ledger_size(ws: Workspace) -> int:
    from seccheck.storage.tables import LedgerEntry

    with ws.db().read() as session:
        return session.query(LedgerEntry).count()


def _unit_with_self_checks(unit: Workspace, tmp_path: Path, name: str = UNIT) -> None:
    """A unit's own workspace: its people, its self-assessment, one person's and one department's self-check."""
    assert unit.run("unit", "add", name).code == 0
    staff = tmp_path / f"{unit.root.parent.name}-名单.csv"
    staff.write_text(STAFF, encoding="utf-8-sig")
    assert unit.run("unit", "people", "import", staff, "--unit", name).code == 0
    for example in ("unit-self-assessment", "individual-self-check", "department-self-check"):
        text = (EXAMPLES / f"{example}.answers.toml").read_text(encoding="utf-8").replace(f'"{UNIT}"', f'"{name}"')
        path = tmp_path / f"{unit.root.parent.name}-{example}.toml"
        path.write_text(text, encoding="utf-8")
        run = unit.run("import", "--no-notice", path)
        assert run.code == 0, run.text


def _key(bureau: Workspace, unit: Workspace, tmp_path: Path, name: str, *, district: bool = False) -> None:
    key = tmp_path / f"{bureau.root.parent.name}-{name}-key.toml"
    run = bureau.run("unit", "key", "issue", name, "--out", key, *(["--district"] if district else []))
    assert run.code == 0, run.text
    run = unit.run("unit", "key", "add", key)
    assert run.code == 0, run.text


def _export(unit: Workspace, path: Path, name: str = UNIT) -> str:
    run = unit.run("rollup", name, "--year", "2026", "--export", path)
    assert run.code == 0, run.text
    return run.out.split("核验码：")[1].strip()


def _coverage(ws: Workspace) -> dict:  # type: ignore[type-arg]
    run = ws.run("summary", "--year", "2026", "--json")
    assert run.code == 0, run.text
    data = json.loads(run.out)
    return data["coverage"]  # type: ignore[no-any-return]


def test_a_unit_package_is_verified_recorded_once_and_revised(
    workspace: Workspace, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    bureau = workspace
    unit = _another(bureau, tmp_path, request, "unit", UNIT)
    _unit_with_self_checks(unit, tmp_path)
    assert bureau.run("unit", "add", UNIT).code == 0

    # Without a key from the bureau there is nothing to seal with: said, nothing written.
    run = unit.run("rollup", UNIT, "--year", "2026", "--export", tmp_path / "none.json")
    assert run.code != 0 and "unit key add" in run.err and not (tmp_path / "none.json").exists()
    _key(bureau, unit, tmp_path, UNIT)

    # The same unchanged data exported twice: the same package and 核验码, no new ledger entry.
    first = tmp_path / "package.json"
    code = _export(unit, first)
    size = _ledger_size(unit)
    again = tmp_path / "package-again.json"
    assert _export(unit, again) == code and first.read_bytes() == again.read_bytes()
    assert _ledger_size(unit) == size
    # The 核验码 is the unit's ledger anchor: `verify --anchor` in its workspace agrees.
    run = unit.run("verify", "--anchor", code)
    assert run.code == 0 and "✓" in run.out, run.text
    from seccheck.app.packages import export_unit_package

    ctx = unit.context()
    try:
        receipt = export_unit_package(ctx, UNIT, 2026, tmp_path / "in-process.json")
    finally:
        ctx.db.close()
    assert receipt.code == code and receipt.path == tmp_path / "in-process.json" and len(receipt.digest) == 64

    rolled = json.loads(unit.run("rollup", UNIT, "--year", "2026", "--json").out)
    run = bureau.run("import", first)
    assert run.code == 0 and "已导入" in run.out, run.text
    coverage = _coverage(bureau)
    assert (coverage["unit_count"], coverage["department_count"], coverage["person_count"]) == (
        1,
        rolled["departments"]["completed"],
        rolled["people"]["completed"],
    )
    sentence = (
        f"全区1家单位、{rolled['departments']['completed']}个内设机构、"
        f"{rolled['people']['completed']}名人员完成保密自查自评。"
    )
    assert coverage["sentence"] == sentence
    assert sentence in bureau.run("summary", "--year", "2026").out
    # A bureau with packages and no campaign of its own still writes the year's document.
    run = bureau.run("summary", "--year", "2026", "--format", "docx", "--out", tmp_path / "out")
    assert run.code == 0, run.text
    from docx import Document

    written = Document(str(next((tmp_path / "out").glob("*.docx"))))
    assert any(sentence in p.text for p in written.paragraphs)
    # The campaign report of a campaign listing the unit states the same coverage.
    made = bureau.run("campaign", "create", "年度自查", "--year", "2026", "--ruleset", "unit-self-assessment")
    assert made.code == 0, made.text
    assert bureau.run("campaign", "add-unit", "年度自查", UNIT).code == 0
    own = tmp_path / "unit-self-assessment.toml"
    own.write_text((EXAMPLES / "unit-self-assessment.answers.toml").read_text(encoding="utf-8"), encoding="utf-8")
    imported = bureau.run("import", "--no-notice", "--campaign", "年度自查", own)
    assert imported.code == 0, imported.text
    report = bureau.run("report", "年度自查", "--format", "html", "--out", tmp_path / "report")
    assert report.code == 0 and sentence in report.out, report.text
    assert sentence in next((tmp_path / "report").glob("*.html")).read_text(encoding="utf-8")
    lines = bureau.run("summary", "--year", "2026").out.splitlines()
    assert lines[-1] == sentence and len(lines) >= 2  # after the campaigns' own paragraph

    # The same package again, and its identical re-export: nothing new.
    size = _ledger_size(bureau)
    for same in (first, again):
        run = bureau.run("import", same)
        assert run.code == 0 and "已导入过" in run.out, run.text
    assert _ledger_size(bureau) == size

    # Tampered: a figure changed (digest no longer matches); changed with the digest recomputed (the
    # keyed code fails); a self-assessment whose seal no longer matches its answers.
    from seccheck.domain import package as pkg

    data = json.loads(first.read_text(encoding="utf-8"))
    edited = json.loads(json.dumps(data))
    edited["body"]["figures"]["people"]["completed"] += 10
    bad = tmp_path / "edited.json"
    bad.write_text(json.dumps(edited, ensure_ascii=False), encoding="utf-8")
    run = bureau.run("import", bad)
    assert run.code == 1 and "摘要" in run.err and str(bad) in run.err, run.text
    edited["digest"] = pkg.package_digest(edited)
    bad.write_text(json.dumps(edited, ensure_ascii=False), encoding="utf-8")
    run = bureau.run("import", bad)
    assert run.code == 1 and "核验值" in run.err and "字段 mac" in run.err, run.text
    forged = json.loads(json.dumps(data))
    first_answer = next(iter(forged["body"]["self_assessment"]["answers"]))
    forged["body"]["self_assessment"]["answers"][first_answer]["note"] = "改过"
    forged["digest"] = pkg.package_digest(forged)
    bad.write_text(json.dumps(forged, ensure_ascii=False), encoding="utf-8")
    run = bureau.run("import", bad)
    assert run.code == 1 and "封签" in run.err, run.text
    broken = tmp_path / "broken.json"
    broken.write_text('{"seccheck_package": 1, "level": ', encoding="utf-8")
    run = bureau.run("import", broken)
    assert run.code == 1 and str(broken) in run.err and "重新导出" in run.err, run.text

    other_json = tmp_path / "result.json"
    other_json.write_text('{"audit_id": 1}', encoding="utf-8")
    run = bureau.run("import", other_json)
    assert run.code == 1 and "不是上报数据包" in run.err and ".toml" in run.err, run.text

    # Foreign: sealed with a key another bureau issued (the unit reports to two bureaus).
    other = _another(bureau, tmp_path, request, "other", "某市国家保密局")
    assert other.run("unit", "add", UNIT).code == 0
    other_key = tmp_path / "other-key.toml"
    assert other.run("unit", "key", "issue", UNIT, "--out", other_key).code == 0
    assert unit.run("unit", "key", "add", other_key).code == 0
    elsewhere = tmp_path / "for-the-city.json"
    _export(unit, elsewhere)
    run = bureau.run("import", elsewhere)
    assert run.code == 1 and "不是用本机关发出的上报密钥" in run.err and "字段 key_id" in run.err, run.text
    assert _ledger_size(bureau) == size

    # A revision: one more person self-checks; the new package replaces the figures (counted once).
    person = tmp_path / "lisi.toml"
    person.write_text(INDIVIDUAL.replace('person = "张某"', 'person = "李四"').replace("办公室", "人事科"), "utf-8")
    assert unit.run("import", "--no-notice", person).code == 0, unit.run("import", "--no-notice", person).text
    revised = tmp_path / "revised.json"
    assert _export(unit, revised) != code
    # Newest key wins at the unit: re-issue ours so that the revision is sealed for this bureau.
    _key(bureau, unit, tmp_path, UNIT)
    assert _export(unit, revised) != code
    run = bureau.run("import", revised)
    assert run.code == 0 and "第 2 版" in run.out, run.text
    assert bureau.run("import", revised).code == 0
    after = _coverage(bureau)
    assert after["unit_count"] == 1 and after["person_count"] == coverage["person_count"] + 1
    # The older package arriving late does not undo the revision.
    run = bureau.run("import", first)
    assert run.code == 0 and "已导入过" in run.out
    assert _coverage(bureau)["person_count"] == coverage["person_count"] + 1
    assert_ledger_intact(unit)
    assert_ledger_intact(other)
    run = bureau.run("verify", "--all")
    assert run.code == 0, run.text


def _district(tmp_path: Path, request: pytest.FixtureRequest, ws: Workspace, name: str, units: list[str]) -> Workspace:
    """A district bureau with its units' packages imported."""
    district = _another(ws, tmp_path, request, name, f"{name}国家保密局")
    for i, unit_name in enumerate(units):
        unit = _another(ws, tmp_path, request, f"{name}-unit{i}", unit_name)
        _unit_with_self_checks(unit, tmp_path, unit_name)
        assert district.run("unit", "add", unit_name).code == 0
        _key(district, unit, tmp_path, unit_name)
        path = tmp_path / f"{name}-{i}.json"
        _export(unit, path, unit_name)
        assert district.run("import", path).code == 0
    return district


def test_a_city_adds_two_districts_each_unit_once(
    workspace: Workspace, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    city = workspace
    # The same unit name in two districts: two units (a unit is its district plus its code or name).
    east = _district(tmp_path, request, city, "甲区", [UNIT, "某区财政局"])
    west = _district(tmp_path, request, city, "乙区", [UNIT])
    east_cov = _coverage(east)
    assert east_cov["unit_count"] == 2 and east_cov["region"] == "全区"
    for name, district in (("甲区保密局", east), ("乙区保密局", west)):
        assert city.run("unit", "add", name).code == 0
        _key(city, district, tmp_path, name, district=True)
    east_file, west_file = tmp_path / "east.json", tmp_path / "west.json"
    run = east.run("summary", "--year", "2026", "--export", east_file)
    assert run.code == 0 and "核验码" in run.out, run.text
    east_code = run.out.split("核验码：")[1].strip()
    assert east.run("verify", "--anchor", east_code).code == 0
    assert west.run("summary", "--year", "2026", "--export", west_file).code == 0

    # A unit's package cannot be passed off as a district's, nor a district key used by another.
    run = city.run("import", east_file)
    assert run.code == 0 and "单位 2 家" in run.out, run.text
    size = _ledger_size(city)
    run = city.run("import", east_file)  # the district package imported twice
    assert run.code == 0 and "已导入过" in run.out
    assert _ledger_size(city) == size
    assert city.run("import", west_file).code == 0
    cov = _coverage(city)
    per_unit = east_cov["person_count"] // 2
    assert (cov["unit_count"], cov["district_count"], cov["region"]) == (3, 2, "全市")
    assert cov["person_count"] == 3 * per_unit
    assert cov["department_count"] == 3 * (east_cov["department_count"] // 2)
    assert cov["sentence"].startswith("全市3家单位") and "（2个区县报送）" in cov["sentence"]

    # A district's later package (one more unit imported there) replaces its figures.
    extra = _another(city, tmp_path, request, "甲区-unit9", "某区卫健委")
    _unit_with_self_checks(extra, tmp_path, "某区卫健委")
    assert east.run("unit", "add", "某区卫健委").code == 0
    _key(east, extra, tmp_path, "某区卫健委")
    _export(extra, tmp_path / "extra.json", "某区卫健委")
    assert east.run("import", tmp_path / "extra.json").code == 0
    later = tmp_path / "east-later.json"
    assert east.run("summary", "--year", "2026", "--export", later).code == 0
    run = city.run("import", later)
    assert run.code == 0 and "第 2 版" in run.out, run.text
    assert _coverage(city)["unit_count"] == 4
    # The district's key cannot seal a package claiming to be the other district's.
    data = json.loads(later.read_text(encoding="utf-8"))
    data["subject"] = "乙区保密局"
    from seccheck.domain import package as pkg

    data["digest"] = pkg.package_digest(data)
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    run = city.run("import", forged)
    assert run.code == 1 and "甲区保密局" in run.err and "乙区保密局" in run.err, run.text
    assert city.run("verify", "--all").code == 0


@pytest.mark.tampered
def test_verify_all_catches_a_package_changed_behind_the_ledgers_back(
    workspace: Workspace, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from sqlalchemy import text

    bureau = workspace
    unit = _another(bureau, tmp_path, request, "unit", UNIT)
    _unit_with_self_checks(unit, tmp_path)
    assert bureau.run("unit", "add", UNIT).code == 0
    _key(bureau, unit, tmp_path, UNIT)
    path = tmp_path / "package.json"
    _export(unit, path)
    assert bureau.run("import", path).code == 0
    assert "全区1家单位" in _coverage(bureau)["sentence"]
    db = bureau.db()
    with db.engine.begin() as conn:  # a figure raised in the database, bypassing seccheck
        conn.execute(text("UPDATE packages SET year = 2025 WHERE id = 1"))
    db.close()
    run = bureau.run("verify", "--all")
    assert run.code == 1 and "上报数据包 1" in run.err, run.text
    db = bureau.db()
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE packages SET year = 2026 WHERE id = 1"))
        conn.execute(text("DELETE FROM packages"))
    db.close()
    run = bureau.run("verify", "--all")
    assert run.code == 1 and "上报数据包" in run.err, run.text
