"""The built-in rulesets: valid, complete for the notice, honest about legal bases, stable ids."""

from __future__ import annotations

import json
import re
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from seccheck.domain.scoring import score
from seccheck.domain.validate import check_answers
from seccheck.io.answersfile import load_answers
from seccheck.ruleset.load import LoadedRuleset, builtin_paths, builtin_rulesets, load_ruleset
from seccheck.ruleset.model import Check, Ruleset
from tests.conftest import DATA, ROOT

RULESETS = {loaded.ruleset.id: loaded for loaded in builtin_rulesets()}
EXAMPLES = sorted((ROOT / "examples").glob("*.answers.toml"))

# Article numbers the domain brief marks confirmed; any other number must not be cited.
CONFIRMED = {
    "保守国家秘密法实施条例": {"五十六", "五十八", "五十九", "六十一"},
    "保守国家秘密法": {"三十", "三十五", "三十八", "三十九", "五十七"},
}


def test_expected_rulesets_are_built_in() -> None:
    assert set(RULESETS) == {
        "unit-self-assessment",
        "department-self-check",
        "individual-self-check",
        "wechat-groups",
        "classified-document-return",
        "print-shop",
        "classified-computers",
    }
    for path in builtin_paths():
        assert load_ruleset(path).ruleset.id == path.stem, "file name must be the ruleset id"


@pytest.mark.parametrize("loaded", RULESETS.values(), ids=list(RULESETS))
def test_valid_without_warnings(loaded: LoadedRuleset) -> None:
    assert loaded.warnings == ()


def _can_fail(check: Check) -> bool:
    """Informational checks (text, date, number without bounds) never yield a finding."""
    if check.kind in ("text", "date"):
        return False
    return not (check.kind == "number" and check.min_ok is None and check.max_ok is None)


@pytest.mark.parametrize("loaded", RULESETS.values(), ids=list(RULESETS))
def test_every_check_has_notice_fields(loaded: LoadedRuleset) -> None:
    rs = loaded.ruleset
    for item in rs.item:
        for chk in item.check:
            assert chk.help, (rs.id, chk.id, "help")
            if _can_fail(chk):
                for field in ("finding", "rectify", "basis"):
                    assert getattr(chk, field), (rs.id, chk.id, field)
            else:
                assert chk.stat, f"{rs.id}:{chk.id} records a figure but has no stat key"


@pytest.mark.parametrize("loaded", RULESETS.values(), ids=list(RULESETS))
def test_critical_findings_have_short_deadlines(loaded: LoadedRuleset) -> None:
    rs = loaded.ruleset
    for item in rs.item:
        for chk in item.check:
            if _can_fail(chk) and rs.severity_of(item, chk) == "critical":
                assert rs.deadline_of(chk) <= 7, (rs.id, chk.id)


@pytest.mark.parametrize("loaded", RULESETS.values(), ids=list(RULESETS))
def test_no_invented_article_numbers(loaded: LoadedRuleset) -> None:
    rs = loaded.ruleset
    bases = [(chk.id, chk.basis or "") for item in rs.item for chk in item.check] + [("basis", b) for b in rs.basis]
    for ident, basis in bases:
        for segment in re.split(r"[；;]", basis):
            articles = re.findall(r"第([一二三四五六七八九十百]+)条", segment)
            if not articles or "待核实" in segment:
                continue
            law = next((name for name in CONFIRMED if name in segment), None)
            assert law, f"{rs.id}:{ident}: article cited without a known law: {segment}"
            unconfirmed = set(articles) - CONFIRMED[law]
            assert not unconfirmed, f"{rs.id}:{ident}: unconfirmed article {unconfirmed} in {segment}; mark it 待核实"


def test_unit_self_assessment_follows_the_official_standard() -> None:
    rs = RULESETS["unit-self-assessment"].ruleset
    items = rs.items_by_id
    assert [items[str(n)].points for n in range(1, 5)] == [4, 3, 3, 4]
    deducts = {c.id: c.deduct for n in range(1, 5) for c in items[str(n)].check}
    assert deducts == {
        "1a": 1,
        "1b": (Decimal("0.5"), Decimal(1)),
        "1c": 1,
        "1d": 1,
        "2a": 1,
        "2b": 1,
        "2c": 1,
        "3a": 1,
        "3b": 1,
        "3c": 1,
        "4a": 1,
        "4b": 1,
        "4c": 1,
        "4d": 1,
    }
    assert rs.scored_points == 100
    # Official structure where it is known (domain README): 32 ends 八; 九 = 33–35 (4); 十 = 36, 37 (+ 38 unknown) (5).
    official = {i.official: i for i in rs.item if i.official}
    assert sorted(official, key=int) == [str(n) for n in [1, 2, 3, 4, *range(32, 38), *range(53, 60)]]
    assert all(i.id == n for n, i in official.items()), "an official item's id is its official number"
    assert official["32"].points == 1 and rs.item[rs.item.index(official["32"]) - 1].category == official["32"].category
    cats = rs.categories_by_id
    assert cats[official["32"].category].title.startswith("八、")
    assert [i.id for i in rs.items_by_category["meetings-procurement"]] == ["33", "34", "35"]
    assert [i.points for i in rs.items_by_category["meetings-procurement"]] == [1, 1, 2]
    assert cats["meetings-procurement"].title == "九、涉密会议、活动和货物、工程、服务采购等项目管理情况"
    assert cats["foreign"].title == "十、涉外工作保密管理情况" and cats["foreign"].points == 5
    assert [(i.id, i.points) for i in rs.items_by_category["foreign"]] == [("36", 1), ("37", 2), ("u10.1", 2)]
    # Own items: ids that cannot be mistaken for official numbers.
    for item in rs.item:
        if not item.official:
            assert re.fullmatch(r"u[0-9a-z]+\.[0-9]+", item.id), item.id
            assert all(not c.id.isdigit() for c in item.check)
    aggravating = [i for i in rs.item if i.aggravating]
    assert [i.id for i in aggravating] == ["ua.1", "ua.2", "53", "54", "55", "56", "57", "58"]
    assert all(i.check[0].kind == "count" for i in aggravating)
    assert [i.check[0].per for i in aggravating] == [2, 4, 4, 4, 4, 4, 4, 6]
    veto = items["59"].check[0]
    assert veto.veto and veto.expect is False and items["59"].official == "59"
    assert [g.min for g in rs.scoring.grades] == [90, 80, 0]
    assert rs.scoring.effective_veto_grade == "不符合要求"
    profile = {p.id for p in rs.profile}
    assert {"has_classified_pcs", "has_key_dept", "has_procurement", "has_meetings", "has_foreign_affairs"} <= profile
    assert "本规则集" in rs.description and "官方" in rs.description
    for words in ("第1–4项", "第32项", "第33–35项", "第36、37项", "第53–58项", "第52项", "第59项", "u10.1", "ua.1"):
        assert words in rs.description, words


def test_unit_self_assessment_questions_have_no_double_negatives() -> None:
    rs = RULESETS["unit-self-assessment"].ruleset
    for _, chk in rs.checks.values():
        assert not re.search(r"是否(没有|未|不)", chk.question), chk.id
        assert not re.search(r"，未[^经]", chk.question), (chk.id, chk.question)
        if chk.kind == "yesno" and chk.expect is False:
            assert chk.veto and chk.id == "59", chk.id


def test_department_and_individual_structure() -> None:
    dept = RULESETS["department-self-check"].ruleset
    assert dept.level == "department" and dept.scoring.method == "checklist"
    assert len(dept.category) == 11 and len(dept.item) == 34
    ind = RULESETS["individual-self-check"].ruleset
    assert ind.level == "individual" and ind.scoring.method == "checklist"
    assert [len(ind.items_by_category[c.id]) for c in ind.category] == [4, 3, 1, 4, 5, 1, 1]
    assert len(ind.checks) == 19


def _stats(rs: Ruleset) -> set[str]:
    return {c.stat for _, c in rs.checks.values() if c.stat}


def test_special_inspections_collect_campaign_figures() -> None:
    assert _stats(RULESETS["wechat-groups"].ruleset) >= {
        "wechat_groups_found",
        "wechat_groups_dissolved",
        "wechat_groups_merged",
        "wechat_groups_standardised",
        "wechat_members_registered",
    }
    assert _stats(RULESETS["classified-document-return"].ruleset) >= {
        "documents_due_for_return",
        "documents_returned",
        "documents_overdue",
        "items_destroyed",
    }
    shop = RULESETS["print-shop"].ruleset
    assert shop.level == "site" and shop.scoring.method == "checklist"
    assert [g.label for g in shop.scoring.grades] == ["合格", "限期整改", "不合格"]


def test_every_ruleset_has_an_example() -> None:
    assert {p.name.removesuffix(".answers.toml") for p in EXAMPLES} >= set(RULESETS)


LOCAL = ROOT / "examples" / "local-standard"


@pytest.mark.parametrize("path", [*EXAMPLES, LOCAL / "local-standard.answers.toml"], ids=lambda p: p.stem)
def test_example_scores_as_its_header_says(path: Path) -> None:
    header = path.read_text(encoding="utf-8")
    m = re.search(r"预期结果（人工核算）：等次 (\S+)，得分率 (\S+?)%?，发现问题 (\d+) 个", header)
    assert m, f"{path.name}: header must state 预期结果（人工核算）：等次 X，得分率 Y%，发现问题 N 个"
    grade, percent, findings = m.group(1), m.group(2), int(m.group(3))
    answers, lines = load_answers(path)
    own = path.parent / f"{answers.ruleset}.toml"  # an example with its own ruleset (examples/local-standard/)
    rs = load_ruleset(own).ruleset if own.exists() else RULESETS[answers.ruleset].ruleset
    assert [p for p in check_answers(rs, answers, lines=lines) if not p.warning] == []
    result = score(rs, answers)
    assert result.grade == grade
    assert (str(result.percent) if result.percent is not None else "不计分") == percent
    assert len(result.findings) == findings


def test_ids_are_stable() -> None:
    snapshot: dict[str, list[str]] = json.loads((DATA / "ruleset-ids.json").read_text(encoding="utf-8"))
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    for ruleset_id, old_ids in snapshot.items():
        current = RULESETS.get(ruleset_id)
        if current is None:
            assert f"`{ruleset_id}`" in changelog, f"ruleset {ruleset_id} removed without a CHANGELOG note"
            continue
        now = set(_ids(current.ruleset))
        for ident in old_ids:
            if ident not in now:
                assert f"{ruleset_id}:{ident.removeprefix('category:')}" in changelog, (
                    f"{ruleset_id}:{ident} was removed or renamed: a breaking change; note it in CHANGELOG.md"
                )
        new = now - set(old_ids)
        assert not new, f"new ids in {ruleset_id}: {sorted(new)}; add them to tests/data/ruleset-ids.json"


def _ids(rs: Ruleset) -> list[str]:
    return (
        [p.id for p in rs.profile]
        + [f"category:{c.id}" for c in rs.category]
        + [i.id for i in rs.item]
        + [c.id for i in rs.item for c in i.check if c.id != i.id]
    )


def test_rulesets_are_plain_data() -> None:
    # Rulesets are data: TOML only, nothing that could be executed.
    for path in builtin_paths():
        tomllib.loads(path.read_text(encoding="utf-8"))
    assert not list((ROOT / "rulesets").glob("*.py"))
