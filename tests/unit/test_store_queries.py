"""Questions across stored images, on SQLite and PostgreSQL: universal secrets (by image, product, vendor),
the component index with real version comparison, the CVE index, fleet figures; each image counted once, by
its latest finished scan."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from iotbaseline.components.model import Component
from iotbaseline.model import Finding, Outcome
from iotbaseline.store.fleet import UNKNOWN, GroupFigures, YearOf, fleet_summary
from iotbaseline.store.interface import ImageRef
from iotbaseline.store.queries import Across, images_with_component, images_with_cve, universal_secrets
from iotbaseline.store.sql_store import SqlResultStore
from iotbaseline.vulndb.match import VulnerabilityMatch
from tests.postgres import BACKENDS, database_url
from tests.unit.store_data import SHARED_KEY, assessment, component, cve_match, image, key_finding

OTHER_KEY = "cd" * 32
CVE = "CVE-2017-14491"


def store_scan(
    store: SqlResultStore,
    ref: ImageRef,
    keys: tuple[str, ...] = (),
    failing: tuple[str, ...] = (),
    components: tuple[Component, ...] = (),
    matches: tuple[VulnerabilityMatch, ...] = (),
    findings: tuple[Finding, ...] = (),
) -> int:
    name = ref.path.rsplit("/", 1)[1]
    scan_id = store.begin(ref, "0.9.0", None)
    done = assessment(name, (*(key_finding(name, key) for key in keys), *findings), failing)
    store.finish(scan_id, done, {name: list(components)}, {name: list(matches)})
    return scan_id


@pytest.fixture(scope="module", params=BACKENDS)
def fleet(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlResultStore]:
    """Seven images of three vendors (and one unknown); two rescanned."""
    with database_url(request.param, tmp_path_factory.mktemp("fleet")) as url, SqlResultStore.open(url) as store:
        vc200 = {"vendor": "Vistacam", "model": "VC-200"}
        store_scan(
            store,
            image(1, **vc200, year=2021),
            (SHARED_KEY,),
            ("1",),
            (component("dnsmasq", "2.76", "2.76-5+deb9u3"),),
            (cve_match("dnsmasq", "2.76", CVE, kev=True),),
        )
        store_scan(
            store,
            image(2, "Zetta Home", "ZH-Cam 2", release_date="2023-05-01"),
            (SHARED_KEY,),
            ("1", "2"),
            (component("dnsmasq", "2.80"),),
        )
        store_scan(
            store,
            image(3, **vc200, firmware_version="1.3", year=2022),
            (OTHER_KEY,),
            (),
            (component("dnsmasq", None),),
            (cve_match("dnsmasq", "2.75", CVE, not_affected="vex"),),
        )
        store_scan(store, image(4), (OTHER_KEY,), ("3",), (component("DNSmasq", "2.9"),))
        # a documentation example key: reported as info, not a secret in use
        store_scan(
            store,
            image(5, "Zetta Home", "ZH-Cam 3", year=2023),
            (),
            ("1",),
            findings=(key_finding("image-5.bin", SHARED_KEY, Outcome.INFO),),
        )
        # fixed in a rescan: the latest finished scan counts
        store_scan(store, image(6, "Acme", "A1", year=2022), (SHARED_KEY,), ("1",), (component("dnsmasq", "2.70"),))
        store_scan(store, image(6, "Acme", "A1", year=2022), (), (), (component("dnsmasq", "2.90"),))
        # a rescan that failed does not hide the last good one; one still running neither
        store_scan(store, image(7, "Acme", "A2"), (SHARED_KEY,), ("1",))
        store.fail(store.begin(image(7, "Acme", "A2"), "0.9.1", None), "killed")
        store.begin(image(3, **vc200), "0.9.1", None)
        yield store  # fmt: skip


def numbers(paths: list[str]) -> list[int]:
    return sorted(int(path.rsplit("-", 1)[1].split(".")[0]) for path in paths)


def test_a_key_in_images_of_several_vendors_is_a_universal_secret_with_every_place(fleet: SqlResultStore) -> None:
    [shared] = universal_secrets(fleet.engine, Across.VENDORS)

    assert shared.fingerprint == f"private-key:{SHARED_KEY}" and shared.kind == "private-key"
    assert shared.vendors == ("Acme", "Vistacam", "Zetta Home")
    assert numbers([s.image.path for s in shared.sightings]) == [1, 2, 7]  # not 5 (info), not 6 (fixed)
    sighting = shared.sightings[0]
    assert (sighting.path, sighting.line, sighting.check) == (
        "/etc/ssl/private/server.key",
        1,
        key_finding("", "").check,
    )
    assert shared.to_dict()["products"][0] == {"vendor": "Acme", "model": "A2"}


def test_shared_across_images_counts_unknown_products_but_across_products_does_not(fleet: SqlResultStore) -> None:
    by_image = universal_secrets(fleet.engine, Across.IMAGES)
    by_product = universal_secrets(fleet.engine, Across.PRODUCTS)

    # the other key is in two versions of one product and in an image nobody named: two images, one known product
    assert [(s.fingerprint.split(":")[1], len(s.images)) for s in by_image] == [(SHARED_KEY, 3), (OTHER_KEY, 2)]
    assert [s.fingerprint for s in by_product] == [f"private-key:{SHARED_KEY}"]
    assert universal_secrets(fleet.engine, Across.IMAGES, minimum=4) == []


def test_component_index_compares_versions_as_versions_and_keeps_unknown_ones(fleet: SqlResultStore) -> None:
    below = images_with_component(fleet.engine, "DnsMasq", below="2.78")
    newer = images_with_component(fleet.engine, "dnsmasq", at_least="2.78")

    # 2.9 is older than 2.78 (a string comparison would say newer); 2.80 and 2.90 are not below it
    assert [(numbers([h.image.path]), h.version) for h in below] == [([1], "2.76"), ([3], None), ([4], "2.9")]
    assert below[0].distro_version == "2.76-5+deb9u3" and below[0].image.vendor == "Vistacam"
    assert [(numbers([h.image.path]), h.version) for h in newer] == [([6], "2.90"), ([3], None), ([2], "2.80")]
    assert len(images_with_component(fleet.engine, "dnsmasq")) == 5
    assert images_with_component(fleet.engine, "busybox") == []


def test_cve_index_lists_affected_images_with_kev_and_vex_statements(fleet: SqlResultStore) -> None:
    hits = images_with_cve(fleet.engine, CVE.lower())

    assert [(numbers([h.image.path]), h.kev, h.not_affected) for h in hits] == [
        ([1], True, None),
        ([3], False, "code_not_reachable"),
    ]
    assert (hits[0].component, hits[0].version, hits[0].severity, hits[0].score) == ("dnsmasq", "2.76", "critical", 9.8)
    assert images_with_cve(fleet.engine, "CVE-2000-0001") == []


def shares(group: GroupFigures) -> dict[str, tuple[int, int]]:
    return {r.provision: (r.failing, r.judged) for r in group.requirements}


def test_fleet_summary_counts_failing_images_per_psti_requirement_by_vendor_and_firmware_year(
    fleet: SqlResultStore,
) -> None:
    summary = fleet_summary(fleet.engine)

    assert summary.overall.images == 7 and summary.overall.failing_any == 5
    assert shares(summary.overall) == {"1": (4, 7), "2": (1, 7), "3": (1, 7)}
    assert summary.overall.requirements[0].share_failing == pytest.approx(4 / 7)
    vendors = {g.group: shares(g) for g in summary.by_vendor}
    assert [g.group for g in summary.by_vendor] == ["Acme", "Vistacam", "Zetta Home", UNKNOWN]
    assert vendors["Acme"]["1"] == (1, 2) and vendors["Zetta Home"]["1"] == (2, 2) and vendors[UNKNOWN]["3"] == (1, 1)
    years = {g.group: (g.images, shares(g)["1"]) for g in summary.by_year}
    assert years == {"2021": (1, (1, 1)), "2022": (2, (0, 2)), "2023": (2, (2, 2)), UNKNOWN: (2, (1, 2))}
    assert summary.to_dict()["by_year"][0]["requirements"][0]["share_failing"] == 1.0


def test_fleet_summary_by_scan_year_and_for_another_standard(fleet: SqlResultStore) -> None:
    by_scan = fleet_summary(fleet.engine, year_of=YearOf.SCAN)
    assert [(g.group, g.images) for g in by_scan.by_year] == [(str(datetime.now(UTC).year), 7)]
    other = fleet_summary(fleet.engine, standard="EN303645")
    assert shares(other.overall) == {"5.1-1": (0, 7)} and other.overall.requirements[0].passing == 7
    assert fleet_summary(fleet.engine, standard="NOSUCH").overall.images == 0


def test_queries_on_an_empty_store_answer_nothing(tmp_path: Path) -> None:
    with SqlResultStore.open(str(tmp_path / "empty.sqlite")) as store:
        assert universal_secrets(store.engine) == []
        assert images_with_component(store.engine, "dnsmasq", below="2.78") == []
        assert images_with_cve(store.engine, CVE) == []
        assert fleet_summary(store.engine).by_vendor == ()
