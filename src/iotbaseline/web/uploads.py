"""A firmware upload (multipart/form-data), streamed to disk as it arrives.

The image goes to `uploads/<random folder>/<name>`: the folder is generated, the name is the client's file name
reduced to a safe alphabet (the reports show it; it never picks a place). The size limit is enforced on the bytes
as they come: the declared Content-Length first, then the running count, so an oversized upload is refused (413)
without being stored. The CSRF token must arrive as a field BEFORE the file (browsers send fields in form order),
so nothing is written for a forged request. The SHA-256 the store identifies the image by is computed on the way.
"""

import hashlib
import re
import secrets
import shutil
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

FILE_FIELD = "image"
TEXT_FIELDS = frozenset({"csrf_token", "vendor", "model", "firmware_version"})
MAX_FIELD_BYTES = 1024
MAX_PARTS = 8
FORM_OVERHEAD_BYTES = 64 * 1024
"""What the form adds to the file's bytes (boundaries, headers, the small fields) at most."""
MAX_NAME_CHARS = 100
DEFAULT_NAME = "firmware.bin"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class UploadRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class ReceivedUpload:
    image: Path
    name: str
    """The file name the image was stored under (safe characters only)."""
    size: int
    sha256: str
    fields: Mapping[str, str]


def safe_file_name(client_name: str) -> str:
    """`../../etc/passwd` -> `passwd`; `fw v1.2 (EU).bin` -> `fw_v1.2_EU_.bin`; nothing usable -> firmware.bin."""
    base = re.split(r"[/\\]", client_name)[-1]
    name = _UNSAFE.sub("_", base).lstrip(".")[:MAX_NAME_CHARS]
    return name if name.strip("_") else DEFAULT_NAME


@dataclass
class _Part:
    headers: dict[str, str] = field(default_factory=dict)
    field_name: bytes = b""
    value_name: bytes = b""
    name: str = ""
    file_name: str | None = None
    text: bytearray = field(default_factory=bytearray)


class _Receiver:
    """The multipart parser's callbacks: fields collected, the file written, each limit checked as bytes come."""

    def __init__(self, folder: Path, limit: int, csrf_ok: Callable[[Mapping[str, str]], bool]) -> None:
        self.folder = folder
        self.limit = limit
        self.csrf_ok = csrf_ok
        self.fields: dict[str, str] = {}
        self.parts = 0
        self.part = _Part()
        self.out: BinaryIO | None = None
        self.image: Path | None = None
        self.size = 0
        self.digest = hashlib.sha256()
        self.files = 0

    def callbacks(self) -> dict[str, Callable[..., None]]:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": self.header_field,
            "on_header_value": self.header_value,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
        }

    def part_begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise UploadRefused(400, "too many form fields")
        self.part = _Part()

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self.part.field_name += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self.part.value_name += data[start:end]

    def header_end(self) -> None:
        name = self.part.field_name.decode("latin-1").strip().lower()
        self.part.headers[name] = self.part.value_name.decode("latin-1")
        self.part.field_name, self.part.value_name = b"", b""

    def headers_finished(self) -> None:
        _, options = parse_options_header(self.part.headers.get("content-disposition", ""))
        self.part.name = options.get(b"name", b"").decode("utf-8", "replace")
        raw_file_name = options.get(b"filename")
        if self.part.name == FILE_FIELD and raw_file_name is not None:
            self._open_file(raw_file_name.decode("utf-8", "replace"))

    def _open_file(self, client_name: str) -> None:
        if self.files:
            raise UploadRefused(400, "one image per upload")
        if not self.csrf_ok(self.fields):
            raise UploadRefused(403, "the form's CSRF token is missing or wrong: reload the page and try again")
        self.files = 1
        self.part.file_name = safe_file_name(client_name)
        self.folder.mkdir(parents=True, exist_ok=False)
        self.image = self.folder / self.part.file_name
        self.out = self.image.open("xb")

    def part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self.out is not None and self.part.file_name is not None:
            self.size += len(chunk)
            if self.size > self.limit:
                raise UploadRefused(413, f"the image is larger than the upload limit ({self.limit:,} bytes)")
            self.digest.update(chunk)
            self.out.write(chunk)
            return
        self.part.text += chunk
        if len(self.part.text) > MAX_FIELD_BYTES:
            raise UploadRefused(400, f"form field {self.part.name!r} is too long")

    def part_end(self) -> None:
        if self.part.file_name is not None and self.out is not None:
            self.out.close()
            self.out = None
        elif self.part.name in TEXT_FIELDS:
            self.fields[self.part.name] = self.part.text.decode("utf-8", "replace").strip()

    def close(self) -> None:
        if self.out is not None:
            self.out.close()
            self.out = None


async def receive_upload(
    chunks: AsyncIterator[bytes],
    content_type: str,
    content_length: str | None,
    uploads: Path,
    limit: int,
    csrf_ok: Callable[[Mapping[str, str]], bool],
) -> ReceivedUpload:
    """The image and the small fields of a multipart form; `UploadRefused` with the status to answer otherwise
    (nothing is left on disk then). `csrf_ok(fields so far)` is asked when the file part begins."""
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise UploadRefused(415, "send the image as multipart/form-data")
    body_limit = limit + FORM_OVERHEAD_BYTES
    if content_length is not None and (not content_length.isdigit() or int(content_length) > body_limit):
        raise UploadRefused(413, f"the upload is larger than the limit ({limit:,} bytes)")
    receiver = _Receiver(uploads / secrets.token_hex(16), limit, csrf_ok)
    parser = MultipartParser(boundary, receiver.callbacks())  # type: ignore[arg-type]  # a TypedDict of callbacks
    received = 0
    try:
        async for chunk in chunks:
            received += len(chunk)
            if received > body_limit:
                raise UploadRefused(413, f"the upload is larger than the limit ({limit:,} bytes)")
            parser.write(chunk)
        parser.finalize()
        if receiver.image is None or receiver.out is not None:
            raise UploadRefused(400, "no image in the upload (choose a file)")
        if receiver.size == 0:
            raise UploadRefused(400, "the image is empty")
    except MultipartParseError:
        _discard(receiver)
        raise UploadRefused(400, "the upload is not a well-formed multipart form") from None
    except OSError as error:
        _discard(receiver)
        raise UploadRefused(507, f"cannot store the upload: {error.strerror or error}") from None
    except BaseException:  # refused, the client went away, or the disk is full: nothing stays
        _discard(receiver)
        raise
    receiver.close()
    return ReceivedUpload(
        receiver.image, receiver.image.name, receiver.size, receiver.digest.hexdigest(), receiver.fields
    )


def _discard(receiver: _Receiver) -> None:
    receiver.close()
    shutil.rmtree(receiver.folder, ignore_errors=True)
