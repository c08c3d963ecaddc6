"""The paragraph generator on its own (pure): rates, zero figures, subjects, stat phrases."""

from __future__ import annotations

from decimal import Decimal

from seccheck.domain.paragraph import Group, Wording, fill, paragraphs, rate_text, stat_phrases
from seccheck.ruleset.model import StatDecl

SHOPS = Wording("print-shop", "打字复印店保密检查", "打字复印店", "家", "合格")
UNITS = Wording("wechat-groups", "微信工作群保密管理专项检查", "单位", "家", "符合要求")
STATS = (
    StatDecl(key="found", label="摸底排查", unit="个", phrase="摸底排查微信工作群{value}个"),
    StatDecl(key="merged", label="合并", unit="个", phrase="合并{value}个"),
    StatDecl(key="total", label="成员", unit="名"),
    StatDecl(
        key="registered",
        label="实名",
        unit="名",
        total="total",
        phrase="群内{total}名工作人员中{value}名实名制登记备案",
        phrase_all="群内{value}名工作人员全部实名制登记备案",
    ),
)


def test_rates_are_integers_when_whole_and_never_round_to_all_or_nothing() -> None:
    assert rate_text(3, 5) == "60%" and rate_text(5, 5) == "100%" and rate_text(0, 4) == "0%"
    assert rate_text(5, 16) == "31.3%" and rate_text(1, 3) == "33.3%" and rate_text(2, 3) == "66.7%"
    assert rate_text(1999, 2000) == "99.9%" and rate_text(1, 3000) == "0.1%"
    assert rate_text(1, 0) == "—"


def test_zero_figures_say_nothing_and_all_is_said_when_all() -> None:
    g = Group(
        UNITS, stats={"found": Decimal(15), "merged": Decimal(0), "total": Decimal(552), "registered": Decimal(552)}
    )
    g.wording = Wording(**{**UNITS.__dict__, "stats": STATS})
    assert stat_phrases(g) == ["摸底排查微信工作群15个", "群内552名工作人员全部实名制登记备案"]
    g.stats["registered"] = Decimal(550)
    assert stat_phrases(g)[-1] == "群内552名工作人员中550名实名制登记备案"


def test_subjects_coverage_and_problems() -> None:
    shops = Group(SHOPS, planned=11, planned_covered=11, covered=11, findings=0, grades=[("合格", 11)])
    units = Group(UNITS, planned=0, covered=22, findings=10, verified=10)
    (text,) = paragraphs([shops, units])
    assert text.startswith(
        "对11家打字复印店开展保密检查，实现全覆盖；对22家单位开展保密检查；发现问题10个，已全部整改。"
    )
    assert "已整改0个" not in text and "0.0%" not in text
    units.planned, units.planned_covered = 25, 22
    (text,) = paragraphs([units])
    assert text.startswith("应检25家单位，已检查22家，覆盖率88%；发现问题10个，已全部整改。")
    self_check = Group(
        Wording("dept", "内设机构保密自查", "内设机构", "个"), mode="self", planned=8, planned_covered=8, covered=8
    )
    (text,) = paragraphs([self_check])
    assert text == "组织8个内设机构开展保密自查自评，实现全覆盖。"


def test_fill_substitutes_names_and_keeps_literal_braces() -> None:
    assert fill("{{注}}解散{value}个", {"value": "3"}) == "{注}解散3个"
