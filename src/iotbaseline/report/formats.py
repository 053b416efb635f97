"""The report formats iotbaseline ships, in one explicit tuple."""

from iotbaseline.errors import IotBaselineError
from iotbaseline.report.html_report import HtmlReport
from iotbaseline.report.interface import ReportFormat
from iotbaseline.report.json_report import JsonReport
from iotbaseline.report.junit_report import JunitReport
from iotbaseline.report.markdown_report import MarkdownReport
from iotbaseline.report.sarif_report import SarifReport

FORMATS: tuple[ReportFormat, ...] = (JsonReport(), HtmlReport(), SarifReport(), JunitReport(), MarkdownReport())


class UnknownReportFormat(IotBaselineError):
    """A report format was asked for by a name no format has."""


def format_names() -> tuple[str, ...]:
    return tuple(f.name for f in FORMATS)


def formats_named(names: str) -> tuple[ReportFormat, ...]:
    """The formats a `--format` value names, comma-separated (`html,sarif`), or all of them for `all`."""
    wanted = [name.strip().casefold() for name in names.split(",") if name.strip()]
    if wanted == ["all"]:
        return FORMATS
    by_name = {f.name: f for f in FORMATS}
    unknown = [name for name in wanted if name not in by_name]
    if unknown or not wanted:
        raise UnknownReportFormat(
            f"unknown report format {', '.join(unknown) or repr(names)} (known: {', '.join(by_name)}, or all)"
        )
    return tuple(dict.fromkeys(by_name[name] for name in wanted))
