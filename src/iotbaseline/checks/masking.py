"""How secrets appear in findings and reports, which are shared: masked, one way for all checks.

A password shows its first and last character (`admin` -> `a***n`), enough for the manufacturer to
recognise it and too little to use it; one shorter than four characters shows nothing. A token or
key shows its first characters, which name its kind (`AKIA****...`). The clear text goes into
evidence only when the scan was asked to reveal it (`--reveal`).
"""

_TOKEN_PREFIX = 4


def mask_password(password: str) -> str:
    if len(password) < 4:
        return "*" * len(password)
    return password[0] + "*" * (len(password) - 2) + password[-1]


def mask_token(literal: str) -> str:
    shown = min(_TOKEN_PREFIX, len(literal) // 3)
    return literal[:shown] + "*" * (len(literal) - shown)
