"""The structure of an OpenPGP cleartext-signed security.txt (RFC 9116 section 2.3, RFC 4880 section 7).

Checked without any key: the header line, the `Hash` armor header, dash-escaping, the signature block (armor,
base64, CRC-24 checksum, a signature packet) and that nothing lies outside what is signed. Whether the signature is
valid needs the manufacturer's public key (`pgp_verify`).
"""

import base64
import binascii
from dataclasses import dataclass

from iotbaseline.documents.security_txt_lines import Line
from iotbaseline.documents.security_txt_model import Problem
from iotbaseline.documents.security_txt_rules import SecurityTxtRules

BEGIN_SIGNED = "-----BEGIN PGP SIGNED MESSAGE-----"
BEGIN_SIGNATURE = "-----BEGIN PGP SIGNATURE-----"
END_SIGNATURE = "-----END PGP SIGNATURE-----"
MAX_SIGNATURE_BYTES = 64 * 1024
"""Far above any real signature (post-quantum ones are tens of KiB); bounds the checksum's work."""
SIGNATURE_PACKET_TAG = 2


@dataclass(frozen=True)
class Clearsigned:
    body: tuple[Line, ...]
    """The signed text with dash-escaping removed, each line with its number in the file."""
    hashes: tuple[str, ...]
    armored: str | None
    """From the first line to the end of the signature, for verification; None when the structure is incomplete."""
    problems: tuple[Problem, ...]


def is_clearsigned(lines: tuple[Line, ...]) -> bool:
    return any(line.text.rstrip() == BEGIN_SIGNED for line in lines)


def read_clearsigned(lines: tuple[Line, ...], rules: SecurityTxtRules) -> Clearsigned:
    """The parts of a file for which `is_clearsigned` holds, and what is wrong with its structure."""
    reader = _Reader(lines, rules)
    return reader.read()


class _Reader:
    def __init__(self, lines: tuple[Line, ...], rules: SecurityTxtRules) -> None:
        self.lines = lines
        self.rules = rules
        self.problems: list[Problem] = []
        self.start = next(i for i, line in enumerate(lines) if line.text.rstrip() == BEGIN_SIGNED)
        self.at = self.start + 1

    def read(self) -> Clearsigned:
        stray = next((line for line in self.lines[: self.start] if line.text.strip()), None)
        if stray is not None:
            self.problems.append(self.rules.problem("data_before_sig", stray.number))
        hashes = self._hash_headers()
        body = self._body()
        armored: str | None = None
        if self.at < len(self.lines):
            armored = self._signature()
        else:
            self._format_issue(None, f"there is no '{BEGIN_SIGNATURE}' line")
        return Clearsigned(body=body, hashes=hashes, armored=armored, problems=tuple(self.problems))

    def _format_issue(self, line: int | None, reason: str) -> None:
        self.problems.append(self.rules.problem("signed_format_issue", line, reason=reason))

    def _hash_headers(self) -> tuple[str, ...]:
        hashes: list[str] = []
        while self.at < len(self.lines) and self.lines[self.at].text.strip():
            line = self.lines[self.at]
            key, colon, value = line.text.partition(":")
            if colon and key.strip().lower() == "hash":
                hashes += self._hash_names(line, value)
            else:
                self._format_issue(line.number, f"unexpected armor header '{line.text}' (only 'Hash:' may follow)")
            self.at += 1
        if self.at >= len(self.lines):
            self._format_issue(None, "there is no blank line after the 'Hash:' header")
        else:
            self.at += 1  # the blank line
        if not hashes:
            self.problems.append(self.rules.problem("no_hash_header", self.lines[self.start].number))
        return tuple(hashes)

    def _hash_names(self, line: Line, value: str) -> list[str]:
        names = [name.strip().upper() for name in value.split(",") if name.strip()]
        for name in names:
            if name in self.rules.weak_hashes:
                self.problems.append(self.rules.problem("weak_hash", line.number, value=name))
            elif name not in self.rules.strong_hashes:
                self._format_issue(line.number, f"unknown hash algorithm '{name}'")
        return names

    def _body(self) -> tuple[Line, ...]:
        body: list[Line] = []
        while self.at < len(self.lines) and self.lines[self.at].text.rstrip() != BEGIN_SIGNATURE:
            line = self.lines[self.at]
            text = line.text
            if text.startswith("- "):
                text = text[2:]
            elif text.startswith("-"):
                self.problems.append(self.rules.problem("dash_escaping", line.number, value=text))
            body.append(Line(number=line.number, text=text, ending=line.ending))
            self.at += 1
        return tuple(body)

    def _signature(self) -> str | None:
        """Reads from the BEGIN SIGNATURE line to the end; the armored message when the block is sound."""
        begin = self.lines[self.at]
        self.at += 1
        while self.at < len(self.lines) and ":" in self.lines[self.at].text:
            self.at += 1  # armor headers such as Version and Comment
        if self.at < len(self.lines) and self.lines[self.at].text.strip():
            self._format_issue(self.lines[self.at].number, "there is no blank line before the signature data")
        else:
            self.at += 1
        data_lines: list[str] = []
        checksum: Line | None = None
        end: Line | None = None
        while self.at < len(self.lines):
            line = self.lines[self.at]
            self.at += 1
            text = line.text.strip()
            if text == END_SIGNATURE:
                end = line
                break
            if text.startswith("="):
                checksum = line
            elif text:
                data_lines.append(text)
        self._after_signature()
        if end is None:
            self._format_issue(None, f"there is no '{END_SIGNATURE}' line")
            return None
        if not self._signature_data_sound("".join(data_lines), checksum, begin.number):
            return None
        signed_lines = self.lines[self.start : end.number]  # numbers are 1-based indexes: up to and with `end`
        return "".join(line.text + "\n" for line in signed_lines)

    def _after_signature(self) -> None:
        stray = next((line for line in self.lines[self.at :] if line.text.strip()), None)
        if stray is not None:
            self.problems.append(self.rules.problem("data_after_sig", stray.number))

    def _signature_data_sound(self, encoded: str, checksum: Line | None, line: int) -> bool:
        if not encoded:
            self.problems.append(self.rules.problem("pgp_data_error", line, reason="the block holds no data"))
            return False
        if len(encoded) > MAX_SIGNATURE_BYTES * 4 // 3 + 4:
            self.problems.append(self.rules.problem("pgp_signature_error", line, reason="the block is too large"))
            return False
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            self.problems.append(self.rules.problem("pgp_data_error", line, reason="the block is not base64"))
            return False
        if checksum is not None and not self._checksum_matches(data, checksum):
            return False
        reason = _not_a_signature(data)
        if reason:
            self.problems.append(self.rules.problem("pgp_signature_error", line, reason=reason))
            return False
        return True

    def _checksum_matches(self, data: bytes, checksum: Line) -> bool:
        try:
            expected = base64.b64decode(checksum.text.strip()[1:], validate=True)
        except (binascii.Error, ValueError):
            expected = b""
        if len(expected) != 3:
            reason = "the checksum line is not '=' and four base64 characters"
        elif int.from_bytes(expected, "big") != crc24(data):
            reason = "the CRC-24 checksum does not match the data"
        else:
            return True
        self.problems.append(self.rules.problem("pgp_data_error", checksum.number, reason=reason))
        return False


def _not_a_signature(data: bytes) -> str:
    """Empty when `data` starts with an OpenPGP signature packet, else why not (RFC 4880 section 4.2)."""
    first = data[0]
    if not first & 0x80:
        return "the data is not an OpenPGP packet"
    tag = first & 0x3F if first & 0x40 else (first >> 2) & 0x0F
    if tag != SIGNATURE_PACKET_TAG:
        return f"the first packet is of type {tag}, not a signature"
    return ""


def crc24(data: bytes) -> int:
    """The ASCII armor checksum (RFC 4880 section 6.1)."""
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF
