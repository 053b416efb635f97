"""Settings for the whole suite."""

import os
import tempfile

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # A scan uses the vulnerability database at the default location when one exists; tests must not
    # depend on what the developer's machine has downloaded, so the cache folder is an empty one of theirs.
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="iotbaseline-test-cache-")
