"""Hostile files never make the update, secure-boot, communication or reset checks fail to run."""

from pathlib import Path

import pytest

from iotbaseline.checks.base import Check
from iotbaseline.comms import CommunicationSecurityCheck
from iotbaseline.model import Outcome
from iotbaseline.reset import FactoryResetCheck
from iotbaseline.updates import SecureBootHintsCheck, UpdateMechanismCheck
from tests.unit.tiny_image import scan, tiny_image

HOSTILE: dict[str, str | bytes] = {
    "usr/sbin/fw-update": "#!/bin/sh\n" + "$(" * 5000 + "\nmtd write " + "x" * 100_000 + " firmware\n",
    "usr/sbin/factory-reset": "#!/bin/sh\n" + "f() {\n" * 3000 + "rm -rf /data/*\n" + "}" * 10 + "\n'",
    "etc/init.d/S99loop": "#!/bin/sh\na() { b; }\nb() { a; }\na\nwget -O /tmp/f http://h/f && mtd write /tmp/f fw\n",
    "etc/mender/mender.conf": '{"ServerURL": ["x"], "Servers": 5, "ArtifactVerifyKeys": 7, "SkipVerify": "maybe"}',
    "var/lib/mender/mender.conf": '{"ServerURL": ["not", "a", "string"], "SkipVerify": "maybe"',
    "etc/rauc/system.conf": "[keyring\npath=",
    "etc/opkg.conf": "option\nsrc/gz\n",
    "etc/lighttpd/lighttpd.conf": '$SERVER["socket"] == {{{{\n}}}}\nserver.port = 99999999999999\n',
    "etc/mosquitto/mosquitto.conf": "listener\nport abc\nconnection\naddress\n",
    "etc/stunnel/stunnel.conf": "[\n]\n[x]\nclient = yes\nconnect\n",
    "etc/nginx/nginx.conf": "listen\nssl_protocols\n;;;;\n",
    "boot/uEnv.txt": "verify=n" * 10_000 + "\n",
    "usr/sbin/lighttpd": "#!/bin/sh\n",
    "usr/sbin/mosquitto": "#!/bin/sh\n",
    "usr/bin/mender": "#!/bin/sh\n",
    "usr/bin/stunnel": "#!/bin/sh\n",
    "usr/sbin/nginx": "#!/bin/sh\n",
}
OUTSIDE: dict[str, tuple[str | bytes, str]] = {
    "fw_extract/fit.json": ('{"configurations": [1, null, {"signed": true, "signatures": [7]}], "images": "x"}', "fit"),
    "fw_extract/uimage.json": ("[]", "uimage"),
    "fw_extract/board.dtb": (b"\xd0\x0d\xfe\xed" + b"\xff" * 60, "fit"),
}


@pytest.mark.parametrize(
    "check", [UpdateMechanismCheck, SecureBootHintsCheck, CommunicationSecurityCheck, FactoryResetCheck]
)
def test_hostile_files_are_read_without_error(tmp_path: Path, check: type[Check]) -> None:
    findings = scan(check(), tiny_image(tmp_path, HOSTILE, OUTSIDE))
    assert [f for f in findings if f.outcome is Outcome.ERROR] == []
