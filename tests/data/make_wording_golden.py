"""Writes tests/data/wording-golden.json: every sentence the scoring of 0.1.x put into a result.

It was run once, at commit 82295ce (before results carried reason codes), with
`.venv/bin/python tests/data/make_wording_golden.py`. `tests/test_wording.py` scores the same answers
with today's code and checks that `seccheck.text.zh` words every reason exactly as that code did.
It reads the result attributes of that time (`reason`, `grade_reason`, `answer`, `text`) and does not
run against later code; it is kept to show how the file was made.
"""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

from seccheck.domain.answers import Answers
from seccheck.domain.scoring import score
from seccheck.domain.seal import encode_value
from seccheck.ruleset.load import load_ruleset, load_ruleset_text
from seccheck.ruleset.model import Check, Ruleset

ROOT = Path(__file__).resolve().parent.parent.parent
OUT = Path(__file__).resolve().parent / "wording-golden.json"

# A ruleset using every kind of deduction, including step on a range and max on a per-occurrence one.
COVERAGE = """
format = 1
id = "wording"
title = "措辞覆盖"
version = "1"

[scoring]
veto_grade = "基本符合要求"

[[profile]]
id = "has_net"
question = "是否有网络？"

[[category]]
id = "a"
title = "甲类"

[[category]]
id = "b"
title = "乙类"
applies_if = "has_net"

[[item]]
id = "1"
category = "a"
title = "是否题"
points = 6
allow_na = true

  [[item.check]]
  id = "1a"
  question = "固定扣分？"
  deduct = 1.5

  [[item.check]]
  id = "1b"
  question = "区间扣分？"
  deduct = [0.5, 2]

  [[item.check]]
  id = "1c"
  question = "区间扣分（步长）？"
  deduct = [0.1, 0.5]
  step = 0.1

  [[item.check]]
  id = "1d"
  question = "扣全部分值？"

  [[item.check]]
  id = "1e"
  question = "合规答否？"
  expect = false
  deduct = 1
  applies_if = "has_net"

[[item]]
id = "2"
category = "a"
title = "计数题"
points = 3

  [[item.check]]
  id = "2a"
  question = "几起？"
  kind = "count"
  per = 1

  [[item.check]]
  id = "2b"
  question = "几起（允许 1 起）？"
  kind = "count"
  per = 0.5
  max_ok = 1

  [[item.check]]
  id = "2c"
  question = "几起（最多扣 1 分）？"
  kind = "count"
  per = 0.25
  max = 1

[[item]]
id = "3"
category = "a"
title = "数值与选择"
points = 4

  [[item.check]]
  id = "3a"
  question = "比例？"
  kind = "number"
  min = 0
  max = 100
  min_ok = 60
  deduct = 1

  [[item.check]]
  id = "3b"
  question = "上限？"
  kind = "number"
  max_ok = 10
  deduct = 0.5

  [[item.check]]
  id = "3c"
  question = "区间？"
  kind = "number"
  min_ok = 1
  max_ok = 5

  [[item.check]]
  id = "3d"
  question = "情况？"
  kind = "choice"
  options = [
    { value = "good", label = "良好" },
    { value = "fair", label = "一般", deduct = 0.5 },
    { value = "poor", label = "较差", deduct = 1.5 },
    { value = "noted", label = "记录在案", ok = false },
  ]

  [[item.check]]
  id = "3e"
  question = "备注？"
  kind = "text"

[[item]]
id = "4"
category = "b"
title = "网络"
points = 2
question = "是否隔离？"
finding = "网络未隔离"

[[item]]
id = "5"
category = "a"
title = "不计分记录"
question = "是否记录？"

[[item]]
id = "6"
category = "a"
title = "加重"
aggravating = true
question = "泄密几起？"
kind = "count"
per = 3

[[item]]
id = "7"
category = "a"
title = "否决"
question = "是否发生案件？"
expect = false
veto = true

[[category]]
id = "c"
title = "丙类"

[[item]]
id = "8"
category = "c"
title = "可不适用"
points = 1
allow_na = true
question = "是否适用？"
"""

RAW_SCORE = COVERAGE.replace('id = "wording"', 'id = "wording-raw"').replace(
    '[scoring]\nveto_grade = "基本符合要求"',
    "[scoring]\nnormalize = false\n"
    'grades = [{ min = 15, label = "好" }, { min = 8, label = "中" }, { min = 0, label = "差" }]',
)

CHECKLIST = """
format = 1
id = "wording-list"
title = "清单"
version = "1"

[scoring]
method = "checklist"

[[category]]
id = "a"
title = "甲"

[[item]]
id = "1"
category = "a"
title = "一"
question = "是否？"
severity = "critical"

[[item]]
id = "2"
category = "a"
title = "二"
question = "几起？"
kind = "count"

[[item]]
id = "3"
category = "a"
title = "三"
question = "是否？"
"""


def answer_for(rng: random.Random, bad_rate: float, chk: Check) -> Any:
    bad = rng.random() < bad_rate
    if chk.kind == "yesno":
        value = chk.expected != bad
        if isinstance(chk.deduct, tuple) and bad and rng.random() < 0.7:
            lo, hi = chk.deduct
            steps = int((hi - lo) / chk.deduct_step)
            return {"value": value, "deduct": lo + chk.deduct_step * rng.randint(0, steps)}
        return value
    if chk.kind == "count":
        return rng.randint(1, 6) if bad else 0
    if chk.kind == "number":
        return rng.choice([0, 3, 7, Decimal("12.5"), 59, 60, 100])
    if chk.kind == "choice":
        return rng.choice(chk.options).value
    if chk.kind == "date":
        return "2026-11-20"
    return "备注"


def random_answers(rs: Ruleset, rng: random.Random) -> dict[str, Any]:
    given: dict[str, Any] = {}
    bad_rate = rng.choice([0.0, 0.03, 0.1, 0.4])
    for p in rs.profile:
        given[p.id] = rng.random() < 0.7 if p.kind == "yesno" else 1
    for item in rs.item:
        if item.allow_na and rng.random() < 0.3:
            given[item.id] = "na"
            continue
        for chk in item.check:
            if rng.random() < 0.04:
                continue  # unanswered
            given[chk.id] = answer_for(rng, bad_rate, chk)
    return given


def sentences(rs: Ruleset, given: dict[str, Any]) -> list[list[str]]:
    answers = Answers.model_validate(
        {"format": 1, "ruleset": rs.id, "unit": "某单位", "date": "2026-11-20", "mode": "inspection", "answers": given}
    )
    r: Any = score(rs, answers)
    out = [["grade", r.grade_reason]]
    for cat in r.categories:
        if cat.reason:
            out.append([f"category {cat.id}", cat.reason])
        for item in cat.items:
            if item.reason:
                out.append([f"item {item.id}", item.reason])
            for chk in item.checks:
                out.append([f"answer {chk.id}", chk.answer])
                if chk.reason:
                    out.append([f"check {chk.id}", chk.reason])
    for f in r.findings:
        out.append([f"finding {f.check_id}", f.text])
        out.append([f"finding answer {f.check_id}", f.answer])
    return out


def encode(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    return encode_value(value)


def main() -> None:
    rng = random.Random(20261201)
    cases: list[dict[str, Any]] = []
    sources: list[tuple[str, Ruleset, int]] = []
    for path in sorted((ROOT / "rulesets").glob("*.toml")):
        sources.append((f"rulesets/{path.name}", load_ruleset(path).ruleset, 4))
    sources.append(
        ("tests/data/worked-example.toml", load_ruleset(ROOT / "tests/data/worked-example.toml").ruleset, 12)
    )
    for name, text in (("coverage", COVERAGE), ("raw-score", RAW_SCORE), ("checklist", CHECKLIST)):
        sources.append((name, load_ruleset_text(text, name).ruleset, 40))
    for source, rs, n in sources:
        for _ in range(n):
            given = random_answers(rs, rng)
            cases.append({"ruleset": source, "answers": encode(given), "sentences": sentences(rs, given)})
    texts = {"coverage": COVERAGE, "raw-score": RAW_SCORE, "checklist": CHECKLIST}
    OUT.write_text(
        json.dumps({"rulesets": texts, "cases": cases}, ensure_ascii=False, indent=0) + "\n", encoding="utf-8"
    )
    print(f"{len(cases)} cases, {sum(len(c['sentences']) for c in cases)} sentences → {OUT}")


if __name__ == "__main__":
    main()
