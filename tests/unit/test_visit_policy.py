import gzip
from pathlib import Path

from iotbaseline.firmware.visit_policy import VisitPolicy

ELF_HEADER = b"\x7fELF\x01\x01\x01" + bytes(9) + b"\x02\x00\x08\x00" + bytes(40)


def make_rootfs(root: Path) -> Path:
    rootfs = root / "fw.bin_extract"
    for folder in ("etc", "bin", "usr/share/doc/busybox", "lib/firmware"):
        (rootfs / folder).mkdir(parents=True)
    return rootfs


def test_programs_and_configuration_in_a_rootfs_are_not_offered_to_unblob(tmp_path: Path) -> None:
    rootfs = make_rootfs(tmp_path)
    (rootfs / "bin/busybox").write_bytes(ELF_HEADER)
    (rootfs / "etc/passwd").write_text("root:x:0:0::/root:/bin/sh\n")
    policy = VisitPolicy(tmp_path)
    assert not policy.worth_carving(rootfs / "bin/busybox")
    assert not policy.worth_carving(rootfs / "etc/passwd")


def test_containers_and_unknown_data_are_offered(tmp_path: Path) -> None:
    rootfs = make_rootfs(tmp_path)
    (rootfs / "lib/firmware/update.gz").write_bytes(gzip.compress(b"x"))
    (rootfs / "lib/firmware/blob.bin").write_bytes(bytes(range(256)) * 4)
    policy = VisitPolicy(tmp_path)
    assert policy.worth_carving(rootfs / "lib/firmware/update.gz")
    assert policy.worth_carving(rootfs / "lib/firmware/blob.bin")
    assert policy.worth_carving(rootfs / "lib")


def test_an_elf_outside_any_rootfs_may_be_a_kernel_with_its_initramfs(tmp_path: Path) -> None:
    (tmp_path / "fw.bin_extract").mkdir()
    kernel = tmp_path / "fw.bin_extract/vmlinux"
    kernel.write_bytes(ELF_HEADER)
    assert VisitPolicy(tmp_path).worth_carving(kernel)


def test_compressed_documentation_and_links_are_not_unpacked(tmp_path: Path) -> None:
    rootfs = make_rootfs(tmp_path)
    changelog = rootfs / "usr/share/doc/busybox/changelog.gz"
    changelog.write_bytes(gzip.compress(b"changes"))
    (rootfs / "bin/sh").symlink_to("busybox")
    policy = VisitPolicy(tmp_path)
    assert not policy.worth_carving(changelog)
    assert not policy.worth_carving(rootfs / "bin/sh")


def test_the_host_root_above_the_output_folder_does_not_count_as_a_rootfs(tmp_path: Path) -> None:
    # /etc and /bin exist on the host: only folders inside the output folder may qualify
    (tmp_path / "out/fw.bin_extract").mkdir(parents=True)
    program = tmp_path / "out/fw.bin_extract/program"
    program.write_bytes(ELF_HEADER)
    assert VisitPolicy(tmp_path / "out").worth_carving(program)
