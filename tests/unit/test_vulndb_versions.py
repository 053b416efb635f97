"""The version comparator on the spellings embedded software uses."""

import pytest

from iotbaseline.vulndb.versions import Version, compare_versions, split_pre_release


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("1.0.2", "1.0.2q"),  # OpenSSL letter releases follow their base
        ("1.0.2q", "1.0.3"),
        ("1.0.2a", "1.0.2q"),
        ("0.9.8z", "0.9.8za"),
        ("1.0.1f", "1.0.1g"),
        ("2020.81", "2022.83"),  # dropbear's year.release
        ("2022.83", "2024.84"),
        ("0.9.33", "0.9.33.2"),  # uClibc
        ("0.9.33.2", "0.9.34"),
        ("2.6.33", "2.6.33.2"),
        ("2.6.33.2", "2.6.34"),
        ("1.36.0", "1.36.1"),
        ("4.14.18", "4.14.180"),  # numbers, not strings
        ("4.14.180", "4.19.1"),
        ("2.9.4~rc1", "2.9.4"),  # Debian tilde: before the release
        ("2.9.3", "2.9.4~rc1"),
        ("2.45rc3", "2.45"),
        ("5.12-rc1", "5.12-rc7"),
        ("3.0.0-alpha1", "3.0.0-beta2"),
        ("3.0.0-beta2", "3.0.0"),
        ("1.0.2.1", "1.0.3"),
    ],
)
def test_versions_order_as_their_projects_release_them(older: str, newer: str) -> None:
    assert compare_versions(older, newer) == -1
    assert compare_versions(newer, older) == 1
    assert Version(older) < Version(newer)


@pytest.mark.parametrize(("left", "right"), [("1.0", "1.0.0"), ("2.90", "2.90"), ("1.0.2Q", "1.0.2q")])
def test_trailing_zeros_and_letter_case_do_not_make_a_different_version(left: str, right: str) -> None:
    assert compare_versions(left, right) == 0
    assert Version(left) == Version(right)
    assert hash(Version(left)) == hash(Version(right))


def test_pre_release_is_split_like_the_cpe_update_field() -> None:
    assert split_pre_release("2.45rc3").pre_release == "rc3"
    assert split_pre_release("5.12-rc1").release == "5.12"
    assert split_pre_release("2.9.4~rc1").pre_release == "rc1"
    assert split_pre_release("1.0.2q").pre_release == ""  # a letter release is not a pre-release
