"""Pytest fixtures for the simulated devices, started once per test session (per xdist worker).

A test skips when a server binary is missing, unless the CI environment variable is set: in CI a
missing binary fails loudly (scripts/debian-packages.txt must list it)."""

import os
from collections.abc import Iterator

import pytest

from tests.live_device.device import (
    SimulatedDevice,
    device_address,
    missing_binaries,
    start_hardened_device,
    start_weak_device,
)


def _require_binaries() -> None:
    missing = missing_binaries()
    if not missing:
        return
    message = "the device simulator needs: " + ", ".join(missing)
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def weak_device(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatedDevice]:
    _require_binaries()
    folder = tmp_path_factory.mktemp("weak-device")
    folder.chmod(0o755)
    device = start_weak_device(folder, device_address(2))
    yield device
    device.stop()


@pytest.fixture(scope="session")
def hardened_device(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatedDevice]:
    _require_binaries()
    folder = tmp_path_factory.mktemp("hardened-device")
    folder.chmod(0o755)
    device = start_hardened_device(folder, device_address(3))
    yield device
    device.stop()
