"""The phrase data behind the document judgements (`data/documents/*.yaml`): loading, merging the languages,
and compiling phrase lists into one pattern each."""

import re
from collections.abc import Iterable, Mapping
from importlib.resources import files
from typing import Any

import yaml

from iotbaseline.errors import IotBaselineError


class DocumentDataError(IotBaselineError):
    """The shipped document phrase data is malformed (a packaging or editing mistake)."""


def load_data(name: str) -> Mapping[str, Any]:
    text = (files("iotbaseline") / "data" / "documents" / f"{name}.yaml").read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise DocumentDataError(f"document phrases {name}.yaml: {error}") from error
    if not isinstance(data, Mapping):
        raise DocumentDataError(f"document phrases {name}.yaml: not a mapping")
    return data


def languages(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = data.get("languages")
    if not isinstance(found, Mapping) or not found:
        raise DocumentDataError("document phrases: no `languages`")
    return [section for section in found.values() if isinstance(section, Mapping)]


def merged_list(data: Mapping[str, Any], *path: str) -> list[Any]:
    """The list at `path` in every language, concatenated (a language without it adds nothing)."""
    items: list[Any] = []
    for section in languages(data):
        value: Any = section
        for key in path:
            value = value.get(key) if isinstance(value, Mapping) else None
        if value is None:
            continue
        if not isinstance(value, list):
            raise DocumentDataError(f"document phrases: {'.'.join(path)} is not a list")
        items.extend(value)
    return items


def merged_mapping(data: Mapping[str, Any], *path: str) -> dict[str, Any]:
    """The mapping at `path` in every language, merged (a later language adds its own words)."""
    merged: dict[str, Any] = {}
    for section in languages(data):
        value: Any = section
        for key in path:
            value = value.get(key) if isinstance(value, Mapping) else None
        if value is None:
            continue
        if not isinstance(value, Mapping):
            raise DocumentDataError(f"document phrases: {'.'.join(path)} is not a mapping")
        merged.update({str(k).lower(): v for k, v in value.items()})
    return merged


def alternation(fragments: Iterable[str]) -> str:
    """Regular-expression fragments as one group, longest first so that "at least until" wins over "until"."""
    ordered = sorted({str(f) for f in fragments}, key=lambda f: (-len(f), f))
    if not ordered:
        raise DocumentDataError("document phrases: an empty phrase list")
    return "(?:" + "|".join(f"(?:{f})" for f in ordered) + ")"


def phrase_pattern(fragments: Iterable[str]) -> re.Pattern[str]:
    """Any of the fragments, as whole words, ignoring case."""
    try:
        return re.compile(rf"(?<![\w@.-]){alternation(fragments)}(?![\w@-])", re.IGNORECASE)
    except re.error as error:
        raise DocumentDataError(f"document phrases: bad pattern: {error}") from error
