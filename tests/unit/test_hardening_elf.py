"""ELF properties of real binaries built with and without each mitigation, of a hand-made big-endian
MIPS file, and of damaged files (which must never raise)."""

import random
import struct
import time
from pathlib import Path
from typing import BinaryIO

import pytest

from iotbaseline.hardening import BytesSource, ContentSource, ElfProperties, Mitigation, Relro, Role, elf_properties
from iotbaseline.hardening.elf_reader import ElfFormatError, read_elf
from tests.unit.hardening_build import build, without_section_headers

P, A, U, NA = Mitigation.PRESENT, Mitigation.ABSENT, Mitigation.UNKNOWN, Mitigation.NOT_APPLICABLE


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("elf")


def properties_of(path: Path, mode: int | None = None) -> ElfProperties:
    return elf_properties(BytesSource(path.read_bytes()), mode=mode)


def test_a_fully_hardened_server_has_every_mitigation_and_is_network_facing(built: Path) -> None:
    p = properties_of(build(built, "hardened"))
    assert (p.arch, p.bits, p.role, p.linking, p.libc) == ("x86-64", 64, Role.PROGRAM, "dynamic", "glibc")
    assert (p.nx, p.pie, p.relro, p.canary, p.fortify) == (P, P, Relro.FULL, P, P)
    assert p.fortified_functions >= 2  # __strcpy_chk, __sprintf_chk, __recv_chk
    assert p.network_facing and {"accept", "bind", "listen"} <= set(p.network_functions)
    # The copy into a buffer of unknown size stays strcpy even when fortified; system() is always itself.
    assert set(p.dangerous_functions) == {"strcpy", "system"}
    assert not p.stripped and p.rpath == () and p.runpath == () and p.problems == ()


def test_a_server_built_without_anything_lacks_every_mitigation(built: Path) -> None:
    p = properties_of(build(built, "bare"))
    assert (p.nx, p.pie, p.relro, p.canary, p.fortify) == (A, A, Relro.NONE, A, A)
    assert p.elf_type == "executable" and p.role is Role.PROGRAM
    assert {"strcpy", "sprintf", "system"} <= set(p.dangerous_functions)


def test_relro_without_bind_now_is_partial_and_no_checked_function_means_no_fortify(built: Path) -> None:
    p = properties_of(build(built, "partial-relro"))
    assert (p.relro, p.fortify, p.canary) == (Relro.PARTIAL, A, P)


def test_a_static_binary_shows_its_canary_in_symtab_until_it_is_stripped(built: Path) -> None:
    static = properties_of(build(built, "static"))
    assert (static.linking, static.canary, static.stripped) == ("static", P, False)
    stripped = properties_of(build(built, "static-stripped"))
    assert (stripped.linking, stripped.canary, stripped.fortify, stripped.stripped) == ("static", U, U, True)
    assert any("stripped static" in note for note in stripped.notes)


def test_rpath_entries_keep_empty_and_relative_ones_and_runpath_is_separate(built: Path) -> None:
    rpath = properties_of(build(built, "rpath"))
    assert rpath.rpath == ("/tmp/lib", "", "lib", "/usr/lib") and rpath.runpath == ()
    runpath = properties_of(build(built, "runpath-origin"))
    assert runpath.runpath == ("$ORIGIN/../lib",) and runpath.rpath == ()


def test_a_shared_library_has_no_pie_to_judge_and_an_object_file_no_process(built: Path) -> None:
    library = properties_of(build(built, "library"))
    assert (library.role, library.pie, library.relro, library.canary) == (Role.LIBRARY, NA, Relro.FULL, P)
    assert not library.network_facing
    obj = properties_of(build(built, "object"))
    assert (obj.role, obj.nx, obj.pie, obj.relro, obj.canary) == (Role.RELOCATABLE, NA, NA, Relro.NOT_APPLICABLE, P)


@pytest.mark.parametrize("variant", ["hardened", "sysv-hash"])
def test_imports_are_read_without_section_headers_through_the_hash_tables(built: Path, variant: str) -> None:
    data = build(built, variant).read_bytes()
    whole = elf_properties(BytesSource(data))
    sstripped = elf_properties(BytesSource(without_section_headers(data)))
    assert sstripped.stripped and sstripped.problems == ()
    for name in ("canary", "fortify", "fortified_functions", "dangerous_functions", "network_functions", "relro"):
        assert getattr(sstripped, name) == getattr(whole, name), name


def test_the_set_id_bits_come_from_the_mode_in_the_image(built: Path) -> None:
    path = build(built, "hardened")
    assert (properties_of(path, 0o104755).setuid, properties_of(path, 0o104755).setgid) == (True, False)
    assert properties_of(path, 0o102755).setgid and not properties_of(path, 0o100755).setuid


def test_content_beyond_the_runners_prefix_is_read_from_the_file(built: Path) -> None:
    path = build(built, "static")
    data = path.read_bytes()
    opened: list[int] = []

    def open_file() -> BinaryIO:
        opened.append(1)
        return path.open("rb")

    source = ContentSource(data[:4096], len(data), open_file)
    try:
        assert elf_properties(source) == elf_properties(BytesSource(data))
    finally:
        source.close()
    assert opened == [1]


# --- a hand-made 32-bit big-endian MIPS program, as old routers carry


def mips_be_program(
    stack_flags: int | None = 7, interpreter: bytes = b"/lib/ld-uClibc.so.0", needed: bytes = b"libc.so.0"
) -> bytes:
    """ET_DYN with an interpreter, no section headers, DT_MIPS_SYMTABNO, imports strcpy, accept and
    __stack_chk_fail; PT_GNU_STACK with `stack_flags` (None: no such header)."""
    base = 0x400000
    names = [b"", interpreter, needed, b"strcpy", b"accept", b"__stack_chk_fail", b"handler"]
    dynstr = b"\0".join(names) + b"\0"
    offset_of = {n: dynstr.index(b"\0" + n + b"\0") + 1 for n in names[1:]}
    phnum = 4 if stack_flags is not None else 3
    interp_at = 52 + 32 * phnum
    dynstr_at = interp_at + len(interpreter) + 1
    dynsym_at = (dynstr_at + len(dynstr) + 3) & ~3
    symbols = [(0, 0), (offset_of[b"strcpy"], 0), (offset_of[b"accept"], 0), (offset_of[b"__stack_chk_fail"], 0)]
    symbols.append((offset_of[b"handler"], 7))
    dynsym = b"".join(struct.pack(">IIIBBH", name, 0, 0, 0x12, 0, shndx) for name, shndx in symbols)
    dynamic_at = dynsym_at + len(dynsym)
    entries = [
        (1, offset_of[needed]),
        (5, base + dynstr_at),
        (10, len(dynstr)),
        (6, base + dynsym_at),
        (11, 16),
        (0x70000011, len(symbols)),
        (0, 0),
    ]
    dynamic = b"".join(struct.pack(">II", tag, value) for tag, value in entries)
    total = dynamic_at + len(dynamic)
    header = b"\x7fELF\x01\x02\x01" + bytes(9)
    header += struct.pack(">HHIIIIIHHHHHH", 3, 8, 1, base + 0x100, 52, 0, 0x50001007, 52, 32, phnum, 40, 0, 0)
    phdrs = struct.pack(">IIIIIIII", 1, 0, base, base, total, total, 7, 0x10000)
    phdrs += struct.pack(">IIIIIIII", 3, interp_at, base + interp_at, 0, len(interpreter) + 1, 0, 4, 1)
    phdrs += struct.pack(">IIIIIIII", 2, dynamic_at, base + dynamic_at, 0, len(dynamic), 0, 6, 4)
    if stack_flags is not None:
        phdrs += struct.pack(">IIIIIIII", 0x6474E551, 0, 0, 0, 0, 0, stack_flags, 16)
    image = bytearray(header + phdrs)
    image += interpreter + b"\0"
    image += dynstr + bytes(dynsym_at - dynstr_at - len(dynstr))
    image += dynsym + dynamic
    assert len(image) == total
    return bytes(image)


def test_big_endian_mips_reads_its_imports_through_mips_symtabno() -> None:
    p = elf_properties(BytesSource(mips_be_program()))
    assert (p.arch, p.bits, p.endian, p.role, p.libc) == ("mips", 32, "big", Role.PROGRAM, "uclibc")
    assert (p.canary, p.pie, p.relro) == (P, P, Relro.NONE)
    assert p.dangerous_functions == ("strcpy",) and p.network_functions == ("accept",) and p.network_facing


@pytest.mark.parametrize("stack_flags", [7, None])
def test_an_executable_or_unmarked_stack_on_mips_is_not_counted_as_missing_nx(stack_flags: int | None) -> None:
    p = elf_properties(BytesSource(mips_be_program(stack_flags)))
    assert p.nx is NA and any("RI/XI" in note for note in p.notes)


def test_a_mips_binary_that_asks_for_a_non_executable_stack_has_nx() -> None:
    assert elf_properties(BytesSource(mips_be_program(6))).nx is P


def test_fortification_is_unknown_under_a_libc_without_checked_functions() -> None:
    uclibc = elf_properties(BytesSource(mips_be_program()))
    assert uclibc.fortify is U and any("uclibc" in note for note in uclibc.notes)
    glibc = elf_properties(BytesSource(mips_be_program(interpreter=b"/lib/ld.so.1")))
    assert (glibc.libc, glibc.fortify) == ("glibc", A)


def test_an_object_that_does_not_name_its_libc_takes_the_images() -> None:
    # musl's and bionic's C libraries are both `libc.so`: the name alone says nothing.
    data = mips_be_program(interpreter=b"/lib/unknown-loader.so", needed=b"libc.so")
    assert elf_properties(BytesSource(data)).libc is None
    assert elf_properties(BytesSource(data), libc_hint="musl").libc == "musl"


# --- damaged files


def test_files_that_are_not_elf_or_cut_in_the_header_give_an_error_not_an_exception() -> None:
    with pytest.raises(ElfFormatError):
        read_elf(BytesSource(b"MZ\x90\x00"))
    for data in (b"\x7fELF", b"\x7fELF\x03\x01" + bytes(60), b"\x7fELF\x01\x01\x01" + bytes(20)):
        p = elf_properties(BytesSource(data))
        assert p.error and not p.analysed and p.nx is U and p.relro is Relro.UNKNOWN


def test_a_truncated_binary_reports_what_it_could_not_read(built: Path) -> None:
    data = build(built, "hardened").read_bytes()
    p = elf_properties(BytesSource(data[: len(data) // 2]))
    assert p.analysed and p.problems  # the section headers at the end are gone
    assert p.nx is P and p.pie is P


def test_huge_counts_and_offsets_are_capped() -> None:
    data = bytearray(mips_be_program())
    struct.pack_into(">H", data, 44, 0xFFFF)  # e_phnum
    assert elf_properties(BytesSource(bytes(data))).analysed
    data = bytearray(mips_be_program())
    symtabno = data.index(struct.pack(">I", 0x70000011))
    struct.pack_into(">I", data, symtabno + 4, 0xFFFFFFFF)
    started = time.monotonic()
    p = elf_properties(BytesSource(bytes(data)))
    assert time.monotonic() - started < 2 and any("dynamic symbol" in problem for problem in p.problems)


@pytest.mark.parametrize("seed", range(4))
def test_random_mutations_never_raise(built: Path, seed: int) -> None:
    """Bytes flipped in the headers and tables, fields set to extremes, files cut anywhere."""
    rng = random.Random(seed)
    originals = [build(built, "hardened").read_bytes(), without_section_headers(build(built, "sysv-hash").read_bytes())]
    originals.append(mips_be_program())
    started = time.monotonic()
    for _ in range(150):
        data = bytearray(rng.choice(originals))
        for _ in range(rng.randint(1, 8)):
            where = rng.randrange(min(len(data), rng.choice((64, 512, 4096, len(data)))))
            kind = rng.random()
            if kind < 0.5:
                data[where] = rng.randrange(256)
            elif kind < 0.8:
                data[where : where + 4] = rng.choice((b"\xff\xff\xff\xff", b"\0\0\0\0", b"\x7f\xff\xff\xff"))
            else:
                del data[where:]
                break
        result = elf_properties(BytesSource(bytes(data)))
        assert isinstance(result, ElfProperties)
    assert time.monotonic() - started < 20
