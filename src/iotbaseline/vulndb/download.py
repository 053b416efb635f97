"""`db update`: NVD API 2.0 in lastModified windows, then CISA's KEV catalogue, through a replaceable transport.

NVD allows at most 120 days per lastModStartDate/lastModEndDate window and 2000 results per page, and rate-limits
(5 requests in 30 s without an API key, 50 with one). Each completed window is recorded in the metadata table,
so an interrupted update resumes at the first window it had not finished; pages are upserts, so repeating part
of a window does no harm.
"""

import collections
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from iotbaseline.vulndb.errors import DownloadError
from iotbaseline.vulndb.importer import StreamOpener, import_stream
from iotbaseline.vulndb.store import UpsertCounts, VulnDatabase

NVD_API_URL = "https://services.nvd.nist.gov/rest/json/cves/2.0"
KEV_URL = "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
MAX_WINDOW = timedelta(days=120)
MAX_PAGE_SIZE = 2000
RATE_PERIOD = 30.0  # seconds over which NVD counts requests
FIRST_WINDOW_START = datetime(1999, 1, 1, tzinfo=UTC)  # before the first CVE: a first update fetches everything
LAST_WINDOW_KEY = "nvd.last_window_end"


class Transport(Protocol):
    """Fetches one URL; tests serve fixture files through their own implementation."""

    def get(self, url: str, params: Mapping[str, str], headers: Mapping[str, str]) -> bytes: ...


class UrllibTransport:
    """HTTPS with the standard library: no extra dependency for a handful of requests."""

    def __init__(self, timeout: float = 120.0) -> None:
        self.timeout = timeout

    def get(self, url: str, params: Mapping[str, str], headers: Mapping[str, str]) -> bytes:
        full = f"{url}?{urllib.parse.urlencode(params)}" if params else url
        request = urllib.request.Request(full, headers={"User-Agent": "iotbaseline", **headers})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (https constants)
                body: bytes = response.read()
                return body
        except urllib.error.HTTPError as error:
            raise DownloadError(f"{url}: HTTP {error.code} {error.reason}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise DownloadError(f"{url}: {getattr(error, 'reason', error)}") from None


@dataclass
class RateLimiter:
    """At most `requests` calls in any `period` seconds."""

    requests: int
    period: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _sent: collections.deque[float] = field(default_factory=collections.deque)

    def wait(self) -> None:
        if len(self._sent) >= self.requests:
            delay = self.period - (self.clock() - self._sent[0])
            if delay > 0:
                self.sleep(delay)
            self._sent.popleft()
        self._sent.append(self.clock())


@dataclass(frozen=True)
class PageProgress:
    """Reported after each NVD page, for a progress display."""

    window: int  # 1-based
    windows: int
    start: datetime
    end: datetime
    fetched: int  # results of this window fetched so far
    total: int  # results NVD holds for this window


@dataclass(frozen=True)
class UpdateResult:
    windows: int
    pages: int
    cves: UpsertCounts
    kev: UpsertCounts | None
    completed_until: str


def _nvd_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+00:00")


def windows(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Consecutive lastModified windows of at most 120 days covering [start, end]."""
    result = []
    while start < end:
        stop = min(start + MAX_WINDOW, end)
        result.append((start, stop))
        start = stop
    return result


@dataclass
class NvdUpdater:
    db: VulnDatabase
    transport: Transport = field(default_factory=UrllibTransport)
    api_key: str | None = None
    page_size: int = MAX_PAGE_SIZE
    retries: int = 3
    retry_delay: float = 6.0
    sleep: Callable[[float], None] = time.sleep
    limiter: RateLimiter | None = None
    rate_period: float = RATE_PERIOD  # a mirror may allow more; tests use 0
    nvd_url: str = NVD_API_URL
    kev_url: str = KEV_URL
    progress: Callable[[PageProgress], None] | None = None

    def __post_init__(self) -> None:
        if self.limiter is None:
            self.limiter = RateLimiter(50 if self.api_key else 5, self.rate_period, sleep=self.sleep)

    def _get(self, url: str, params: Mapping[str, str]) -> bytes:
        headers = {"apiKey": self.api_key} if self.api_key else {}
        for attempt in range(self.retries + 1):
            assert self.limiter is not None
            self.limiter.wait()
            try:
                return self.transport.get(url, params, headers)
            except DownloadError:
                if attempt == self.retries:
                    raise
                self.sleep(self.retry_delay * (attempt + 1))  # NVD answers 403/503 under load: back off
        raise AssertionError("unreachable")

    def _window(self, start: datetime, end: datetime, number: int, count: int) -> tuple[int, UpsertCounts]:
        pages, counts, index = 0, UpsertCounts(), 0
        while True:
            params = {
                "lastModStartDate": _nvd_time(start),
                "lastModEndDate": _nvd_time(end),
                "startIndex": str(index),
                "resultsPerPage": str(self.page_size),
            }
            body = self._get(self.nvd_url, params)
            result = import_stream(self.db, StreamOpener(data=body), self.nvd_url)
            pages += 1
            counts += result.counts
            per_page = int(result.header.get("resultsPerPage", "0"))
            total = int(result.header.get("totalResults", "0"))
            index += per_page
            if self.progress is not None:
                self.progress(PageProgress(number, count, start, end, min(index, total), total))
            if per_page == 0 or index >= total:
                return pages, counts

    def update_nvd(self, now: datetime, since: datetime | None = None) -> UpdateResult:
        """Fetches every window from the last completed one (or `since`, or the beginning) up to `now`."""
        recorded = self.db.get_meta(LAST_WINDOW_KEY)
        start = datetime.fromisoformat(recorded) if recorded else (since or FIRST_WINDOW_START)
        done_windows, pages, counts = 0, 0, UpsertCounts()
        planned = windows(start, now)
        for number, (window_start, window_end) in enumerate(planned, 1):
            try:
                window_pages, window_counts = self._window(window_start, window_end, number, len(planned))
            except DownloadError as error:
                raise DownloadError(
                    f"{error}; completed up to {_nvd_time(window_start)}: run the update again to resume from there"
                ) from None
            self.db.set_meta({LAST_WINDOW_KEY: window_end.isoformat(), "nvd.updated_at": now.isoformat()})
            done_windows, pages, counts = done_windows + 1, pages + window_pages, counts + window_counts
        return UpdateResult(done_windows, pages, counts, None, now.isoformat())

    def update_kev(self) -> UpsertCounts:
        body = self._get(self.kev_url, {})
        return import_stream(self.db, StreamOpener(data=body), self.kev_url).counts


def update(
    db: VulnDatabase,
    *,
    transport: Transport | None = None,
    api_key: str | None = None,
    now: datetime | None = None,
    since: datetime | None = None,
    include_kev: bool = True,
    sleep: Callable[[float], None] = time.sleep,
) -> UpdateResult:
    """Brings the database up to date with NVD (incrementally) and replaces the KEV catalogue."""
    updater = NvdUpdater(db, transport or UrllibTransport(), api_key=api_key, sleep=sleep)
    result = updater.update_nvd(now or datetime.now(UTC), since)
    kev = updater.update_kev() if include_kev else None
    return UpdateResult(result.windows, result.pages, result.cves, kev, result.completed_until)
