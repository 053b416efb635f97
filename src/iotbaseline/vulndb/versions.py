"""Ordering of upstream version strings as embedded software spells them.

`packaging.version` rejects OpenSSL's letter releases (`1.0.2q`) and Debian's tilde (`2.9.4~rc1`), and
NVD ranges are written in the project's own spelling, so we compare token by token:

- numbers compare as numbers (`4.14.180` > `4.14.18`), trailing zeros do not count (`1.0` == `1.0.0`);
- letters right after the last number are a later release (`1.0.2` < `1.0.2a` < `1.0.2q` < `1.0.3`,
  `0.9.8z` < `0.9.8za`), as OpenSSL numbers its security releases;
- a pre-release marker (`~anything`, `-rc1`, `rc1`, `alpha`, `beta`, `pre`, `dev`) sorts before the release.
"""

import functools
import re
from dataclasses import dataclass

_PRE_RELEASE_RANK = {"dev": 0, "alpha": 1, "beta": 2, "pre": 3, "rc": 4}
_PRE_RELEASE = re.compile(
    r"^(?P<base>.*?\d)[-_.]?(?P<word>dev|alpha|beta|pre|rc)(?P<rest>[-_.]?\d*(?:[-_.].*)?)$", re.I
)
_TOKEN = re.compile(r"\d+|[a-z]+", re.I)

Token = int | str


def _tokens(text: str) -> tuple[Token, ...]:
    return tuple(int(t) if t.isdigit() else t.lower() for t in _TOKEN.findall(text))


def _strip_trailing_zeros(tokens: tuple[Token, ...]) -> tuple[Token, ...]:
    end = len(tokens)
    while end > 1 and tokens[end - 1] == 0:
        end -= 1
    return tokens[:end]


@dataclass(frozen=True)
class SplitVersion:
    """A version cut into its release and its pre-release marker (`2.45rc3` -> `2.45`, `rc3`)."""

    release: str
    pre_release: str  # "" for a release


def split_pre_release(version: str) -> SplitVersion:
    """Separates a pre-release marker, the way the CPE `update` field does (`5.12-rc1` -> `5.12`, `rc1`)."""
    text = version.strip()
    if "~" in text:
        base, _, pre = text.partition("~")
        return SplitVersion(base, pre.lower())
    found = _PRE_RELEASE.match(text)
    if found:
        pre = (found["word"] + found["rest"].lstrip("-_.")).lower()
        return SplitVersion(found["base"], pre)
    return SplitVersion(text, "")


def _compare_tokens(left: tuple[Token, ...], right: tuple[Token, ...]) -> int:
    for a, b in zip(left, right, strict=False):
        if a == b:
            continue
        if isinstance(a, int) and isinstance(b, int):
            return -1 if a < b else 1
        if isinstance(a, str) and isinstance(b, str):
            return -1 if a < b else 1
        return 1 if isinstance(a, int) else -1  # 1.0.2.1 > 1.0.2q: a number is a later branch than a letter
    # Equal prefix: a longer version is later (`1.0.2q` > `1.0.2`, `1.0.2.1` > `1.0.2`).
    return (len(left) > len(right)) - (len(left) < len(right))


def _compare_pre_release(left: str, right: str) -> int:
    if left == right:
        return 0
    if not left:
        return 1  # the release sorts after any of its pre-releases
    if not right:
        return -1
    lt, rt = _tokens(left), _tokens(right)
    lrank = _PRE_RELEASE_RANK.get(str(lt[0]) if lt else "", len(_PRE_RELEASE_RANK))
    rrank = _PRE_RELEASE_RANK.get(str(rt[0]) if rt else "", len(_PRE_RELEASE_RANK))
    if lrank != rrank:
        return -1 if lrank < rrank else 1
    return _compare_tokens(lt, rt)


def compare_versions(left: str, right: str) -> int:
    """-1, 0 or 1 as `left` is older than, the same as, or newer than `right`."""
    a, b = split_pre_release(left), split_pre_release(right)
    by_release = _compare_tokens(_strip_trailing_zeros(_tokens(a.release)), _strip_trailing_zeros(_tokens(b.release)))
    if by_release:
        return by_release
    return _compare_pre_release(a.pre_release, b.pre_release)


@functools.total_ordering
class Version:
    """A version string that sorts with `compare_versions`; keeps its text for reports."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and compare_versions(self.text, other.text) == 0

    def __lt__(self, other: "Version") -> bool:
        return compare_versions(self.text, other.text) < 0

    def __hash__(self) -> int:
        split = split_pre_release(self.text)
        return hash((_strip_trailing_zeros(_tokens(split.release)), split.pre_release))

    def __repr__(self) -> str:
        return f"Version({self.text!r})"

    def __str__(self) -> str:
        return self.text
