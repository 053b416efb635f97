"""Android properties (`default.prop`, `build.prop`): whether adb is switched on, insecure or
listening on the network."""

from dataclasses import dataclass

from iotbaseline.services.device_files import DeviceFiles


@dataclass(frozen=True)
class Property:
    name: str
    value: str
    path: str
    line: int
    text: str


def read_properties(files: DeviceFiles, paths: list[str]) -> dict[str, Property]:
    """Later files override earlier ones, as Android's property service loads them."""
    found: dict[str, Property] = {}
    for path in paths:
        text = files.read_text(path)
        if text is None:
            continue
        if path.endswith("persist.service.adb.enable"):  # a persisted property: the file holds the value
            found["persist.service.adb.enable"] = Property("persist.service.adb.enable", text.strip(), path, 1, text)
            continue
        for number, raw in enumerate(text.split("\n"), 1):
            stripped = raw.strip()
            if not stripped or stripped.startswith("#"):
                continue
            name, separator, value = stripped.partition("=")
            if separator:
                found[name.strip()] = Property(name.strip(), value.strip(), path, number, stripped)
    return found
