"""`seccheck audit` in a real pseudo-terminal, as an inspector uses it (pexpect)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest
from rich.cells import cell_len

from tests.conftest import DATA, TODAY, seccheck

RULESET = str(DATA / "worked-example.toml")
PROMPT = "› "
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def plain(text: str) -> str:
    return SGR.sub("", text).replace("\r", "")


def has_colour(text: str) -> bool:
    """Any SGR colour parameter (30–49, 90–107); bold and dim are not colour."""
    for params in SGR.findall(text):
        for p in params.split(";"):
            if p.isdigit() and (30 <= int(p) <= 49 or 90 <= int(p) <= 107):
                return True
    return False


@pytest.fixture
def ws(tmp_path: Path, fresh_db: Callable[[Path], None]) -> Path:
    root = tmp_path / "ws"
    fresh_db(root)
    assert seccheck("init", root, "--inspector", "李明").code == 0
    return root


def spawn(ws: Path, *args: str, columns: int = 80, color: bool = False) -> pexpect.spawn:
    env = {
        **os.environ,
        "SECCHECK_USER": "李明",
        "TERM": "xterm-256color",
        "COLUMNS": str(columns),
        "SECCHECK_TODAY": TODAY.isoformat(),
    }
    env.pop("SECCHECK_DB", None)
    if color:
        env.pop("NO_COLOR", None)
        env["FORCE_COLOR"] = "1"
    else:
        env["NO_COLOR"] = "1"
    child = pexpect.spawn(
        sys.executable,
        ["-m", "seccheck", *args],
        cwd=str(ws),
        env=env,
        encoding="utf-8",
        dimensions=(50, columns),
        timeout=30,
    )
    return child


def start(ws: Path, **kw: object) -> pexpect.spawn:
    return spawn(ws, "audit", RULESET, "--unit", "某区教育局", "--new-unit", **kw)  # type: ignore[arg-type]


def reply(child: pexpect.spawn, text: str, expect: str = PROMPT) -> str:
    child.expect_exact(expect)
    before = child.before
    child.sendline(text)
    return plain(str(before))


# has_pcs, 1a, (note, evidence), 1b, deduct, (note, evidence), 1c, 2, 3, (note, evidence), 4 na, 5, 6
SPEC = ["是", "否", "", "", "否", "0.5", "", "", "是", "是", "4", "", "", "na", "0", "否"]


def finish(child: pexpect.spawn) -> str:
    reply(child, "")  # the review: Enter asks to finalise
    reply(child, "是", "确认定稿请输入")  # and 是 confirms
    child.expect(pexpect.EOF)
    return plain(str(child.before))


def test_full_run(ws: Path) -> None:
    child = start(ws)
    for text in SPEC:
        reply(child, text)
    out = finish(child)
    assert "等次：不符合要求" in out and "得分率 45.8%" in out
    assert "检查 1 已定稿" in out
    child.close()
    assert child.exitstatus == 0
    listed = seccheck("audit", "list", "--json", cwd=ws)
    assert '"percent": "45.8"' in listed.out


def test_back_skip_na_range_help_and_wrong_input(ws: Path) -> None:
    child = start(ws)
    reply(child, "是")
    before = reply(child, "?")  # help on 1a
    assert "[2/9] 第1项第1问" in before  # the item's number, not the check's id
    child.expect_exact("扣分：不合规扣 1 分")
    reply(child, "也许")
    child.expect_exact("“也许”不是有效的答案；请输入是/否（或 y/n）")
    reply(child, "否")
    reply(child, "", "备注")
    reply(child, "", "证据文件")
    reply(child, "b")  # at 1b: back to 1a
    child.expect_exact("当前答案：否（回车保留）")
    reply(child, "")  # keep
    reply(child, "否")  # 1b
    reply(child, "3", "扣分（0.5–1，按 0.5 分")
    child.expect_exact("扣分应在 0.5 至 1 之间")
    reply(child, "1", "扣分")
    reply(child, "", "备注")
    reply(child, "", "证据文件")
    reply(child, "s")  # skip 1c
    reply(child, "是")  # 2
    reply(child, "0")  # 3
    reply(child, "na")  # 4
    reply(child, "0")  # 5
    reply(child, "否")  # 6
    child.expect_exact("还有 1 个跳过的问题")
    before = reply(child, "是")  # 1c, asked again
    assert "第1项第3问" in before
    out = finish(child)
    # 1a −1, 1b −1: item 1 earns 2; 2 earns 3; 3 earns 5; 4 is na: 10/12 = 83.3%
    assert "得分率 83.3%" in out and "基本符合要求" in out
    child.close()


def test_kill_9_loses_no_given_answer(ws: Path) -> None:
    child = start(ws)
    for text in SPEC[:5]:  # has_pcs, 1a (+ note, evidence), 1b
        reply(child, text)
    child.expect_exact("扣分（0.5–1，按 0.5 分")
    os.kill(child.pid, signal.SIGKILL)
    child.expect(pexpect.EOF)
    child.close()
    again = start(ws)
    again.expect_exact("已答 2 题")
    before = reply(again, "否")  # the prompt is for 1b: the first unanswered question
    assert "第1项第2问" in before
    for text in SPEC[5:]:
        reply(again, text)
    out = finish(again)
    assert "得分率 45.8%" in out
    again.close()


def test_ctrl_c_saves_and_resume_continues(ws: Path) -> None:
    child = start(ws)
    for text in SPEC[:4]:
        reply(child, text)
    child.expect_exact(PROMPT)  # 1b
    child.sendintr()
    child.expect_exact("继续：seccheck audit --resume 1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    resumed = spawn(ws, "audit", "--resume", "1")
    resumed.expect_exact("已答 2 题")
    for text in SPEC[4:]:
        reply(resumed, text)
    assert "得分率 45.8%" in finish(resumed)
    resumed.close()


def test_quit_saves_and_says_how_to_resume(ws: Path) -> None:
    child = start(ws)
    reply(child, "是")
    reply(child, "q")
    child.expect_exact("已保存。继续：seccheck audit --resume 1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_fits_80_columns_and_no_color(ws: Path) -> None:
    child = start(ws, columns=80)
    transcript = []
    raw = []
    for text in SPEC:
        child.expect_exact(PROMPT)
        raw.append(str(child.before))
        transcript.append(plain(raw[-1]))
        child.sendline(text)
    child.expect_exact(PROMPT)
    child.sendline("")
    child.expect_exact("确认定稿请输入")
    raw.append(str(child.before))
    transcript.append(plain(raw[-1]))
    child.expect_exact(PROMPT)
    child.sendline("是")
    child.expect(pexpect.EOF)
    raw.append(str(child.before))
    transcript.append(plain(raw[-1]))
    child.close()
    assert not has_colour("".join(raw)), "NO_COLOR must turn colour off"
    output = "".join(transcript)
    for line in output.splitlines():
        assert cell_len(line) <= 80, line
    # Chinese is double width: the table's columns still line up.
    table = [line for line in output.splitlines() if line.strip().startswith(("✗1   1a", "✗2   1b"))]
    assert len(table) == 2 and len({line.index("1a") if "1a" in line else line.index("1b") for line in table}) == 1


def test_colour_when_allowed(ws: Path) -> None:
    child = start(ws, color=True)
    child.expect_exact(PROMPT)
    assert has_colour(str(child.before))
    child.sendline("q")
    child.expect(pexpect.EOF)
    child.close()


def test_without_a_terminal_a_missing_answer_is_an_error(ws: Path) -> None:
    start_time = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "seccheck", "audit", RULESET, "--unit", "某区教育局"],
        cwd=ws,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "CI": "true", "NO_COLOR": "1"},
    )
    assert time.monotonic() - start_time < 30
    assert proc.returncode == 2
    assert "没有终端" in proc.stderr and "--answers" in proc.stderr
    assert "Traceback" not in proc.stderr
    # Nothing was started: no empty draft is left behind, however often it is tried.
    assert json.loads(seccheck("audit", "list", "--json", cwd=ws).out) == []


def test_answers_file_runs_without_prompts(ws: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "seccheck",
            "audit",
            RULESET,
            "--new-unit",
            "--answers",
            str(DATA / "worked-example.answers.toml"),
        ],
        cwd=ws,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "CI": "true", "NO_COLOR": "1"},
    )
    assert proc.returncode == 0, proc.stderr
    assert "得分率 45.8%" in proc.stdout and "已导入：检查 1" in proc.stdout


def test_reinspect_asks_only_failed_checks_and_verifies_fixes(ws: Path) -> None:
    child = start(ws)
    for text in SPEC:
        reply(child, text)
    finish(child)
    child.close()
    # 1a, 1b and 3 failed. Re-inspection asks those again, plus 2 when the inspector adds it.
    again = spawn(ws, "reinspect", "1", "--check", "2")
    asked = []
    for text in ["是", "是", "是", "1", "", ""]:  # 1a fixed, 1b fixed, 2 still fine, 3: one case left
        before = reply(again, text)
        found = re.findall(r"\[\d+/\d+\] 第(\d+)项(?:第(\d+)问)?", before)
        asked += [n + (chr(ord("a") + int(k) - 1) if k else "") for n, k in found]
    out = finish(again)
    again.close()
    assert asked == ["1a", "1b", "2", "3"]
    assert "复查结果（检查 1 → 检查 2）" in out
    assert "已整改（整改记录已核实）：1a、1b" in out and "仍未整改（整改期限顺延）：3" in out and "新发现：无" in out
    # 1a, 1b fixed; 3: 1 case × 2 = 2: item 3 earns 3; 12 applicable: (4 + 3 + 3) / 12 = 83.3%
    assert "得分率 45.8% → 83.3%" in out
    rows = json.loads(seccheck("rectify", "list", "--json", cwd=ws).out)
    states = {r["check_id"]: r["state"] for r in rows if r["audit_id"] == 1}
    assert states == {"1a": "verified", "1b": "verified", "3": "open"}
