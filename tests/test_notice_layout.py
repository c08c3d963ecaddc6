"""The notice's layout read back from the PDF with positions (GB/T 9704, notice.md §Layout): text block
and margins, page numbers, the signature never alone on a page, rows never split, the deadline on one line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from seccheck.ruleset.load import resolve_ruleset
from tests.conftest import Workspace, seccheck
from tests.pdflayout import MM, layout

# The module-scoped fixture is made once: the tests run on one xdist worker (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("notice-layout")

ISSUER = "某区国家保密局"
DUE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")


def answers(count: int, note_length: int) -> str:
    """An inspection with `count` problems; each has a note of `note_length` characters, unique to it."""
    rs = resolve_ruleset("unit-self-assessment").ruleset
    lines = [
        "format = 1",
        'ruleset = "unit-self-assessment"',
        'unit = "某区审计局"',
        "date = 2026-11-20",
        'mode = "inspection"',
        'inspectors = ["李明", "赵静"]',
        'methods = ["查阅资料", "现场查看"]',
        "[answers]",
    ]
    lines += [f"{p.id} = true" for p in rs.profile]
    failed = 0
    for item in rs.item:
        for chk in item.check:
            if chk.kind == "count":
                lines.append(f'"{chk.id}" = 0')
            elif chk.veto:
                lines.append(f'"{chk.id}" = false')
            elif failed < count and not item.aggravating:
                failed += 1
                deduct = f", deduct = {chk.deduct[0]}" if isinstance(chk.deduct, tuple) else ""
                note = f"第{failed}条情况" + "检查中发现的具体情况说明" * (note_length // 12)
                lines.append(f'"{chk.id}" = {{ value = false{deduct}, note = "{note[:note_length]}" }}')
            else:
                lines.append(f'"{chk.id}" = true')
    assert failed == count, f"the ruleset has only {failed} checks to fail"
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("layout") / "ws"
    run = seccheck("init", root, "--issuer", ISSUER, "--prefix", "某保检", "--contact", "李明", "--phone", "0000-1")
    assert run.code == 0, run.text
    return Workspace(root, f"sqlite:///{root / 'seccheck.db'}")


@pytest.mark.parametrize(("count", "note_length"), [(1, 20), (3, 200), (9, 40), (20, 120), (40, 30)])
def test_notice_layout(office: Workspace, tmp_path: Path, count: int, note_length: int) -> None:
    path = tmp_path / f"n{count}.toml"
    path.write_text(answers(count, note_length).replace("某区审计局", f"某区审计局{count}"), encoding="utf-8")
    run = office.run("audit", "unit-self-assessment", "--new-unit", "--answers", path)
    assert run.code == 0, run.text
    (pdf,) = (office.root / "reports").glob(f"*-某区审计局{count}.pdf")
    pages = layout(pdf)
    *body, receipt = pages
    assert "回" in receipt.text and "签收人" in receipt.text.replace(" ", "")

    left, top = 28 * MM, 37 * MM
    for page in pages:
        right, bottom = page.width - 23.9 * MM, page.height - 35 * MM
        numbers = [line for line in page.lines if re.fullmatch(rf"—\s*{page.number}\s*—", line.text)]
        assert len(numbers) == 1, f"page {page.number} has no page number"
        (number,) = numbers
        # 4号 page numbers below the text block: odd pages on the right, even pages on the left.
        assert number.y0 >= bottom - 1
        if page.number % 2:
            assert number.x1 > page.width / 2 and number.x1 <= page.width - 20 * MM
        else:
            assert number.x0 < page.width / 2 and number.x0 >= 20 * MM
        for line in page.lines:
            if line is number:
                continue
            # Every line stands inside the text block (a point of tolerance for glyph overhang).
            assert left - 1 <= line.x0 and line.x1 <= right + 1, (page.number, line)
            assert top - 1 <= line.y0 and line.y1 <= bottom + 1, (page.number, line)

    # The signature is never alone on its page: body text stands above it on the same page.
    (signature_page,) = [p for p in body if any(line.text == ISSUER and line.x0 > p.width / 2 for line in p.lines)]
    others = [
        line
        for line in signature_page.lines
        if line.text not in (ISSUER, "2026年11月23日")
        and not line.text.startswith("核验码")
        and not re.fullmatch(r"—\s*\d+\s*—", line.text)
    ]
    assert others, "the signature stands alone on its page"

    # Each deadline on one line; each row (its unique note) whole on one page.
    dues = [w for p in body for w in p.words if DUE.match(w.text) and w.x0 > p.width * 0.7]
    assert len(dues) == count
    assert not [w for p in body for w in p.words if re.fullmatch(r"\d{4}年(\d{1,2}月)?", w.text)], "a date wraps"
    squashed = ["".join(p.text.split()) for p in body]
    for n in range(1, count + 1):
        note = "".join(answers(count, note_length).split(f"第{n}条情况", 1)[1].split('"', 1)[0].split())
        marker = f"第{n}条情况{note[:8]}"
        holders = [i for i, text in enumerate(squashed) if marker in text]
        assert len(holders) == 1, f"row {n} is split across pages or missing"
        assert f"第{n}条情况{note}"[-6:] in squashed[holders[0]], f"row {n} is split across pages"
