"""The vulnerability disclosure policy phrases (`data/documents/disclosure_policy.yaml`), every language merged,
compiled once."""

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from iotbaseline.documents.durations import UNITS, DurationReader, duration_reader
from iotbaseline.documents.phrasebook import (
    alternation,
    compiling,
    load_data,
    merged_list,
    merged_mapping,
    phrase_languages,
    phrase_pattern,
)

GOOD_PRACTICE = ("safe-harbour", "scope", "disclosure-timeline", "no-nda")


@dataclass(frozen=True)
class PolicyPhrases:
    reporting_context: re.Pattern[str]
    generic_contact: re.Pattern[str]
    channel_link_words: re.Pattern[str]
    channel_sentence_words: re.Pattern[str]
    acknowledgement: re.Pattern[str]
    if_silent: re.Pattern[str]
    status_update: re.Pattern[str]
    status_cadence: re.Pattern[str]
    vague_time: re.Pattern[str]
    negation: re.Pattern[str]
    until_resolved: re.Pattern[str]
    good_practice: Mapping[str, re.Pattern[str]]
    nda_required: re.Pattern[str]
    obfuscated_email: re.Pattern[str]
    obfuscated_dot: re.Pattern[str]
    security_mailboxes: frozenset[str]
    platform_hosts: tuple[str, ...]
    durations: DurationReader
    languages: frozenset[str]
    """The languages whose phrasings the data knows: a policy in another is not judged on its words."""


@functools.cache
def default_policy_phrases() -> PolicyPhrases:
    return policy_phrases(load_data("disclosure_policy"))


def policy_phrases(data: Mapping[str, Any]) -> PolicyPhrases:
    with compiling("disclosure policy phrases"):
        at = alternation(merged_list(data, "obfuscated_at"))
        dot = alternation(merged_list(data, "obfuscated_dot"))
        label = r"[A-Za-z0-9-]{1,63}"
        return PolicyPhrases(
            reporting_context=phrase_pattern(merged_list(data, "reporting_context")),
            generic_contact=phrase_pattern(merged_list(data, "generic_contact")),
            channel_link_words=re.compile(alternation(merged_list(data, "channel_link_words")), re.IGNORECASE),
            channel_sentence_words=phrase_pattern(merged_list(data, "channel_sentence_words")),
            acknowledgement=phrase_pattern(merged_list(data, "acknowledgement", "cues")),
            if_silent=phrase_pattern(merged_list(data, "acknowledgement", "if_silent")),
            status_update=phrase_pattern(merged_list(data, "status_update", "cues")),
            status_cadence=phrase_pattern(merged_list(data, "status_update", "cadence")),
            vague_time=phrase_pattern(merged_list(data, "vague_time")),
            negation=phrase_pattern(merged_list(data, "negation")),
            until_resolved=phrase_pattern(merged_list(data, "until_resolved")),
            good_practice={key: phrase_pattern(merged_list(data, "good_practice", key)) for key in GOOD_PRACTICE},
            nda_required=phrase_pattern(merged_list(data, "nda_required")),
            obfuscated_email=re.compile(
                rf"(?<![\w.+-])(?P<local>[A-Za-z0-9._+-]{{1,64}})\s*{at}\s*"
                rf"(?P<domain>{label}(?:\s*(?:\.|{dot})\s*{label}){{1,5}})",
                re.IGNORECASE,
            ),
            obfuscated_dot=re.compile(rf"\s*(?:\.|{dot})\s*", re.IGNORECASE),
            security_mailboxes=frozenset(str(m).lower() for m in data["security_mailboxes"]),
            platform_hosts=tuple(str(h).lower() for h in data["platform_hosts"]),
            durations=duration_reader(_durations_config(data)),
            languages=phrase_languages(data),
        )


def _durations_config(data: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "number_words": merged_mapping(data, "durations", "number_words"),
        "units": {unit: merged_list(data, "durations", "units", unit) for unit in UNITS},
        "fixed": merged_list(data, "durations", "fixed"),
        "range_words": merged_list(data, "durations", "range_words"),
        "rate_after": merged_list(data, "durations", "rate_after"),
        "timing_words": merged_list(data, "durations", "timing_words"),
    }
