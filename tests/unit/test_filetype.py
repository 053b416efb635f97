import struct

from iotbaseline.firmware.filetype import FileKind, classify


def elf_header(machine: int, bits: int, little: bool, elf_type: int = 2) -> bytes:
    endian = "<" if little else ">"
    ident = b"\x7fELF" + bytes([1 if bits == 32 else 2, 1 if little else 2, 1]) + bytes(9)
    return ident + struct.pack(endian + "HH", elf_type, machine) + bytes(44)


def test_mipsel_executable_is_elf_with_cpu_bits_and_endianness() -> None:
    head = elf_header(machine=8, bits=32, little=True)
    kind = classify(head, 100_000)
    assert kind.kind is FileKind.ELF
    assert kind.detail == {"arch": "mips", "bits": 32, "endian": "little", "elf_type": "executable"}


def test_big_endian_aarch64_shared_object() -> None:
    kind = classify(elf_header(machine=183, bits=64, little=False, elf_type=3), 5000)
    assert kind.detail["arch"] == "aarch64"
    assert kind.detail["endian"] == "big"
    assert kind.detail["elf_type"] == "shared-object"


def test_truncated_elf_is_not_claimed_as_elf() -> None:
    assert classify(b"\x7fELF\x01", 5).kind is FileKind.DATA


def test_shebang_is_a_script_with_its_interpreter() -> None:
    kind = classify(b"#!/bin/sh -e\necho hi\n", 20)
    assert kind.kind is FileKind.SCRIPT
    assert kind.detail["interpreter"] == "/bin/sh"


def test_pem_text_and_openssh_key() -> None:
    assert classify(b"-----BEGIN RSA PRIVATE KEY-----\nMIIE\n", 40).kind is FileKind.PEM
    assert classify(b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n", 40).kind is FileKind.OPENSSH_KEY


def test_der_sequence_spanning_the_whole_file() -> None:
    body = bytes(300)
    der = b"\x30\x82" + len(body).to_bytes(2, "big") + body
    assert classify(der[:4096], len(der)).kind is FileKind.DER
    assert classify(der[:4096], len(der) + 1).kind is not FileKind.DER


def test_containers_by_magic() -> None:
    assert classify(b"hsqs" + bytes(100), 104).detail["format"] == "squashfs"
    assert classify(b"\x1f\x8b\x08" + bytes(10), 13).kind is FileKind.COMPRESSED
    tar = bytes(257) + b"ustar\x0000" + bytes(100)
    assert classify(tar, 512).detail["format"] == "tar"
    ext = bytes(0x438) + b"\x53\xef" + bytes(10)
    assert classify(ext, 4096).detail["format"] == "ext"


def test_text_binary_and_empty() -> None:
    assert classify(b"root:x:0:0:root:/root:/bin/sh\n", 30).kind is FileKind.TEXT
    assert classify("caf\u00e9 ".encode() * 10, 60).kind is FileKind.TEXT
    assert classify(b"abc\x00def", 7).kind is FileKind.DATA
    assert classify(b"", 0).kind is FileKind.EMPTY
