"""What an SSH server accepts: password logins, root logins with a password, empty passwords.

dropbear from its command line (-s: no password logins; -g: none for root; -w: no root logins; -B:
blank passwords allowed; short flags may be combined, as dropbear reads them) and, for OpenWrt's
init script, /etc/config/dropbear. OpenSSH from sshd_config, the first value of a keyword winning
(as sshd reads it), up to the first Match block, with OpenSSH's defaults where a keyword is absent."""

import shlex
from dataclasses import dataclass

from iotbaseline.services.device_files import DeviceFiles, is_wildcard
from iotbaseline.services.model import BootService, How
from iotbaseline.services.shell_access import option_values
from iotbaseline.services.uci import UciStore

# dropbear options that take a value: the rest of the word (or the next word) is not flags.
_DROPBEAR_VALUES = frozenset("bcdpPrWKIJTDaA")
_UCI_FLAGS = {"PasswordAuth": "s", "RootPasswordAuth": "g", "RootLogin": "w"}
_OFF = ("off", "0", "no", "false")
MAX_INCLUDES = 32


@dataclass(frozen=True)
class Evidence:
    path: str
    line: int | None
    text: str


@dataclass(frozen=True)
class SshPolicy:
    server: str
    passwords: bool
    root_passwords: bool
    empty_passwords: bool
    certain: bool
    """False when part of the command line could not be read (a variable set at run time)."""
    evidence: tuple[Evidence, ...]
    """Where each deciding setting was read."""
    listens_everywhere: Evidence | None = None


def dropbear_policy(service: BootService, files: DeviceFiles) -> SshPolicy:
    flags: set[str] = set()
    evidence: list[Evidence] = [Evidence(service.source, service.line, service.text)]
    for word in service.words:
        if word.startswith("-") and not word.startswith("--"):
            for char in word[1:]:
                if char in _DROPBEAR_VALUES:
                    break
                flags.add(char)
    unknown = any("$" in word or "`" in word for word in service.argv)
    if service.how is How.PROCD:
        config = UciStore(files).config("dropbear")
        for section in config.of_type("dropbear") if config is not None else ():
            for name, flag in _UCI_FLAGS.items():
                option = section.get(name)
                if option is not None and option.value.lower() in _OFF:
                    flags.add(flag)
                    evidence.append(Evidence(config.path if config else "", option.line, option.text))
    ports = option_values(service.words, "-p")
    everywhere = next((w for w in ports if ":" in w and is_wildcard(w)), None)
    return SshPolicy(
        "dropbear",
        passwords="s" not in flags,
        root_passwords="s" not in flags and "g" not in flags and "w" not in flags,
        empty_passwords="B" in flags and "s" not in flags,
        certain=not unknown,
        evidence=tuple(evidence),
        listens_everywhere=Evidence(service.source, service.line, service.text) if everywhere else None,
    )


def openssh_policy(service: BootService, files: DeviceFiles, default_config: str) -> SshPolicy:
    path = (option_values(service.words, "-f") or [default_config])[0]
    settings: dict[str, tuple[str, Evidence]] = {}
    _read_sshd_config(files, path, settings, 0)
    # Options given with -o on the command line come first and so win.
    for option in option_values(service.words, "-o"):
        key, _, given = option.replace("=", " ", 1).partition(" ")
        settings = {key.lower(): (given.strip(), Evidence(service.source, service.line, service.text)), **settings}

    def value(key: str, default: str) -> str:
        return settings[key][0].lower() if key in settings else default

    # Keyboard-interactive logins ask for the password through PAM.
    keyboard = value("kbdinteractiveauthentication", value("challengeresponseauthentication", "yes")) == "yes"
    passwords = value("passwordauthentication", "yes") == "yes" or (keyboard and value("usepam", "no") == "yes")
    root = value("permitrootlogin", "prohibit-password") == "yes" and passwords
    keys = ("passwordauthentication", "permitrootlogin", "permitemptypasswords", "usepam")
    evidence = tuple(settings[k][1] for k in keys if k in settings) or (Evidence(path, None, ""),)
    listen = settings.get("listenaddress")
    everywhere = listen is not None and is_wildcard(listen[0])
    return SshPolicy(
        "OpenSSH sshd",
        passwords=passwords,
        root_passwords=root,
        empty_passwords=value("permitemptypasswords", "no") == "yes" and passwords,
        certain=True,
        evidence=evidence,
        listens_everywhere=listen[1] if listen is not None and everywhere else None,
    )


def _read_sshd_config(files: DeviceFiles, path: str, settings: dict[str, tuple[str, Evidence]], depth: int) -> bool:
    """Fills `settings` with the first value of each keyword; False once a Match block begins."""
    text = files.read_text(path)
    if text is None or depth > 4:
        return True
    for number, raw in enumerate(text.split("\n"), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, _, rest = stripped.replace("=", " ", 1).partition(" ")
        key = key.lower()
        if key == "match":
            return False
        if key == "include":
            for pattern in _split(rest)[:MAX_INCLUDES]:
                target = pattern if pattern.startswith("/") else f"/etc/ssh/{pattern}"
                for included in files.glob(target):
                    if not _read_sshd_config(files, included, settings, depth + 1):
                        return False
            continue
        settings.setdefault(key, (rest.strip(), Evidence(path, number, stripped)))
    return True


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()
