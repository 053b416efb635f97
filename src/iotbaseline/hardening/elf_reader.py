"""The few ELF structures hardening needs, read from any byte source, any CPU, either endianness.

Read: the ELF header, program headers (INTERP, DYNAMIC, GNU_STACK, GNU_RELRO, LOAD), the dynamic
section (flags, NEEDED, SONAME, RPATH, RUNPATH), the dynamic symbol table (names of imported and
exported symbols) and whether a `.symtab` exists; for a static binary that kept it, the names in
`.symtab`. The dynamic symbols are found through the section headers, or without them (`sstrip`ped
OpenWrt binaries have none) through DT_HASH, DT_GNU_HASH or MIPS' DT_MIPS_SYMTABNO.

Hostile input is normal: every offset and count is checked against the file and capped, and what
cannot be read becomes a `problem`, never an exception. Why our own reader and not pyelftools or
lief: see `hardening/__init__.py`.
"""

import operator
import struct
import sys
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import compress

from iotbaseline.hardening.source import ElfSource

ELF_MAGIC = b"\x7fELF"

PT_LOAD, PT_DYNAMIC, PT_INTERP = 1, 2, 3
PT_GNU_STACK, PT_GNU_RELRO = 0x6474E551, 0x6474E552
PF_X = 1

SHT_SYMTAB, SHT_STRTAB, SHT_DYNSYM = 2, 3, 11

DT_NULL, DT_NEEDED, DT_HASH, DT_STRTAB, DT_SYMTAB = 0, 1, 4, 5, 6
DT_STRSZ, DT_SYMENT, DT_SONAME, DT_RPATH, DT_DEBUG = 10, 11, 14, 15, 21
DT_BIND_NOW, DT_RUNPATH, DT_FLAGS = 24, 29, 30
DT_FLAGS_1, DT_GNU_HASH = 0x6FFFFFFB, 0x6FFFFEF5
DT_MIPS_SYMTABNO = 0x70000011

MAX_PROGRAM_HEADERS = 1024
MAX_SECTION_HEADERS = 65535
MAX_DYNAMIC_ENTRIES = 8192
MAX_SYMBOLS = 500_000
MAX_STRING = 4096
"""Longest NEEDED/RPATH/INTERP string read."""
MAX_STRING_TABLE = 64 * 1024 * 1024
_U32 = "I" if array("I").itemsize == 4 else "L"


class ElfFormatError(ValueError):
    """Not an ELF file this reader can interpret (bad magic, class or byte order)."""


@dataclass(frozen=True)
class Dynamic:
    """What the dynamic section says, as the dynamic linker reads it."""

    needed: tuple[str, ...] = ()
    soname: str | None = None
    rpath: str | None = None
    runpath: str | None = None
    flags: int = 0
    flags_1: int = 0
    bind_now: bool = False
    """A DT_BIND_NOW entry (the older spelling of DF_BIND_NOW)."""
    debug: bool = False


@dataclass(frozen=True)
class ElfFacts:
    bits: int
    little_endian: bool
    elf_type: int
    machine: int
    entry: int
    interpreter: str | None = None
    stack_flags: int | None = None
    """p_flags of PT_GNU_STACK; None when the binary has no such header."""
    has_relro: bool = False
    has_dynamic: bool = False
    dynamic: Dynamic = field(default_factory=Dynamic)
    has_section_headers: bool = False
    has_symtab: bool = False
    imports: frozenset[str] = frozenset()
    """Undefined dynamic symbols: what the object takes from other objects."""
    exports: frozenset[str] = frozenset()
    """Defined dynamic symbols, among the `exported_names` asked for (a library defines thousands)."""
    static_symbols: frozenset[str] | None = None
    """Names in `.symtab` of a binary without dynamic symbols; None when there are none to read."""
    dynamic_symbols_read: bool = False
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Layout:
    """struct formats for one ELF class and byte order."""

    prefix: str
    header: str
    phdr: str
    shdr: str
    dyn: str
    sym: str
    word: str

    @property
    def sym_size(self) -> int:
        return struct.calcsize(self.sym)


_LAYOUTS = {
    (32, True): _Layout("<", "<HHIIIIIHHHHHH", "<IIIIIIII", "<IIIIIIIIII", "<II", "<IIIBBH", "<I"),
    (32, False): _Layout(">", ">HHIIIIIHHHHHH", ">IIIIIIII", ">IIIIIIIIII", ">II", ">IIIBBH", ">I"),
    (64, True): _Layout("<", "<HHIQQQIHHHHHH", "<IIQQQQQQ", "<IIQQQQIIQQ", "<QQ", "<IBBHQQ", "<I"),
    (64, False): _Layout(">", ">HHIQQQIHHHHHH", ">IIQQQQQQ", ">IIQQQQIIQQ", ">QQ", ">IBBHQQ", ">I"),
}


@dataclass(frozen=True)
class _Segment:
    type: int
    flags: int
    offset: int
    vaddr: int
    filesz: int


@dataclass(frozen=True)
class _Section:
    type: int
    offset: int
    size: int
    link: int


class _Sections:
    """Section header rows, turned into `_Section`s only for the few sections looked at (a C++
    object can have thousands)."""

    def __init__(self, rows: list[tuple[int, ...]]) -> None:
        self._rows = rows

    def __bool__(self) -> bool:
        return bool(self._rows)

    def first(self, kind: int) -> _Section | None:
        return next((self.at(i) for i, row in enumerate(self._rows) if row[1] == kind), None)

    def at(self, index: int) -> _Section | None:
        if not 0 <= index < len(self._rows):
            return None
        row = self._rows[index]
        return _Section(type=row[1], offset=row[4], size=row[5], link=row[6])


def read_elf(source: ElfSource, exported_names: Iterable[str] = ()) -> ElfFacts:
    """Read the facts of one ELF; `exported_names`: defined symbols to look for. Raises ElfFormatError
    only when the identification bytes are unusable; damage further in becomes `problems` on a
    result with what could be read."""
    ident = source.read(0, 16)
    if len(ident) < 16 or not ident.startswith(ELF_MAGIC):
        raise ElfFormatError("not an ELF file (no \\x7fELF magic)")
    if ident[4] not in (1, 2) or ident[5] not in (1, 2):
        raise ElfFormatError(f"unknown ELF class {ident[4]} or byte order {ident[5]}")
    reader = _Reader(source, bits=32 if ident[4] == 1 else 64, little_endian=ident[5] == 1)
    reader.exported_names = tuple(exported_names)
    return reader.read()


class _Reader:
    def __init__(self, source: ElfSource, bits: int, little_endian: bool) -> None:
        self.source = source
        self.bits = bits
        self.little_endian = little_endian
        self.layout = _LAYOUTS[(bits, little_endian)]
        self.problems: list[str] = []
        self.exported_names: tuple[str, ...] = ()

    def read(self) -> ElfFacts:
        header_size = struct.calcsize(self.layout.header)
        raw = self.source.read(16, header_size)
        if len(raw) < header_size:
            raise ElfFormatError("ELF header truncated")
        (elf_type, machine, _, entry, phoff, shoff, _, _, phentsize, phnum, shentsize, shnum, _) = struct.unpack(
            self.layout.header, raw
        )
        segments = self._segments(phoff, phentsize, phnum)
        sections = self._sections(shoff, shentsize, shnum)
        interpreter = None
        stack_flags = None
        dynamic_segment = None
        has_relro = False
        for segment in segments:
            if segment.type == PT_INTERP and interpreter is None:
                interpreter = self._string(self.source.read(segment.offset, min(segment.filesz, MAX_STRING)), 0)
            elif segment.type == PT_GNU_STACK:
                stack_flags = segment.flags
            elif segment.type == PT_GNU_RELRO:
                has_relro = True
            elif segment.type == PT_DYNAMIC and dynamic_segment is None:
                dynamic_segment = segment
        loads = [s for s in segments if s.type == PT_LOAD]
        entries = self._dynamic_entries(dynamic_segment) if dynamic_segment else []
        dynamic, imports, exports, read_symbols = self._dynamic(entries, loads, sections)
        has_symtab = sections.first(SHT_SYMTAB) is not None
        static_symbols = None
        if has_symtab and not read_symbols:
            static_symbols = self._symtab_names(sections)
        return ElfFacts(
            bits=self.bits,
            little_endian=self.little_endian,
            elf_type=elf_type,
            machine=machine,
            entry=entry,
            interpreter=interpreter,
            stack_flags=stack_flags,
            has_relro=has_relro,
            has_dynamic=dynamic_segment is not None,
            dynamic=dynamic,
            has_section_headers=bool(sections),
            has_symtab=has_symtab,
            imports=imports,
            exports=exports,
            static_symbols=static_symbols,
            dynamic_symbols_read=read_symbols,
            problems=tuple(self.problems),
        )

    # --- headers

    def _table(self, offset: int, entsize: int, count: int, fmt: str, cap: int, what: str) -> list[tuple[int, ...]]:
        if count == 0 or offset == 0:
            return []
        size = struct.calcsize(fmt)
        if entsize < size:
            self.problems.append(f"{what}: entry size {entsize} is smaller than {size}")
            return []
        if count > cap:
            self.problems.append(f"{what}: {count} entries, only the first {cap} read")
            count = cap
        data = self.source.read(offset, entsize * count)
        if len(data) < entsize * count:
            self.problems.append(f"{what}: table at {offset:#x} runs past the end of the file")
            count = len(data) // entsize
        if entsize == size:
            return list(struct.iter_unpack(fmt, data[: count * size]))
        return [struct.unpack_from(fmt, data, i * entsize) for i in range(count)]

    def _segments(self, phoff: int, phentsize: int, phnum: int) -> list[_Segment]:
        rows = self._table(phoff, phentsize, phnum, self.layout.phdr, MAX_PROGRAM_HEADERS, "program headers")
        if self.bits == 32:
            return [_Segment(r[0], r[6], r[1], r[2], r[4]) for r in rows]
        return [_Segment(r[0], r[1], r[2], r[3], r[5]) for r in rows]

    def _sections(self, shoff: int, shentsize: int, shnum: int) -> _Sections:
        return _Sections(self._table(shoff, shentsize, shnum, self.layout.shdr, MAX_SECTION_HEADERS, "section headers"))

    # --- dynamic section

    def _dynamic_entries(self, segment: _Segment) -> list[tuple[int, int]]:
        size = struct.calcsize(self.layout.dyn)
        count = min(segment.filesz // size, MAX_DYNAMIC_ENTRIES)
        data = self.source.read(segment.offset, count * size)
        if len(data) < count * size:
            self.problems.append("dynamic section runs past the end of the file")
        entries = []
        for tag, value in struct.iter_unpack(self.layout.dyn, data[: len(data) // size * size]):
            if tag == DT_NULL:
                break
            entries.append((tag, value))
        return entries

    def _dynamic(
        self, entries: list[tuple[int, int]], loads: list[_Segment], sections: _Sections
    ) -> tuple[Dynamic, frozenset[str], frozenset[str], bool]:
        first: dict[int, int] = {}
        needed_offsets: list[int] = []
        flags = flags_1 = 0
        bind_now = debug = False
        for tag, value in entries:
            if tag == DT_NEEDED:
                needed_offsets.append(value)
            elif tag == DT_FLAGS:
                flags |= value
            elif tag == DT_FLAGS_1:
                flags_1 |= value
            elif tag == DT_BIND_NOW:
                bind_now = True
            elif tag == DT_DEBUG:
                debug = True
            else:
                first.setdefault(tag, value)
        if not entries:
            return Dynamic(), frozenset(), frozenset(), False
        strtab = self._dynamic_strings(first, loads, sections)
        dynamic = Dynamic(
            needed=tuple(self._string(strtab, o) for o in needed_offsets[:256]),
            soname=self._string(strtab, first[DT_SONAME]) if DT_SONAME in first else None,
            rpath=self._string(strtab, first[DT_RPATH]) if DT_RPATH in first else None,
            runpath=self._string(strtab, first[DT_RUNPATH]) if DT_RUNPATH in first else None,
            flags=flags,
            flags_1=flags_1,
            bind_now=bind_now,
            debug=debug,
        )
        symbols = self._dynamic_symbols(first, loads, sections)
        if symbols is None:
            return dynamic, frozenset(), frozenset(), False
        imports, exports = self._split_symbols(symbols, strtab)
        return dynamic, imports, exports, True

    def _dynamic_strings(self, first: dict[int, int], loads: list[_Segment], sections: _Sections) -> bytes:
        """.dynstr: where DT_STRTAB points (the loader's view), else the dynsym section's link."""
        offset = self._file_offset(first.get(DT_STRTAB), loads)
        size = first.get(DT_STRSZ, 0)
        if offset is None or size <= 0:
            dynsym = sections.first(SHT_DYNSYM)
            strings = sections.at(dynsym.link) if dynsym is not None else None
            if strings is None:
                self.problems.append("no dynamic string table")
                return b""
            offset, size = strings.offset, strings.size
        return self.source.read(offset, min(size, MAX_STRING_TABLE))

    def _dynamic_symbols(self, first: dict[int, int], loads: list[_Segment], sections: _Sections) -> bytes | None:
        entsize = self.layout.sym_size
        dynsym = sections.first(SHT_DYNSYM)
        if dynsym is not None and dynsym.size and dynsym.offset + dynsym.size <= self.source.size:
            count = dynsym.size // entsize
            offset = dynsym.offset
        else:
            found = self._file_offset(first.get(DT_SYMTAB), loads)
            count_or_none = self._symbol_count(first, loads)
            if found is None or count_or_none is None:
                if DT_SYMTAB in first:
                    self.problems.append("dynamic symbols present but their number could not be read")
                return None
            offset, count = found, count_or_none
        if count > MAX_SYMBOLS:
            self.problems.append(f"{count} dynamic symbols, only the first {MAX_SYMBOLS} read")
            count = MAX_SYMBOLS
        data = self.source.read(offset, count * entsize)
        if len(data) < count * entsize:
            self.problems.append("dynamic symbol table runs past the end of the file")
        return data[: len(data) // entsize * entsize]

    def _symbol_count(self, first: dict[int, int], loads: list[_Segment]) -> int | None:
        """Number of dynamic symbols without section headers, as the dynamic linker knows it."""
        if DT_MIPS_SYMTABNO in first:
            return first[DT_MIPS_SYMTABNO]
        hash_offset = self._file_offset(first.get(DT_HASH), loads)
        if hash_offset is not None:
            words = self.source.read(hash_offset, 8)
            if len(words) == 8:
                return int(struct.unpack_from(self.layout.prefix + "II", words)[1])
        gnu_offset = self._file_offset(first.get(DT_GNU_HASH), loads)
        if gnu_offset is not None:
            return self._gnu_hash_count(gnu_offset)
        return None

    def _gnu_hash_count(self, offset: int) -> int | None:
        """The highest symbol index any GNU hash bucket chain reaches, plus one."""
        header = self.source.read(offset, 16)
        if len(header) < 16:
            return None
        nbuckets, symoffset, bloom_size, _ = (int(v) for v in struct.unpack(self.layout.prefix + "IIII", header))
        buckets_at = offset + 16 + bloom_size * (self.bits // 8)
        if nbuckets > MAX_SYMBOLS:
            return None
        raw = self.source.read(buckets_at, 4 * nbuckets)
        if len(raw) < 4 * nbuckets:
            return None
        last = int(max(struct.unpack(f"{self.layout.prefix}{nbuckets}I", raw), default=0))
        if last < symoffset:
            return symoffset
        # The chain of the last bucket ends at the entry with its low bit set: that is the last symbol.
        start = buckets_at + 4 * nbuckets + 4 * (last - symoffset)
        chain = self.source.read(start, 4 * min(MAX_SYMBOLS, max(self.source.size - start, 0) // 4))
        for position, (word,) in enumerate(struct.iter_unpack(self.layout.word, chain[: len(chain) // 4 * 4])):
            if word & 1:
                return last + position + 1
        return None

    def _split_symbols(self, data: bytes, strtab: bytes) -> tuple[frozenset[str], frozenset[str]]:
        """Names of all undefined symbols, and of the defined ones among `exported_names`."""
        names, section_indexes = self._symbol_columns(data)
        undefined = set(compress(names, map(operator.not_, section_indexes)))
        undefined.discard(0)
        imports = frozenset(filter(None, (_name(strtab, offset) for offset in undefined)))
        if not self.exported_names:
            return imports, frozenset()
        defined = set(compress(names, section_indexes))
        exports = frozenset(
            name for name in self.exported_names if any(o in defined for o in _offsets_of(strtab, name))
        )
        return imports, exports

    def _symbol_columns(self, data: bytes) -> tuple[Sequence[int], Sequence[int]]:
        """st_name and st_shndx of every symbol, read column by column: a table can hold 100,000."""
        words, halves = array(_U32, data), array("H", data)
        if self.little_endian != (sys.byteorder == "little"):
            words.byteswap()
            halves.byteswap()
        if self.bits == 32:  # Elf32_Sym: name(4) value(4) size(4) info(1) other(1) shndx(2)
            return words[0::4], halves[7::8]
        return words[0::6], halves[3::12]  # Elf64_Sym: name(4) info(1) other(1) shndx(2) value(8) size(8)

    def _symtab_names(self, sections: _Sections) -> frozenset[str] | None:
        symtab = sections.first(SHT_SYMTAB)
        strings = sections.at(symtab.link) if symtab is not None else None
        if symtab is None or strings is None or strings.type != SHT_STRTAB:
            self.problems.append(".symtab has no string table")
            return None
        entsize = self.layout.sym_size
        count = min(symtab.size // entsize, MAX_SYMBOLS)
        data = self.source.read(symtab.offset, count * entsize)
        strtab = self.source.read(strings.offset, min(strings.size, MAX_STRING_TABLE))
        names, _ = self._symbol_columns(data[: len(data) // entsize * entsize])
        return frozenset(filter(None, (_name(strtab, offset) for offset in set(names) if offset)))

    # --- helpers

    def _file_offset(self, address: int | None, loads: list[_Segment]) -> int | None:
        if address is None:
            return None
        for load in loads:
            if load.vaddr <= address < load.vaddr + load.filesz:
                return load.offset + address - load.vaddr
        # Some loaders (and prelinked or odd MIPS files) store file offsets; accept one that fits.
        return address if not loads and 0 < address < self.source.size else None

    @staticmethod
    def _string(table: bytes, offset: int) -> str:
        if offset < 0 or offset >= len(table):
            return ""
        end = table.find(b"\0", offset, offset + MAX_STRING)
        return table[offset : end if end >= 0 else offset + MAX_STRING].decode("utf-8", "replace")


def _name(table: bytes, offset: int) -> str:
    end = table.find(b"\0", offset, offset + MAX_STRING)
    return table[offset : end if end >= 0 else offset + MAX_STRING].decode("latin-1")


def _offsets_of(table: bytes, name: str) -> list[int]:
    """Every offset at which `name` is read: also inside a longer name, since linkers store
    `gets` as the tail of `fgets`."""
    needle = name.encode("latin-1") + b"\0"
    found = []
    at = table.find(needle)
    while at >= 0:
        found.append(at)
        at = table.find(needle, at + 1)
    return found
