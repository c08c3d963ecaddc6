"""The JSON Schema of the ruleset format, generated from the models and shipped as a file."""

from __future__ import annotations

import json
from decimal import Decimal
from importlib import resources
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from seccheck.ruleset.model import CHECK_KEYS, Ruleset

SCHEMA_FILE = "ruleset.schema.json"


class _Generator(GenerateJsonSchema):
    """The schema of a TOML file as the loader reads it: defaults are numbers (0, 90), never strings
    ("0", "90"); an optional key is one that may be left out (TOML has no null), so no `null`."""

    def encode_default(self, dft: Any) -> Any:
        return super().encode_default(_plain(dft))

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        json_schema = super().default_schema(schema)
        if "default" in json_schema and json_schema["default"] is None:
            del json_schema["default"]
        return json_schema


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return _plain(value.model_dump(exclude_none=True))
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def model_schema(model: type[BaseModel], title: str) -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) of an input format, generated from its model."""
    schema = model.model_json_schema(mode="validation", schema_generator=_Generator)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = title
    return schema


def ruleset_schema() -> dict[str, Any]:
    schema = model_schema(Ruleset, "seccheck ruleset (format 1)")
    defs = schema["$defs"]
    # An item may carry one check's keys itself instead of [[item.check]] (the shorthand).
    item, check = defs["Item"], defs["Check"]
    for key in CHECK_KEYS:
        item["properties"].setdefault(key, check["properties"][key])
    item["required"] = [r for r in item.get("required", []) if r != "check"]
    item["anyOf"] = [{"required": ["check"]}, {"required": ["question"]}]
    return schema


def dumps(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def schema_text() -> str:
    return dumps(ruleset_schema())


def shipped_schema_text(name: str = SCHEMA_FILE) -> str:
    return (resources.files("seccheck.schema") / name).read_text(encoding="utf-8")
