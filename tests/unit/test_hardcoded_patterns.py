"""The pattern data loads, and mistakes in it are reported, not silently turned into other values."""

import pytest

from iotbaseline.checks.hardcoded.patterns import PatternDataError, default_patterns, parse_option, parse_patterns


def test_the_shipped_patterns_load() -> None:
    patterns = default_patterns()
    assert "passwd" in patterns.password_words
    assert "00000000" in patterns.binary.default_passwords
    assert "chpasswd" in patterns.password_pipes


def test_option_forms() -> None:
    assert parse_option("-pVALUE").attached
    assert parse_option("--password=VALUE").option == "--password="
    separate = parse_option("-passin pass:VALUE")
    assert (separate.option, separate.prefix, separate.positional) == ("-passin", "pass:", ("VALUE",))
    assert parse_option("-b FILE USER VALUE").positional == ("FILE", "USER", "VALUE")


def test_an_unquoted_number_in_a_word_list_is_an_error() -> None:
    with pytest.raises(PatternDataError, match="quote"):
        parse_patterns(
            _minimal_rest()
            + "binary: {max_bytes: 1, window: 1, keywords: [], usernames: [], default_passwords: [00000000]}\n"
        )


def _minimal_rest() -> str:
    return (
        "password_words: [pass]\nuser_words: [user]\nlogin_context_words: [admin]\nplaceholders: ['x+']\n"
        "min_literal_length: 2\nmax_literal_length: 64\nlanguages: {}\nskip_extensions: []\n"
        "documentation_paths: []\ncommands: []\npassword_pipes: []\n"
        "url_schemes: [http]\nuser_files: [users]\n"
    )
