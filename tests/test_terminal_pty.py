"""The interview and the command line in a real pseudo-terminal (pexpect): navigation, polarity,
labels, Chinese throughout, and user text that is shown, never obeyed (issue 16)."""

from __future__ import annotations

import re
from pathlib import Path

import pexpect
from rich.cells import cell_len

from seccheck.app.audits import load_audit
from seccheck.app.context import open_context
from seccheck.domain.answers import Answer
from tests.conftest import DATA, seccheck
from tests.test_interview_pty import PROMPT, plain, spawn, start
from tests.test_interview_pty import ws as ws  # the workspace fixture

REVIEW = "输入题号修改答案"
CONFIRM = "确认定稿请输入“是”"
# has_pcs, 1a, (note, evidence), 1b, deduct, (note, evidence), 1c, 2, 3, (note, evidence), 4 na, 5, 6
SPEC = ["是", "否", "", "", "否", "0.5", "", "", "是", "是", "4", "", "", "na", "0", "否"]


def asked(before: str) -> str:
    """The check a prompt asks, by the item number it shows ("[3/9] 第1项第2问 …" → "1b"; the worked
    example's item ids are their positions)."""
    line = next(line for line in reversed(before.splitlines()) if line.startswith("["))
    return label_id(line.split("]", 1)[1].split()[0])


def label_id(label: str) -> str:
    match = re.fullmatch(r"第(\d+)项(?:第(\d+)问)?", label.split("\u3000")[0])
    assert match, repr(label)
    return match[1] + (chr(ord("a") + int(match[2]) - 1) if match[2] else "")


def saved(ws: Path) -> dict[str, Answer]:
    """The answers of audit 1 as stored, read with the library."""
    ctx = open_context(ws, None)
    try:
        return dict(load_audit(ctx, 1).answers.answers)
    finally:
        ctx.db.close()


def statuses(ws: Path) -> list[str]:
    ctx = open_context(ws, None)
    try:
        return [load_audit(ctx, 1).status]
    finally:
        ctx.db.close()


def say(child: pexpect.spawn, text: str, where: str | None = None) -> str:
    """Wait for the next prompt (after `where`, if given), type `text`; returns what the prompt showed."""
    if where is not None:
        child.expect_exact(where)
    child.expect_exact(PROMPT)
    before = plain(str(child.before))
    child.sendline(text)
    return before


def test_after_back_and_an_answer_the_next_question_in_order_follows(ws: Path) -> None:
    child = start(ws)
    for text in ["是", "是", "是"]:  # has_pcs, 1a, 1b
        say(child, text)
    assert asked(say(child, "b")) == "1c"  # at 1c: back to 1b
    assert asked(say(child, "b")) == "1b"  # at 1b: back to 1a
    before = say(child, "否")  # 1a changed to 否 …
    assert asked(before) == "1a" and "当前答案：是（回车保留）" in before
    assert "备注" in say(child, "")
    assert "证据文件" in say(child, "")
    before = say(child, "")  # … then 1b, the next in order (not 1c, the first unanswered): kept
    assert asked(before) == "1b" and "当前答案：是" in before
    assert asked(say(child, "q")) == "1c"  # and on to where the person had come
    child.expect(pexpect.EOF)
    answers = saved(ws)
    assert answers["1a"].value is False and answers["1b"].value is True and "1c" not in answers


def test_help_back_and_quit_work_at_the_sub_prompts(ws: Path) -> None:
    child = start(ws)
    say(child, "是")  # has_pcs
    say(child, "否")  # 1a
    assert "备注" in say(child, "?")
    child.expect_exact("扣分：不合规扣 1 分")
    child.expect_exact("现在是“备注")
    assert "备注" in say(child, "b")  # back to the answer of 1a
    before = say(child, "是")
    assert asked(before) == "1a"
    assert asked(say(child, "否")) == "1b"  # a range deduction
    assert "扣分（0.5–1" in say(child, "7")
    child.expect_exact("扣分应在 0.5 至 1 之间")  # a mistaken 否 is not a trap:
    say(child, "b")  # back to the answer
    assert asked(say(child, "是")) == "1b"
    assert asked(say(child, "否")) == "1c"
    assert "备注" in say(child, "会上未提")
    assert "证据文件" in say(child, "b")  # back to the note
    assert "备注" in say(child, "会上未提及考核")
    assert "证据文件" in say(child, "q")  # quit: what is complete is saved
    child.expect_exact("已保存。继续：seccheck audit --resume 1")
    child.expect(pexpect.EOF)
    answers = saved(ws)
    assert answers["1a"].value is True and answers["1b"].value is True
    assert answers["1c"].value is False and answers["1c"].note == "会上未提及考核"


def test_quit_at_the_deduction_keeps_the_question_open(ws: Path) -> None:
    child = start(ws)
    for text in ["是", "是", "否"]:  # has_pcs, 1a, 1b 否
        say(child, text)
    assert "扣分（0.5–1" in say(child, "q")
    child.expect_exact("第1项第2问的答案未保存：还没有给出扣分")
    child.expect(pexpect.EOF)
    assert "1b" not in saved(ws)
    again = start(ws)
    assert asked(say(again, "q")) == "1b"  # asked again, from its answer
    again.expect(pexpect.EOF)


def test_evidence_paths_are_read_like_a_shell(ws: Path, tmp_path: Path) -> None:
    spaced = tmp_path / "会议 记录.pdf"
    spaced.write_bytes(b"%PDF-1.4 minutes")
    plain_file = tmp_path / "plain.pdf"
    plain_file.write_bytes(b"%PDF-1.4 plain")
    child = start(ws)
    say(child, "是")
    say(child, "否")  # 1a
    say(child, "")  # note
    assert "证据文件" in say(child, f'"{spaced}')  # an unbalanced quote is refused, not guessed
    child.expect_exact("引号不成对")
    say(child, f"\"{spaced}\" '{plain_file}'")
    assert asked(say(child, "q")) == "1b"
    child.expect(pexpect.EOF)
    evidence = saved(ws)["1a"].evidence
    assert len(evidence) == 2
    assert evidence[0].endswith("-会议 记录.pdf") and evidence[1].endswith("-plain.pdf")


def test_finalising_asks_for_confirmation_with_grade_and_percent(ws: Path) -> None:
    child = start(ws)
    for text in SPEC:
        say(child, text)
    assert REVIEW in say(child, "")  # Enter on the review …
    before = say(child, "")  # … and a bare Enter again: back to the review, nothing sealed
    assert "定稿：得分率 45.8% · 等次 不符合要求" in before and CONFIRM in before
    assert REVIEW in say(child, "")
    assert statuses(ws) == ["draft"]
    assert CONFIRM in say(child, "是")
    child.expect_exact("检查 1 已定稿")
    child.expect(pexpect.EOF)
    assert statuses(ws) == ["final"]


def test_running_percent_and_grade_are_shown_at_every_question(ws: Path) -> None:
    child = start(ws)
    assert "目前（按已答的题）：得分率 100.0% · 等次 符合要求" in say(child, "是")
    say(child, "否")  # 1a: −1 of 18
    say(child, "")
    say(child, "")
    before = say(child, "q")
    assert asked(before) == "1b" and "得分率 94.4% · 等次 符合要求 · 已扣 1 分 · 问题 1 个" in before
    child.expect(pexpect.EOF)


def test_the_problem_answer_is_stated_and_problems_are_marked_without_colour(ws: Path) -> None:
    child = start(ws)
    prompts = [say(child, text) for text in SPEC]
    veto = prompts[-1]  # the prompt for 6, "是否发生严重泄密案件？", where 是 is the problem
    assert asked(veto) == "6" and "✗ 答“是”为问题（合规答“否”）" in veto
    assert "为问题" not in prompts[1]  # 1a: 否 is the problem, as usual: nothing extra said
    review = say(child, "")
    rows = [line.split() for line in review.splitlines() if line.strip().startswith("✗ ")]
    marked = {row[1] for row in rows if row[1] != "发现的问题"}
    assert marked == {"2", "3", "6"}, review  # the review's 题号 of 1a, 1b and 3
    assert "✗ 为发现的问题" in review and "✗ 发现的问题 3 个" in review
    say(child, "是", CONFIRM)
    child.expect(pexpect.EOF)
    out = plain(str(child.before))
    assert "✗ 发现的问题（3 个）" in out and "✗1" in out


def _labelled_ruleset(tmp_path: Path) -> Path:
    text = (DATA / "worked-example.toml").read_text(encoding="utf-8")
    text += """
[[item]]
id = "7"
category = "main"
title = "工作群"
points = 0

  [[item.check]]
  id = "7a"
  question = "工作群台账建立情况？"
  kind = "choice"
  options = [
    { value = "full", label = "全部建立" },
    { value = "part", label = "部分建立", ok = false },
  ]
  finding = "工作群台账不全"

  [[item.check]]
  id = "7b"
  question = "工作群共几个？"
  kind = "number"
  integer = true
  min = 0
"""
    path = tmp_path / "labelled.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_choices_by_label_counts_whole_and_ids_in_any_case(ws: Path, tmp_path: Path) -> None:
    ruleset = _labelled_ruleset(tmp_path)
    child = spawn(ws, "audit", str(ruleset), "--unit", "某区教育局", "--new-unit")
    raw = []
    for text in SPEC:
        child.expect_exact(PROMPT)
        raw.append(str(child.before))
        child.sendline(text)
    before = say(child, "2")  # 7a: 部分建立
    assert asked(before) == "7a" and "选“部分建立”为问题" in before and "2=部分建立" in before
    say(child, "")  # note
    say(child, "")  # evidence
    assert asked(say(child, "3.5")) == "7b"  # a count of groups is whole
    child.expect_exact("“3.5”不是整数")
    review = say(child, "3")
    review = say(child, "7A")  # ids typed in any case
    assert REVIEW in review
    row = next(line for line in review.splitlines() if "部分建立" in line)
    assert "✗" in row and "part" not in review
    before = say(child, "1")
    assert asked(before) == "7a" and "当前答案：部分建立" in before
    review = say(child, "q")
    assert any("全部建立" in line for line in review.splitlines())
    child.expect(pexpect.EOF)
    # (A control character in a ruleset's text is refused when it is loaded: tests/test_edge_inputs.py.)


def test_control_characters_and_markup_in_user_text_are_shown_not_obeyed(ws: Path, tmp_path: Path) -> None:
    answers = (DATA / "worked-example.answers.toml").read_text(encoding="utf-8")
    unit = next(line for line in answers.splitlines() if line.startswith("unit = "))
    path = tmp_path / "esc.toml"
    path.write_text(answers.replace(unit, 'unit = "某区\\u001b[2J财政局"'), encoding="utf-8")
    child = spawn(ws, "score", str(path), "--ruleset", str(DATA / "worked-example.toml"), color=True)
    child.expect(pexpect.EOF)
    raw = str(child.before)
    child.close()
    # Refused at input (records.md §6), and the refusal itself shows the character, never obeys it.
    assert child.exitstatus == 1 and "\x1b[2J" not in raw and "U+001B" in raw, raw
    # What click prints (not rich) passes the same guard on a terminal.
    made = spawn(tmp_path, "init", "ws\x1b[2J", "--inspector", "李明")
    made.expect(pexpect.EOF)
    raw = str(made.before)
    made.close()
    assert made.exitstatus == 0 and "\x1b[2J" not in raw and "ws␛[2J" in raw, raw
    # A unit whose name is markup to rich, in a table: printed as it is (was exit 70).
    assert seccheck("unit", "add", "某区[/x]局", cwd=ws).code == 0
    listing = spawn(ws, "unit", "list")
    listing.expect(pexpect.EOF)
    listing.close()
    assert listing.exitstatus == 0 and "某区[/x]局" in plain(str(listing.before))


def test_a_path_with_markup_is_a_path(tmp_path: Path) -> None:
    root = tmp_path / "p[" / "x]" / "ws"  # the path /…/p[/x]/ws
    assert seccheck("init", root, "--inspector", "李明").code == 0
    child = spawn(
        root,
        "audit",
        str(DATA / "worked-example.toml"),
        "--answers",
        str(DATA / "worked-example.answers.toml"),
        "--new-unit",
    )
    child.expect(pexpect.EOF)
    child.close()
    out = plain(str(child.before))
    assert child.exitstatus == 0, out
    assert "p[/x]/ws/reports/" in out.replace("\n", "")


def test_clicks_own_words_are_chinese(ws: Path) -> None:
    child = spawn(ws, "audit", "list", "--nope")
    child.expect(pexpect.EOF)
    out = plain(str(child.before))
    assert "用法：" in out and "audit list [选项]" in out and "错误：没有选项 '--nope'" in out
    assert "Usage" not in out and "Error" not in out and "No such option" not in out
    helped = spawn(ws, "--help", columns=100)
    helped.expect(pexpect.EOF)
    text = plain(str(helped.before))
    assert "选项：" in text and "命令：" in text and "显示本帮助并退出。" in text
    assert not any(word in text for word in ("Usage", "Options", "Commands", "Show this message"))
    # Chinese metavariables line up: click counts them at two columns each.
    rows = [line for line in text.splitlines() if line.startswith("  -")]
    starts = {cell_len(m.group(1)) for line in rows if (m := re.match(r"(\s+\S.*?\s{2,})\S", line))}
    assert len(rows) >= 3 and len(starts) == 1, rows


def test_ids_typed_on_the_command_line_ignore_case(ws: Path) -> None:
    assert "打字复印" in seccheck("ruleset", "show", "Print-Shop", cwd=ws).out
    ruleset, answers = DATA / "worked-example.toml", DATA / "worked-example.answers.toml"
    assert seccheck("audit", str(ruleset), "--answers", answers, "--new-unit", cwd=ws).code == 0
    amended = seccheck("audit", "amend", "1", "--set", "1B=否:1", "--note", "1B=会上未听取", "--reason", "复核", cwd=ws)
    assert amended.code == 0, amended.text
    answer = saved(ws)["1b"]
    assert answer.value is False and answer.deduct == 1 and answer.note == "会上未听取"
    refused = seccheck("audit", "amend", "1", "--set", "3=3.5", "--reason", "复核", cwd=ws)
    assert refused.code == 1 and "“3.5”不是非负整数" in refused.text
