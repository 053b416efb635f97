"""The JUnit XML report, for CI dashboards: one testsuite per standard, one testcase per judged provision.

FAIL is a <failure> (the reason, then the deciding findings with where they are), INCONCLUSIVE a <skipped> that
lists the evidence still missing, NOT_APPLICABLE a <skipped> with the justification, PASS a plain testcase.
"""

import xml.etree.ElementTree as ET

from iotbaseline.catalogue import Catalogue
from iotbaseline.model import Assessment, VerdictValue
from iotbaseline.report.interface import ReportFormat
from iotbaseline.report.locations import location_text
from iotbaseline.report.text import visible
from iotbaseline.report.view import JudgedProvision, StandardSection, view_of


class JunitReport(ReportFormat):
    name = "junit"
    file_name = "report.junit.xml"
    media_type = "application/xml"
    description = "JUnit XML: a testsuite per standard, a testcase per provision, for CI dashboards."

    def render(self, assessment: Assessment, catalogue: Catalogue) -> str:
        view = view_of(assessment, catalogue)
        suites = [_testsuite(section, assessment.created) for section in view.standards]
        root = _element(
            "testsuites",
            name="iotbaseline",
            tests=sum(int(s.get("tests", "0")) for s in suites),
            failures=sum(int(s.get("failures", "0")) for s in suites),
            errors=0,
            skipped=sum(int(s.get("skipped", "0")) for s in suites),
        )
        root.extend(suites)
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _testsuite(section: StandardSection, created: str) -> ET.Element:
    counts = section.counts
    suite = _element(
        "testsuite",
        name=section.key,
        tests=len(section.provisions),
        failures=counts[VerdictValue.FAIL],
        errors=0,
        skipped=counts[VerdictValue.INCONCLUSIVE] + counts[VerdictValue.NOT_APPLICABLE],
        timestamp=created,
    )
    properties = ET.SubElement(suite, "properties")
    properties.append(_element("property", name="title", value=section.title))
    if section.version:
        properties.append(_element("property", name="version", value=section.version))
    suite.extend(_testcase(judged) for judged in section.provisions)
    return suite


def _testcase(judged: JudgedProvision) -> ET.Element:
    verdict = judged.verdict
    name = f"{verdict.standard} {judged.local_id} {judged.title}".rstrip()
    case = _element("testcase", name=name, classname=f"iotbaseline.{verdict.standard}")
    if judged.value is VerdictValue.FAIL:
        failure = _element("failure", message=verdict.reason, type="FAIL")
        failure.text = visible(_failure_body(judged))
        case.append(failure)
    elif judged.value is VerdictValue.INCONCLUSIVE:
        missing = "; ".join(verdict.missing_evidence) or "evidence not given"
        skipped = _element("skipped", message=f"INCONCLUSIVE: missing evidence: {missing}")
        skipped.text = visible(_inconclusive_body(judged))
        case.append(skipped)
    elif judged.value is VerdictValue.NOT_APPLICABLE:
        case.append(_element("skipped", message=f"NOT APPLICABLE: {verdict.reason}"))
    return case


def _failure_body(judged: JudgedProvision) -> str:
    lines = [judged.verdict.reason]
    for finding in judged.findings:
        where = location_text(finding.location)
        lines.append(f"- [{finding.severity.value}] {finding.title}" + (f" at {where}" if where else ""))
    lines.extend(f"- finding {finding_id} (not in this report)" for finding_id in judged.unknown_findings)
    return "\n".join(lines)


def _inconclusive_body(judged: JudgedProvision) -> str:
    verdict = judged.verdict
    lines = [verdict.reason, *(f"- needs: {item}" for item in verdict.missing_evidence)]
    if verdict.question:
        lines.append(f"Question for the manufacturer: {verdict.question}")
    return "\n".join(lines)


def _element(tag: str, **attributes: str | int) -> ET.Element:
    """An element whose attribute values are made visible: ElementTree escapes markup but would write control
    characters as they are, which no XML parser accepts."""
    return ET.Element(tag, {key: visible(str(value)) for key, value in attributes.items()})
