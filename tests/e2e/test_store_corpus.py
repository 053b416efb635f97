"""The results store with real scans of corpus images, one scan per image as a batch runs them, on SQLite and
PostgreSQL: the assessment and components read back exactly; the white-label camera pair's shared TLS key is
a universal secret across vendors; the component and CVE indexes and the fleet figures agree with the scans;
and `iotbaseline results` prints and exports them."""

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from iotbaseline.model import Assessment, VerdictValue
from iotbaseline.results_cli import results
from iotbaseline.scan import ScanOutcome, scan
from iotbaseline.store.interface import ImageRef, ScanStatus
from iotbaseline.store.queries import Across, images_with_component, images_with_cve, universal_secrets
from iotbaseline.store.sql_store import SqlResultStore
from tests.corpus import build_image, ground_truth
from tests.postgres import BACKENDS, database_url

pytestmark = pytest.mark.e2e

PRODUCTS: dict[str, dict[str, Any]] = {
    "sample-camera-mipsel": {"vendor": "Vistacam", "model": "VC-200 HD", "year": 2021},
    "camera-armel-squashfs-gzip": {"vendor": "Zetta Home", "model": "ZH-Cam 2", "release_date": "2023-03-01"},
    "hub-arm64-squashfs-zstd": {"vendor": "Hubbly", "model": "H1"},
}


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[ImageRef, ScanOutcome]]:
    """Each image scanned on its own, as `batch` does."""
    done = {}
    for name, product in PRODUCTS.items():
        path = build_image(name)
        outcome = scan([path], tmp_path_factory.mktemp(name))
        [source] = outcome.assessment.inputs
        done[name] = (ImageRef(str(path), source.sha256, source.size, product), outcome)
    return done


@pytest.fixture(scope="module", params=BACKENDS)
def stored(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    scans: dict[str, tuple[ImageRef, ScanOutcome]],
) -> Iterator[tuple[str, dict[str, int]]]:
    """The store's URL and each image's scan id."""
    with database_url(request.param, tmp_path_factory.mktemp("store")) as url, SqlResultStore.open(url) as store:
        ids = {}
        for name, (ref, outcome) in scans.items():
            ids[name] = store.begin(ref, outcome.assessment.tool_version, f"/out/{name}")
            store.finish(ids[name], outcome.assessment, outcome.components, outcome.vulnerabilities)
        yield url, ids


def test_a_stored_scan_reads_back_as_the_scan_produced_it(
    stored: tuple[str, dict[str, int]], scans: dict[str, tuple[ImageRef, ScanOutcome]]
) -> None:
    url, ids = stored
    with SqlResultStore.open(url) as store:
        for name, (ref, outcome) in scans.items():
            # exactly what report.json holds (check times are rounded to milliseconds there)
            read = store.assessment(ids[name])
            assert read is not None and read.to_dict() == outcome.assessment.to_dict()
            assert read == Assessment.from_dict(outcome.assessment.to_dict())
            assert store.components(ids[name]) == {k: tuple(v) for k, v in outcome.components.items()}
            latest = store.latest(ref.sha256)
            assert latest is not None and (latest.id, latest.status) == (ids[name], ScanStatus.DONE)
            assert latest.image_sha256 == ground_truth(name)["image"]["sha256"]


def test_the_white_label_cameras_share_one_tls_key_across_vendors(stored: tuple[str, dict[str, int]]) -> None:
    url, _ = stored
    [key] = [p for p in ground_truth("camera-armel-squashfs-gzip")["plants"] if p["kind"] == "private-key"]
    with SqlResultStore.open(url) as store:
        found = universal_secrets(store.engine, Across.VENDORS)

    # the sample's dropbear host key is its own; the hardened hub shares nothing
    [shared] = found
    assert shared.fingerprint == f"private-key:{key['public_sha256']}"
    assert shared.vendors == ("Vistacam", "Zetta Home")
    assert {(s.image.model, s.path) for s in shared.sightings} == {
        ("VC-200 HD", "/" + key["path"]),
        ("ZH-Cam 2", "/" + key["path"]),
    }


def test_component_and_cve_indexes_agree_with_the_scans(
    stored: tuple[str, dict[str, int]], scans: dict[str, tuple[ImageRef, ScanOutcome]]
) -> None:
    url, _ = stored
    cameras = {PRODUCTS[name]["model"] for name in ("sample-camera-mipsel", "camera-armel-squashfs-gzip")}
    sample_ref, sample = scans["sample-camera-mipsel"]
    [matches] = sample.vulnerabilities.values()
    with SqlResultStore.open(url) as store:
        # both cameras ship dnsmasq 2.90 (ground truth): below 2.91, not below 2.78
        assert {h.image.model for h in images_with_component(store.engine, "dnsmasq", below="2.91")} >= cameras
        assert images_with_component(store.engine, "dnsmasq", below="2.78") == []
        for match in matches:
            hits = images_with_cve(store.engine, match.cve_id)
            assert sample_ref.sha256 in {h.image.sha256 for h in hits}


def invoke(url: str, *args: str) -> Result:
    return CliRunner().invoke(results, ["--db", url, *args], catch_exceptions=False)


def as_json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_results_cli_lists_shows_and_exports(
    stored: tuple[str, dict[str, int]], scans: dict[str, tuple[ImageRef, ScanOutcome]]
) -> None:
    url, ids = stored
    listed = as_json(invoke(url, "list", "--json"))
    assert [s["id"] for s in listed] == sorted(ids.values(), reverse=True)
    assert listed[0]["product"]["vendor"] == "Hubbly" and listed[0]["status"] == "done"
    sample = scans["sample-camera-mipsel"][1].assessment
    assert as_json(invoke(url, "show", str(ids["sample-camera-mipsel"]), "--json")) == sample.to_dict()
    shown = invoke(url, "show", str(ids["sample-camera-mipsel"]))
    assert shown.exit_code == 0 and "PSTI" in shown.stdout and "/etc/shadow" in shown.stdout

    exported = invoke(url, "export", "--format", "csv")
    assert exported.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert len(rows) == sum(len(outcome.assessment.findings) for _, outcome in scans.values())
    sample_rows = [r for r in rows if r["scan"] == str(ids["sample-camera-mipsel"])]
    assert sorted(r["finding"] for r in sample_rows) == sorted(f.id for f in sample.findings)
    assert all(json.loads(r["provisions"]) is not None and r["vendor"] == "Vistacam" for r in sample_rows)

    verdicts = as_json(invoke(url, "export", "--table", "verdicts", "--format", "json"))
    psti_1 = {v["vendor"]: v["verdict"] for v in verdicts if (v["standard"], v["provision"]) == ("PSTI", "1")}
    assert psti_1["Vistacam"] == VerdictValue.FAIL.value  # the sample ships root:admin


def test_results_cli_answers_the_fleet_questions(
    stored: tuple[str, dict[str, int]], scans: dict[str, tuple[ImageRef, ScanOutcome]]
) -> None:
    url, _ = stored
    [secret] = as_json(invoke(url, "universal-secrets", "--across", "vendors", "--json"))
    assert secret["kind"] == "private-key" and secret["vendors"] == ["Vistacam", "Zetta Home"]
    table = invoke(url, "universal-secrets")
    assert table.exit_code == 0 and "Zetta Home" in table.stdout

    components = as_json(invoke(url, "components", "dnsmasq", "--below", "2.91", "--json"))
    assert {c["version"] for c in components} == {"2.90"}
    assert "0 images ship dnsmasq < 2.78" in invoke(url, "components", "dnsmasq", "--below", "2.78").stdout

    summary = as_json(invoke(url, "summary", "--json"))
    failing_psti_1 = sum(
        1
        for _, outcome in scans.values()
        if any(v.verdict is VerdictValue.FAIL for v in outcome.assessment.verdicts_for("PSTI") if v.provision == "1")
    )
    first = summary["overall"]["requirements"][0]
    assert summary["overall"]["images"] == 3 and (first["provision"], first["failing"]) == ("1", failing_psti_1)
    assert [g["group"] for g in summary["by_year"]] == ["2021", "2023", "unknown"]
    text = invoke(url, "summary")
    assert text.exit_code == 0 and "PSTI 1" in text.stdout and "Hubbly" in text.stdout


def test_results_cli_errors_are_one_line(tmp_path: Path) -> None:
    missing = invoke(str(tmp_path / "none.sqlite"), "list")
    assert missing.exit_code == 2 and "no results database at" in missing.stderr
    assert not (tmp_path / "none.sqlite").exists()
    with SqlResultStore.open(str(tmp_path / "r.sqlite")):
        pass
    unknown = invoke(str(tmp_path / "r.sqlite"), "show", "12")
    assert unknown.exit_code == 2 and "no scan 12" in unknown.stderr
