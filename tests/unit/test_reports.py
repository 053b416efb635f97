"""Report formats: each renders a hand-built Assessment that holds every verdict value and every kind of location,
and each keeps hostile strings from firmware inert."""

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from iotbaseline.catalogue import Catalogue, default_catalogue
from iotbaseline.errors import EXIT_USAGE_ERROR
from iotbaseline.model import (
    Assessment,
    CheckRun,
    Finding,
    Input,
    Location,
    Outcome,
    Severity,
    Verdict,
    VerdictValue,
)
from iotbaseline.report import (
    FORMATS,
    ExitCode,
    FailOn,
    ReportFormat,
    UnknownReportFormat,
    exit_code,
    formats_named,
    write_reports,
)
from iotbaseline.report.html_report import HtmlReport
from iotbaseline.report.json_report import JsonReport, report_schema
from iotbaseline.report.junit_report import JunitReport
from iotbaseline.report.markdown_report import MarkdownReport, md
from iotbaseline.report.sarif_report import FINGERPRINT_KEY, SarifReport, relative_uri
from iotbaseline.report.text import one_line, visible

HOSTILE_NAME = "<script>alert('x')</script>&amp;\"|`*[a](javascript:alert(1))@everyone #1 \x1b[31m\u202eexe.txt"
"""A name firmware could choose: markup, an entity, Markdown, a mention, a terminal escape and a bidi override."""
HOSTILE = HOSTILE_NAME + "\udcff"
"""The same with a byte that is not UTF-8, as a name read with surrogateescape holds it. (Not in a location:
`Finding.id` cannot hash a lone surrogate yet.)"""


# --- the assessment every format renders ----------------------------------------------------------------------


def finding(
    check: str,
    outcome: Outcome,
    provisions: tuple[str, ...],
    severity: Severity,
    title: str,
    location: Location,
    **fields: Any,
) -> Finding:
    return Finding(
        check=check,
        outcome=outcome,
        provisions=provisions,
        severity=severity,
        title=title,
        location=location,
        **fields,
    )


PASSWORD = finding(
    "firmware.accounts.weak-password",
    Outcome.FAIL,
    ("EN303645:5.1-1", "PSTI:1"),
    Severity.CRITICAL,
    "root password 'admin' found in /etc/shadow",
    Location(
        image="camera-1.2.bin",
        path="/etc/shadow",
        extracted_path="camera-1.2.bin_extract/0-4096.squashfs_extract/etc/shadow",
        line=1,
    ),
    detail="Every device ships with the same root password.\nGive each device its own, or make the user set one.",
    evidence={"account": "root", "scheme": "md5crypt", "password": "admin"},
    discriminator="root",
)
PRIVATE_KEY = finding(
    "firmware.secrets.private-key",
    Outcome.FAIL,
    ("EN303645:5.4-3",),
    Severity.HIGH,
    "RSA private key embedded in the image",
    Location(image="camera-1.2.bin", offset=0x1F000),
    evidence={"key": {"type": "RSA", "bits": 2048}, "fingerprints": ["ab:cd", "ef:01"]},
)
TELNET = finding(
    "live.services.telnet",
    Outcome.FAIL,
    ("EN303645:5.6-1",),
    Severity.MEDIUM,
    "Telnet open without need",
    Location(host="192.0.2.10", port=23, protocol="tcp"),
    detail="Disable the telnet daemon in production builds.",
)
IPV6_SSH = finding(
    "live.services.banner",
    Outcome.INFO,
    ("EN303645:5.6-2",),
    Severity.INFO,
    "SSH banner reveals the OpenSSH version",
    Location(host="2001:db8::1", port=22, protocol="tcp"),
    evidence={"banner": "SSH-2.0-OpenSSH_7.4"},
)
DISCLOSURE_POLICY = finding(
    "documents.disclosure-policy",
    Outcome.PASS,
    ("EN303645:5.2-1", "PSTI:2"),
    Severity.INFO,
    "Vulnerability disclosure policy published with a contact and timelines",
    Location(url="https://vendor.example/security"),
)
HOSTILE_FINDING = finding(
    "firmware.hardening.world-writable",
    Outcome.FAIL,
    ("EN303645:5.3-1",),
    Severity.LOW,
    f"World-writable script {HOSTILE}",
    Location(image="camera-1.2.bin", path=f"/www/cgi-bin/{HOSTILE_NAME}.cgi", offset=16),
    detail=f"Found {HOSTILE}",
    evidence={"name": HOSTILE, "nested": {"why": HOSTILE}},
)
CHECK_ERROR = finding(
    "firmware.components.versions",
    Outcome.ERROR,
    (),
    Severity.LOW,
    "Could not read /usr/lib/libssl.so.1.1",
    Location(image="camera-1.2.bin", path="/usr/lib/libssl.so.1.1"),
)

FINDINGS = (PASSWORD, PRIVATE_KEY, TELNET, IPV6_SSH, DISCLOSURE_POLICY, HOSTILE_FINDING, CHECK_ERROR)


def verdict(provision: str, value: VerdictValue, reason: str, *decided_by: Finding, **fields: Any) -> Verdict:
    standard, _, local = provision.partition(":")
    return Verdict(standard, local, value, reason, tuple(f.id for f in decided_by), **fields)


VERDICTS = (
    verdict("PSTI:1", VerdictValue.FAIL, "root password 'admin' found in /etc/shadow", PASSWORD),
    verdict("PSTI:2", VerdictValue.PASS, "A disclosure policy is published (EN303645:5.2-1)", DISCLOSURE_POLICY),
    verdict(
        "PSTI:3",
        VerdictValue.INCONCLUSIVE,
        "No published support period was found",
        missing_evidence=("URL of the published support period", "its end date"),
        question="Where do you publish the support period of this product, and until when does it run?",
    ),
    verdict("EN303645:5.1-1", VerdictValue.FAIL, "A universal default password is set", PASSWORD),
    verdict("EN303645:5.1-2", VerdictValue.NOT_APPLICABLE, "No pre-installed unique passwords (condition 2)"),
    verdict("EN303645:5.2-1", VerdictValue.PASS, "Policy published", DISCLOSURE_POLICY),
    verdict("EN303645:5.3-1", VerdictValue.FAIL, f"Writable {HOSTILE}", HOSTILE_FINDING),
    verdict(
        "EN303645:5.3-13",
        VerdictValue.INCONCLUSIVE,
        f"Nothing published at {HOSTILE}",
        missing_evidence=(f"the page {HOSTILE}",),
        question=f"Is {HOSTILE} yours?",
    ),
    verdict("EN303645:5.4-3", VerdictValue.FAIL, "A private key is hard-coded", PRIVATE_KEY),
    verdict("EN303645:5.6-1", VerdictValue.FAIL, "Telnet is open", TELNET),
    verdict("EN303645:5.6-2", VerdictValue.PASS, "Only a version banner is revealed", IPV6_SSH),
)


def sample_assessment() -> Assessment:
    return Assessment(
        tool_version="0.1.0",
        created="2026-11-26T08:00:00Z",
        product={"model": "Acme Cam 2", "manufacturer": "Acme", "firmware_version": "1.2"},
        inputs=(
            Input(
                kind="firmware",
                path="camera-1.2.bin",
                sha256="a" * 64,
                size=5_242_880,
                incomplete=({"what": "jffs2", "where": "0x200000", "reason": "FIFO skipped"},),
            ),
            Input(kind="host", path="192.0.2.10"),
        ),
        findings=FINDINGS,
        verdicts=VERDICTS,
        checks=(
            CheckRun("firmware.accounts.weak-password", "1", ("EN303645:5.1-1", "PSTI:1"), "ran", 0.12),
            CheckRun("documents.support-period", "1", ("EN303645:5.3-13", "PSTI:3"), "skipped", note="no URL given"),
        ),
    )


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return default_catalogue()


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return sample_assessment()


def test_the_sample_covers_every_verdict_value_and_location_kind(assessment: Assessment) -> None:
    assert {v.verdict for v in assessment.verdicts} == set(VerdictValue)
    assert {f.outcome for f in assessment.findings} == set(Outcome)
    locations = [f.location for f in assessment.findings]
    assert any(loc.path and loc.line for loc in locations)
    assert any(loc.offset is not None and not loc.path for loc in locations)
    assert any(loc.host and ":" in loc.host for loc in locations)
    assert any(loc.url for loc in locations)


# --- the registry and the writer ------------------------------------------------------------------------------


def test_every_format_declares_a_name_a_file_and_renders_text(catalogue: Catalogue, assessment: Assessment) -> None:
    names = [f.name for f in FORMATS]
    assert names == ["json", "html", "sarif", "junit", "markdown"]
    assert len({f.file_name for f in FORMATS}) == len(FORMATS)
    for report_format in FORMATS:
        assert isinstance(report_format, ReportFormat)
        text = report_format.render(assessment, catalogue)
        assert text.endswith("\n")
        text.encode("utf-8")  # no lone surrogate survives into any format


def test_rendering_is_a_pure_function_of_the_assessment(catalogue: Catalogue, assessment: Assessment) -> None:
    for report_format in FORMATS:
        assert report_format.render(assessment, catalogue) == report_format.render(sample_assessment(), catalogue)


def test_write_reports_writes_each_format_to_its_file(
    tmp_path: Path, catalogue: Catalogue, assessment: Assessment
) -> None:
    written = write_reports(assessment, catalogue, tmp_path / "out")
    assert [p.name for p in written] == [f.file_name for f in FORMATS]
    for path, report_format in zip(written, FORMATS, strict=True):
        assert path.read_text(encoding="utf-8") == report_format.render(assessment, catalogue)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in written)


def test_write_reports_writes_only_the_formats_asked_for(
    tmp_path: Path, catalogue: Catalogue, assessment: Assessment
) -> None:
    written = write_reports(assessment, catalogue, tmp_path, formats_named("sarif, html"))
    assert [p.name for p in written] == ["report.sarif", "report.html"]


def test_an_unknown_format_name_is_a_user_error_listing_the_known_ones() -> None:
    assert formats_named("all") == FORMATS
    with pytest.raises(UnknownReportFormat, match="known: json, html, sarif, junit, markdown"):
        formats_named("pdf")


# --- JSON -----------------------------------------------------------------------------------------------------


def test_json_report_is_the_serialised_assessment(catalogue: Catalogue, assessment: Assessment) -> None:
    document = json.loads(JsonReport().render(assessment, catalogue))
    assert document == json.loads(json.dumps(assessment.to_dict()))
    assert document["tool"] == {"name": "iotbaseline", "version": "0.1.0"}


def test_json_report_validates_against_our_published_schema(catalogue: Catalogue, assessment: Assessment) -> None:
    schema = report_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    document = json.loads(JsonReport().render(assessment, catalogue))
    jsonschema.Draft202012Validator(schema).validate(document)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("verdicts", 0, "verdict"), "MAYBE"),
        (("findings", 0, "id"), "not-a-finding-id"),
        (("findings", 0, "provisions"), ["5.1-1"]),
        (("findings", 0, "outcome"), "failed"),
        (("findings", 0, "location", "port"), 70000),
        (("inputs", 0, "sha256"), "ABC"),
        (("format_version",), "2.0"),
        (("tool", "name"), "other"),
    ],
)
def test_the_schema_refuses_what_scripts_could_not_rely_on(
    catalogue: Catalogue, assessment: Assessment, path: tuple[str | int, ...], value: Any
) -> None:
    document = json.loads(JsonReport().render(assessment, catalogue))
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(report_schema()).validate(document)


def test_the_schema_names_every_field_the_model_writes(assessment: Assessment) -> None:
    """A field added to the model is a field scripts will use: the schema must describe it."""
    defs = report_schema()["$defs"]
    document = assessment.to_dict()
    assert set(document) == set(report_schema()["properties"])
    assert set(document["findings"][0]) == set(defs["finding"]["properties"])
    assert set(document["verdicts"][0]) == set(defs["verdict"]["properties"])
    assert set(document["inputs"][0]) == set(defs["input"]["properties"])
    assert set(document["checks"][0]) == set(defs["check_run"]["properties"])
    every_location_field = set().union(*(f.location.to_dict() for f in assessment.findings))
    assert every_location_field <= set(defs["location"]["properties"])


# --- SARIF ----------------------------------------------------------------------------------------------------


def official_sarif_schema() -> dict[str, Any]:
    text = files("iotbaseline").joinpath("data", "schemas", "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def sarif(catalogue: Catalogue, assessment: Assessment) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SarifReport().render(assessment, catalogue))
    return document


def test_sarif_validates_against_the_official_oasis_schema(catalogue: Catalogue, assessment: Assessment) -> None:
    schema = official_sarif_schema()
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    validator.validate(sarif(catalogue, assessment))


def test_sarif_has_one_run_with_one_rule_per_check(catalogue: Catalogue, assessment: Assessment) -> None:
    (run,) = sarif(catalogue, assessment)["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("iotbaseline", "0.1.0")
    checks = {f.check for f in assessment.findings} | {c.check for c in assessment.checks}
    assert sorted(rule["id"] for rule in driver["rules"]) == sorted(checks)
    password_rule = next(r for r in driver["rules"] if r["id"] == PASSWORD.check)
    assert password_rule["properties"]["provisions"] == ["EN303645:5.1-1", "PSTI:1"]


def test_sarif_results_are_the_failed_findings_with_levels_from_severity(
    catalogue: Catalogue, assessment: Assessment
) -> None:
    (run,) = sarif(catalogue, assessment)["runs"]
    results = {r["partialFingerprints"][FINGERPRINT_KEY]: r for r in run["results"]}
    failed = {f.id for f in assessment.findings if f.outcome is Outcome.FAIL}
    assert set(results) == failed
    levels = {f.severity: results[f.id]["level"] for f in assessment.findings if f.id in failed}
    assert levels == {
        Severity.CRITICAL: "error",
        Severity.HIGH: "error",
        Severity.MEDIUM: "warning",
        Severity.LOW: "note",
    }
    for result in run["results"]:
        assert driver_rule(run, result["ruleIndex"]) == result["ruleId"]


def driver_rule(run: dict[str, Any], index: int) -> str:
    rule_id: str = run["tool"]["driver"]["rules"][index]["id"]
    return rule_id


def test_sarif_locations_are_relative_to_the_extracted_tree(catalogue: Catalogue, assessment: Assessment) -> None:
    (run,) = sarif(catalogue, assessment)["runs"]
    results = {r["partialFingerprints"][FINGERPRINT_KEY]: r for r in run["results"]}

    password = results[PASSWORD.id]["locations"][0]["physicalLocation"]
    assert password["artifactLocation"] == {
        "uri": "camera-1.2.bin_extract/0-4096.squashfs_extract/etc/shadow",
        "uriBaseId": "EXTRACTED",
    }
    assert password["region"] == {"startLine": 1}

    key = results[PRIVATE_KEY.id]["locations"][0]["physicalLocation"]
    assert key["artifactLocation"] == {"uri": "camera-1.2.bin", "uriBaseId": "INPUT"}
    assert key["region"] == {"byteOffset": 0x1F000}

    hostile = results[HOSTILE_FINDING.id]["locations"][0]["physicalLocation"]
    assert hostile["artifactLocation"]["uriBaseId"] == "ROOTFS"
    assert hostile["artifactLocation"]["uri"].startswith("www/cgi-bin/%3Cscript%3E")
    assert hostile["region"] == {"byteOffset": 16}

    telnet = results[TELNET.id]["locations"][0]
    assert "physicalLocation" not in telnet
    assert telnet["logicalLocations"][0]["fullyQualifiedName"] == "192.0.2.10:23 (tcp)"


def test_sarif_uris_keep_the_original_bytes_of_undecodable_names() -> None:
    assert relative_uri("/etc/na\udcffme with space") == "etc/na%FFme%20with%20space"
    assert relative_uri("/c:/x") == "c%3A/x"  # never read as a URI scheme


# --- JUnit ----------------------------------------------------------------------------------------------------


def parse_xml(text: str) -> ET.Element:
    return ET.fromstring(text)


def junit(catalogue: Catalogue, assessment: Assessment) -> ET.Element:
    return parse_xml(JunitReport().render(assessment, catalogue))


def test_junit_has_a_suite_per_standard_and_a_case_per_provision(catalogue: Catalogue, assessment: Assessment) -> None:
    root = junit(catalogue, assessment)
    assert root.tag == "testsuites"
    suites = {s.get("name", ""): s for s in root.findall("testsuite")}
    assert list(suites) == ["PSTI", "EN303645"]
    assert len(root.findall("testsuite/testcase")) == len(assessment.verdicts)
    for name, suite in suites.items():
        verdicts = assessment.verdicts_for(name)
        assert int(suite.get("tests", "")) == len(suite.findall("testcase")) == len(verdicts)
        failures = sum(v.verdict is VerdictValue.FAIL for v in verdicts)
        assert int(suite.get("failures", "")) == len(suite.findall("testcase/failure")) == failures
    assert root.get("tests") == str(len(assessment.verdicts))


def test_junit_cases_carry_the_verdict(catalogue: Catalogue, assessment: Assessment) -> None:
    cases = {c.get("name", "").split(" ")[1]: c for c in junit(catalogue, assessment).iter("testcase")}
    title = catalogue.get("EN303645:5.1-1").title
    assert cases["5.1-1"].get("name") == f"EN303645 5.1-1 {title}"

    failure = cases["5.1-1"].find("failure")
    assert failure is not None
    assert failure.get("message") == "A universal default password is set"
    assert "root password 'admin' found in /etc/shadow" in (failure.text or "")
    assert "camera-1.2.bin: /etc/shadow:1" in (failure.text or "")

    inconclusive = cases["3"].find("skipped")
    assert inconclusive is not None
    assert inconclusive.get("message") == (
        "INCONCLUSIVE: missing evidence: URL of the published support period; its end date"
    )
    not_applicable = cases["5.1-2"].find("skipped")
    assert not_applicable is not None
    assert not_applicable.get("message") == "NOT APPLICABLE: No pre-installed unique passwords (condition 2)"
    assert list(cases["5.2-1"]) == []  # PASS: a plain testcase


def test_junit_keeps_hostile_strings_as_text(catalogue: Catalogue, assessment: Assessment) -> None:
    text = JunitReport().render(assessment, catalogue)
    assert "<script>" not in text
    assert "\x1b" not in text and "\u202e" not in text
    cases = {c.get("name", "").split(" ")[1]: c for c in parse_xml(text).iter("testcase")}
    failure = cases["5.3-1"].find("failure")
    assert failure is not None
    assert failure.get("message") == f"Writable {visible(HOSTILE)}"
    assert f"/www/cgi-bin/{visible(HOSTILE_NAME)}.cgi" in (failure.text or "")


# --- HTML -----------------------------------------------------------------------------------------------------


class ElementCollector(HTMLParser):
    """Every start tag with its attributes, and the text, as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(text: str) -> ElementCollector:
    collector = ElementCollector()
    collector.feed(text)
    collector.close()
    return collector


def test_html_is_one_self_contained_file_without_scripts(catalogue: Catalogue, assessment: Assessment) -> None:
    page = parse_html(HtmlReport().render(assessment, catalogue))
    tags = [tag for tag, _ in page.tags]
    assert "script" not in tags
    assert not {"img", "link", "iframe", "object", "embed", "form"} & set(tags)
    for _, attributes in page.tags:
        assert not any(name.startswith("on") for name in attributes)
        href = attributes.get("href")
        assert href is None or href.startswith("#"), "links stay inside the page"
    html = HtmlReport().render(assessment, catalogue)
    assert "@import" not in html and "url(" not in html and "@font-face" not in html
    assert "default-src 'none'" in html
    assert "@media print" in html


def test_html_escapes_hostile_strings(catalogue: Catalogue, assessment: Assessment) -> None:
    html = HtmlReport().render(assessment, catalogue)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;amp;" in html
    assert "\x1b" not in html and "\u202e" not in html
    page = parse_html(html)
    text = "".join(page.text)
    assert f"World-writable script {visible(HOSTILE)}" in text  # shown as text, exactly, with escapes visible
    assert "\\x1b[31m\\u202eexe.txt\\xff" in text


def test_html_summary_states_the_three_psti_requirements_in_words(catalogue: Catalogue, assessment: Assessment) -> None:
    page = parse_html(HtmlReport().render(assessment, catalogue))
    rows = [attrs for tag, attrs in page.tags if tag == "tr" and "psti-row" in (attrs.get("class") or "")]
    assert [(r["data-provision"], r["data-verdict"]) for r in rows] == [
        ("PSTI:1", "FAIL"),
        ("PSTI:2", "PASS"),
        ("PSTI:3", "INCONCLUSIVE"),
    ]
    text = re.sub(r"\s+", " ", "".join(page.text))
    assert "Passwords" in text and "✘ FAIL" in text and "not met" in text
    assert "Does not meet the UK PSTI security requirements." in text


def test_html_lists_every_verdict_once_with_its_label(catalogue: Catalogue, assessment: Assessment) -> None:
    page = parse_html(HtmlReport().render(assessment, catalogue))
    rows = [attrs for tag, attrs in page.tags if tag == "tr" and "verdict-row" in (attrs.get("class") or "")]
    expected = [(f"{v.standard}:{v.provision}", v.verdict.value) for v in assessment.verdicts]
    assert sorted((r["data-provision"], r["data-verdict"]) for r in rows) == sorted(expected)
    text = "".join(page.text)
    for label in ("✔ PASS", "✘ FAIL", "? INCONCLUSIVE", "– N/A"):
        assert label in text


def test_html_tells_what_evidence_an_inconclusive_verdict_still_needs(
    catalogue: Catalogue, assessment: Assessment
) -> None:
    text = "".join(parse_html(HtmlReport().render(assessment, catalogue)).text)
    assert "Evidence still needed" in text
    assert "URL of the published support period" in text
    assert "Where do you publish the support period of this product, and until when does it run?" in text


def test_html_shows_every_kind_of_location_and_the_advice(catalogue: Catalogue, assessment: Assessment) -> None:
    text = "".join(parse_html(HtmlReport().render(assessment, catalogue)).text)
    assert "camera-1.2.bin: /etc/shadow:1" in text
    assert "0x1f000 (126976)" in text
    assert "192.0.2.10:23 (tcp)" in text
    assert "[2001:db8::1]:22 (tcp)" in text
    assert "https://vendor.example/security" in text
    assert "Give each device its own, or make the user set one." in text
    assert "md5crypt" in text


def test_html_counts_verdicts_per_standard(catalogue: Catalogue, assessment: Assessment) -> None:
    html = HtmlReport().render(assessment, catalogue)
    row = re.search(r'<tr data-standard="EN303645">(.*?)</tr>', html, re.S)
    assert row is not None
    counts = dict(re.findall(r'data-verdict="(\w+)">(\d+)<', row.group(1)))
    assert counts == {"FAIL": "4", "INCONCLUSIVE": "1", "PASS": "2", "NOT_APPLICABLE": "1"}


# --- Markdown -------------------------------------------------------------------------------------------------


def test_markdown_has_the_psti_table_counts_failures_and_folded_inconclusives(
    catalogue: Catalogue, assessment: Assessment
) -> None:
    text = MarkdownReport().render(assessment, catalogue)
    assert "| 1. Passwords | ❌ **FAIL** | root password 'admin' found in /etc/shadow |" in text
    assert "| 3. Information on minimum security update periods | ❔ **INCONCLUSIVE** |" in text
    assert re.search(r"\| ETSI EN 303 645 [^|]+\| 4 \| 1 \| 2 \| 1 \|", text)
    failed, folded = text.split("<details>")
    assert "### ❌ Failed (5)" in failed
    assert "camera-1.2.bin: /etc/shadow:1" in failed
    assert "URL of the published support period; its end date" in folded
    assert folded.rstrip().endswith("</sub>")


def test_markdown_keeps_hostile_strings_as_plain_text(catalogue: Catalogue, assessment: Assessment) -> None:
    text = MarkdownReport().render(assessment, catalogue)
    assert "<script>" not in text
    assert not re.search(r"(?<!\\)\]\(", text)  # no link: every ] of a hostile name is escaped
    assert "@everyone" not in text
    assert "\x1b" not in text and "\u202e" not in text
    for line in text.splitlines():
        if line.startswith("|") and "|---" not in line:
            assert len(re.findall(r"(?<!\\)\|", line)) in (4, 6)  # escaped pipes do not split cells


def test_markdown_escaping_shows_the_original_text() -> None:
    assert md("a|b") == "a\\|b"
    assert md("<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"
    assert md("[x](y)") == "\\[x\\](y)"
    assert md("line\nbreak") == "line\\\\nbreak"
    assert md("@team") == "@\u2060team"


def test_visible_text_escapes_what_cannot_be_shown() -> None:
    assert visible("a\tb\nc") == "a\tb\nc"
    assert visible("bell\x07 esc\x1b del\x7f") == "bell\\x07 esc\\x1b del\\x7f"
    assert visible("name\udcff") == "name\\xff"
    assert visible("\u202egnp.exe") == "\\u202egnp.exe"
    assert one_line("a\tb\r\nc") == "a\\tb\\x0d\\nc"


# --- exit policy ----------------------------------------------------------------------------------------------


def only(*verdicts: Verdict) -> Assessment:
    return Assessment("0.1.0", "2026-11-26T08:00:00Z", {}, (), (), verdicts)


RECOMMENDED_FAIL = verdict("EN303645:5.3-1", VerdictValue.FAIL, "x")
MANDATORY_FAIL = verdict("EN303645:5.4-3", VerdictValue.FAIL, "x")
PSTI_FAIL = verdict("PSTI:1", VerdictValue.FAIL, "x")
INCONCLUSIVE = verdict("EN303645:5.3-13", VerdictValue.INCONCLUSIVE, "x")


@pytest.mark.parametrize(
    ("verdicts", "policy", "code"),
    [
        ((INCONCLUSIVE,), FailOn.FAIL, 0),
        ((RECOMMENDED_FAIL,), FailOn.FAIL, 1),
        ((RECOMMENDED_FAIL,), FailOn.MANDATORY, 0),
        ((RECOMMENDED_FAIL, INCONCLUSIVE), FailOn.MANDATORY, 0),
        ((MANDATORY_FAIL,), FailOn.MANDATORY, 1),
        ((PSTI_FAIL,), FailOn.MANDATORY, 1),
        ((verdict("CRA:NOT-IN-CATALOGUE", VerdictValue.FAIL, "x"),), FailOn.MANDATORY, 1),
        ((MANDATORY_FAIL, PSTI_FAIL), FailOn.NEVER, 0),
        ((), FailOn.FAIL, 0),
    ],
)
def test_exit_code_follows_the_fail_on_policy(
    catalogue: Catalogue, verdicts: tuple[Verdict, ...], policy: FailOn, code: int
) -> None:
    assert exit_code(only(*verdicts), catalogue, policy) == code


def test_exit_codes_are_documented_values(catalogue: Catalogue, assessment: Assessment) -> None:
    assert (ExitCode.PASSED, ExitCode.POLICY_FAILED, ExitCode.USAGE_ERROR) == (0, 1, EXIT_USAGE_ERROR)
    assert exit_code(assessment, catalogue, "mandatory") == ExitCode.POLICY_FAILED
    with pytest.raises(ValueError, match="'sometimes'"):
        exit_code(assessment, catalogue, "sometimes")


# --- edges ----------------------------------------------------------------------------------------------------


UNKNOWN_STANDARD = Verdict("ACME", "7", VerdictValue.FAIL, "a standard the catalogue lacks", ("0123456789abcdef",))
UNKNOWN_PROVISION = Verdict("EN303645", "9.9-9", VerdictValue.INCONCLUSIVE, "a provision the catalogue lacks")


@pytest.mark.parametrize(
    "edge",
    [only(), only(UNKNOWN_STANDARD, UNKNOWN_PROVISION)],
    ids=["nothing-judged", "unknown-to-the-catalogue"],
)
def test_every_format_renders_an_assessment_at_the_edges(catalogue: Catalogue, edge: Assessment) -> None:
    for report_format in FORMATS:
        assert report_format.render(edge, catalogue)
    jsonschema.Draft4Validator(official_sarif_schema()).validate(sarif(catalogue, edge))
    cases = list(junit(catalogue, edge).iter("testcase"))
    assert len(cases) == len(edge.verdicts)
    html = HtmlReport().render(edge, catalogue)
    if edge.verdicts:
        assert "Finding 0123456789abcdef (not in this report)" in html
        assert 'data-provision="ACME:7"' in html and 'data-provision="EN303645:9.9-9"' in html
    else:
        assert "The UK PSTI requirements were not judged in this assessment." in html


def test_contradicted_declarations_come_first(catalogue: Catalogue, assessment: Assessment) -> None:
    contradiction = "the profile claims support (line 12), but the evidence shows: universal password admin"
    verdicts = tuple(
        replace(v, contradiction=contradiction) if (v.standard, v.provision) == ("EN303645", "5.1-1") else v
        for v in assessment.verdicts
    )
    contradicted = replace(assessment, verdicts=verdicts)
    html = HtmlReport().render(contradicted, catalogue)
    page = parse_html(html)
    listed = [a for tag, a in page.tags if tag == "li" and a.get("data-provision")]
    assert [a["data-provision"] for a in listed] == ["EN303645:5.1-1"]
    assert html.index('id="contradictions"') < html.index('class="psti"')
    markdown = MarkdownReport().render(contradicted, catalogue)
    assert markdown.index("Declarations contradicted by the evidence (1)") < markdown.index("| UK PSTI requirement")
    assert "Declarations contradicted" not in MarkdownReport().render(assessment, catalogue)
    assert 'id="contradictions"' not in HtmlReport().render(assessment, catalogue)
