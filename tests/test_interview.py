"""The interview's flow, driven by a scripted asker against a real workspace database."""

from __future__ import annotations

import datetime as dt
import stat
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import pytest

from seccheck.app.audits import load_audit, open_draft
from seccheck.app.context import Context, FixedClock, current_actor
from seccheck.app.interview import DraftRecorder
from seccheck.app.workspace import create_workspace
from seccheck.domain.answers import Answers
from seccheck.interview.flow import Interview
from seccheck.interview.order import missing_answers
from seccheck.interview.seam import Done, HelpView, Message, Prompt, Review, Shown
from seccheck.ruleset.load import LoadedRuleset, load_ruleset
from seccheck.storage.db import Database
from tests.conftest import DATA


class ScriptedAsker:
    """Replies from a script; keeps everything shown and asked for the assertions."""

    def __init__(self, replies: Iterable[str]) -> None:
        self.replies = list(replies)
        self.shown: list[Shown] = []
        self.prompts: list[Prompt] = []

    def show(self, shown: Shown) -> None:
        self.shown.append(shown)

    def ask(self, prompt: Prompt) -> str:
        self.prompts.append(prompt)
        if not self.replies:
            raise EOFError
        return self.replies.pop(0)

    def messages(self) -> list[str]:
        return [s.text for s in self.shown if isinstance(s, Message)]

    def asked(self) -> list[str]:
        return [p.question.key for p in self.prompts if p.kind == "answer" and p.question]


@pytest.fixture
def loaded() -> LoadedRuleset:
    return load_ruleset(DATA / "worked-example.toml")


@pytest.fixture
def db(tmp_path: Path) -> Context:
    ws = create_workspace(tmp_path / "ws")
    ctx = Context(current_actor(), ws, Database(ws.db_url), FixedClock(dt.date(2026, 11, 21)))
    yield ctx  # type: ignore[misc]
    ctx.db.close()


def start(db: Context, loaded: LoadedRuleset) -> int:
    meta = Answers(
        format=1,
        ruleset=loaded.ruleset.id,
        unit="某区教育局",
        date=dt.date(2026, 11, 20),
        mode="inspection",
        answers={},
    )
    return open_draft(db, loaded, meta, campaign=None, new_unit=True).audit_id


def interview(db: Context, audit_id: int, replies: Iterable[str], tmp_path: Path) -> tuple[Interview, ScriptedAsker]:
    record = load_audit(db, audit_id)
    asker = ScriptedAsker(replies)
    recorder = DraftRecorder(db, audit_id)
    return Interview(record.ruleset.ruleset, record.answers, asker, recorder, audit_id=audit_id), asker


# The spec's worked example, as typed: 1a no (no note, no evidence), 1b no with 0.5, …
SPEC_RUN = ["是", "否", "", "", "否", "0.5", "", "", "是", "是", "4", "", "", "na", "0", "否", "", "是"]


def test_full_run_scores_the_worked_example(db: Context, loaded: LoadedRuleset, tmp_path: Path) -> None:
    audit_id = start(db, loaded)
    iv, asker = interview(db, audit_id, SPEC_RUN, tmp_path)
    assert iv.run() == "finalized"
    done = next(s for s in asker.shown if isinstance(s, Done))
    assert done.result.percent == Decimal("45.8") and done.result.grade == "不符合要求"
    assert asker.asked() == ["has_pcs", "1a", "1b", "1c", "2", "3", "4", "5", "6"]
    record = load_audit(db, audit_id)
    assert record.status == "final" and record.seal
    # progress and cost are shown with each question
    third = [p for p in asker.prompts if p.kind == "answer"][2]
    assert (third.position, third.total) == (3, 9)
    assert third.cost == "不合规扣 0.5–1 分"
    # 1a cost 1 point; nothing else answered yet counts as full: 17/18 = 94.4%
    assert third.progress == "得分率 94.4% · 等次 符合要求 · 已扣 1 分 · 问题 1 个"


def test_every_answer_is_saved_as_it_is_given(db: Context, loaded: LoadedRuleset, tmp_path: Path) -> None:
    audit_id = start(db, loaded)
    iv, _ = interview(db, audit_id, ["是", "否", "没有要求", ""], tmp_path)  # then input ends
    assert iv.run() == "quit"
    saved = load_audit(db, audit_id).answers.answers
    assert saved["has_pcs"].value is True
    assert saved["1a"].value is False and saved["1a"].note == "没有要求"
    # A new interview on the same audit resumes at the first unanswered question.
    iv2, asker2 = interview(db, audit_id, ["q"], tmp_path)
    assert iv2.run() == "quit"
    assert asker2.asked() == ["1b"]


def test_back_keeps_answers_and_recomputes_applicability(db: Context, loaded: LoadedRuleset, tmp_path: Path) -> None:
    audit_id = start(db, loaded)
    # has_pcs yes, 1a yes, back to 1a (shown with its answer), back to has_pcs, change it to no:
    # item 3 disappears, and the interview walks forward in order: 1a (kept on Enter), then 1b.
    replies = ["是", "是", "b", "b", "否", "", "q"]
    iv, asker = interview(db, audit_id, replies, tmp_path)
    assert iv.run() == "quit"
    assert asker.asked() == ["has_pcs", "1a", "1b", "1a", "has_pcs", "1a", "1b"]
    kept = [p for p in asker.prompts if p.kind == "answer"][3]
    assert kept.current == "是"
    answers = load_audit(db, audit_id).answers.answers
    assert answers["has_pcs"].value is False and answers["1a"].value is True
    assert "3" not in missing_answers(loaded.ruleset, answers)


def test_skip_comes_back_at_the_end(db: Context, loaded: LoadedRuleset, tmp_path: Path) -> None:
    audit_id = start(db, loaded)
    replies = ["否", "s", "是", "是", "是", "是", "否", "0", "否", "q"]
    iv, asker = interview(db, audit_id, replies, tmp_path)
    assert iv.run() == "quit"
    assert asker.asked()[:2] == ["has_pcs", "1a"]
    assert asker.asked()[-1] == "1a"  # asked again once the rest are done
    assert any("跳过的问题" in m for m in asker.messages())


def test_na_only_where_allowed_and_range_amount_checked(db: Context, loaded: LoadedRuleset, tmp_path: Path) -> None:
    audit_id = start(db, loaded)
    replies = ["否", "na", "是", "否", "2", "abc", "1", "", "", "是", "是", "na", "q"]
    iv, asker = interview(db, audit_id, replies, tmp_path)
    assert iv.run() == "quit"
    messages = asker.messages()
    assert any("此题不能答“不适用”" in m for m in messages)
    assert sum("扣分应在 0.5 至 1 之间" in m for m in messages) == 2
    answers = load_audit(db, audit_id).answers.answers
    assert answers["1b"].deduct == 1
    assert answers["4"].na


def test_wrong_input_is_asked_again_and_help_is_shown(db: Context, loaded: LoadedRuleset, tmp_path: Path) -> None:
    audit_id = start(db, loaded)
    iv, asker = interview(db, audit_id, ["也许", "", "?", "是", "q"], tmp_path)
    assert iv.run() == "quit"
    messages = asker.messages()
    assert "“也许”不是有效的答案；请输入是/否（或 y/n）" in messages[0]
    assert messages[1].startswith("请输入是/否")
    assert any(isinstance(s, HelpView) for s in asker.shown)
    assert asker.asked() == ["has_pcs"] * 4 + ["1a"]


def test_evidence_is_hashed_and_copied(db: Context, loaded: LoadedRuleset, tmp_path: Path) -> None:
    source = tmp_path / "会议记录.pdf"
    source.write_bytes(b"%PDF-1.4 minutes")
    audit_id = start(db, loaded)
    iv, asker = interview(
        db, audit_id, ["否", "否", "未提要求", str(tmp_path / "nope.pdf"), str(source), "q"], tmp_path
    )
    assert iv.run() == "quit"
    assert any("无法读取证据文件" in m for m in asker.messages())
    answer = load_audit(db, audit_id).answers.answers["1a"]
    (ref,) = answer.evidence
    copied = tmp_path / "ws" / ref
    assert copied.read_bytes() == b"%PDF-1.4 minutes"
    assert ref.startswith("evidence/") and ref.endswith("-会议记录.pdf")
    assert stat.S_IMODE(copied.stat().st_mode) == 0o600


def test_review_amends_an_answer_before_finalising(db: Context, loaded: LoadedRuleset, tmp_path: Path) -> None:
    audit_id = start(db, loaded)
    replies = [*SPEC_RUN[:-2], "1C", "否", "", "", "", "是"]  # ids are typed in any case
    iv, asker = interview(db, audit_id, replies, tmp_path)
    assert iv.run() == "finalized"
    reviews = [s for s in asker.shown if isinstance(s, Review)]
    assert len(reviews) == 2
    # The review numbers the questions 1, 2, … (has_pcs, 1a, 1b, 1c, 2, 3, …): no ids on the screen.
    assert {r.key for r in reviews[0].rows if r.finding} == {"2", "3", "6"}  # 1a, 1b, 3
    assert {r.key for r in reviews[1].rows if r.finding} == {"2", "3", "4", "6"}  # and 1c
    done = next(s for s in asker.shown if isinstance(s, Done))
    assert done.result.earned == Decimal("4.5")


def test_answering_a_check_of_an_na_item_takes_na_back(tmp_path: Path, db: Context) -> None:
    text = (
        (DATA / "worked-example.toml")
        .read_text(encoding="utf-8")
        .replace("points = 4\n", "points = 4\nallow_na = true\n", 1)
    )
    path = tmp_path / "r.toml"
    path.write_text(text, encoding="utf-8")
    loaded = load_ruleset(path)
    audit_id = start(db, loaded)
    iv, asker = interview(db, audit_id, ["是", "na", "b", "是", "q"], tmp_path)
    assert iv.run() == "quit"
    answers = load_audit(db, audit_id).answers.answers
    assert "1" not in answers and answers["1a"].value is True
    assert asker.asked() == ["has_pcs", "1a", "2", "1a", "1b"]


def test_an_over_long_note_is_asked_again_not_lost(db: Context, loaded: LoadedRuleset, tmp_path: Path) -> None:
    from seccheck import limits

    audit_id = start(db, loaded)
    too_long = "情" * (limits.NOTE + 1)
    iv, asker = interview(db, audit_id, ["是", "否", too_long, "精简后的说明", "", "q"], tmp_path)
    assert iv.run() == "quit"
    assert any(f"上限 {limits.NOTE} 字（实际 {limits.NOTE + 1} 字）" in m for m in asker.messages())
    assert load_audit(db, audit_id).answers.answers["1a"].note == "精简后的说明"


def test_ids_match_in_any_case_unless_ambiguous() -> None:
    from seccheck.domain.answertext import match_id

    assert match_id("1A", ["1a", "1b", "1a"]) == "1a"  # the same id listed twice is one id
    assert match_id("w01b", ["W01b"]) == "W01b"
    assert match_id("x1", ["X1", "x1"]) == "x1"  # an exact match wins
    assert match_id("X2", ["x2", "x2".upper() + "_"]) == "x2"
    assert match_id("ab", ["aB", "Ab"]) is None  # ambiguous: refused, not guessed
    assert match_id("zz", ["1a"]) is None
