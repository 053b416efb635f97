"""The label's words, colours and font metrics: `data/label/label.yaml` and `data/label/glyph_widths.yaml`,
loaded once and validated."""

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib.resources import files
from typing import Any

import yaml

from iotbaseline.errors import IotBaselineError
from iotbaseline.label.contrast import GRAPHICS_AA, TEXT_AA, contrast_ratio

_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


class LabelDataError(IotBaselineError):
    """The shipped label data is malformed (a packaging or editing mistake)."""


class State(StrEnum):
    """What an answer means for the buyer; every state has its own word, icon and colour."""

    GOOD = "good"
    BAD = "bad"
    UNKNOWN = "unknown"


REQUIRED_ROW_KEYS: Mapping[str, tuple[str, ...]] = {
    "password": ("label", "answers", "details"),
    "updates": ("label", "not_stated", "ended"),
    "report": ("label", "not_stated"),
}


@dataclass(frozen=True)
class Colours:
    background: str
    text: str


@dataclass(frozen=True)
class Palette:
    paper: str
    ink: str
    muted: str
    rule: str
    header: Colours
    states: Mapping[State, Colours]


@dataclass(frozen=True)
class LabelWording:
    title: str
    subtitle: str
    rows: Mapping[str, Mapping[str, Any]]
    """password / updates / report: each a label and its answers and details."""
    result: Mapping[State, tuple[str, str]]
    """Headline and detail per overall state."""
    footer: Mapping[str, str]
    palette: Palette
    font_family: str

    def _checked(self) -> "LabelWording":
        """Every state worded and coloured, every row worded, and every colour pair at WCAG AA."""
        for state in State:
            if state not in self.result or state not in self.palette.states:
                raise ValueError(f"state {state.value!r} needs a result and a colour")
        for row, keys in REQUIRED_ROW_KEYS.items():
            missing = [key for key in keys if key not in self.rows.get(row, {})]
            if missing:
                raise ValueError(f"row {row!r} lacks {missing}")
        palette = self.palette
        pairs = [
            (palette.ink, palette.paper, TEXT_AA),
            (palette.muted, palette.paper, TEXT_AA),
            (palette.header.text, palette.header.background, TEXT_AA),
            (palette.rule, palette.paper, GRAPHICS_AA),
        ]
        for colours in palette.states.values():
            pairs += [(colours.text, colours.background, TEXT_AA), (colours.background, palette.paper, GRAPHICS_AA)]
        for foreground, background, minimum in pairs:
            if contrast_ratio(foreground, background) < minimum:
                raise ValueError(f"{foreground} on {background} is below the contrast of {minimum}:1")
        return self


@dataclass(frozen=True)
class GlyphWidths:
    widths: Mapping[str, float]
    """Advance width in em of each printable ASCII character."""
    other: float

    def em(self, character: str) -> float:
        return self.widths.get(character, self.other)


@functools.cache
def default_wording() -> LabelWording:
    return parse_wording(files("iotbaseline").joinpath("data/label/label.yaml").read_text(encoding="utf-8"))


@functools.cache
def default_widths() -> GlyphWidths:
    text = files("iotbaseline").joinpath("data/label/glyph_widths.yaml").read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
        widths = {str(key): float(value) for key, value in data["widths"].items()}
        if any(len(key) != 1 or not 0 < value <= 2 for key, value in widths.items()):
            raise ValueError("each width is one character and a positive em")
        return GlyphWidths(widths, float(data["other"]))
    except (yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as error:
        raise LabelDataError(f"data/label/glyph_widths.yaml: {type(error).__name__}: {error}") from error


def parse_wording(text: str) -> LabelWording:
    try:
        data = yaml.safe_load(text)
        palette = data["palette"]
        return LabelWording(
            title=str(data["title"]),
            subtitle=str(data["subtitle"]),
            rows={name: dict(row) for name, row in data["rows"].items()},
            result={
                State(key): (str(value["headline"]), str(value["detail"])) for key, value in data["result"].items()
            },
            footer={key: str(value) for key, value in data["footer"].items()},
            palette=Palette(
                paper=_colour(palette["paper"]),
                ink=_colour(palette["ink"]),
                muted=_colour(palette["muted"]),
                rule=_colour(palette["rule"]),
                header=_colours(palette["header"]),
                states={State(key): _colours(value) for key, value in palette["states"].items()},
            ),
            font_family=str(data["font_family"]),
        )._checked()
    except (yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as error:
        raise LabelDataError(f"data/label/label.yaml: {type(error).__name__}: {error}") from error


def _colours(raw: Mapping[str, str]) -> Colours:
    return Colours(background=_colour(raw["background"]), text=_colour(raw["text"]))


def _colour(value: object) -> str:
    if not isinstance(value, str) or not _COLOUR.fullmatch(value):
        raise ValueError(f"colour {value!r} is not #rrggbb")
    return value.lower()
