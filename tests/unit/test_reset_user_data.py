"""User data deletion: reset routines, what they erase, what starts them."""

from collections.abc import Mapping
from pathlib import Path

import pytest

from iotbaseline.model import Finding, Outcome
from iotbaseline.reset import FactoryResetCheck
from tests.unit.tiny_image import outcomes, scan, tiny_image

DELETION = ("EN303645:5.11-1",)


def run(tmp_path: Path, files: Mapping[str, str | bytes]) -> list[Finding]:
    return scan(FactoryResetCheck(), tiny_image(tmp_path, files))


@pytest.mark.parametrize(
    ("path", "script", "line", "target"),
    [
        ("sbin/firstboot", '#!/bin/sh\n[ "$1" = -y ] || exit 1\nmtd -r erase rootfs_data\n', 3, "rootfs_data"),
        ("usr/sbin/factory-reset", "#!/bin/sh\nrm -rf /data/*\nsync\nreboot -f\n", 2, "/data/*"),
        ("usr/sbin/reset_to_default.sh", "#!/bin/sh\nubirmvol /dev/ubi0 -N userdata\n", 2, "userdata"),
        ("usr/sbin/restore_defaults", "#!/bin/sh\nnvram erase\nreboot\n", 2, "nvram"),
    ],
)
def test_a_reset_routine_that_erases_the_user_data_store_passes(
    tmp_path: Path, path: str, script: str, line: int, target: str
) -> None:
    [passed] = run(tmp_path, {path: script})
    assert passed.outcome is Outcome.PASS and passed.provisions == DELETION
    assert (passed.location.path, passed.location.line) == ("/" + path, line)
    assert passed.evidence["erases"][0]["target"] == target


def test_a_reset_that_removes_selected_files_is_a_hint(tmp_path: Path) -> None:
    [hint] = run(tmp_path, {"usr/sbin/factory-reset": "#!/bin/sh\nrm -f /etc/plug/wifi.conf /etc/plug/device_id\n"})
    assert hint.outcome is Outcome.INFO and hint.provisions == DELETION
    assert "selected files" in hint.title


def test_rm_without_recursion_of_a_data_folder_is_not_a_wipe(tmp_path: Path) -> None:
    [hint] = run(tmp_path, {"usr/sbin/factory-reset": "#!/bin/sh\nrm -f /data/*\n"})
    assert hint.outcome is Outcome.INFO


def test_a_commented_out_wipe_does_not_count(tmp_path: Path) -> None:
    [hint] = run(tmp_path, {"usr/sbin/factory-reset": "#!/bin/sh\n# rm -rf /overlay/*\nrm -f /etc/config/wireless\n"})
    assert hint.outcome is Outcome.INFO


def test_a_reset_button_handler_calling_jffs2reset_passes_with_its_trigger(tmp_path: Path) -> None:
    handler = (
        '#!/bin/sh\n[ "${ACTION}" = "released" ] || exit 0\n'
        'if [ "$SEEN" -ge 5 ]; then\n\tjffs2reset -y && reboot &\nfi\n'
    )
    [passed] = run(tmp_path, {"etc/rc.button/reset": handler})
    assert passed.outcome is Outcome.PASS
    assert passed.evidence["triggers"] == ["button: /etc/rc.button/reset"]
    assert passed.location.line == 4


def test_a_button_handler_starting_a_vendor_reset_script_is_its_trigger(tmp_path: Path) -> None:
    files = {
        "usr/sbin/factory-reset": "#!/bin/sh\nrm -rf /overlay/upper\nreboot\n",
        "etc/hotplug.d/button/10-reset": '#!/bin/sh\n[ "$BUTTON" = reset ] && /usr/sbin/factory-reset\n',
        "www/cgi-bin/system.cgi": '#!/bin/sh\ncase "$QUERY_STRING" in\nreset) /usr/sbin/factory-reset ;;\nesac\n',
    }
    passed = [f for f in run(tmp_path, files) if f.outcome is Outcome.PASS]
    assert len(passed) == 1
    assert sorted(passed[0].evidence["triggers"]) == [
        "button: /etc/hotplug.d/button/10-reset",
        "web: /www/cgi-bin/system.cgi",
    ]


def test_no_reset_routine_is_a_hint(tmp_path: Path) -> None:
    [hint] = run(tmp_path, {"etc/init.d/rcS": "#!/bin/sh\nmount -a\n"})
    assert hint.outcome is Outcome.INFO and hint.discriminator == "no-reset"
    assert outcomes([hint], Outcome.PASS) == []
