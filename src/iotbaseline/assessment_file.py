"""Reading a `report.json` back as an Assessment, for the commands that build on a scan (statement, label).

A file that is not a report this tool wrote is an `InputError` with one line to act on, never a traceback.
"""

import json
from pathlib import Path

from iotbaseline.errors import InputError
from iotbaseline.model import Assessment

MAX_REPORT_BYTES = 512 * 1024 * 1024


def load_assessment(path: Path) -> Assessment:
    try:
        if not path.is_file():
            raise InputError(f"{path}: no such report file (iotbaseline scan writes report.json)")
        with path.open("rb") as stream:
            data = stream.read(MAX_REPORT_BYTES + 1)
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror or error}") from error
    if len(data) > MAX_REPORT_BYTES:
        raise InputError(f"{path}: larger than {MAX_REPORT_BYTES // (1024 * 1024)} MiB; not a report.json")
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, ValueError) as error:
        raise InputError(f"{path}: not JSON ({error})") from error
    if not isinstance(document, dict) or not isinstance(document.get("tool"), dict):
        raise InputError(f"{path}: not an iotbaseline report.json")
    try:
        return Assessment.from_dict(document)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise InputError(f"{path}: not an iotbaseline report.json ({type(error).__name__}: {error})") from error
