"""Results carry reason codes and numbers; seccheck.text.zh words them (issue 11, acceptance 1).

- The sentences are those 0.1 put into results: checked over 160 scored answer sets captured before
  the change (tests/data/wording-golden.json) and over the real 0.1.0 records of the migration test.
- Rewording a sentence changes no field of a result.
- Results stored by 0.1 still load, show their own sentences and agree with a rescoring.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from seccheck.domain.answers import Answers
from seccheck.domain.reasons import Capped, PerOccurrenceCapped, Range
from seccheck.domain.result import CheckResult, Result, result_from_data, result_to_json, scores_agree
from seccheck.domain.scoring import score
from seccheck.domain.seal import decode_value
from seccheck.io.answersfile import load_answers
from seccheck.ruleset.load import load_ruleset, load_ruleset_text
from seccheck.ruleset.model import Ruleset
from seccheck.text import zh
from tests.conftest import DATA

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = json.loads((DATA / "wording-golden.json").read_text(encoding="utf-8"))
NEW_SENTENCES = {"na", "unanswered"}  # check reasons 0.1 did not word (nor a check out with its item)


def _checks(result: Result) -> list[CheckResult]:
    return [c for cat in result.categories for i in cat.items for c in i.checks]


def sentences(r: Result) -> list[list[str]]:
    """Every sentence of a result, in the order and with the keys make_wording_golden.py used."""
    out = [["grade", zh.grade_reason(r)]]
    for cat in r.categories:
        if text := zh.category_reason(cat):
            out.append([f"category {cat.id}", text])
        for item in cat.items:
            if text := zh.item_reason(item):
                out.append([f"item {item.id}", text])
            for chk in item.checks:
                out.append([f"answer {chk.id}", zh.check_answer(chk)])
                if chk.legacy_reason is None:
                    if not item.applicable and chk.id != item.id:
                        continue
                    if item.applicable and chk.reason is not None and chk.reason.code in NEW_SENTENCES:
                        continue
                if text := zh.check_reason(chk, r):
                    out.append([f"check {chk.id}", text])
    for f in r.findings:
        out.append([f"finding {f.check_id}", zh.finding_text(f)])
        out.append([f"finding answer {f.check_id}", zh.finding_answer(f)])
    return out


def _ruleset(source: str) -> Ruleset:
    if source in GOLDEN["rulesets"]:
        return load_ruleset_text(GOLDEN["rulesets"][source], source).ruleset
    return load_ruleset(ROOT / source).ruleset


def _answers(rs: Ruleset, given: dict[str, Any]) -> Answers:
    def table(v: Any) -> bool:
        return isinstance(v, dict) and not ({"decimal", "date"} & set(v))

    decoded = {k: {kk: decode_value(vv) for kk, vv in v.items()} if table(v) else decode_value(v)
               for k, v in given.items()}  # fmt: skip
    return Answers.model_validate(
        {
            "format": 1,
            "ruleset": rs.id,
            "unit": "某单位",
            "date": "2026-11-20",
            "mode": "inspection",
            "answers": decoded,
        }
    )


@pytest.mark.parametrize("n", range(len(GOLDEN["cases"])))
def test_sentences_are_those_of_0_1(n: int) -> None:
    case = GOLDEN["cases"][n]
    rs = _ruleset(case["ruleset"])
    result = score(rs, _answers(rs, case["answers"]))
    assert sentences(result) == case["sentences"]


def test_the_golden_cases_cover_every_reason_code() -> None:
    """A golden file that missed a code would let its sentence change unseen."""
    seen: set[str] = set()
    for case in GOLDEN["cases"]:
        rs = _ruleset(case["ruleset"])
        r = score(rs, _answers(rs, case["answers"]))
        seen.add(r.grade_reason.code if r.grade_reason else "")
        for cat in r.categories:
            seen.update([cat.reason.code] if cat.reason else [])
            for item in cat.items:
                seen.update([item.reason.code] if item.reason else [])
                seen.update(c.reason.code for c in item.checks if c.reason)
    codes = {
        "fixed", "range", "per_occurrence", "per_occurrence_capped", "choice", "item_points", "not_counted",
        "not_applicable_expr", "category_not_applicable", "na", "unanswered", "no_applicable_items", "capped",
        "aggravating", "grade_by_score", "grade_veto", "grade_checklist",
    }  # fmt: skip
    assert seen == codes


# --- the worked example: codes and numbers ---------------------------------------------------------


def worked_example() -> Result:
    rs = load_ruleset(DATA / "worked-example.toml").ruleset
    answers, _ = load_answers(DATA / "worked-example.answers.toml")
    return score(rs, answers)


def test_worked_example_result_json_has_codes_and_numbers() -> None:
    data = json.loads(result_to_json(worked_example()))
    assert data["format"] == 2
    assert data["grade_reason"] == {
        "code": "grade_by_score",
        "percent": "45.8",
        "normalize": True,
        "at_least": "0",
        "below": "80",
    }
    checks = {c["id"]: c for cat in data["categories"] for i in cat["items"] for c in i["checks"]}
    items = {i["id"]: i for cat in data["categories"] for i in cat["items"]}
    assert checks["1a"]["value"] is False and checks["1a"]["kind"] == "yesno"
    assert checks["1a"]["reason"] == {"code": "fixed", "amount": "1"}
    assert checks["1a"]["breach"]["expected"] is True
    assert checks["1b"]["reason"] == {
        "code": "range",
        "amount": "0.5",
        "low": "0.5",
        "high": "1",
        "step": None,
        "chosen": True,
    }
    assert checks["3"]["value"] == 4
    assert checks["3"]["reason"] == {"code": "per_occurrence", "count": 4, "per": "2", "amount": "8"}
    assert checks["1c"]["reason"] is None and checks["1c"]["compliant"] is True
    assert checks["4"]["na"] is True and checks["4"]["applicable"] is False  # the item answered na
    assert checks["4"]["reason"] == {"code": "na"}
    assert items["3"]["reason"] == {"code": "capped", "total": "8", "points": "5"}
    assert items["4"]["reason"] == {"code": "na"}
    assert items["1"]["reason"] is None
    assert [f["check_id"] for f in data["findings"]] == ["1a", "1b", "3"]
    assert data["findings"][0]["value"] is False and data["findings"][0]["finding"] is None
    # No sentence, and no legacy field, is in a result made now.
    text = json.dumps(data, ensure_ascii=False)
    worded = [words for key, words in sentences(worked_example()) if key.startswith(("grade", "item", "check"))]
    assert len(worded) == 7 and not [words for words in worded if words in text]
    assert "合规答案" not in text and "legacy" not in text
    # Read back, it is the same result.
    assert result_from_data(data) == worked_example()


def test_worked_example_sentences() -> None:
    r = worked_example()
    checks = {c.id: c for c in _checks(r)}
    assert zh.check_reason(checks["1b"], r) == "答“否”（合规答案为“是”），扣 0.5 分（区间 0.5–1 分，检查人员酌定）"
    assert zh.check_reason(checks["3"], r) == "发现 4 起，每起扣 2 分，共扣 8 分"
    assert zh.grade_reason(r) == "得分率 45.8%，低于 80%"


def test_rewording_changes_no_field_of_a_result(monkeypatch: pytest.MonkeyPatch) -> None:
    r = worked_example()
    before_json = result_to_json(r)
    before_words = sentences(r)
    for key, words in list(zh.WORDS.items()):
        monkeypatch.setitem(zh.WORDS, key, "改写：" + words)
    again = worked_example()
    assert result_to_json(again) == before_json
    after_words = sentences(again)
    # The test can fail: the sentences did change.
    assert after_words != before_words
    assert all(a[1].startswith("改写：") or a[0].startswith(("answer", "finding")) for a in after_words)
    assert zh.grade_reason(again) == "改写：改写：得分率 45.8改写：%，低于 80改写：%"


# --- step on a range and max on per-occurrence deductions --------------------------------------


STEP_AND_CAP = """
format = 1
id = "step-cap"
title = "步长与上限"
version = "1"

[[category]]
id = "a"
title = "甲"

[[item]]
id = "1"
category = "a"
title = "区间"
points = 2
question = "是否？"
deduct = [0.1, 0.5]
step = 0.1

[[item]]
id = "2"
category = "a"
title = "按起"
points = 3
question = "几起？"
kind = "count"
per = 0.25
max = 1
"""


def test_step_and_cap_are_in_the_result_and_worded() -> None:
    rs = load_ruleset_text(STEP_AND_CAP).ruleset
    a = Answers.model_validate(
        {
            "format": 1,
            "ruleset": "step-cap",
            "unit": "某单位",
            "date": "2026-11-20",
            "answers": {"1": {"value": False, "deduct": Decimal("0.3")}, "2": 6},
        }
    )
    r = score(rs, a)
    checks = {c.id: c for c in _checks(r)}
    assert checks["1"].reason == Range(amount=Decimal("0.3"), low=Decimal("0.1"), high=Decimal("0.5"),
                                       step=Decimal("0.1"), chosen=True)  # fmt: skip
    assert checks["2"].reason == PerOccurrenceCapped(
        count=6, per=Decimal("0.25"), total=Decimal("1.50"), cap=Decimal(1), amount=Decimal(1)
    )
    assert checks["2"].deduction == 1
    assert (
        zh.check_reason(checks["1"], r)
        == "答“否”（合规答案为“是”），扣 0.3 分（区间 0.1–0.5 分，按 0.1 分，检查人员酌定）"
    )
    assert zh.check_reason(checks["2"], r) == "发现 6 起，每起扣 0.25 分，合计 1.5 分，本检查最多扣 1 分"
    data = json.loads(result_to_json(r))
    reason = data["categories"][0]["items"][1]["checks"][0]["reason"]
    assert reason == {
        "code": "per_occurrence_capped",
        "count": 6,
        "per": "0.25",
        "total": "1.50",
        "cap": "1",
        "amount": "1",
    }


def test_a_capped_item_keeps_its_numbers() -> None:
    r = worked_example()
    item = next(i for c in r.categories for i in c.items if i.id == "3")
    assert item.reason == Capped(total=Decimal(8), points=Decimal(5))
    assert zh.item_reason(item) == "扣分合计 8 分，超过本项分值，按 5 分扣"


# --- results stored by 0.1 ---------------------------------------------------------------------------


def _records() -> dict[str, Any]:
    return json.loads((DATA / "v0.1.0-records.json").read_text(encoding="utf-8"))["tables"]  # type: ignore[no-any-return]


def _stored_audits() -> list[tuple[dict[str, Any], Ruleset, Answers]]:
    tables = _records()
    copies = {c["sha256"]: c["text"] for c in tables["ruleset_copies"]}
    units = {u["id"]: u["name"] for u in tables["units"]}
    out = []
    for audit in tables["audits"]:
        if audit["status"] != "final":
            continue
        rs = load_ruleset_text(copies[audit["ruleset_sha256"]], frozen=True).ruleset
        given = {
            a["key"]: {
                "value": decode_value(json.loads(a["value"])),
                "na": a["na"],
                "deduct": None if a["deduct"] is None else Decimal(a["deduct"]),  # 0.1 stored text
                "note": a["note"],
                "evidence": json.loads(a["evidence"]),
            }
            for a in tables["answers"]
            if a["audit_id"] == audit["id"]
        }
        answers = Answers.model_validate(
            {
                "format": 1,
                "ruleset": audit["ruleset_id"],
                "unit": units[audit["unit_id"]],
                "date": audit["date"],
                "mode": audit["mode"],
                "answers": given,
            }
        )
        out.append((audit, rs, answers))
    return out


def test_results_of_0_1_load_show_their_sentences_and_agree_with_a_rescoring() -> None:
    stored = _stored_audits()
    assert len(stored) == 12
    for audit, rs, answers in stored:
        data = json.loads(audit["result"])
        old = result_from_data(data)
        assert old.format == 1 and old.grade_reason is None
        assert zh.grade_reason(old) == data["grade_reason"]
        assert [zh.finding_text(f) for f in old.findings] == [f["text"] for f in data["findings"]]
        new = score(rs, answers)
        assert scores_agree(data, new), audit["id"]
        # Today's codes, worded, say what 0.1 said.
        assert sentences(new) == sentences(old), audit["id"]
        # Kept as read: a 0.1 result written again keeps its sentences.
        assert result_from_data(json.loads(result_to_json(old))) == old


def test_a_changed_number_in_a_0_1_result_does_not_agree() -> None:
    """The comparison ignores 0.1's sentences, not its numbers (a test that can fail)."""
    audit, rs, answers = _stored_audits()[0]
    data = json.loads(audit["result"])
    new = score(rs, answers)
    assert scores_agree(data, new)
    data["categories"][0]["items"][0]["checks"][0]["deduction"] = "99"
    assert not scores_agree(data, new)
    data = json.loads(audit["result"])
    data["grade_reason"] = "改写后的理由"
    assert scores_agree(data, new)


def test_a_result_of_this_format_must_agree_in_every_field() -> None:
    r = worked_example()
    data = json.loads(result_to_json(r))
    assert scores_agree(data, r)
    data["categories"][0]["items"][2]["reason"]["total"] = "9"
    assert not scores_agree(data, r)


# --- end to end: a stored audit, reworded ------------------------------------------------------------


def test_rewording_keeps_stored_audits_verifying(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import Workspace, seccheck

    root = tmp_path / "ws"
    assert seccheck("init", root, "--issuer", "某区国家保密局", "--prefix", "某保检").code == 0
    ws = Workspace(root, f"sqlite:///{root / 'seccheck.db'}")
    run = ws.run("import", "--new-unit", "--no-notice", ROOT / "examples" / "wechat-groups.answers.toml")
    assert run.code == 0, run.text
    before = ws.run("audit", "show", "1", "--explain")
    stored = ws.run("audit", "show", "1", "--json").out
    for key, words in list(zh.WORDS.items()):
        if key not in ("answer.yes", "answer.no", "answer.na", "answer.unanswered"):
            monkeypatch.setitem(zh.WORDS, key, "〔新〕" + words)
    run = ws.run("verify", "--all")
    assert run.code == 0, run.text
    after = ws.run("audit", "show", "1", "--explain")
    assert "〔新〕" not in before.out and "〔新〕" in after.out  # the sentences did change
    assert ws.run("audit", "show", "1", "--json").out == stored
