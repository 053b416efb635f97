"""Reports: each a pure function of an Assessment (and the catalogue, for titles), one module per format.

`FORMATS` lists the built-in formats; `write_reports` is the one place that writes them to disk; `exit_code`
turns an assessment into the CLI's exit code under a `--fail-on` policy.
"""

from iotbaseline.report.exit_policy import ExitCode, FailOn, exit_code, policy_failures
from iotbaseline.report.formats import FORMATS, UnknownReportFormat, format_names, formats_named
from iotbaseline.report.interface import ReportFormat
from iotbaseline.report.writer import write_reports

__all__ = [
    "FORMATS",
    "ExitCode",
    "FailOn",
    "ReportFormat",
    "UnknownReportFormat",
    "exit_code",
    "format_names",
    "formats_named",
    "policy_failures",
    "write_reports",
]
