"""Where a finding was made, in words: the same text in every human-readable format."""

from iotbaseline.model import Location


def service_text(location: Location) -> str:
    """`192.0.2.1:23 (tcp)`; an IPv6 host in brackets; empty when no host is set."""
    if location.host is None:
        return ""
    host = f"[{location.host}]" if ":" in location.host else location.host
    text = host if location.port is None else f"{host}:{location.port}"
    return f"{text} ({location.protocol})" if location.protocol else text


def offset_text(offset: int) -> str:
    """`0x1a2b (6699)`: hex to find it in a hex dump, decimal for dd."""
    return f"0x{offset:x} ({offset})"


def file_text(location: Location) -> str:
    """`fw.bin: /etc/shadow:3`, `fw.bin @ 0x40`, `/etc/shadow @ 0x1a2b`; empty when no file is named."""
    path = location.path or location.extracted_path
    place = path or ""
    if path and location.line is not None:
        place = f"{place}:{location.line}"
    if location.offset is not None:
        place = f"{place} @ 0x{location.offset:x}" if place else f"@ 0x{location.offset:x}"
    if location.image:
        return f"{location.image}: {place}" if path else f"{location.image} {place}".rstrip()
    return place


def location_text(location: Location) -> str:
    """The whole location on one line, e.g. `fw.bin: /etc/shadow:3` or `192.0.2.1:23 (tcp)`; empty when unknown."""
    parts = (file_text(location), service_text(location), location.url or "")
    return ", ".join(part for part in parts if part)


def location_fields(location: Location) -> tuple[tuple[str, str], ...]:
    """The location as labelled fields, for a detailed view: (("Image", "fw.bin"), ("Path", "/etc/shadow"), ...)."""
    fields = (
        ("Image", location.image),
        ("Path on the device", location.path),
        ("Path in the extracted tree", location.extracted_path),
        ("Line", None if location.line is None else str(location.line)),
        ("Byte offset", None if location.offset is None else offset_text(location.offset)),
        ("Network service", service_text(location) or None),
        ("URL", location.url),
    )
    return tuple((label, value) for label, value in fields if value)
