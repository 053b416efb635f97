"""extract_firmware end to end, through real unblob, on inputs made in the test."""

import hashlib
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from iotbaseline.errors import InputError, OutputError
from iotbaseline.firmware.extract import extract_firmware
from iotbaseline.firmware.incomplete import IncompleteKind
from iotbaseline.firmware.limits import ExtractionLimits
from iotbaseline.firmware.usage import measure_folder
from tests.e2e.conftest import MIB, gzip_zeros, tar_member


def kinds(result: object) -> set[IncompleteKind]:
    return {i.what for i in result.incomplete}  # type: ignore[attr-defined]


def test_tar_gz_update_yields_its_rootfs_with_device_paths_and_origin(small_rootfs_targz: Path, tmp_path: Path) -> None:
    result = extract_firmware(small_rootfs_targz, tmp_path / "out")

    (rootfs,) = result.tree.rootfs
    passwd = result.tree.resolve(rootfs, "/etc/passwd")
    assert passwd is not None
    assert passwd.sha256 == hashlib.sha256(b"root:x:0:0:root:/root:/bin/sh\n").hexdigest()
    assert [layer.format for layer in passwd.origin] == ["gzip", "tar"]
    assert passwd.origin[0].container == "update.tar.gz"
    assert result.tree.resolve(rootfs, "/usr/bin/wget") == result.tree.resolve(rootfs, "/bin/busybox")
    assert {link.device_path: link.target for link in result.tree.links} == {
        "/bin/sh": "/bin/busybox",
        "/usr/bin/wget": "/bin/busybox",
    }
    assert result.incomplete == []


def test_hostile_tar_writes_nothing_outside_and_reports_each_trick(tmp_path: Path) -> None:
    marker = f"iotbaseline-test-{os.getpid()}"
    image = tmp_path / "hostile.tar"
    with tarfile.open(image, "w", format=tarfile.GNU_FORMAT) as archive:
        tar_member(archive, f"../../../../../../tmp/{marker}-1", b"pwn")
        tar_member(archive, f"/tmp/{marker}-2", b"pwn")
        tar_member(archive, "up", type=tarfile.SYMTYPE, linkname="../../../../../../../tmp")
        tar_member(archive, f"up/{marker}-3", b"pwn")
        tar_member(archive, "dev/initctl", type=tarfile.FIFOTYPE)
        tar_member(archive, "ok.txt", b"fine")

    result = extract_firmware(image, tmp_path / "out")

    assert not list(Path("/tmp").glob(f"{marker}*"))
    assert not list(tmp_path.glob(f"{marker}*"))
    assert {IncompleteKind.PATH_TRAVERSAL, IncompleteKind.ABSOLUTE_PATH, IncompleteKind.LINK_ESCAPE} <= kinds(result)
    assert any(f.path.endswith("ok.txt") for f in result.tree.files)
    (fifo,) = result.tree.special
    assert fifo.path.endswith("dev/initctl") and not (tmp_path / "out" / fifo.path).exists()


def test_decompression_bomb_is_cut_at_the_budget_and_disk_stays_bounded(tmp_path: Path) -> None:
    bomb = gzip_zeros(tmp_path / "bomb.gz", 256 * MIB)
    budget = 32 * MIB

    result = extract_firmware(bomb, tmp_path / "out", ExtractionLimits(max_output_bytes=budget))

    assert IncompleteKind.BUDGET in kinds(result)
    assert result.peak_output_bytes <= budget + MIB
    assert measure_folder(tmp_path / "out").bytes <= budget + MIB


def test_nesting_past_the_depth_limit_is_reported_not_followed(tmp_path: Path) -> None:
    data = b"innermost"
    for _ in range(8):
        data = __import__("gzip").compress(data, mtime=0)
    image = tmp_path / "nested.gz"
    image.write_bytes(data)

    result = extract_firmware(image, tmp_path / "out", ExtractionLimits(max_depth=4))

    (cut,) = [i for i in result.incomplete if i.what is IncompleteKind.DEPTH]
    assert "depth 4" in cut.reason
    assert all(f.type.kind.value != "text" for f in result.tree.files)


@pytest.fixture(scope="module")
def slow_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A zip whose one member inflates to 1 GiB: seconds of work for 7z, an external extractor."""
    path = tmp_path_factory.mktemp("slow") / "slow.zip"
    block = bytes(MIB)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("zeros.bin", "w", force_zip64=True) as member:
            for _ in range(1024):
                member.write(block)
        archive.writestr("etc/version", "1.0.3\n")
    return path


def test_time_limit_stops_extraction_but_keeps_what_was_done(slow_zip: Path, tmp_path: Path) -> None:
    image = tmp_path / "slow.tar"
    with tarfile.open(image, "w") as archive:
        tar_member(archive, "etc/version", b"1.0.3\n")
        archive.add(slow_zip, arcname="update.zip")

    result = extract_firmware(image, tmp_path / "out", ExtractionLimits(total_timeout=1.5, max_output_bytes=4096 * MIB))

    assert IncompleteKind.TIMEOUT in kinds(result)
    assert any(f.path.endswith("slow.tar_extract/etc/version") for f in result.tree.files)


def test_slow_external_extractor_is_killed_and_the_rest_goes_on(slow_zip: Path, tmp_path: Path) -> None:
    limits = ExtractionLimits(command_timeout=0.5, max_output_bytes=4096 * MIB)

    result = extract_firmware(slow_zip, tmp_path / "out", limits)

    (killed,) = [i for i in result.incomplete if i.what is IncompleteKind.COMMAND_TIMEOUT]
    assert "7z x" in killed.where
    assert IncompleteKind.TIMEOUT not in kinds(result)


def test_junk_input_gives_an_empty_tree_and_no_error(tmp_path: Path) -> None:
    image = tmp_path / "junk.bin"
    image.write_bytes(hashlib.sha512(b"seed").digest() * 2000)

    result = extract_firmware(image, tmp_path / "out")

    assert result.tree.files == () and result.formats == []
    assert result.incomplete == []


def test_missing_image_and_reused_output_are_user_errors(small_rootfs_targz: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        extract_firmware(tmp_path / "absent.bin", tmp_path / "out")
    extract_firmware(small_rootfs_targz, tmp_path / "out")
    with pytest.raises(OutputError, match="--force"):
        extract_firmware(small_rootfs_targz, tmp_path / "out")
    assert extract_firmware(small_rootfs_targz, tmp_path / "out", force=True).tree.rootfs


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "iotbaseline", *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_cli_json_has_the_stable_fields(small_rootfs_targz: Path, tmp_path: Path) -> None:
    done = run_cli("extract", str(small_rootfs_targz), "-o", str(tmp_path / "out"), "--json")

    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert {"files", "rootfs", "incomplete"} <= set(document)
    passwd = next(f for f in document["files"] if f["path"].endswith("etc/passwd"))
    assert set(passwd) >= {"path", "size", "sha256", "type"}
    assert (tmp_path / "out" / passwd["path"]).read_bytes().startswith(b"root:")
    assert document["rootfs"] == [str(Path(passwd["path"]).parent.parent)]


def test_cli_reports_a_bad_input_in_one_line_without_traceback(tmp_path: Path) -> None:
    done = run_cli("extract", str(tmp_path / "nope.bin"), "-o", str(tmp_path / "out"))

    assert done.returncode == 2
    assert "no such file" in done.stderr and "Traceback" not in done.stderr
