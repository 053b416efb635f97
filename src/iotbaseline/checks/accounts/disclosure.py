"""How a cracked password appears in findings: masked (`a***n`); the clear text only in evidence,
and only when the scan was asked to reveal it (`--reveal`): reports are shared."""


def mask(password: str) -> str:
    if len(password) < 4:
        return "*" * len(password)
    return password[0] + "*" * (len(password) - 2) + password[-1]
