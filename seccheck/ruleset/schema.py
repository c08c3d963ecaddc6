"""The JSON Schema of the ruleset format, generated from the models and shipped as a file."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from seccheck.ruleset.model import CHECK_KEYS, Ruleset

SCHEMA_FILE = "ruleset.schema.json"


def ruleset_schema() -> dict[str, Any]:
    schema = Ruleset.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "seccheck ruleset (format 1)"
    defs = schema["$defs"]
    # An item may carry one check's keys itself instead of [[item.check]] (the shorthand).
    item, check = defs["Item"], defs["Check"]
    for key in CHECK_KEYS:
        item["properties"].setdefault(key, check["properties"][key])
    item["required"] = [r for r in item.get("required", []) if r != "check"]
    item["anyOf"] = [{"required": ["check"]}, {"required": ["question"]}]
    return schema


def schema_text() -> str:
    return json.dumps(ruleset_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def shipped_schema_text() -> str:
    return (resources.files("seccheck.schema") / SCHEMA_FILE).read_text(encoding="utf-8")
