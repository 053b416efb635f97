"""The JSON Schema of `iotbaseline diff --json`: the interface scripts rely on, published with the report's."""

import json
from importlib.resources import files
from typing import Any

SCHEMA_RESOURCE = ("data", "schemas", "diff.schema.json")
"""Its findings refer to the report's schema (`urn:iotbaseline:schema:report:1`, `report.json_report.report_schema`)."""


def diff_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) the diff document follows."""
    schema: dict[str, Any] = json.loads(files("iotbaseline").joinpath(*SCHEMA_RESOURCE).read_text(encoding="utf-8"))
    return schema
