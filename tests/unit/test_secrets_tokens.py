"""Tokens: each kind found with its line, the AWS key id paired with its secret, traps ignored, masking."""

import pytest

from iotbaseline.checks.masking import mask_token
from iotbaseline.checks.secrets.tokens import find_tokens

AWS_ID = "AKIAUE7STPW2OF4R7AQ5"
AWS_SECRET = "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"


def kinds(text: str, binary: bool = False) -> list[str]:
    return [match.rule.name for match in find_tokens(text.encode(), binary)]


def test_an_aws_access_key_id_with_its_secret_nearby_is_one_credential() -> None:
    script = f'#!/bin/sh\n\nexport AWS_ACCESS_KEY_ID="{AWS_ID}"\nexport AWS_SECRET_ACCESS_KEY="{AWS_SECRET}"\n'

    [match] = find_tokens(script.encode())

    assert (match.rule.name, match.literal, match.line, match.companion) == (
        "aws-access-key-id",
        AWS_ID,
        3,
        AWS_SECRET,
    )


def test_an_aws_access_key_id_alone_has_no_companion() -> None:
    [match] = find_tokens(f"id={AWS_ID}\n".encode())

    assert match.companion is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("maps_key = 'AIzaSyD3x4mpl3K3yF0rT3st1ng0nlyAbCdEfGh'\n", "google-api-key"),
        (
            "DefaultEndpointsProtocol=https;AccountName=cam;AccountKey="
            + "aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5oQ7sU9wY1aC3eG5iK7mO9qS1uW3yA5cE7gI9kM1oQ3sU5wY7aC9eG1iK3mA==;\n",
            "azure-storage-key",
        ),
        ("GH_TOKEN=ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789\n", "github-token"),
        ("SLACK=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx\n", "slack-token"),
        ("interface=wlan0\nssid=Camera\nwpa_passphrase=SuperDefault2019\n", "wifi-psk-hostapd"),
        ('network={\n\tssid="Home"\n\tpsk="vendor-default-psk"\n}\n', "wifi-psk-supplicant"),
        ("config wifi-iface 'default'\n\toption encryption 'psk2'\n\toption key 'Default#Key2020'\n", "wifi-psk-uci"),
        ('api_secret = "q7Vt2Lx9Rk4Wm8Zp1Nc6Hs3Bf5Jd0Ga"\n', "generic-secret"),
    ],
)
def test_each_kind_of_token_is_found(text: str, kind: str) -> None:
    assert kinds(text) == [kind]


def test_an_option_key_outside_a_wifi_section_is_not_a_wifi_key() -> None:
    assert kinds("config dropbear\n\toption key '/etc/dropbear/dropbear_rsa_host_key'\n") == []


@pytest.mark.parametrize(
    "text",
    [
        'password = "changeme"\n',  # too short and low entropy: the accounts check's business
        "TOKEN=$(cat /mnt/settings/cloud_token 2>/dev/null)\n",
        "api_key = ${API_KEY_FROM_ENVIRONMENT_AT_RUNTIME}\n",
        "# api_secret = q7Vt2Lx9Rk4Wm8Zp1Nc6Hs3Bf5Jd0Ga\n",
        "secret_file=/etc/ssl/private/server.key.pem.backup\n",
        "wpa_passphrase=@@WIFI_KEY@@\n",
    ],
)
def test_variables_placeholders_comments_and_plain_words_are_not_tokens(text: str) -> None:
    assert kinds(text) == []


def test_in_binaries_only_distinctive_tokens_are_searched() -> None:
    binary = b"\x7fELF\x00" + AWS_ID.encode() + b"\x00password=q7Vt2Lx9Rk4Wm8Zp1Nc6Hs3Bf5Jd0Ga\x00"

    assert [m.rule.name for m in find_tokens(binary, binary=True)] == ["aws-access-key-id"]


def test_masking_shows_the_first_four_characters_only() -> None:
    assert mask_token(AWS_ID) == "AKIA" + "*" * 16
    assert mask_token("abcdef") == "ab****"
