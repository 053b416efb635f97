"""HTTP (and RTSP) Basic and Digest authorisation headers: RFC 7617 Basic, RFC 7616 / 2617 Digest with
MD5, SHA-256 and their -sess variants, qop auth or none (RFC 2069, as many cameras answer)."""

import base64
import hashlib
import os
import re

_PARAM = re.compile(r'\s*([A-Za-z][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.){0,512})"|([^\s,]{0,512}))\s*,?')
_HASHES = {"md5": "md5", "sha-256": "sha256", "sha256": "sha256"}


def basic_authorization(user: str, password: str) -> str:
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def digest_challenge(header: str) -> dict[str, str] | None:
    """The parameters of a `Digest ...` challenge (names lower-case), or None when it is not one."""
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "digest":
        return None
    params: dict[str, str] = {}
    for match in _PARAM.finditer(rest[:4096]):
        value = match[2] if match[2] is not None else match[3] or ""
        params[match[1].lower()] = value.replace('\\"', '"')
    return params if "nonce" in params else None


def digest_authorization(
    user: str,
    password: str,
    method: str,
    uri: str,
    challenge: dict[str, str],
    cnonce: str | None = None,
    count: int = 1,
) -> str | None:
    """The Authorization header answering `challenge`, or None for an algorithm we do not speak."""
    algorithm = challenge.get("algorithm", "MD5")
    name = _HASHES.get(algorithm.lower().removesuffix("-sess"))
    if name is None:
        return None

    def digest(text: str) -> str:
        return hashlib.new(name, text.encode("utf-8"), usedforsecurity=False).hexdigest()

    realm, nonce = challenge.get("realm", ""), challenge["nonce"]
    cnonce = cnonce or os.urandom(8).hex()
    first = digest(f"{user}:{realm}:{password}")
    if algorithm.lower().endswith("-sess"):
        first = digest(f"{first}:{nonce}:{cnonce}")
    second = digest(f"{method}:{uri}")
    qops = [q.strip() for q in challenge.get("qop", "").split(",") if q.strip()]
    nc = f"{count:08x}"
    fields = [f'username="{_quoted(user)}"', f'realm="{_quoted(realm)}"', f'nonce="{_quoted(nonce)}"', f'uri="{uri}"']
    if "auth" in qops:
        response = digest(f"{first}:{nonce}:{nc}:{cnonce}:auth:{second}")
        fields += [f'response="{response}"', "qop=auth", f"nc={nc}", f'cnonce="{cnonce}"']
    elif qops:
        return None  # only auth-int offered: needs the body, which a GET has not
    else:
        fields.append(f'response="{digest(f"{first}:{nonce}:{second}")}"')
    if "opaque" in challenge:
        fields.append(f'opaque="{_quoted(challenge["opaque"])}"')
    if "algorithm" in challenge:
        fields.append(f"algorithm={algorithm}")
    return "Digest " + ", ".join(fields)


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
