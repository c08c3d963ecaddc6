"""`--json` (docs/json.md): every command that has it prints its documented model, checked against the
model's JSON Schema by a standard validator; a field name has one type in every model."""

from __future__ import annotations

import copy
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import click
import pytest
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from seccheck.app import views
from seccheck.cli.main import main
from tests.conftest import DATA, ROOT, Workspace, seccheck
from tests.test_lifecycle import WECHAT, reinspection_file

# The module-scoped fixture is made once: the tests run on one xdist worker (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("json-workspace")

EXAMPLES = ROOT / "examples"
JSON_DOC = ROOT / "docs" / "json.md"

# Which model each command prints, and whether as a list (docs/json.md says the same).
PRINTS: dict[str, tuple[str, bool]] = {
    "unit list": ("Unit", True),
    "campaign list": ("Campaign", True),
    "campaign show": ("CampaignDetail", False),
    "audit list": ("Audit", True),
    "audit show": ("AuditDetail", False),
    "rectify list": ("Rectification", True),
    "form status": ("IssuedForm", True),
    "score": ("Result", False),
    "summary": ("YearSummary", False),
    "rollup": ("Rollup", False),
}

# Fields whose name means different things in the scoring result (the domain's own dataclasses,
# serialised as they are). Documented in docs/json.md; any other difference fails.
KNOWN_DIFFERENCES = {
    "id": "记录编号为整数；规则集中类别、检查项、检查的 id 为字符串",
    "applicable": "Result.applicable 为实有项目分值（小数字符串）；类别、检查项、检查的 applicable 为是否适用",
    "findings": "Result.findings 为问题列表；CategoryResult.findings 为该类别的问题数",
    "value": "答案的 value 为其类型的值；结果中检查和问题的 value 为带类型编码的值（小数、日期为对象）",
    "total": "TierCount.total 为应自查数（整数）；评分理由中的 total 为小数字符串",
    "reason": "整改记录的 reason 为退回理由（文字）；结果中的 reason 为理由代码及其数字（见 result.md）",
    "checks": "ItemResult.checks 为检查结果列表；否决理由 GradeVeto.checks 为不合规的否决检查 id",
}


def commands_with_json(group: click.Group = main, prefix: str = "") -> list[str]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            found += commands_with_json(command, path + " ")
        elif any("--json" in p.opts for p in command.params if isinstance(p, click.Option)):
            found.append(path)
    return found


def validator(model: str, many: bool) -> Draft202012Validator:
    schema = views.json_schema(model, many=many)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A workspace with every kind of record: scored and checklist audits, a draft, a re-inspection,
    rectifications reported, rejected and verified, a campaign with planned units."""
    tmp = tmp_path_factory.mktemp("json")
    root = tmp / "ws"
    assert seccheck("init", root, "--issuer", "某区国家保密局", "--prefix", "某保检").code == 0
    ws = Workspace(root, f"sqlite:///{root / 'seccheck.db'}")
    assert ws.run("unit", "add", "某区司法局", "--code", "11110000", "--kind", "党政机关").code == 0
    run = ws.run(
        "campaign", "create", "秋季检查", "--ruleset", "wechat-groups", "--from", "2026-09-01", "--unit", "某区司法局"
    )
    assert run.code == 0, run.text
    assert ws.run("campaign", "create", "空的专项行动", "--ruleset", "print-shop").code == 0
    form = ws.run("form", "wechat-groups", "--unit", "某区司法局", "--campaign", "秋季检查", "--out", tmp / "f.html")
    assert form.code == 0, form.text
    assert ws.run("import", WECHAT, "--campaign", "秋季检查", "--no-notice").code in (0, 1)
    for name in ("unit-self-assessment", "print-shop"):
        ws.run("import", "--new-unit", "--no-notice", EXAMPLES / f"{name}.answers.toml")
    computers = tmp / "computers.toml"  # a decimal answer to a number check
    text = (EXAMPLES / "classified-computers.answers.toml").read_text(encoding="utf-8")
    computers.write_text(text.replace("K00a = 12", "K00a = 2.5"), encoding="utf-8")
    # The built-in ruleset asks K00a as a whole number; a copy that takes a decimal.
    ruleset = tmp / "computers-ruleset.toml"
    source = (EXAMPLES.parent / "rulesets" / "classified-computers.toml").read_text(encoding="utf-8")
    head, sep, rest = source.partition('id = "K00a"')
    ruleset.write_text(head + sep + rest.replace("integer = true\n", "", 1), encoding="utf-8")
    imported = ws.run("import", "--new-unit", "--no-notice", computers, "--ruleset", ruleset)
    assert imported.code == 0, imported.text
    draft = tmp / "draft.toml"
    text = WECHAT.read_text(encoding="utf-8").replace('unit = "某区司法局"', 'unit = "某区民政局"')
    draft.write_text(text.split("[answers]")[0] + "[answers]\nW00a = 15\n", encoding="utf-8")
    assert ws.run("import", "--draft", "--new-unit", draft).code == 0, "draft"
    rows = json.loads(ws.run("rectify", "list", "--json").out)
    assert ws.run("rectify", "report", str(rows[0]["id"]), "--note", "已整改").code == 0
    assert ws.run("rectify", "report", str(rows[1]["id"]), "--note", "已整改").code == 0
    assert ws.run("rectify", "reject", str(rows[1]["id"]), "--reason", "缺佐证").code == 0
    assert ws.run("reinspect", "1", "--answers", reinspection_file(tmp), "--no-notice").code == 0
    assert ws.run("audit", "amend", "2", "--set", "1b=否:1", "--reason", "复核").code in (0, 1)
    return ws


def outputs(ws: Workspace, command: str) -> list[str]:
    """What `command --json` prints in the workspace, for every kind of record it can show."""
    audits = json.loads(ws.run("audit", "list", "--status", "draft", "--json").out)
    audits += json.loads(ws.run("audit", "list", "--json").out)
    runs = {
        "unit list": [("unit", "list")],
        "campaign list": [("campaign", "list")],
        "campaign show": [("campaign", "show", "秋季检查"), ("campaign", "show", "空的专项行动")],
        "audit list": [("audit", "list"), ("audit", "list", "--status", "draft"), ("audit", "list", "--unit", "无")],
        "audit show": [("audit", "show", str(a["id"])) for a in audits],
        "rectify list": [("rectify", "list"), ("rectify", "list", "--overdue")],
        "form status": [("form", "status"), ("form", "status", "--campaign", "秋季检查")],
        "summary": [("summary", "--year", "2026")],
        "rollup": [("rollup", "某区教育局", "--year", "2026")],  # a full one is checked in test_tiers
        "score": [
            ("score", DATA / "worked-example.answers.toml", "--ruleset", DATA / "worked-example.toml"),
            *(("score", p) for p in sorted(EXAMPLES.glob("*.answers.toml"))),
        ],
    }[command]
    printed = []
    for args in runs:
        run = ws.run(*args, "--json")
        if args[-1] != "无":
            assert run.code == 0, (args, run.text)
            printed.append(run.out)
    return printed


def test_every_command_with_json_is_covered() -> None:
    assert commands_with_json() == sorted(PRINTS)


@pytest.mark.parametrize("command", sorted(PRINTS))
def test_the_output_of_each_command_matches_its_documented_schema(ws: Workspace, command: str) -> None:
    model, many = PRINTS[command]
    check = validator(model, many)
    printed = outputs(ws, command)
    assert printed
    for text in printed:
        data = json.loads(text)
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in check.iter_errors(data)]
        assert not errors, f"{command}: {errors[:5]}"


def test_the_workspace_has_every_kind_of_record(ws: Workspace) -> None:
    """The outputs checked above cover what the schema allows: drafts, re-inspections, nulls, states."""
    audits = json.loads(ws.run("audit", "list", "--json").out)
    drafts = json.loads(ws.run("audit", "list", "--status", "draft", "--json").out)
    assert {a["status"] for a in audits + drafts} == {"final", "draft"}
    assert any(a["reinspection_of"] for a in audits) and any(a["percent"] is None for a in audits)
    assert any(isinstance(a["percent"], str) for a in audits)
    states = {r["state"] for r in json.loads(ws.run("rectify", "list", "--json").out)}
    assert {"open", "reported", "rejected", "verified"} <= states
    shown = json.loads(ws.run("audit", "show", "2", "--json").out)
    assert shown["revision"] == 2 and shown["answers"]["1b"]["deduct"] == "1"
    assert json.loads(ws.run("audit", "show", str(drafts[0]["id"]), "--json").out)["result"] is None


def test_the_schema_catches_an_undocumented_field_and_a_wrong_type(ws: Workspace) -> None:
    """A check that cannot fail proves nothing: a changed output fails validation."""
    check = validator("AuditDetail", False)
    good = json.loads(ws.run("audit", "show", "2", "--json").out)
    check.validate(good)
    for change in (
        lambda d: d.update(extra=1),
        lambda d: d.update(id="2"),
        lambda d: d.update(percent=86.0),
        lambda d: d.update(date="2026/11/20"),
        lambda d: d["answers"]["1b"].update(value=0.5),
        lambda d: d["answers"]["1b"].update(deduct="一分"),
        lambda d: d["result"]["findings"][0].pop("check_id"),
        lambda d: d["result"]["categories"][0].update(surprise=True),
    ):
        bad = copy.deepcopy(good)
        change(bad)
        with pytest.raises(ValidationError):
            check.validate(bad)


def test_values_are_typed_the_same_way_everywhere(ws: Workspace) -> None:
    """Ids and counts are numbers, decimals strings, answers 是/否 in `answer` and true/false in `value`."""
    unit = json.loads(ws.run("unit", "list", "--json").out)[0]
    campaign = json.loads(ws.run("campaign", "show", "秋季检查", "--json").out)
    shown = json.loads(ws.run("audit", "show", "1", "--json").out)
    rect = next(r for r in json.loads(ws.run("rectify", "list", "--json").out) if r["audit_id"] == 1)
    assert isinstance(unit["id"], int) and isinstance(unit["audit_count"], int)
    assert isinstance(campaign["audit_count"], int) and isinstance(campaign["audits"], list)
    assert campaign["ruleset_ids"] == ["wechat-groups"] and campaign["audits"][0]["ruleset_id"] == "wechat-groups"
    assert shown["ruleset_id"] == shown["result"]["ruleset_id"] == "wechat-groups"
    check = shown["result"]["categories"][0]["items"][0]["checks"][0]
    assert shown["answers"][check["id"]]["value"] == check["value"]
    assert shown["answers"]["W02"] | {"note": None} == {
        "answer": "否",
        "value": False,
        "na": False,
        "deduct": "2",
        "note": None,
        "evidence": [],
    }
    computers = next(
        a for a in json.loads(ws.run("audit", "list", "--json").out) if a["ruleset_id"] == "classified-computers"
    )
    numbers = json.loads(ws.run("audit", "show", str(computers["id"]), "--json").out)["answers"]
    assert numbers["K00a"]["value"] == "2.5" and numbers["K00b"]["value"] == 30 and numbers["K00a"]["answer"] == "2.5"
    finding = next(f for f in shown["result"]["findings"] if f["check_id"] == rect["check_id"])
    assert rect["text"] == finding["finding"] and rect["severity"] == finding["severity"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", rect["updated_at"])


def _types(schema: dict[str, Any], defs: dict[str, Any]) -> set[str]:
    if "$ref" in schema:
        return {"ref:" + schema["$ref"].rsplit("/", 1)[-1]}
    if "anyOf" in schema:
        return set().union(*(_types(s, defs) for s in schema["anyOf"])) - {"null"}
    kind = schema.get("type", "any")
    if kind == "array":
        return {"array of " + ",".join(sorted(_types(schema.get("items", {}), defs)))}
    if kind == "object" and "additionalProperties" in schema and "properties" not in schema:
        return {"map of " + ",".join(sorted(_types(schema["additionalProperties"], defs)))}
    return {kind + (":" + schema["format"] if "format" in schema else "")}


def test_a_field_name_has_one_type_in_every_model() -> None:
    seen: dict[str, dict[str, str]] = defaultdict(dict)
    for name in views.MODELS:
        schema = views.json_schema(name)
        defs = {**schema.get("$defs", {}), name: schema}
        for model, body in defs.items():
            for field, sub in body.get("properties", {}).items():
                seen[field][model] = ",".join(sorted(_types(sub, defs)))
    differing = {field for field, by_model in seen.items() if len(set(by_model.values())) > 1}
    assert differing == set(KNOWN_DIFFERENCES), {f: seen[f] for f in differing - set(KNOWN_DIFFERENCES)}


def test_docs_list_every_model_and_field() -> None:
    doc = JSON_DOC.read_text(encoding="utf-8")
    missing = []
    for name in views.MODELS:
        schema = views.json_schema(name)
        defs = {**schema.get("$defs", {}), name: schema}
        for model, body in defs.items():
            section = re.search(rf"^### `{model}`.*?(?=^### |\Z)", doc, flags=re.M | re.S)
            if section is None:
                missing.append(model)
                continue
            missing += [f"{model}.{f}" for f in body.get("properties", {}) if f"`{f}`" not in section.group(0)]
    for command in PRINTS:
        if f"`seccheck {command} --json`" not in doc:
            missing.append(command)
    for difference in KNOWN_DIFFERENCES:
        if f"`{difference}`" not in doc:
            missing.append(difference)
    assert not missing, missing


def test_an_empty_list_is_an_empty_json_array(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    assert seccheck("init", root).code == 0
    ws = Workspace(root, f"sqlite:///{root / 'seccheck.db'}")
    for command in ("unit list", "campaign list", "audit list", "rectify list"):
        assert json.loads(ws.run(*command.split(), "--json").out) == []


def test_a_listed_percent_keeps_one_decimal_however_it_is_stored() -> None:
    import datetime as dt
    from decimal import Decimal

    from seccheck.domain.listing import AuditSummary

    def listed(percent: Any) -> object:
        summary = AuditSummary(1, "甲", None, "r", "1", dt.date(2026, 11, 20), "self", "final", "甲", percent, 1, None)
        return json.loads(views.to_json(views.audit(summary)))["percent"]

    assert listed("86.0") == "86.0" and listed(Decimal("82.2000000000")) == "82.2" and listed(None) is None
