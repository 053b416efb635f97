"""The results store on SQLite and on a real PostgreSQL server: a scan's life (begin, finish or fail, latest),
what it keeps (the assessment exactly, check versions, components, CVEs), hostile text, several writers, and
the Alembic migrations agreeing with the models."""

import math
import multiprocessing
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from iotbaseline.model import Finding, Location, Outcome, Severity
from iotbaseline.store.database import create_store_engine, database_url
from iotbaseline.store.errors import StoreError
from iotbaseline.store.interface import ResultStore, ScanStatus
from iotbaseline.store.migrate import HEAD, alembic_config, head_revision
from iotbaseline.store.schema import Base, CheckRunRow, FindingRow, ImageRow, ProductRow, VulnerabilityRow
from iotbaseline.store.sql_store import SqlResultStore
from tests.postgres import BACKENDS
from tests.postgres import database_url as backend_url
from tests.unit.store_data import SHARED_KEY, assessment, component, cve_match, image, key_finding


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with backend_url(request.param, tmp_path) as location:
        yield location


@pytest.fixture
def store(url: str) -> Iterator[SqlResultStore]:
    opened = SqlResultStore.open(url)
    yield opened
    opened.close()


def test_begin_records_a_running_scan_that_latest_returns(store: SqlResultStore) -> None:
    contract: ResultStore = store  # what batch and the dashboard rely on (mypy checks the class keeps it)
    ref = image(1, "Vistacam", "VC-200", firmware_version="1.2", year=2021)

    scan_id = contract.begin(ref, "0.9.0", "/out/image-1.bin")

    latest = contract.latest(ref.sha256.upper())  # the digest in any letter case
    assert latest is not None
    assert (latest.id, latest.status, latest.finished, latest.error) == (scan_id, ScanStatus.RUNNING, None, None)
    assert (latest.image_path, latest.tool_version, latest.output) == (ref.path, "0.9.0", "/out/image-1.bin")
    assert latest.product["vendor"] == "Vistacam"
    assert store.assessment(scan_id) is None  # nothing stored until it finishes
    assert store.latest("f" * 64) is None


def test_finish_stores_the_assessment_exactly_with_check_versions_components_and_cves(store: SqlResultStore) -> None:
    ref = image(1, "Vistacam", "VC-200")
    done = assessment("image-1.bin", (key_finding("image-1.bin", SHARED_KEY),), failing=("1",))
    components = {"image-1.bin": [component("dnsmasq", "2.76", "2.76-5+deb9u3"), component("busybox", None)]}
    matches = {"image-1.bin": [cve_match("dnsmasq", "2.76", "CVE-2017-14491", kev=True)]}

    scan_id = store.begin(ref, "0.9.0", None)
    store.finish(scan_id, done, components, matches)

    assert store.assessment(scan_id) == done
    stored = store.latest(ref.sha256)
    assert stored is not None and stored.status is ScanStatus.DONE and stored.finished is not None
    assert store.components(scan_id) == {"image-1.bin": tuple(components["image-1.bin"])}
    with Session(store.engine) as session:
        assert session.execute(select(CheckRunRow.check_id, CheckRunRow.version)).all() == [(done.checks[0].check, "2")]
        finding = session.scalars(select(FindingRow)).one()
        assert (finding.finding_id, finding.check_version, finding.outcome) == (done.findings[0].id, "2", "fail")
        assert finding.secret_fingerprint == f"private-key:{SHARED_KEY}"
        assert (finding.path, finding.line, finding.evidence["bits"]) == ("/etc/ssl/private/server.key", 1, 2048)
        cve = session.scalars(select(VulnerabilityRow)).one()
        assert (cve.cve, cve.kev, cve.severity, cve.component_version) == ("CVE-2017-14491", True, "critical", "2.76")
        assert cve.component_id is not None


def test_finishing_again_replaces_the_rows_instead_of_doubling_them(store: SqlResultStore) -> None:
    scan_id = store.begin(image(1), "0.9.0", None)
    first = assessment("image-1.bin", (key_finding("image-1.bin", SHARED_KEY),))
    store.finish(scan_id, first, {"image-1.bin": [component("dnsmasq", "2.76")]}, {})
    second = assessment("image-1.bin", ())
    store.finish(scan_id, second, {}, {})

    assert store.assessment(scan_id) == second
    assert store.components(scan_id) == {}
    with Session(store.engine) as session:
        assert session.scalars(select(FindingRow)).all() == []


def test_fail_keeps_the_reason_and_a_rescan_is_the_latest(store: SqlResultStore) -> None:
    ref = image(1)
    failed = store.begin(ref, "0.9.0", None)
    store.fail(failed, "extraction timed out after 1800 s")

    stored = store.latest(ref.sha256)
    assert stored is not None
    assert (stored.id, stored.status, stored.error) == (failed, ScanStatus.FAILED, "extraction timed out after 1800 s")
    again = store.begin(ref, "0.9.1", None)
    latest = store.latest(ref.sha256)
    assert latest is not None and (latest.id, latest.status) == (again, ScanStatus.RUNNING)
    assert [s.id for s in store.scans()] == [again, failed]  # newest first
    assert [s.id for s in store.scans(status=ScanStatus.FAILED)] == [failed]
    assert [s.id for s in store.scans(limit=1, offset=1)] == [failed]
    assert store.count() == 2 and store.count(ScanStatus.DONE) == 0


def test_unknown_scans_and_failing_a_finished_scan_are_errors(store: SqlResultStore) -> None:
    with pytest.raises(StoreError, match="no scan 99"):
        store.fail(99, "x")
    with pytest.raises(StoreError, match="no scan 99"):
        store.finish(99, assessment("x"), {}, {})
    scan_id = store.begin(image(1), "0.9.0", None)
    store.finish(scan_id, assessment("image-1.bin"), {}, {})
    with pytest.raises(StoreError, match="is done"):
        store.fail(scan_id, "late")
    assert store.latest(image(1).sha256) is not None and store.scan(scan_id) is not None
    assert store.scan(99) is None and store.assessment(99) is None
    with pytest.raises(StoreError, match="not a SHA-256"):
        store.begin(image(1).__class__("x.bin", "abc", 1, {}), "0.9.0", None)


def test_the_same_bytes_under_another_name_are_one_image_and_product_facts_fill_in_later(store: SqlResultStore) -> None:
    anonymous = image(1)
    named = image(1, "Zetta Home", "ZH-Cam 2", release_date="2023-05-01")
    store.begin(anonymous, "0.9.0", None)
    store.begin(named.__class__("/elsewhere/copy.bin", named.sha256, named.size, named.product), "0.9.0", None)

    with Session(store.engine) as session:
        [row] = session.scalars(select(ImageRow)).all()
        assert (row.first_path, row.release_year) == (anonymous.path, 2023)
        assert session.execute(select(ProductRow.vendor, ProductRow.model)).all() == [("Zetta Home", "ZH-Cam 2")]
    assert [s.image_path for s in store.scans()] == ["/elsewhere/copy.bin", anonymous.path]


def test_hostile_text_is_stored_and_the_assessment_still_reads_back_exactly(store: SqlResultStore) -> None:
    # a file name that is not UTF-8 (surrogateescape), a NUL, a terminal escape, numbers out of range
    hostile = Finding(
        check="firmware.credentials.hardcoded",
        outcome=Outcome.FAIL,
        provisions=("PSTI:1",),
        severity=Severity.HIGH,
        title="password\x00 in \x1b[31mred",
        location=Location(image="i", path="/etc/p\udcffw", line=2**40, offset=2**70, port=-5),
        evidence={"excerpt": "pw=\x00\udcfe", "nan": math.nan, "nested": {"\udc80key": [1, "\x00"]}},
    )
    done = assessment("i", (hostile,))
    scan_id = store.begin(image(1, "Ve\udcffndor", "M\x00"), "0.9.0", "/out/\udcff")
    store.finish(scan_id, done, {"i": [component("bad\udcffname", "1\x00")]}, {})

    read = store.assessment(scan_id)
    assert read is not None and read.to_dict()["findings"][0]["title"] == hostile.title
    assert read.findings[0].location == hostile.location and read.findings[0].id == hostile.id
    with Session(store.engine) as session:
        row = session.scalars(select(FindingRow)).one()
        assert (row.title, row.path) == ("password\\x00 in \x1b[31mred", "/etc/p\\xffw")
        assert (row.line, row.byte_offset, row.port) == (None, None, -5)
        assert row.evidence == {"excerpt": "pw=\\x00\\xfe", "nan": "nan", "nested": {"\\x80key": [1, "\\x00"]}}
    assert store.components(scan_id)["i"][0].name == "bad\\xffname"


def test_writers_beginning_the_same_new_image_at_once_share_one_image_row(url: str) -> None:
    stores = [SqlResultStore.open(url) for _ in range(4)]
    ids: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(stores))

    def begin(store: SqlResultStore) -> None:
        barrier.wait()
        try:
            ids.append(store.begin(image(7, "Vistacam", "VC-200"), "0.9.0", None))
        except BaseException as error:  # reported below, with the others
            errors.append(error)

    threads = [threading.Thread(target=begin, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and len(set(ids)) == 4
    with Session(stores[0].engine) as session:
        assert len(session.scalars(select(ImageRow)).all()) == 1
        assert len(session.scalars(select(ProductRow)).all()) == 1
    for store in stores:
        store.close()


def test_the_migrations_head_matches_the_models(store: SqlResultStore) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert context.get_current_revision() == head_revision() == HEAD
        assert compare_metadata(context, Base.metadata) == []


def test_the_migrations_go_down_to_nothing_and_up_again(url: str) -> None:
    SqlResultStore.open(url).close()
    engine = create_store_engine(url)
    config = alembic_config(url)
    command.downgrade(config, "base")
    with engine.connect() as connection:
        left = {row[0] for row in connection.execute(text(_TABLES[engine.dialect.name]))}
    assert left <= {"alembic_version"}
    engine.dispose()
    with SqlResultStore.open(url) as store:
        assert store.scans() == []


_TABLES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table'",
    "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
}


def test_sqlite_is_set_for_concurrent_readers_and_one_writer(tmp_path: Path) -> None:
    with SqlResultStore.open(str(tmp_path / "r.sqlite")) as store, store.engine.connect() as connection:
        pragmas = {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in _PRAGMAS}
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 60000}


_PRAGMAS = ("journal_mode", "foreign_keys", "busy_timeout")


def test_locations_are_files_or_urls_and_postgres_urls_get_psycopg(tmp_path: Path) -> None:
    assert database_url(str(tmp_path / "r.sqlite")) == f"sqlite:///{tmp_path / 'r.sqlite'}"
    assert database_url("postgresql://u:p@db/results") == "postgresql+psycopg://u:p@db/results"
    assert database_url("postgresql+psycopg://u@db/r") == "postgresql+psycopg://u@db/r"
    with pytest.raises(StoreError, match="not a database URL"):
        database_url("::not a url://")
    with pytest.raises(StoreError, match="cannot use the database"):
        create_store_engine("nosuchdialect://host/db")


def test_a_missing_file_is_an_error_when_not_creating_and_a_foreign_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no results database at"):
        SqlResultStore.open(str(tmp_path / "absent.sqlite"), create=False)
    assert not (tmp_path / "absent.sqlite").exists()
    foreign = create_store_engine(f"sqlite:///{tmp_path / 'other.sqlite'}")
    with foreign.begin() as connection:  # another program's database, with a table of the same name
        connection.exec_driver_sql("CREATE TABLE products (id INTEGER PRIMARY KEY)")
    foreign.dispose()
    with pytest.raises(StoreError, match="cannot prepare the results database"):
        SqlResultStore.open(str(tmp_path / "other.sqlite"))


def test_a_database_written_by_a_newer_version_is_refused(tmp_path: Path) -> None:
    location = str(tmp_path / "newer.sqlite")
    SqlResultStore.open(location).close()
    engine = create_store_engine(database_url(location))
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    engine.dispose()
    with pytest.raises(StoreError, match="written by a newer version"):
        SqlResultStore.open(location)


def _write_scans(location: str, count: int) -> None:
    """The writer: a batch storing `count` scans of 200 findings each, one transaction per scan."""
    with SqlResultStore.open(location) as store:
        for number in range(count):
            findings = tuple(key_finding(f"image-{number}", f"{number:02x}{i:062x}") for i in range(200))
            scan_id = store.begin(image(number, "Vistacam", "VC-200"), "0.9.0", None)
            store.finish(scan_id, assessment(f"image-{number}", findings), {}, {})


def test_a_reader_reads_consistent_results_while_another_process_writes(tmp_path: Path) -> None:
    location = str(tmp_path / "shared.sqlite")
    SqlResultStore.open(location).close()
    writer = multiprocessing.get_context("fork").Process(target=_write_scans, args=(location, 40))
    reads, seen = 0, set()
    with SqlResultStore.open(location) as reader:
        writer.start()
        while writer.is_alive() or reads == 0:
            for scan in reader.scans(limit=1000):
                seen.add(len(reader.scans(limit=1000)))
                if scan.status is ScanStatus.DONE:
                    stored = reader.assessment(scan.id)  # a done scan always has all its findings
                    assert stored is not None and len(stored.findings) == 200
                    break
            reads += 1
        writer.join(120)
        assert writer.exitcode == 0
        assert reader.count(ScanStatus.DONE) == 40
    assert reads > 1 and len(seen) > 2  # the reader ran beside the writer and saw the store grow
