"""The token table: what a cloud, API or Wi-Fi secret looks like. Data, read by `tokens`.

Service tokens reuse detect-secrets' detectors (Yelp; the patterns the industry uses), taken from
its plugin classes so that they follow its releases; the rest (Google API keys, Azure connection
strings with their key, Wi-Fi PSKs in default configs, generic high-entropy assignments) are ours.
"""

import re
from dataclasses import dataclass

from detect_secrets.plugins.aws import AWSKeyDetector
from detect_secrets.plugins.github_token import GitHubTokenDetector
from detect_secrets.plugins.gitlab_token import GitLabTokenDetector
from detect_secrets.plugins.openai import OpenAIDetector
from detect_secrets.plugins.pypi_token import PypiTokenDetector
from detect_secrets.plugins.sendgrid import SendGridDetector
from detect_secrets.plugins.slack import SlackDetector
from detect_secrets.plugins.stripe import StripeDetector

from iotbaseline.model import Severity


@dataclass(frozen=True)
class TokenRule:
    name: str
    description: str
    patterns: tuple[re.Pattern[str], ...]
    severity: Severity
    value_group: int | str = 0
    """The group holding the secret itself; the rest of the match is context."""
    in_binaries: bool = False
    """Distinctive enough to look for in ELF binaries too."""
    min_entropy: float = 0.0
    """Shannon entropy (bits per character) the value must reach."""
    file_must_contain: str = ""
    """Text the file must hold for the rule to apply (e.g. a uci wifi-iface section)."""
    skip_comments: bool = False


def _patterns(plugin: object) -> tuple[re.Pattern[str], ...]:
    return tuple(plugin.denylist)  # type: ignore[attr-defined]


_VALUE = r"[A-Za-z0-9+/=_\-.~!@#%^&*]"
_KEYWORDS = (
    r"[\w.-]*(?:passw(?:or)?d|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|auth[_-]?key"
    r"|private[_-]?key|client[_-]?secret)[\w.-]*"
)

AWS_ACCESS_KEY_ID = "aws-access-key-id"
AWS_SECRET_ACCESS_KEY = "aws-secret-access-key"  # noqa: S105 (a rule name)

# In order of precedence: where two rules match the same text, the earlier one reports it.
TOKEN_RULES: tuple[TokenRule, ...] = (
    TokenRule(AWS_ACCESS_KEY_ID, "AWS access key id", _patterns(AWSKeyDetector)[:1], Severity.HIGH, in_binaries=True),
    TokenRule(AWS_SECRET_ACCESS_KEY, "AWS secret access key", _patterns(AWSKeyDetector)[1:], Severity.HIGH, 1),
    TokenRule(
        "google-api-key",
        "Google API key",
        (re.compile(r"AIza[0-9A-Za-z_\-]{35}(?![0-9A-Za-z_\-])"),),
        Severity.HIGH,
        in_binaries=True,
    ),
    TokenRule(
        "azure-storage-key",
        "Azure storage account key",
        (re.compile(r"AccountKey=(?P<value>[A-Za-z0-9+/=]{88})"),),
        Severity.HIGH,
        "value",
        in_binaries=True,
    ),
    TokenRule("github-token", "GitHub token", _patterns(GitHubTokenDetector), Severity.HIGH, in_binaries=True),
    TokenRule("gitlab-token", "GitLab token", _patterns(GitLabTokenDetector), Severity.HIGH, in_binaries=True),
    TokenRule("slack-token", "Slack token or webhook", _patterns(SlackDetector), Severity.HIGH, in_binaries=True),
    TokenRule("stripe-key", "Stripe live key", _patterns(StripeDetector), Severity.HIGH, in_binaries=True),
    TokenRule("sendgrid-key", "SendGrid API key", _patterns(SendGridDetector), Severity.HIGH, in_binaries=True),
    TokenRule("openai-key", "OpenAI API key", _patterns(OpenAIDetector), Severity.HIGH, in_binaries=True),
    TokenRule("pypi-token", "PyPI token", _patterns(PypiTokenDetector), Severity.HIGH, in_binaries=True),
    TokenRule(
        "wifi-psk-hostapd",
        "Wi-Fi passphrase (hostapd wpa_passphrase)",
        (re.compile(r"(?m)^[ \t]*wpa_passphrase[ \t]*=[ \t]*(?P<value>[^\r\n]{8,63}?)[ \t]*\r?$"),),
        Severity.MEDIUM,
        "value",
    ),
    TokenRule(
        "wifi-psk-hostapd-hex",
        "Wi-Fi pre-shared key (hostapd wpa_psk)",
        (re.compile(r"(?m)^[ \t]*wpa_psk[ \t]*=[ \t]*(?P<value>[0-9A-Fa-f]{64})[ \t]*\r?$"),),
        Severity.MEDIUM,
        "value",
    ),
    TokenRule(
        "wifi-psk-supplicant",
        "Wi-Fi passphrase (wpa_supplicant psk)",
        (re.compile(r"(?m)^[ \t]*psk[ \t]*=[ \t]*\"(?P<value>[^\"\r\n]{8,63})\""),),
        Severity.MEDIUM,
        "value",
    ),
    TokenRule(
        "wifi-psk-uci",
        "Wi-Fi key (OpenWrt uci wifi-iface option key)",
        (re.compile(r"(?m)^[ \t]*option[ \t]+key[ \t]+['\"]?(?P<value>[^'\"\s]{8,63})['\"]?[ \t]*\r?$"),),
        Severity.MEDIUM,
        "value",
        file_must_contain="wifi-iface",
    ),
    TokenRule(
        "generic-secret",
        "high-entropy value assigned to a secret's name",
        (
            re.compile(
                rf"(?i)\b(?P<name>{_KEYWORDS})[\"']?[ \t]*[:=][ \t]*[\"']?(?P<value>{_VALUE}{{16,128}})(?!{_VALUE})"
            ),
        ),
        Severity.MEDIUM,
        "value",
        min_entropy=3.5,
        skip_comments=True,
    ),
)
