"""Package URLs and CPE 2.3 names for components, built by hand to their specifications.

purl: https://github.com/package-url/purl-spec (type/namespace/name@version, percent-encoded).
CPE 2.3 formatted string: NISTIR 7695 section 6.2 (a backslash quotes any character other than
letters, digits, `_`, `-` and `.`).
"""

import re
from urllib.parse import quote

_CPE_UNQUOTED = re.compile(r"[A-Za-z0-9_\-.]")


def purl(purl_type: str, name: str, version: str | None, namespace: str | None = None, **qualifiers: str) -> str:
    text = "pkg:" + purl_type + "/"
    if namespace:
        text += quote(namespace, safe="") + "/"
    text += quote(name, safe="")
    if version:
        text += "@" + quote(version, safe="")
    if qualifiers:
        text += "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in sorted(qualifiers.items()))
    return text


def cpe23(part: str, vendor: str, product: str, version: str | None) -> str:
    """`cpe:2.3:a:thekelleys:dnsmasq:2.90:*:*:*:*:*:*:*`; an unknown version is `*` (ANY)."""
    fields = [part, _cpe_value(vendor), _cpe_value(product), _cpe_value(version) if version else "*"]
    return "cpe:2.3:" + ":".join(fields + ["*"] * 7)


def _cpe_value(value: str) -> str:
    return "".join(c if _CPE_UNQUOTED.fullmatch(c) else "\\" + c for c in value.lower())
