"""The offline form in a real headless Chromium (forms.md §2, §5): parity with the engine, no
request, hostile text shown literally, nothing typed lost, save/load, print, keyboard."""

from __future__ import annotations

import hashlib
import hmac
import os
import random
import re
import shutil
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from seccheck.domain.answers import Answer
from seccheck.domain.scoring import score
from seccheck.domain.validate import check_answers
from seccheck.forms.page import FormIssue, render_form
from seccheck.numbers import fmt
from seccheck.ruleset.load import LoadedRuleset, load_ruleset, resolve_ruleset
from tests.conftest import DATA
from tests.formbrowser import FILL_JS, fields, make_answers, random_answers

playwright_api = pytest.importorskip("playwright.sync_api", reason="the dev extras install playwright")

KEY = "5a" * 32
HOSTILE = "某局<script>alert(1)</script>&amp;\"'<img src=x onerror=alert(2)>"


def write_form(tmp: Path, loaded: LoadedRuleset, unit: str = "测试单位", number: str = "测〔2026〕1号") -> Path:
    issue = FormIssue(
        number=number, unit=unit, key=KEY, ruleset_sha256=loaded.sha256, campaign="2026年度自查", due="2026-12-31"
    )
    path = tmp / f"{loaded.ruleset.id}.html"
    path.write_text(render_form(loaded.ruleset, issue), encoding="utf-8")
    return path


def open_page(browser: Any, path: Path, **context: Any) -> tuple[Any, Any, list[str]]:
    ctx = browser.new_context(**context)
    page = ctx.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_selector("html[data-ready=true]")
    assert errors == []
    return ctx, page, requests


PARITY_RULESETS = ["unit-self-assessment", "wechat-groups", "classified-computers"]


def _ruleset(name: str) -> LoadedRuleset:
    if name.endswith(".toml"):
        return load_ruleset(DATA / name)
    return resolve_ruleset(name)


@pytest.mark.parametrize(
    ("name", "sets"),
    [
        ("unit-self-assessment", 300),
        ("wechat-groups", 200),
        ("classified-computers", 200),
        ("form-local-standard.toml", 250),
        ("steps-example.toml", 100),
        ("print-shop", 30),
    ],
)
def test_parity_with_the_engine(browser: Any, tmp_path: Path, name: str, sets: int) -> None:
    """Random valid answer sets filled through the page's inputs agree with `score` on every item's
    deduction, the totals, the percent shown and the grade (1,080 sets in all)."""
    loaded = _ruleset(name)
    rs = loaded.ruleset
    rng = random.Random(f"parity-{name}")
    answer_sets = [random_answers(rs, rng) for _ in range(sets)]
    ctx, page, requests = open_page(browser, write_form(tmp_path, loaded))
    try:
        shown: list[dict[str, Any]] = []
        for start in range(0, sets, 50):
            shown += page.evaluate(FILL_JS, [fields(a) for a in answer_sets[start : start + 50]])
    finally:
        ctx.close()
    assert requests == [write_form(tmp_path, loaded).as_uri()]
    for n, (given, page_result) in enumerate(zip(answer_sets, shown, strict=True)):
        answers = make_answers(rs, given)
        problems = [p for p in check_answers(rs, answers) if not p.warning]
        assert problems == [], (n, problems)
        result = score(rs, answers)
        where = f"{name} set {n}: {given}"
        assert page_result["percent"] == ("" if result.percent is None else str(result.percent)), where
        assert page_result["grade"] == result.grade, where
        if result.applicable is not None:
            assert page_result["applicable"] == fmt(result.applicable), where
            assert page_result["earned"] == fmt(result.earned), where
            assert page_result["aggravated"] == fmt(result.aggravated), where
        items = {i.id: i for c in result.categories for i in c.items}
        for item_id, (applicable, deduction) in page_result["items"].items():
            item = items[item_id]
            assert applicable == ("true" if item.applicable else "false"), (item_id, where)
            if item.applicable and rs.scoring.method == "deduction":
                assert deduction == fmt(item.deduction), (item_id, where)
        assert int(page_result["answered"]) == int(page_result["total"]), where


def test_digests_agree_with_hashlib(browser: Any, tmp_path: Path) -> None:
    """The page's SM3, SHA-256 and HMAC-SM3 against Python's hashlib on random inputs (0-300 bytes)."""
    ctx, page, _ = open_page(browser, write_form(tmp_path, resolve_ruleset("print-shop")))
    rng = random.Random("digests")
    inputs = [
        bytes(rng.getrandbits(8) for _ in range(rng.choice([0, 1, 55, 56, 63, 64, 65, rng.randint(0, 300)])))
        for _ in range(120)
    ]
    keys = [bytes(rng.getrandbits(8) for _ in range(rng.choice([16, 32, 64, 65, 100]))) for _ in inputs]
    got = page.evaluate(
        """([inputs, keys]) => inputs.map((hex, i) => {
             const D = window.seccheckForm.digest, b = D.fromHex(hex);
             return [D.hex(D.sm3(b)), D.hex(D.sha256(b)), D.hex(D.hmacSm3(D.fromHex(keys[i]), b))];
           })""",
        [[b.hex() for b in inputs], [k.hex() for k in keys]],
    )
    ctx.close()
    for data, key, (sm3, sha, mac) in zip(inputs, keys, got, strict=True):
        assert sm3 == hashlib.new("sm3", data).hexdigest()
        assert sha == hashlib.sha256(data).hexdigest()
        assert mac == hmac.new(key, data, "sm3").hexdigest()


def test_no_request_and_hostile_text_literal(browser: Any, tmp_path: Path) -> None:
    """A CSP meta with default-src 'none'; no request but the file itself; a hostile unit name and
    hostile ruleset text appear literally and run nothing."""
    text = (DATA / "form-local-standard.toml").read_text(encoding="utf-8")
    text = text.replace('title = "制度建设"', 'title = "<b>制度</b>建设 </script><script>window.pwned=1</script>"')
    text = text.replace(
        'question = "是否建立保密工作制度？"', "question = \"是否建立制度？<img src=x onerror='window.pwned=2'>\""
    )
    (tmp_path / "hostile.toml").write_text(text, encoding="utf-8")
    loaded = load_ruleset(tmp_path / "hostile.toml")
    path = write_form(tmp_path, loaded, unit=HOSTILE)
    html = path.read_text(encoding="utf-8")
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'' in html
    for word in ("eval(", "Function(", "innerHTML", "http://", "https://"):
        assert word not in html
    ctx, page, requests = open_page(browser, path)
    try:
        assert page.text_content("[data-unit]") == HOSTILE
        assert page.text_content('[data-item="A"] h3') is not None
        assert "<b>制度</b>建设 </script><script>window.pwned=1</script>" in page.text_content('[data-item="A"] h3')
        assert "<img src=x onerror='window.pwned=2'>" in page.text_content('[data-check="A1"] .q')
        assert page.evaluate("window.pwned") is None
        page.check('input[name="has_net"][value="true"]')
        page.fill('input[name="staff"]', "12")
        assert page.evaluate("window.pwned") is None
    finally:
        ctx.close()
    assert requests == [path.as_uri()]


def _answered(page: Any) -> int:
    return int(page.get_attribute("[data-result]", "data-answered"))


def _kept(context: Any, path: Path, answered: int) -> None:
    """Wait until the browser holds what the page put in local storage: another page of the same
    profile, opened afresh, shows it. Chromium hands a page's writes to the browser process after
    the call returns, so a reload or shutdown in the same instant could read an older copy; a person
    does not reload within milliseconds of typing."""
    import time

    probe = context.new_page()
    deadline = time.monotonic() + 20
    try:
        while True:
            probe.goto(path.as_uri())
            probe.wait_for_selector("html[data-ready=true]")
            if _answered(probe) == answered:
                return
            assert time.monotonic() < deadline, f"local storage never held the {answered} answers"
            probe.wait_for_timeout(200)
    finally:
        probe.close()


def test_nothing_typed_is_lost(browser: Any, tmp_path: Path) -> None:
    """Local storage keeps every answer across reload and a browser restart (a persistent profile);
    a saved answers file loaded into the same form in a fresh browser continues it."""
    loaded = resolve_ruleset("wechat-groups")
    path = write_form(tmp_path, loaded)
    rs = loaded.ruleset
    given = random_answers(rs, random.Random("keep"))
    wanted = fields(given)
    ctx, page, _ = open_page(browser, path)
    page.evaluate(FILL_JS, [wanted])
    first_check = next(c.id for i in rs.item for c in i.check if c.id in given and not given[c.id].na)
    page.locator(f'[data-check="{first_check}"] details summary').click()
    page.fill(f'textarea[name="{first_check}.note"]', "已整改，见\n会议记录")
    shown = page.get_attribute("[data-result]", "data-percent"), _answered(page)
    _kept(ctx, path, shown[1])
    page.reload()
    page.wait_for_selector("html[data-ready=true]")
    assert (page.get_attribute("[data-result]", "data-percent"), _answered(page)) == shown
    assert page.input_value(f'textarea[name="{first_check}.note"]') == "已整改，见\n会议记录"
    page.fill("input[name=filled_by]", "王五")
    page.fill("input[name=reviewed_by]", "赵六")
    with page.expect_download() as info:
        page.click("[data-action=save]")
    saved = tmp_path / "saved.toml"
    info.value.save_as(saved)
    ctx.close()

    # A browser restart: the same profile directory, a new browser process.
    from tests.formbrowser import ARGS, chromium_path

    profile = tmp_path / "profile"
    for run in range(2):
        persistent = browser.browser_type.launch_persistent_context(
            str(profile), executable_path=chromium_path(), args=ARGS
        )
        page = persistent.new_page()
        page.goto(path.as_uri())
        page.wait_for_selector("html[data-ready=true]")
        assert _answered(page) == (0 if run == 0 else shown[1])
        if run == 0:
            page.evaluate(FILL_JS, [wanted])
        assert (page.get_attribute("[data-result]", "data-percent"), _answered(page)) == shown
        _kept(persistent, path, shown[1])
        persistent.close()  # the browser process ends; the next round starts a new one

    # Another PC: a fresh browser, the saved file loaded back.
    ctx, page, _requests = open_page(browser, path)
    assert _answered(page) == 0
    page.set_input_files("[data-action=load]", str(saved))
    page.locator(f'[data-result][data-answered="{shown[1]}"]').wait_for()  # no eval: the CSP forbids it
    assert page.get_attribute("[data-result]", "data-percent") == shown[0]
    assert page.input_value(f'textarea[name="{first_check}.note"]') == "已整改，见\n会议记录"
    assert page.input_value("input[name=filled_by]") == "王五"
    for name, value in wanted.items():
        el = page.locator(f'[name="{name}"]').first
        if el.get_attribute("type") == "radio":
            assert page.locator(f'[name="{name}"][value="{value}"]').is_checked(), name
        else:
            got = el.input_value()
            numeric = re.fullmatch(r"-?\d+(\.\d+)?", value) is not None
            assert (Decimal(got) == Decimal(value)) if numeric else got == value, name
    ctx.close()


def test_print_to_pdf(browser: Any, tmp_path: Path) -> None:
    """The print stylesheet gives a paper copy with 单位（盖章）, 负责人, 填表人, 日期 and the 核验码."""
    from pypdf import PdfReader

    loaded = resolve_ruleset("unit-self-assessment")
    path = write_form(tmp_path, loaded, unit="某区审计局")
    ctx, page, _ = open_page(browser, path)
    given = random_answers(loaded.ruleset, random.Random("print"))
    page.evaluate(FILL_JS, [fields(given)])
    page.fill("input[name=filled_by]", "王五")
    page.fill("input[name=reviewed_by]", "赵六")
    with page.expect_download():
        page.click("[data-action=save]")
    code = page.text_content("#r-code")
    assert code and re.fullmatch(r"[0-9A-F]{4}(-[0-9A-F]{4}){3}", code)
    pdf = tmp_path / "form.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=False)
    ctx.close()
    shutil.copy(pdf, Path(os.environ.get("SECCHECK_FORM_PDF", tmp_path / "copy.pdf")))
    # NFKC: the PDF's text layer may carry CJK radicals (⾃) for the ideographs (自).
    text = unicodedata.normalize("NFKC", "".join(p.extract_text() for p in PdfReader(pdf).pages)).replace(" ", "")
    for words in (
        "保密自查自评表",
        "某区审计局",
        "单位（盖章）",
        "负责人",
        "填表人",
        "日期",
        "核验码",
        code,
        "王五",
        "赵六",
    ):
        assert unicodedata.normalize("NFKC", words).replace(" ", "") in text, words
    assert "保存定稿答案文件" not in text  # the buttons are for the screen


def test_keyboard_and_small_screens(browser: Any, tmp_path: Path) -> None:
    """Keyboard only: Tab reaches the first answer, Space answers, arrows change it; usable at 1024×768,
    at 200% zoom (512 CSS pixels wide) and on a 375 px wide phone: no sideways scrolling, text ≥ 14 px."""
    loaded = resolve_ruleset("unit-self-assessment")
    path = write_form(tmp_path, loaded)
    ctx, page, _ = open_page(browser, path, viewport={"width": 1024, "height": 768})
    first = loaded.ruleset.profile[0].id
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == first:
            break
    assert page.evaluate("document.activeElement.name") == first
    page.keyboard.press("Space")
    assert page.locator(f'[name="{first}"][value="true"]').is_checked()
    assert _answered(page) == 1
    page.keyboard.press("ArrowRight")
    assert page.locator(f'[name="{first}"][value="false"]').is_checked()
    page.focus("[data-action=save-draft]")
    with page.expect_download():
        page.keyboard.press("Enter")
    ctx.close()
    for width, height in ((1024, 768), (512, 384), (375, 667)):
        ctx, page, _ = open_page(browser, path, viewport={"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, width
        sizes = page.evaluate(
            "[...document.querySelectorAll('.q, label, h3, button')].map(e => parseFloat(getComputedStyle(e).fontSize))"
        )
        assert min(sizes) >= 14, width
        ctx.close()


def test_validation_messages_are_the_engines(browser: Any, tmp_path: Path) -> None:
    """A wrong answer shows the message `seccheck score` gives for the same answer (one table of
    rules and messages), and an incomplete or wrong form saves only as a draft."""

    loaded = load_ruleset(DATA / "form-local-standard.toml")
    rs = loaded.ruleset
    cases = [
        ({"staff": "12.5"}, "staff", {"staff": Answer(value=Decimal("12.5"))}),
        ({"staff": "6000"}, "staff", {"staff": Answer(value=6000)}),
        (
            {"has_net": "true", "A1": "false", "A1.deduct": "0.15"},
            "A1",
            {"A1": Answer(value=False, deduct=Decimal("0.15"))},
        ),
        ({"has_net": "true", "A1": "false"}, "A1", {"A1": Answer(value=False)}),
        ({"B": "-1"}, "B", {"B": Answer(value=-1)}),
        ({"B": "2.5"}, "B", {"B": Answer(value=Decimal("2.5"))}),
    ]
    ctx, page, _ = open_page(browser, write_form(tmp_path, loaded))
    try:
        for inputs, ident, answers in cases:
            page.evaluate(FILL_JS, [inputs])
            shown = page.text_content(f'[data-check="{ident}"] .problem')
            engine = [p.message for p in check_answers(rs, make_answers(rs, answers), final=False) if p.id == ident]
            assert shown == engine[0], (inputs, shown, engine)
        page.fill("input[name=filled_by]", "王五")
        page.fill("input[name=reviewed_by]", "赵六")
        page.click("[data-action=save]")
        assert "只能保存为草稿" in page.text_content("#save-message")
    finally:
        ctx.close()


def test_plausibility_rules_show_beside_their_checks(browser: Any, tmp_path: Path) -> None:
    """`[[plausibility]]` rules (compiled as `compile.plausibility_logic` does) show their message beside
    the checks they name when the impossible combination is answered, and block the final file."""
    from seccheck.forms.compile import compile_form, expr_tree

    loaded = load_ruleset(DATA / "form-local-standard.toml")
    model = compile_form(loaded.ruleset)
    message = "未登记的载体份数多于涉密人员数的十倍<script>"
    model.logic["plausibility"] = [{"when": expr_tree("B > staff"), "message": message, "checks": ["B"]}]
    issue = FormIssue(number="测〔2026〕2号", unit="测试单位", key=KEY, ruleset_sha256=loaded.sha256)
    path = tmp_path / "p.html"
    path.write_text(render_form(loaded.ruleset, issue, model), encoding="utf-8")
    ctx, page, _ = open_page(browser, path)
    try:
        page.evaluate(FILL_JS, [{"staff": "3", "B": "2"}])
        assert page.text_content('[data-check="B"] .problem') == ""
        page.evaluate(FILL_JS, [{"staff": "3", "B": "4"}])
        assert page.text_content('[data-check="B"] .problem') == message
    finally:
        ctx.close()


PROBLEMS_JS = """() => Object.fromEntries([...document.querySelectorAll('[data-check]')]
  .map((e) => [e.dataset.check, e.querySelector('.problem').textContent]).filter(([, t]) => t))"""


def test_plausibility_rules_of_a_real_ruleset(browser: Any, tmp_path: Path) -> None:
    """wechat-groups' own `[[plausibility]]` rules (W00e ≤ W00f, W00b/c/d ≤ W00a) in the page agree with
    the engine: on random sets drawn without regard to them, the page shows a rule's message beside
    exactly the checks of the rules `check_answers` refuses, a boundary (equal) answer is accepted, and
    an implausible set saves only as a draft."""
    loaded = resolve_ruleset("wechat-groups")
    rs = loaded.ruleset
    assert {r.when for r in rs.plausibility} >= {"W00e > W00f", "W00b > W00a"}
    rng = random.Random("plausibility")
    answer_sets = [random_answers(rs, rng, plausible=False) for _ in range(80)]
    edges = (random_answers(rs, rng) for _ in range(100))
    edge = next(a for a in edges if "W00e" in a and "W00f" in a)  # has_groups answered 是
    edge = {**edge, "W00e": Answer(value=7), "W00f": Answer(value=7)}
    answer_sets.append(edge)
    ctx, page, _ = open_page(browser, write_form(tmp_path, loaded))
    refused = 0
    try:
        for n, given in enumerate(answer_sets):
            page.evaluate(FILL_JS, [fields(given)])
            shown = page.evaluate(PROBLEMS_JS)
            problems = [p for p in check_answers(rs, make_answers(rs, given)) if not p.warning]
            expected: dict[str, list[str]] = {}
            broken = 0
            for rule in rs.plausibility:
                if any(p.id == "、".join(rule.checks) and rule.message in p.message for p in problems):
                    broken += 1
                    for check in rule.checks:
                        expected.setdefault(check, []).append(rule.message)
            assert len(problems) == broken, (n, problems)  # the engine refuses these sets for those rules only
            assert shown == {k: "；".join(v) for k, v in expected.items()}, (n, given, problems)
            refused += bool(problems)
        assert page.evaluate(PROBLEMS_JS) == {}  # the last set: W00e = W00f is plausible
        assert 10 <= refused <= 70, refused  # both kinds of set were tried
        page.evaluate(FILL_JS, [{**fields(edge), "W00e": "8"}])
        assert page.text_content('[data-check="W00e"] .problem') == "实名登记备案的群成员多于工作群成员总数"
        assert page.text_content('[data-check="W00f"] .problem') == "实名登记备案的群成员多于工作群成员总数"
        page.fill("input[name=filled_by]", "王五")
        page.fill("input[name=reviewed_by]", "赵六")
        page.click("[data-action=save]")
        assert "只能保存为草稿" in page.text_content("#save-message")
    finally:
        ctx.close()
