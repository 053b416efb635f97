"""The phrase data behind the document judgements (`data/documents/*.yaml`): loading, merging the languages,
and compiling phrase lists into one pattern each."""

import contextlib
import re
from collections.abc import Iterable, Iterator, Mapping
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
    return [section for section in _language_sections(data).values() if isinstance(section, Mapping)]


def phrase_languages(data: Mapping[str, Any]) -> frozenset[str]:
    """The languages the data has phrasings for."""
    return frozenset(str(key).lower() for key in _language_sections(data))


def _language_sections(data: Mapping[str, Any]) -> Mapping[str, Any]:
    found = data.get("languages")
    if not isinstance(found, Mapping) or not found:
        raise DocumentDataError("document phrases: no `languages`")
    return found


def merged_list(data: Mapping[str, Any], *path: str) -> list[Any]:
    """The list at `path` in every language, concatenated (a language without it adds nothing)."""
    return [item for value in _in_each_language(data, path, list, "list") for item in value]


def merged_mapping(data: Mapping[str, Any], *path: str) -> dict[str, Any]:
    """The mapping at `path` in every language, merged (a later language adds its own words)."""
    return {str(k).lower(): v for value in _in_each_language(data, path, Mapping, "mapping") for k, v in value.items()}


def _in_each_language(data: Mapping[str, Any], path: tuple[str, ...], kind: type, kind_name: str) -> Iterator[Any]:
    """The value at `path` in each language that has one, which must be a `kind`."""
    for section in languages(data):
        value: Any = section
        for key in path:
            value = value.get(key) if isinstance(value, Mapping) else None
        if value is None:
            continue
        if not isinstance(value, kind):
            raise DocumentDataError(f"document phrases: {'.'.join(path)} is not a {kind_name}")
        yield value


@contextlib.contextmanager
def compiling(what: str) -> Iterator[None]:
    """A malformed entry met while building `what` (a missing key, a wrong type, a bad pattern) as a
    DocumentDataError that names it."""
    try:
        yield
    except (KeyError, TypeError, ValueError, re.error) as error:
        raise DocumentDataError(f"{what}: {type(error).__name__}: {error}") from error


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
