"""Which targets a probe accepts: only what the user names, ranges within the cap, never a
multicast, broadcast or unspecified address, and names resolved once, before anything is sent."""

import pytest

from iotbaseline.errors import InputError
from iotbaseline.live.ports import parse_ports
from iotbaseline.live.targets import TargetError, parse_targets


def no_dns(name: str) -> list[str]:
    raise AssertionError(f"{name} must not be resolved")


def test_addresses_are_taken_as_written_and_each_kept_once() -> None:
    targets = parse_targets(["192.168.1.20", "fe80::1", "192.168.1.20"], resolve=no_dns)

    assert [t.address for t in targets.targets] == ["192.168.1.20", "fe80::1"]


def test_a_host_name_is_resolved_once_and_ipv4_is_preferred() -> None:
    asked: list[str] = []

    def resolve(name: str) -> list[str]:
        asked.append(name)
        return ["2001:db8::7", "10.0.0.7"]

    targets = parse_targets(["camera.lan"], resolve=resolve)

    assert asked == ["camera.lan"]
    assert targets.targets[0].name == "camera.lan" and targets.targets[0].address == "10.0.0.7"


def test_a_slash_24_gives_its_254_hosts_without_network_and_broadcast() -> None:
    addresses = [t.address for t in parse_targets(["10.1.2.0/24"], resolve=no_dns).targets]

    assert len(addresses) == 254 and addresses[0] == "10.1.2.1" and addresses[-1] == "10.1.2.254"


def test_a_range_larger_than_a_slash_24_needs_the_explicit_option() -> None:
    with pytest.raises(TargetError, match="--allow-large-range"):
        parse_targets(["10.1.0.0/23"], resolve=no_dns)

    assert len(parse_targets(["10.1.0.0/23"], allow_large_range=True, resolve=no_dns).targets) == 510
    with pytest.raises(TargetError, match="limit is 65536"):
        parse_targets(["10.0.0.0/8"], allow_large_range=True, resolve=no_dns)


@pytest.mark.parametrize(
    "text",
    ["224.0.0.251", "239.255.255.250/32", "255.255.255.255", "0.0.0.0", "ff02::1",  # noqa: S104
     "http://10.0.0.1/", "10.0.0.1-20", "", "10.0.0.300", "-rf", "a b"],
)  # fmt: skip
def test_what_is_not_a_device_address_is_refused(text: str) -> None:
    with pytest.raises(TargetError):
        parse_targets([text], resolve=lambda name: [])


def test_a_name_that_does_not_resolve_is_refused() -> None:
    with pytest.raises(TargetError, match="does not resolve"):
        parse_targets(["nowhere.invalid"], resolve=lambda name: [])


def test_ports_syntax_lists_and_ranges() -> None:
    assert parse_ports("80, 22,8000-8002,22") == (22, 80, 8000, 8001, 8002)
    for bad in ("0", "70000", "90-80", "http", ""):
        with pytest.raises(InputError):
            parse_ports(bad)
