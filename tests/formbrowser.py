"""Driving the offline form in Debian's chromium through Playwright (forms.md §5): never a
downloaded browser (`playwright install` is not used), no network, one browser per test session."""

from __future__ import annotations

import random
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from seccheck.domain import plausibility
from seccheck.domain.answers import Answer, Answers
from seccheck.domain.applicability import applicability, is_compliant
from seccheck.ruleset.model import Check, ProfileQuestion, Ruleset

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    path = shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).exists() else None)
    if path is None:
        pytest.fail("Debian's chromium is not installed: run `bash scripts/setup.sh --dev` (apt-get install chromium)")
    return path


# Fill the page from a list of {input name: value} maps through its inputs, one input event each, and
# read back what it shows: the result element and every item's deduction.
FILL_JS = """
(sets) => sets.map((set) => {
  for (const el of document.querySelectorAll('input, textarea')) {
    if (el.type === 'radio' || el.type === 'checkbox') el.checked = false;
    else if (el.type !== 'file') el.value = '';
  }
  let last = null;
  for (const [name, value] of Object.entries(set)) {
    for (const el of document.getElementsByName(name)) {
      if (el.type === 'radio' || el.type === 'checkbox') { if (el.value === value) { el.checked = true; last = el; } }
      else { el.value = value; last = el; }
    }
  }
  (last || document.querySelector('input')).dispatchEvent(new Event('input', {bubbles: true}));
  const r = document.querySelector('[data-result]');
  const items = {};
  for (const el of document.querySelectorAll('[data-item]')) {
    items[el.dataset.item] = [el.dataset.applicable, el.dataset.deduction];
  }
  return {percent: r.dataset.percent, grade: r.dataset.grade, answered: r.dataset.answered,
          total: r.dataset.total, applicable: r.dataset.applicablePoints, earned: r.dataset.earned,
          aggravated: r.dataset.aggravated, items: items};
})
"""


def _value(rng: random.Random, q: Check | ProfileQuestion) -> Any:
    if q.kind == "yesno":
        return rng.random() < 0.6
    if q.kind == "count":
        return rng.choice([0, 0, 0, 1, 2, 3, rng.randint(4, 40)])
    if q.kind == "choice":
        return rng.choice(q.options).value
    if q.kind == "number":
        lo = q.min if q.min is not None else Decimal(-50)
        hi = q.max if q.max is not None else Decimal(1000)
        if q.integer:
            return rng.randint(int(lo), int(min(hi, lo + 400)))
        places = rng.choice([0, 1, 2, 4])
        raw = Decimal(rng.randint(int(lo * 10**places), int(min(hi, lo + 500) * 10**places))).scaleb(-places)
        return int(raw) if places == 0 else raw
    if q.kind == "date":
        return f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return rng.choice(["", "已整改", "见附件"]) or "无"


def random_answers(rs: Ruleset, rng: random.Random, *, plausible: bool = True) -> dict[str, Answer]:
    """A random complete and valid answer set: only applicable questions are answered, a range
    deduction is chosen (on its step) for every non-compliant range check, and no `[[plausibility]]`
    rule of the ruleset holds: the answers a broken rule names (e.g. W00e > W00f) are drawn again, the
    rest of the set kept, so the sets stay as varied as before. With `plausible=False` a set that
    breaks a rule is kept as drawn, for the tests of those rules."""
    given: dict[str, Answer] = {p.id: Answer(value=_value(rng, p)) for p in rs.profile}
    for item in rs.item:
        if item.allow_na and rng.random() < 0.15:
            given[item.id] = Answer(na=True)
            continue
        for chk in item.check:
            given[chk.id] = Answer(value=_value(rng, chk))
    for _ in range(1000):
        app = applicability(rs, given)
        broken = plausibility.violations(rs, app.values) if plausible else []
        if not broken:
            return _applicable(rs, rng, given)
        for violation in broken:
            for key in violation.rule.checks:
                q = rs.profile_by_id[key] if key in rs.profile_by_id else rs.checks[key][1]
                given[key] = Answer(value=_value(rng, q))
    raise AssertionError(f"{rs.id}: no plausible answers drawn in 1,000 tries")


def _applicable(rs: Ruleset, rng: random.Random, given: dict[str, Answer]) -> dict[str, Answer]:
    """The answers of applicable questions, with a range deduction for each non-compliant range check."""
    app = applicability(rs, given)
    kept: dict[str, Answer] = {}
    for key, a in given.items():
        if key in rs.profile_by_id or a.na:
            kept[key] = a
        elif app.check.get(key, False):
            _item, chk = rs.checks[key]
            if isinstance(chk.deduct, tuple) and _item.scored and not is_compliant(chk, a.value):
                lo, hi = chk.deduct
                steps = int((hi - lo) / chk.deduct_step)
                a = Answer(value=a.value, deduct=lo + chk.deduct_step * rng.randint(0, steps))
            kept[key] = a
    return kept


def fields(answers: dict[str, Answer]) -> dict[str, str]:
    """The page's input names and values for an answer set (docs/forms.md, markup hooks)."""
    out: dict[str, str] = {}
    for key, a in answers.items():
        if a.na:
            out[key] = "na"
            continue
        v = a.value
        out[key] = (
            ("true" if v else "false") if isinstance(v, bool) else format(v, "f") if isinstance(v, Decimal) else str(v)
        )
        if a.deduct is not None:
            out[f"{key}.deduct"] = format(a.deduct, "f")
    return out


def make_answers(rs: Ruleset, answers: dict[str, Answer], unit: str = "测试单位") -> Answers:
    import datetime as dt

    return Answers(
        format=1, ruleset=rs.id, ruleset_version=rs.version, unit=unit, date=dt.date(2026, 11, 23), answers=answers
    )
