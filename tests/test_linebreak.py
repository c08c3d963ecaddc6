"""Chinese line breaking (禁则): no line starts with closing punctuation or ends with an opening one,
in the terminal at 80 columns (`ruleset show`, `score --explain`, the interview) and in the PDFs."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pexpect
import pytest
from rich.cells import cell_len

from seccheck.text.linebreak import divide_line, violations, wrap
from tests.conftest import ROOT, TODAY, Workspace, seccheck, seccheck_process
from tests.pdflayout import layout

EXAMPLES = ROOT / "examples"
BUILTIN = [p.stem for p in sorted((ROOT / "rulesets").glob("*.toml"))]
WIDE = {"COLUMNS": "80"}
SGR = re.compile(r"\x1b\[[0-9;?]*[a-zA-Z]")

SENTENCE = (
    "检查组对本单位保密工作领导责任制落实情况进行了检查，发现问题（共3项）：涉密计算机接入互联网、"
    "非涉密计算机存储处理传输国家秘密。请于2026年11月20日前整改？是否已经整改！《保密法》第五十七条“严重违规”。"
)


def _terminal_lines(text: str, width: int = 80) -> list[str]:
    lines = text.splitlines()
    too_wide = [line for line in lines if cell_len(line) > width]
    assert not too_wide, too_wide  # the terminal would break these itself, anywhere
    return lines


@pytest.mark.parametrize("width", range(6, 41))
def test_the_breaker_keeps_punctuation_with_its_text_at_every_width(width: int) -> None:
    lines = wrap(SENTENCE, width)
    assert not violations(lines), lines
    assert all(cell_len(line) <= width for line in lines), lines
    assert "".join(lines) == SENTENCE
    assert "2026年11月20日前" in "".join(lines)


def test_the_breaker_keeps_latin_words_whole_and_cuts_what_cannot_fit() -> None:
    assert wrap("hello world this is english", 12) == ["hello world", "this is", "english"]
    assert wrap("封签 SHA-256：abc", 10) == ["封签", "SHA-256：", "abc"]
    assert wrap("ab" * 10, 8) == ["abababab", "abababab", "abab"]  # a long id still fits the screen
    assert divide_line("第一句。第二句", 8) == [4]
    assert wrap("第一句。第二句", 6) == ["第一", "句。第", "二句"]  # 。 goes back with the character it ends
    assert wrap("见（附件）", 6) == ["见", "（附件", "）"] or not violations(wrap("见（附件）", 6))
    # a violation is what the checker sees; placeholders and page numbers are not punctuation faults
    assert violations(["，开头", "结尾（"]) and not violations(["正常一行。", "—1—", "序号  —  —"])


# A real process: rich takes the width from COLUMNS once, when the console is made.
def test_ruleset_show_at_80_columns_keeps_the_rules() -> None:
    for rid in BUILTIN:
        run = seccheck_process("ruleset", "show", rid, env=WIDE)
        assert run.code == 0, run.text
        lines = _terminal_lines(run.out)
        assert not violations(lines), (rid, violations(lines))


def test_score_explain_at_80_columns_keeps_the_rules() -> None:
    for rid in BUILTIN:
        run = seccheck_process("score", EXAMPLES / f"{rid}.answers.toml", "--explain", env=WIDE)
        assert run.code == 0, run.text
        lines = _terminal_lines(run.out)
        assert not violations(lines), (rid, violations(lines))


def test_the_interview_at_80_columns_keeps_the_rules(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert seccheck("init", ws, "--inspector", "李明").code == 0
    env = {
        **os.environ,
        "SECCHECK_USER": "李明",
        "TERM": "xterm-256color",
        "COLUMNS": "80",
        "NO_COLOR": "1",
        "SECCHECK_TODAY": TODAY.isoformat(),
    }
    env.pop("SECCHECK_DB", None)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "seccheck", "audit", "unit-self-assessment", "--unit", "某区教育局", "--new-unit"],
        cwd=str(ws),
        env=env,
        encoding="utf-8",
        dimensions=(50, 80),
        timeout=30,
    )
    transcript: list[str] = []
    # the profile questions, then checks with help shown at each: long questions and help texts
    for _ in range(30):
        index = child.expect_exact(["› ", pexpect.EOF])
        transcript.append(str(child.before))
        if index:
            break
        before = str(child.before)
        if "备注" in before.splitlines()[-1] or "证据" in before.splitlines()[-1]:
            child.sendline("")
        elif "?" not in transcript[-1][-200:] and len(transcript) % 3 == 0:
            child.sendline("?")
        else:
            child.sendline("是" if len(transcript) % 2 else "否")
    child.sendline("q")
    child.expect(pexpect.EOF)
    transcript.append(str(child.before))
    child.close()
    text = SGR.sub("", "".join(transcript)).replace("\r", "")
    assert "说明" in text or "依据" in text  # help texts were shown
    lines = _terminal_lines(text)
    assert len(lines) > 60
    assert not violations(lines), violations(lines)


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The PDFs the demo and a campaign produce: notice, score sheet, campaign report, year summary, the
    unit's 自查自评工作报告."""
    root = tmp_path_factory.mktemp("docs") / "ws"
    assert seccheck("init", root, "--issuer", "某区国家保密局", "--prefix", "某保检").code == 0
    ws = Workspace(root, f"sqlite:///{root / 'seccheck.db'}")
    (root / "复制登记簿照片.jpg").write_bytes((EXAMPLES / "复制登记簿照片.jpg").read_bytes())
    names = ("unit-self-assessment", "wechat-groups", "print-shop", "classified-computers")
    args = [a for r in names for a in ("--ruleset", r)]
    assert ws.run("campaign", "create", "2026年保密检查", "--year", "2026", *args).code == 0
    files = [EXAMPLES / f"{r}.answers.toml" for r in names]
    run = ws.run("import", "--new-unit", "--accept-date", "--campaign", "2026年保密检查", *files)
    assert run.code == 0, run.text
    assert ws.run("report", "2026年保密检查").code == 0
    assert ws.run("summary", "--year", "2026", "--format", "pdf").code == 0
    # The unit's 自查自评工作报告, with departments and people and their problems under the unit's items.
    individual = EXAMPLES / "individual-self-check.answers.toml"
    assert (
        ws.run("import", "--new-unit", "--no-notice", individual, EXAMPLES / "department-self-check.answers.toml").code
        == 0
    )
    assert ws.run("rollup", "某区教育局", "--year", "2026", "--report").code == 0
    pdfs = sorted((root / "reports").glob("*.pdf"))
    assert len(pdfs) >= 6 and any("自查自评工作报告" in p.name for p in pdfs), pdfs
    return pdfs


def test_pdf_lines_keep_the_rules(documents: list[Path]) -> None:
    """Pango breaks lines by UAX #14, which keeps Chinese closing marks off a line start: every line of
    every block (a paragraph, a table cell) as poppler reads it back."""
    found = []
    for pdf in documents:
        lines = [line.text for page in layout(pdf) for line in page.lines]
        assert lines, pdf
        found += [(pdf.name, v) for v in violations(lines)]
    assert not found, found
