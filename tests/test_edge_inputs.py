"""SQLite and PostgreSQL accept and refuse exactly the same inputs (records.md §6, issue 11).

One corpus of edge inputs — NUL and other control characters, text at and past its limit, many
decimals, huge and non-finite numbers, far dates, long paths — is imported as answers files through
the use cases into both databases. Each file is either stored and read back identically, or refused
with a message naming the file and the field; never an unhandled exception. The whole corpus goes
in as one batch, so a bad file never stops the rest."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from seccheck import limits
from seccheck.app.context import Context, FixedClock
from seccheck.app.imports import ImportOptions, ImportReport, import_files
from seccheck.app.units import add_unit
from seccheck.app.workspace import create_workspace
from seccheck.domain.answers import Answers
from seccheck.errors import BadInput, Problem
from seccheck.io.answersfile import load_answers
from seccheck.storage import audits as repo
from seccheck.storage.db import Database
from tests.conftest import DATA, TODAY, seccheck

# The module-scoped fixture is made once: the tests run on one xdist worker (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("edge-inputs")

RULESET = DATA / "edge-inputs.toml"
OPTIONS = ImportOptions(ruleset=str(RULESET), new_unit=True, another=True, accept_date=True, notice=False)


class Raw(str):
    """A TOML value written as it is (a number, a date, nan …), not as a string."""


def toml(value: Any) -> str:
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, str):
        # JSON escapes (\u0000, \n) are TOML escapes; TOML wants DEL escaped too.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {toml(v)}" for k, v in value.items()) + " }"
    return str(value)


def answers_text(changes: dict[str, Any]) -> str:
    """The corpus's base answers file with some top-level keys or (as "a.ID") answers changed."""
    top: dict[str, Any] = {
        "format": Raw("1"),
        "ruleset": "edge-inputs",
        "ruleset_version": "1",
        "unit": "某区教育局",
        "date": Raw("2026-11-20"),
        "mode": "inspection",
        "inspectors": ["张三"],
    }
    answers: dict[str, Any] = {"1": True, "2": Raw("0"), "3": Raw("6"), "4": "无", "5": Raw("2026-10-01")}
    for key, value in changes.items():
        if key.startswith("a."):
            answers[key[2:]] = value
        else:
            top[key] = value
    lines = [f"{key} = {toml(value)}" for key, value in top.items()] + ["", "[answers]"]
    lines += [f"{json.dumps(key)} = {toml(value)}" for key, value in answers.items()]
    return "\n".join(lines) + "\n"


def range_answer(**extra: Any) -> dict[str, Any]:
    return {"value": False, "deduct": Raw("0.5"), **extra}


N = limits
# name: (changes, None when it is stored | (id or None, field) a refusal must name)
CORPUS: dict[str, tuple[dict[str, Any], tuple[str | None, str] | None]] = {
    # --- stored: at the limits, and unusual but printable text
    "base": ({}, None),
    "unit at limit": ({"unit": "某" * N.NAME}, None),
    "unit astral": ({"unit": "𠀀𠀁保密局🙂"}, None),
    "inspectors at limit": ({"inspectors": [f"{n:02d}" + "李" * (N.PERSON - 2) for n in range(N.PEOPLE)]}, None),
    "methods at limit": ({"methods": [f"{n}" + "查" * (N.METHOD - 1) for n in range(N.METHODS)]}, None),
    "version at limit": ({"ruleset_version": "v" * N.VERSION}, None),
    "note at limit, lines and tabs": ({"a.1": range_answer(note="第一行\n\t第二行" + "情" * (N.NOTE - 8))}, None),
    "text at limit": ({"a.4": "文" * (N.TEXT_ANSWER - 2) + "\r\n"}, None),
    "deduct two decimals": ({"a.1": range_answer(deduct=Raw("1.50"))}, None),
    "count at bound": ({"a.2": Raw(str(N.COUNT_MAX))}, None),
    "number four decimals": ({"a.3": Raw("6.1234")}, None),
    "number near bound": ({"a.3": Raw("-999999999999.9999")}, None),
    "number exponent": ({"a.3": Raw("1.5e3")}, None),
    "date answer 9999-12-31": ({"a.5": Raw("9999-12-31")}, None),
    "date answer 0001-01-01": ({"a.5": Raw("0001-01-01")}, None),
    "audit date first year": ({"date": Raw("1950-01-01")}, None),
    "audit date last year": ({"date": Raw("2200-12-31")}, None),
    # --- refused: characters neither database should hold (PostgreSQL cannot store NUL)
    "NUL in unit": ({"unit": "某区\x00教育局"}, (None, "unit")),
    "ESC in unit": ({"unit": "某区\x1b[2J教育局"}, (None, "unit")),
    "newline in unit": ({"unit": "某区\n教育局"}, (None, "unit")),
    "DEL in unit": ({"unit": "某区\x7f教育局"}, (None, "unit")),
    "C1 in unit": ({"unit": "某区\x85教育局"}, (None, "unit")),
    "NUL in inspector": ({"inspectors": ["张\x00三"]}, (None, "inspectors[0]")),
    "tab in inspector": ({"inspectors": ["张\t三"]}, (None, "inspectors[0]")),
    "NUL in method": ({"methods": ["查阅\x00资料"]}, (None, "methods[0]")),
    "NUL in version": ({"ruleset_version": "1\x00"}, (None, "ruleset_version")),
    "NUL in ruleset": ({"ruleset": "edge-inputs\x00"}, (None, "ruleset")),
    "NUL in note": ({"a.1": range_answer(note="未\x00听取")}, ("1", "note")),
    "ESC in note": ({"a.1": range_answer(note="未\x1b[31m听取")}, ("1", "note")),
    "NUL in evidence": ({"a.1": range_answer(evidence=["记录\x00.pdf"])}, ("1", "evidence[0]")),
    "newline in evidence": ({"a.1": range_answer(evidence=["记录\n.pdf"])}, ("1", "evidence[0]")),
    "NUL in text": ({"a.4": "无\x00"}, ("4", "value")),
    "BEL in text": ({"a.4": "无\x07"}, ("4", "value")),
    # --- refused: text past its limit (String(n) columns and printed documents)
    "unit too long": ({"unit": "某" * (N.NAME + 1)}, (None, "unit")),
    "inspector too long": ({"inspectors": ["李" * (N.PERSON + 1)]}, (None, "inspectors[0]")),
    "too many inspectors": ({"inspectors": [f"{n}李" for n in range(N.PEOPLE + 1)]}, (None, "inspectors")),
    "method too long": ({"methods": ["查" * (N.METHOD + 1)]}, (None, "methods[0]")),
    "version too long": ({"ruleset_version": "v" * 100}, (None, "ruleset_version")),
    "note too long": ({"a.1": range_answer(note="情" * (N.NOTE + 1))}, ("1", "note")),
    "text too long": ({"a.4": "文" * (N.TEXT_ANSWER + 1)}, ("4", "value")),
    "evidence path too long": ({"a.1": range_answer(evidence=["p" * (N.EVIDENCE_PATH + 1)])}, ("1", "evidence[0]")),
    "too many evidence files": ({"a.1": range_answer(evidence=[f"{n}.pdf" for n in range(21)])}, ("1", "evidence")),
    # --- refused: numbers that would lose precision or overflow
    "deduct 18 decimals": ({"a.1": range_answer(deduct=Raw("0.500000000000000000"))}, ("1", "deduct")),
    "deduct 3 decimals": ({"a.1": range_answer(deduct=Raw("0.505"))}, ("1", "deduct")),
    "deduct nan": ({"a.1": range_answer(deduct=Raw("nan"))}, ("1", "deduct")),
    "deduct inf": ({"a.1": range_answer(deduct=Raw("inf"))}, ("1", "deduct")),
    "deduct 1e999999999": ({"a.1": range_answer(deduct=Raw("1e999999999"))}, ("1", "deduct")),
    "deduct quoted": ({"a.1": range_answer(deduct="0.5")}, ("1", "deduct")),
    "deduct negative": ({"a.1": range_answer(deduct=Raw("-0.5"))}, ("1", "deduct")),
    "count 10^20": ({"a.2": Raw("100000000000000000000")}, ("2", "value")),
    "count past bound": ({"a.2": Raw(str(N.COUNT_MAX + 1))}, ("2", "value")),
    "count negative": ({"a.2": Raw("-1")}, ("2", "value")),
    "count with decimals": ({"a.2": Raw("3.5")}, ("2", "value")),
    "number nan": ({"a.3": Raw("nan")}, ("3", "value")),
    "number inf": ({"a.3": Raw("inf")}, ("3", "value")),
    "number -inf": ({"a.3": Raw("-inf")}, ("3", "value")),
    "number 1e30": ({"a.3": Raw("1e30")}, ("3", "value")),
    "number 1e999999999": ({"a.3": Raw("1e999999999")}, ("3", "value")),
    "number 10^20": ({"a.3": Raw("100000000000000000000")}, ("3", "value")),
    "number 18 decimals": ({"a.3": Raw("6.123456789012345678")}, ("3", "value")),
    # --- refused: dates deadlines cannot be counted from
    "audit date 9999-12-31": ({"date": Raw("9999-12-31")}, (None, "date")),
    "audit date 0001-01-01": ({"date": Raw("0001-01-01")}, (None, "date")),
    "audit date with time": ({"date": Raw("2026-11-20T10:00:00")}, (None, "date")),
}


def write_corpus(folder: Path) -> list[Path]:
    folder.mkdir(parents=True)
    paths = []
    for n, (name, (changes, _)) in enumerate(CORPUS.items()):
        path = folder / f"{n:02d}-{name.replace(' ', '_').replace('^', '')}.toml"
        path.write_text(answers_text(changes), encoding="utf-8")
        paths.append(path)
    # Paths are recorded as the audit's source: a path past its limit is refused, one at it is kept.
    deep = folder
    while len(str(deep)) < limits.SOURCE_PATH:
        deep = deep / ("d" * 50)
    deep.mkdir(parents=True)
    path = deep / "long-path.toml"
    path.write_text(answers_text({"unit": "长路径单位"}), encoding="utf-8")
    paths.append(path)
    odd = folder / "name\nwith\x1bcontrols.toml"
    odd.write_text(answers_text({"unit": "控制字符文件名"}), encoding="utf-8")
    paths.append(odd)
    return paths


def context(root: Path, url: str) -> Context:
    ws = create_workspace(root, issuer="某区国家保密局", prefix="某保检", db_url=url)
    return Context(actor="测试员", workspace=ws, db=Database(url, key_file=ws.key_file), clock=FixedClock(TODAY))


def outcomes(ctx: Context, report: ImportReport) -> dict[str, tuple[str, Any]]:
    """Per file name: ("stored", what was read back) or ("refused", the problems without the folder)."""
    found: dict[str, tuple[str, Any]] = {}
    with ctx.db.read() as session:
        for done in report.done:
            audit = repo.get(session, done.audit_id)
            answers = repo.answers_of(session, audit, repo.unit_name(session, audit))
            found[done.path.name] = ("stored", (done.grade, readable(answers)))
    for path, problems in report.failed:
        found[path.name] = ("refused", [(p.id, p.field, p.message) for p in problems])
    return found


def readable(answers: Answers) -> str:
    """Everything stored of the answers, exactly, each number in its one canonical spelling (records.md
    §5: 1.50 and 1.5 are the same number; NUMERIC reads back the shortest). The audit records the
    ruleset it was scored with; the file's `ruleset_version` is only compared with it (a warning)."""
    from seccheck.domain.ledger import canonical_decimal

    def canon(value: object) -> object:
        if isinstance(value, dict):
            return {k: canon(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [canon(v) for v in value]
        if isinstance(value, Decimal):
            return ("decimal", canonical_decimal(value))
        return value

    return repr(canon(answers.model_dump(exclude={"ruleset", "ruleset_version"})))


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory, pg_server: Any) -> dict[str, Any]:
    """The corpus imported, as one batch each, into a SQLite and a PostgreSQL workspace."""
    root = tmp_path_factory.mktemp("edge")
    paths = write_corpus(root / "files")
    runs: dict[str, Any] = {}
    for kind, url in (("sqlite", f"sqlite:///{root / 'edge.db'}"), ("postgresql", pg_server.create_database())):
        ctx = context(root / kind, url)
        report = import_files(ctx, paths, OPTIONS)
        runs[kind] = {"ctx": ctx, "report": report, "outcomes": outcomes(ctx, report)}
    runs["paths"] = paths
    return runs


def test_sqlite_and_postgresql_give_identical_outcomes(both: dict[str, Any]) -> None:
    sqlite, postgresql = both["sqlite"]["outcomes"], both["postgresql"]["outcomes"]
    assert set(sqlite) == set(postgresql) == {p.name for p in both["paths"]}
    different = {name: (sqlite[name], postgresql[name]) for name in sqlite if sqlite[name] != postgresql[name]}
    assert not different


def test_the_whole_batch_is_tried(both: dict[str, Any]) -> None:
    for kind in ("sqlite", "postgresql"):
        report = both[kind]["report"]
        assert len(report.done) + len(report.failed) == len(both["paths"]), kind


@pytest.mark.parametrize("name", list(CORPUS))
def test_each_input_is_stored_as_given_or_refused_naming_the_field(both: dict[str, Any], name: str) -> None:
    index = list(CORPUS).index(name)
    path = both["paths"][index]
    expected = CORPUS[name][1]
    for kind in ("sqlite", "postgresql"):
        outcome, detail = both[kind]["outcomes"][path.name]
        if expected is None:
            assert outcome == "stored", (kind, detail)
            answers, _ = load_answers(path)
            assert detail[1] == readable(answers), kind  # read back exactly as the file gave it
        else:
            assert outcome == "refused", (kind, detail)
            ident, field = expected
            assert any(p_id == ident and p_field == field for p_id, p_field, _ in detail), (kind, detail)
            for _id, _field, message in detail:
                assert message and "Input should" not in message and "\x00" not in message, message


def test_file_paths_past_their_limit_or_with_control_characters_are_refused(both: dict[str, Any]) -> None:
    long_path, odd = both["paths"][-2], both["paths"][-1]
    assert len(str(long_path)) > limits.SOURCE_PATH
    for kind in ("sqlite", "postgresql"):
        outcome, detail = both[kind]["outcomes"][long_path.name]
        assert outcome == "refused" and "文件路径过长" in detail[0][2], (kind, detail)
        outcome, detail = both[kind]["outcomes"][odd.name]
        assert outcome == "refused" and "控制字符" in detail[0][2], (kind, detail)


def _problems(run: Any) -> list[Problem]:
    try:
        run()
    except BadInput as exc:
        return exc.problems
    raise AssertionError("accepted")


def test_a_bad_file_in_the_middle_of_a_batch_stops_nothing(db_url: str, tmp_path: Path) -> None:
    ctx = context(tmp_path / "ws", db_url)
    files = []
    for name, changes in (
        ("a.toml", {"unit": "甲单位"}),
        ("b.toml", {"unit": "乙单位", "a.1": range_answer(note="未\x00听取")}),
        ("c.toml", {"unit": "丙单位", "a.2": Raw("100000000000000000000")}),
        ("d.toml", {"unit": "丁单位"}),
    ):
        files.append(tmp_path / name)
        files[-1].write_text(answers_text(changes), encoding="utf-8")
    report = import_files(ctx, files, OPTIONS)
    assert [d.path.name for d in report.done] == ["a.toml", "d.toml"]
    assert [(p.name, [x.field for x in problems]) for p, problems in report.failed] == [
        ("b.toml", ["note"]),
        ("c.toml", ["value"]),
    ]
    # And through the command: the good files are in, the bad ones named, exit 1.
    run = seccheck(
        "import", "--ruleset", RULESET, "--new-unit", "--no-notice", *files,
        cwd=ctx.workspace.root, env={"SECCHECK_DB": db_url, "SECCHECK_TODAY": TODAY.isoformat()},
    )  # fmt: skip
    assert run.code == 1, run.text
    assert "b.toml" in run.err and "c.toml" in run.err and "\x00" not in run.text


def test_actor_and_workspace_settings_reaching_the_database_are_checked(db_url: str, tmp_path: Path) -> None:
    ctx = context(tmp_path / "ws", db_url)
    # The actor (SECCHECK_USER or the login name) is recorded with every change.
    for bad in ("张\x01三", "张\x1b[2J三", "李" * (limits.PERSON + 1)):  # an environment cannot hold NUL
        run = seccheck("audit", "list", cwd=ctx.workspace.root, env={"SECCHECK_DB": db_url, "SECCHECK_USER": bad})
        assert run.code == 1 and "操作人" in run.err and "字段" not in run.err, run.text
    ok = seccheck(
        "audit", "list", cwd=ctx.workspace.root, env={"SECCHECK_DB": db_url, "SECCHECK_USER": "李" * limits.PERSON}
    )
    assert ok.code == 0, ok.text
    # Workspace settings: refused before anything is written.
    for option, value in (("--issuer", "某局\x00"), ("--issuer", "局" * (limits.NAME + 1)), ("--prefix", "保\x1b")):
        folder = tmp_path / f"init{len(value)}{option}"
        run = seccheck("init", folder, "--issuer", "某局", option, value, env={"SECCHECK_DB": db_url})
        assert run.code == 1 and f"选项 {option}" in run.err, run.text
        assert not (folder / "seccheck.toml").exists()
    with pytest.raises(BadInput) as caught:
        create_workspace(tmp_path / "insp", issuer="某局", inspectors=["张\x00三"], db_url=db_url)
    assert caught.value.problems[0].field == "defaults.inspectors[0]"
    # A unit's particulars (String(64) columns): refused past their limits, kept at them.
    problems = _problems(lambda: add_unit(ctx, "某单位", code="9" * (limits.UNIT_CODE + 1)))
    assert [p.field for p in problems] == ["code"]
    problems = _problems(lambda: add_unit(ctx, "某单位", kind="党\x00政机关"))
    assert [p.field for p in problems] == ["kind"]
    assert add_unit(ctx, "某单位", code="9" * limits.UNIT_CODE, kind="类" * limits.UNIT_KIND, contact="联" * 200) > 0


def test_typed_answers_follow_the_same_limits(db_url: str, tmp_path: Path) -> None:
    ctx = context(tmp_path / "ws", db_url)
    path = tmp_path / "a.toml"
    path.write_text(answers_text({"a.1": range_answer()}), encoding="utf-8")
    report = import_files(ctx, [path], OPTIONS)
    audit_id = report.done[0].audit_id
    env = {"SECCHECK_DB": db_url, "SECCHECK_TODAY": TODAY.isoformat(), "SECCHECK_USER": "测试员"}
    for setting, words in (
        ("2=100000000000000000000", "过大"),
        ("2=²", "不是有效的答案"),
        ("3=nan", "有限的数字"),
        ("3=1e999999999", "绝对值应小于"),
        ("3=6.123456", "最多 4 位小数"),
        ("1=否:0.500000000000000000", "最多 2 位小数"),
        ("4=无\x1b[2J", "控制字符"),
    ):
        args = ("audit", "amend", str(audit_id), "--set", setting, "--no-notice")
        run = seccheck(*args, cwd=ctx.workspace.root, env=env)
        assert run.code == 1 and words in run.err and "--set" in run.err, (setting, run.text)
    run = seccheck(
        "audit", "amend", str(audit_id), "--note", "1=未\x00听取", "--no-notice", cwd=ctx.workspace.root, env=env
    )
    assert run.code == 1 and "--note" in run.err and "U+0000" in run.err, run.text
    run = seccheck("audit", "amend", str(audit_id), "--set", "3=6.1234", "--no-notice", cwd=ctx.workspace.root, env=env)
    assert run.code == 0, run.text
    with ctx.db.read() as session:
        audit = repo.get(session, audit_id)
        stored = repo.answers_of(session, audit, repo.unit_name(session, audit))
    assert str(stored.answers["3"].value) == "6.1234"
    assert stored.date == dt.date(2026, 11, 20)
