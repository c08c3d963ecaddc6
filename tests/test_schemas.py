"""The JSON Schemas of rulesets and answers files (seccheck/schema/) pass a standard validator in
strict mode: valid Draft 2020-12, only known keywords, type keywords beside their type, numbers typed
as numbers, no default the loader would refuse; every built-in ruleset and example answers file
satisfies them, and the errors a schema can express are caught by it."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from seccheck.io.answersfile import SCHEMA_FILE as ANSWERS_FILE
from seccheck.io.answersfile import answers_schema, answers_schema_text, load_answers
from seccheck.ruleset.load import builtin_paths, load_ruleset_text
from seccheck.ruleset.schema import ruleset_schema, schema_text, shipped_schema_text
from seccheck.tomlfile import read_toml
from tests.conftest import DATA, ROOT, seccheck

Validator = jsonschema.Draft202012Validator

# Every keyword of the Draft 2020-12 vocabularies (core, applicator, unevaluated, validation,
# meta-data, format-annotation, content); ajv's strict mode refuses anything else.
_VOCABULARY = (
    "$schema $id $ref $anchor $dynamicRef $dynamicAnchor $vocabulary $comment $defs "
    "allOf anyOf oneOf not if then else dependentSchemas prefixItems items contains properties "
    "patternProperties additionalProperties propertyNames unevaluatedItems unevaluatedProperties "
    "type const enum multipleOf maximum exclusiveMaximum minimum exclusiveMinimum maxLength minLength "
    "pattern maxItems minItems uniqueItems maxContains minContains maxProperties minProperties required "
    "dependentRequired title description default deprecated readOnly writeOnly examples format "
    "contentEncoding contentMediaType contentSchema"
)
KEYWORDS = set(_VOCABULARY.split())
NAMED = {"properties", "patternProperties", "$defs", "dependentSchemas"}  # keys there are names
DATA_KEYWORDS = {"default", "examples", "const", "enum"}  # values there are data
SUBSCHEMA_LISTS = {"allOf", "anyOf", "oneOf", "prefixItems"}
SUBSCHEMAS = {"not", "if", "then", "else", "items", "contains", "additionalProperties", "propertyNames"}
TYPE_OF = {  # ajv strictTypes: these keywords need their type declared (here or by the parent)
    **dict.fromkeys(("maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "multipleOf"), "number"),
    **dict.fromkeys(("maxLength", "minLength", "pattern", "format"), "string"),
    **dict.fromkeys(("items", "prefixItems", "minItems", "maxItems", "uniqueItems"), "array"),
    **dict.fromkeys(("properties", "additionalProperties", "required", "patternProperties"), "object"),
}
SCHEMAS = {"ruleset": ruleset_schema, "answers": answers_schema}


def strict_problems(schema: Any, where: str = "#", inherited: frozenset[str] = frozenset()) -> list[str]:
    """What ajv's strict mode (strictSchema, strictTypes) would object to in this schema."""
    if not isinstance(schema, dict):
        return [] if isinstance(schema, bool) else [f"{where}: not a schema"]
    problems = []
    declared = schema.get("type")
    types = frozenset([declared] if isinstance(declared, str) else declared or []) or inherited
    if "integer" in types:  # the number keywords apply to integers too
        types |= {"number"}
    for key, value in schema.items():
        here = f"{where}/{key}"
        if key not in KEYWORDS:
            problems.append(f"{here}: unknown keyword {key!r}")
        elif key in TYPE_OF and TYPE_OF[key] not in types:
            problems.append(f"{here}: {key!r} without type {TYPE_OF[key]!r}")
        if key in DATA_KEYWORDS:
            continue
        if key in NAMED:
            for name, sub in value.items():
                problems += strict_problems(sub, f"{here}/{name}")
        elif key in SUBSCHEMA_LISTS:
            for n, sub in enumerate(value):
                problems += strict_problems(sub, f"{here}/{n}", types)
        elif key in SUBSCHEMAS:
            problems += strict_problems(value, here, frozenset())
    return problems


def defaults(schema: Any, where: str = "#") -> list[tuple[str, Any, dict[str, Any]]]:
    """Every `default` with the schema it belongs to."""
    found = []
    if isinstance(schema, dict):
        if "default" in schema:
            found.append((where, schema["default"], schema))
        for key, value in schema.items():
            if key not in DATA_KEYWORDS:
                found += defaults(value, f"{where}/{key}")
    elif isinstance(schema, list):
        for n, value in enumerate(schema):
            found += defaults(value, f"{where}/{n}")
    return found


def as_json(data: Any) -> Any:
    """A TOML table as a JSON Schema validator sees it (as editors and check-jsonschema do):
    dates are strings, numbers are numbers."""

    def plain(value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return float(value)
        raise TypeError(value)

    return json.loads(json.dumps(data, default=plain))


def validator(kind: str) -> jsonschema.Draft202012Validator:
    return Validator(SCHEMAS[kind](), format_checker=Validator.FORMAT_CHECKER)


def errors_of(kind: str, data: Any) -> list[jsonschema.ValidationError]:
    return list(validator(kind).iter_errors(as_json(data)))


@pytest.mark.parametrize("kind", SCHEMAS)
def test_schema_is_valid_draft_2020_12_in_strict_mode(kind: str) -> None:
    schema = SCHEMAS[kind]()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Validator.check_schema(schema)  # against the Draft 2020-12 meta-schema
    assert strict_problems(schema) == []


def test_the_strictness_check_can_fail() -> None:
    # The shape of the schema before this check: Decimal as number-or-string with a pydantic `ge`.
    old = {"type": "object", "properties": {"min": {"anyOf": [{"type": "number"}, {"type": "string"}], "ge": 0}}}
    assert strict_problems(old) == ["#/properties/min/ge: unknown keyword 'ge'"]
    assert strict_problems({"minimum": 0}) == ["#/minimum: 'minimum' without type 'number'"]


@pytest.mark.parametrize("kind", SCHEMAS)
def test_numbers_are_typed_as_numbers_and_defaults_are_what_the_loader_accepts(kind: str) -> None:
    text = json.dumps(SCHEMAS[kind]())
    assert '"ge"' not in text and '"le"' not in text
    root = SCHEMAS[kind]()
    found = defaults(root)
    assert found
    for where, value, schema in found:
        assert value is not None, where
        # Every default satisfies the schema it is the default of: no "0" where a number is wanted.
        assert not list(Validator({**schema, "$defs": root.get("$defs", {})}).iter_errors(value)), (where, value)
    for where, value, _schema in found:
        assert not (isinstance(value, str) and value.replace(".", "").isdigit()), (where, value)


def test_ruleset_defaults_are_numbers() -> None:
    defs = ruleset_schema()["$defs"]
    assert defs["Grade"]["properties"]["min"]["default"] == 0
    grades = defs["Scoring"]["properties"]["grades"]["default"]
    assert [g["min"] for g in grades] == [90, 80, 0]
    points = defs["Item"]["properties"]["points"]
    assert points["type"] == "number" and points["default"] == 0 and points["minimum"] == 0


@pytest.mark.parametrize("path", [*builtin_paths(), DATA / "worked-example.toml", DATA / "edge-inputs.toml"])
def test_every_builtin_ruleset_satisfies_the_schema(path: Path) -> None:
    data, _ = read_toml(path)
    assert errors_of("ruleset", data) == []


@pytest.mark.parametrize(
    "path", [*sorted((ROOT / "examples").glob("*.answers.toml")), DATA / "worked-example.answers.toml"]
)
def test_every_example_answers_file_satisfies_the_schema(path: Path) -> None:
    data, _ = read_toml(path)
    assert errors_of("answers", data) == []
    load_answers(path)  # and the loader takes it


def _worked(old: str, new: str) -> dict[str, Any]:
    text = (DATA / "worked-example.toml").read_text(encoding="utf-8")
    assert old in text, old
    data, _ = read_toml_text(text.replace(old, new, 1))
    return data


def read_toml_text(text: str) -> tuple[dict[str, Any], str]:
    from seccheck.tomlfile import parse_toml_bytes

    return parse_toml_bytes(text.encode("utf-8"), "<test>")


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        ("points = 4", "points = -4", "negative points"),
        ("points = 4", 'points = "4"', "quoted points"),
        ("per = 2", 'per = "2"', "quoted per"),
        ("deduct = 3", "deduct = -3", "negative deduction"),
        ("deduct = [0.5, 1]", 'deduct = ["0.5", 1]', "quoted range"),
        ("deduct = [0.5, 1]", "deduct = [0.5, 1, 2]", "three-number range"),
        ("{ min = 90,", "{ min = 190,", "grade above 100"),
        ("{ min = 90,", '{ min = "90",', "quoted grade"),
        ("points = 4", "points = 4000", "points above the bound"),
        ('question = "是否召开会议？"', 'question = "是否召开会议？"\nkind = "essay"', "unknown kind"),
        ('title = "主要负责人"', 'title = "主要负责人"\npoints_typo = 1', "unknown key"),
    ],
)
def test_ruleset_errors_the_schema_can_express_are_caught_by_it_and_by_the_loader(old: str, new: str, why: str) -> None:
    data = _worked(old, new)
    assert errors_of("ruleset", data), why
    text = (DATA / "worked-example.toml").read_text(encoding="utf-8").replace(old, new, 1)
    from seccheck.errors import BadInput

    with pytest.raises(BadInput):
        load_ruleset_text(text)


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        ("deduct = 0.5", 'deduct = "0.5"', "quoted deduction"),
        ("deduct = 0.5", "deduct = -0.5", "negative deduction"),
        ("date = 2026-11-20", 'date = "2026-13-01"', "no such date (format checking)"),
        ('mode = "inspection"', 'mode = "audit"', "unknown mode"),
        ('unit = "某区教育局"', 'unit = ""', "empty unit"),
        ("format = 1", "format = 2", "unknown format"),
        ('"1c" = true', '"1c" = { value = true, notes = "typo" }', "unknown key in an answer"),
        ('"1c" = true', '"1c" = [true]', "a list as an answer"),
    ],
)
def test_answers_errors_the_schema_can_express_are_caught_by_it_and_by_the_loader(
    tmp_path: Path, old: str, new: str, why: str
) -> None:
    text = (DATA / "worked-example.answers.toml").read_text(encoding="utf-8")
    assert old in text, old
    data, _ = read_toml_text(text.replace(old, new, 1))
    assert errors_of("answers", data), why
    path = tmp_path / "a.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    from seccheck.errors import BadInput

    with pytest.raises(BadInput):
        load_answers(path)


def test_the_loader_reads_toml_floats_exactly() -> None:
    # The schema types numbers as JSON numbers; the loader still reads 0.1 as Decimal("0.1"),
    # never as the float 0.1000000000000000055…
    data = _worked("deduct = [0.5, 1]", "deduct = [0.1, 0.3]\nstep = 0.1")
    assert errors_of("ruleset", data) == []
    text = (DATA / "worked-example.toml").read_text(encoding="utf-8")
    loaded = load_ruleset_text(text.replace("deduct = [0.5, 1]", "deduct = [0.1, 0.3]\nstep = 0.1", 1))
    assert loaded.ruleset.checks["1b"][1].deduct == (Decimal("0.1"), Decimal("0.3"))


@pytest.mark.parametrize(
    ("args", "name", "text"),
    [
        (("ruleset", "schema"), "ruleset.schema.json", schema_text),
        (("ruleset", "schema", "--answers"), ANSWERS_FILE, answers_schema_text),
    ],
)
def test_shipped_schemas_are_current(args: tuple[str, ...], name: str, text: Any) -> None:
    run = seccheck(*args)
    assert run.code == 0, run.text
    assert run.out == text()
    regenerate = f"seccheck {' '.join(args)} --out seccheck/schema/{name}"
    assert shipped_schema_text(name) == text(), f"the shipped schema is stale; run: {regenerate}"
