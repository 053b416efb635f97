"""Pytest fixtures for the simulated devices, started once per test module: credential trials leave
a device changed (a login locked out, connections counted), so no module sees another's leftovers.
Each device gets an address of its own, so a new one never waits for the last one's ports.

A test skips when a server binary is missing, unless the CI environment variable is set: in CI a
missing binary fails loudly (scripts/debian-packages.txt must list it)."""

import itertools
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

_ADDRESS_INDEX = itertools.count(2)


def _require_binaries() -> None:
    missing = missing_binaries()
    if not missing:
        return
    message = "the device simulator needs: " + ", ".join(missing)
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def weak_device(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatedDevice]:
    _require_binaries()
    folder = tmp_path_factory.mktemp("weak-device")
    folder.chmod(0o755)
    device = start_weak_device(folder, device_address(next(_ADDRESS_INDEX)))
    yield device
    device.stop()


@pytest.fixture(scope="module")
def hardened_device(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatedDevice]:
    _require_binaries()
    folder = tmp_path_factory.mktemp("hardened-device")
    folder.chmod(0o755)
    device = start_hardened_device(folder, device_address(next(_ADDRESS_INDEX)))
    yield device
    device.stop()
