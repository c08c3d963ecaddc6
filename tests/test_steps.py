"""`step` on range deductions and `max` on per-occurrence deductions: worked examples computed by hand.

tests/data/steps-example.toml: item A (2 points) has A1 range [0.1, 0.5] step 0.1 and A2 range
[0.25, 1] step 0.25; B (1 point) 0.1 per occurrence, at most 0.5; C (2 points) 0.25 per occurrence,
at most 0.75; D (1 point) fixed 1; E aggravating, 0.5 per occurrence, at most 1. Applicable total 6.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from seccheck.app.audits import load_audit, open_draft
from seccheck.app.context import Context, FixedClock, current_actor
from seccheck.app.interview import DraftRecorder
from seccheck.app.workspace import create_workspace
from seccheck.domain.answers import Answers
from seccheck.domain.answertext import AnswerTextError, parse_deduct
from seccheck.domain.scoring import score
from seccheck.domain.validate import check_answers
from seccheck.errors import BadInput
from seccheck.interview.flow import Interview
from seccheck.ruleset.load import load_ruleset, load_ruleset_text
from seccheck.ruleset.model import Ruleset
from seccheck.storage.db import Database
from tests.conftest import DATA, seccheck
from tests.test_interview import ScriptedAsker

RULESET = DATA / "steps-example.toml"


@pytest.fixture(scope="module")
def rs() -> Ruleset:
    return load_ruleset(RULESET).ruleset


def answers(values: dict[str, Any]) -> Answers:
    return Answers.model_validate(
        {"format": 1, "ruleset": "steps-example", "unit": "某局", "date": "2026-11-20", "answers": values}
    )


CASE_1 = {
    "A1": {"value": False, "deduct": Decimal("0.3")},
    "A2": {"value": False, "deduct": Decimal("0.75")},
    "B": 7,
    "C": 2,
    "D": True,
    "E": 3,
}


def test_steps_and_caps_case_1(rs: Ruleset) -> None:
    a = answers(CASE_1)
    assert check_answers(rs, a) == []
    r = score(rs, a)
    items = {i.id: i for c in r.categories for i in c.items}
    checks = {c.id: c for i in items.values() for c in i.checks}
    # A: 0.3 + 0.75 = 1.05 of 2 -> earns 0.95
    assert checks["A1"].deduction == Decimal("0.3") and checks["A2"].deduction == Decimal("0.75")
    assert items["A"].earned == Decimal("0.95")
    # B: 7 x 0.1 = 0.7, at most 0.5 -> earns 0.5
    assert checks["B"].deduction == Decimal("0.5") and items["B"].earned == Decimal("0.5")
    # C: 2 x 0.25 = 0.5, under the cap 0.75 -> earns 1.5
    assert checks["C"].deduction == Decimal("0.5") and items["C"].earned == Decimal("1.5")
    # E (aggravating): 3 x 0.5 = 1.5, at most 1
    assert items["E"].deduction == 1
    # earned 0.95 + 0.5 + 1.5 + 1 = 3.95; raw 3.95 - 1 = 2.95; 2.95 / 6 = 49.1666… -> 49.2
    assert (r.applicable, r.earned, r.aggravated, r.raw) == (6, Decimal("3.95"), 1, Decimal("2.95"))
    assert r.percent == Decimal("49.2") and r.grade == "不符合要求"
    assert sorted(f.check_id for f in r.findings) == ["A1", "A2", "B", "C", "E"]
    assert {f.check_id: f.deduction for f in r.findings}["B"] == Decimal("0.5")
    from seccheck.text import zh

    assert "最多扣 0.5 分" in (zh.check_reason(checks["B"], r) or "")
    a1, a2 = zh.check_reason(checks["A1"], r) or "", zh.check_reason(checks["A2"], r) or ""
    assert "按 0.1 分" in a1 and "按 0.25 分" in a2


def test_steps_and_caps_case_2(rs: Ruleset) -> None:
    a = answers({"A1": True, "A2": {"value": False, "deduct": Decimal("0.25")}, "B": 3, "C": 5, "D": True, "E": 0})
    assert check_answers(rs, a) == []
    r = score(rs, a)
    items = {i.id: i for c in r.categories for i in c.items}
    # A 2 - 0.25 = 1.75; B 1 - 0.3 = 0.7; C 5 x 0.25 = 1.25 capped 0.75 -> 1.25; D 1
    assert [items[k].earned for k in "ABCD"] == [Decimal("1.75"), Decimal("0.7"), Decimal("1.25"), 1]
    # 4.7 / 6 = 78.333… -> 78.3
    assert r.earned == Decimal("4.7") and r.aggravated == 0 and r.percent == Decimal("78.3")
    assert r.grade == "不符合要求"


def test_a_single_step_of_0_1(rs: Ruleset) -> None:
    a = answers({"A1": {"value": False, "deduct": Decimal("0.1")}, "A2": True, "B": 0, "C": 0, "D": True, "E": 0})
    r = score(rs, a)
    # 5.9 / 6 = 98.333… -> 98.3
    assert r.earned == Decimal("5.9") and r.percent == Decimal("98.3") and r.grade == "符合要求"


@pytest.mark.parametrize(
    ("ident", "deduct", "words"),
    [
        ("A1", "0.35", "按 0.1 分取值"),
        ("A1", "0.6", "0.1 至 0.5"),
        ("A2", "0.3", "按 0.25 分取值"),
        ("A2", "0.5", None),
        ("A1", "0.2", None),
    ],
)
def test_answers_file_deduct_must_be_a_whole_number_of_steps(
    rs: Ruleset, ident: str, deduct: str, words: str | None
) -> None:
    values = dict(CASE_1)
    values[ident] = {"value": False, "deduct": Decimal(deduct)}
    problems = [p for p in check_answers(rs, answers(values)) if not p.warning]
    if words is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problems[0].id == ident and problems[0].field == "deduct"
        assert words in problems[0].message


def test_typed_deduct_lists_the_allowed_amounts() -> None:
    assert parse_deduct("0.75", (Decimal("0.25"), Decimal(1)), Decimal("0.25")) == Decimal("0.75")
    with pytest.raises(AnswerTextError) as err:
        parse_deduct("0.3", (Decimal("0.25"), Decimal(1)), Decimal("0.25"))
    assert "0.25、0.5、0.75、1" in str(err.value)
    with pytest.raises(AnswerTextError) as err:
        parse_deduct("0.15", (Decimal("0.1"), Decimal(1)), Decimal("0.1"))
    assert "0.1、0.2…1" in str(err.value)


BASE = """format = 1
id = "x"
title = "x"
version = "1"
[[item]]
id = "1"
category = "c"
title = "t"
points = 2
question = "q？"
"""


@pytest.mark.parametrize(
    ("keys", "words"),
    [
        ("deduct = [0.1, 0.5]\nstep = 0.25", "应为步长 0.25 分的整数倍"),
        ("deduct = [0.5, 1.2]", "应为步长 0.5 分的整数倍"),
        ("deduct = 1\nstep = 0.1", "step（仅用于区间扣分"),
        ("deduct = [0.5, 1]\nstep = 0", "应大于 0"),
        ('kind = "count"\nmax = 1', "max（用于 number"),
        ('kind = "count"\nper = 0.5\nmax = 0.25', "应不小于每起扣分"),
        ("max = 1", "max（用于 number"),
    ],
)
def test_ruleset_step_and_max_are_validated(keys: str, words: str) -> None:
    with pytest.raises(BadInput) as err:
        load_ruleset_text(BASE + keys + "\n" + CATEGORY)
    named = [p for p in err.value.problems if words in p.message]
    assert named, [p.message for p in err.value.problems]
    assert named[0].id == "1"


CATEGORY = '[[category]]\nid = "c"\ntitle = "c"\n'


def test_ruleset_show_and_score_explain_say_the_step_and_the_cap(tmp_path: Path) -> None:
    shown = seccheck("ruleset", "show", RULESET)
    assert shown.code == 0, shown.text
    assert "不合规扣 0.1–0.5 分（按 0.1 分）" in shown.out
    assert "不合规扣 0.25–1 分（按 0.25 分）" in shown.out
    assert "每起扣 0.1 分，最多扣 0.5 分" in shown.out
    assert "每起扣 0.5 分，最多扣 1 分" in shown.out and "累加不封顶" not in shown.out
    path = tmp_path / "a.answers.toml"
    path.write_text(
        'format = 1\nruleset = "steps-example"\nunit = "某局"\ndate = 2026-11-20\n[answers]\n'
        "A1 = { value = false, deduct = 0.3 }\nA2 = { value = false, deduct = 0.75 }\n"
        "B = 7\nC = 2\nD = true\nE = 3\n",
        encoding="utf-8",
    )
    run = seccheck("score", path, "--ruleset", RULESET, "--explain")
    assert run.code == 0, run.text
    assert "发现 7 起，每起扣 0.1 分，合计 0.7 分，本检查最多扣 0.5 分" in run.out
    assert "扣 0.3 分（区间 0.1–0.5 分，按 0.1 分，检查人员酌定）" in run.out
    assert "加重扣分 = 1 = 1" in run.out
    assert "得分率 = 2.95 ÷ 6 × 100%" in run.out and "49.2%" in run.out


def test_interview_asks_for_an_amount_on_the_step(tmp_path: Path) -> None:
    loaded = load_ruleset(RULESET)
    ws = create_workspace(tmp_path / "ws")
    ctx = Context(current_actor(), ws, Database(ws.db_url), FixedClock(dt.date(2026, 11, 21)))
    try:
        meta = Answers(
            format=1, ruleset="steps-example", unit="某局", date=dt.date(2026, 11, 20), mode="inspection", answers={}
        )
        audit_id = open_draft(ctx, loaded, meta, campaign=None, new_unit=True).audit_id
        record = load_audit(ctx, audit_id)
        asker = ScriptedAsker(["否", "0.35", "0.3", "", "", "否", "0.3", "0.75", "", ""])
        iv = Interview(record.ruleset.ruleset, record.answers, asker, DraftRecorder(ctx, audit_id), audit_id=audit_id)
        iv.run()
        deduct_prompts = [p.text for p in asker.prompts if p.kind == "deduct"]
        assert deduct_prompts[0] == "扣分（0.1–0.5，按 0.1 分：0.1、0.2、0.3、0.4、0.5）"
        assert deduct_prompts[-1] == "扣分（0.25–1，按 0.25 分：0.25、0.5、0.75、1）"
        errors = [m for m in asker.messages() if "按" in m]
        assert errors[0].startswith("扣分应在 0.1 至 0.5 之间，按 0.1 分取值：0.1、0.2、0.3、0.4、0.5")
        assert errors[1].startswith("扣分应在 0.25 至 1 之间，按 0.25 分取值：0.25、0.5、0.75、1")
        saved = load_audit(ctx, audit_id).answers.answers
        assert saved["A1"].deduct == Decimal("0.3") and saved["A2"].deduct == Decimal("0.75")
    finally:
        ctx.db.close()


def test_an_amendment_takes_the_check_s_step(rs: Ruleset) -> None:
    from seccheck.domain.settings import parse_settings

    current = answers(CASE_1)
    changes = parse_settings(rs, current, ["A2=否:0.5", "A1=否:0.4"], [])
    assert changes["A2"].deduct == Decimal("0.5") and changes["A1"].deduct == Decimal("0.4")
    with pytest.raises(BadInput) as err:
        parse_settings(rs, current, ["A2=否:0.3", "A1=否:0.45"], [])
    messages = {p.id: p.message for p in err.value.problems}
    assert "按 0.25 分取值" in messages["A2"] and "按 0.1 分取值" in messages["A1"]
