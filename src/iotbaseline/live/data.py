"""The live-probing data files (`data/live/*.yaml`): one loader, one error."""

from importlib.resources import files
from typing import Any

import yaml

from iotbaseline.errors import IotBaselineError


class LiveDataError(IotBaselineError):
    """A shipped live-probing data file is malformed (a packaging or editing mistake)."""


def load_yaml(name: str) -> dict[str, Any]:
    try:
        text = files("iotbaseline").joinpath("data", "live", name).read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as error:
        raise LiveDataError(f"data/live/{name}: {error}") from error
    if not isinstance(data, dict):
        raise LiveDataError(f"data/live/{name}: expected a mapping at the top")
    return data
