"""The JSON report: the Assessment itself, serialised, described by `data/schemas/report.schema.json`."""

import json
from importlib.resources import files
from typing import Any

from iotbaseline.catalogue import Catalogue
from iotbaseline.model import Assessment
from iotbaseline.report.interface import ReportFormat

SCHEMA_RESOURCE = ("data", "schemas", "report.schema.json")


class JsonReport(ReportFormat):
    name = "json"
    file_name = "report.json"
    media_type = "application/json"
    description = "The whole assessment as JSON, for scripts (JSON Schema: report.schema.json)."

    def render(self, assessment: Assessment, catalogue: Catalogue) -> str:
        return json.dumps(assessment.to_dict(), indent=2) + "\n"


def report_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) the JSON report follows."""
    resource = files("iotbaseline").joinpath(*SCHEMA_RESOURCE)
    schema: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return schema
