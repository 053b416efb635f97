"""Package versions to upstream versions, and the small ordering the TLS policy needs.

`1:2.90-4~deb12u1` is dnsmasq 2.90: the epoch (`1:`) and the packaging revision (`-4~deb12u1`)
are the distribution's; repack markers (`+dfsg`, `.dfsg`, `+ds`) say the tarball was cleaned, not
that the code differs. Vulnerability data speaks upstream versions, so that is what we record, and
the full string stays in the evidence.
"""

import re

_EPOCH = re.compile(r"^\d+:")
_REPACK = re.compile(r"[.+~](?:dfsg|ds|repack|nodocs|debian)\d*(?=$|[.+~])", re.IGNORECASE)
_REALLY = re.compile(r".*\+really", re.IGNORECASE)
_YOCTO_REVISION = re.compile(r"-r\d+(?:\.\d+)*$")
_PART = re.compile(r"\d+|[a-z]+", re.IGNORECASE)


def upstream_version(package_version: str) -> str:
    """The upstream release inside a Debian, opkg or Yocto package version."""
    version = _EPOCH.sub("", package_version.strip())
    version = _YOCTO_REVISION.sub("", version)
    if "-" in version:
        version = version.rsplit("-", 1)[0]
    version = _REALLY.sub("", version)  # 2.0+really1.9: the code is 1.9
    return _REPACK.sub("", version)


def version_key(version: str) -> tuple[tuple[int, str], ...]:
    """An ordering key good enough for thresholds (`1.0.2q` < `1.1.1` < `3.0.0`); not NVD's ordering."""
    return tuple((int(part), "") if part.isdigit() else (-1, part.lower()) for part in _PART.findall(version))


def older_than(version: str, threshold: str) -> bool:
    return version_key(version) < version_key(threshold)
