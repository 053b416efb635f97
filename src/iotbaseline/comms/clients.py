"""Clients in scripts and code: commands that turn certificate checks off (`curl -k`), requests in
clear that carry a credential, and source lines that disable verification (`verify=False`)."""

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from iotbaseline.checks.hardcoded.comments import strip_comments
from iotbaseline.comms.rules import ClientRule, CommsRules
from iotbaseline.shell import Command, parse_script
from iotbaseline.shell.options import Arguments, read_arguments

CLEARTEXT_SCHEMES = frozenset({"http", "ftp", "mqtt", "ws", "telnet"})
TLS_SCHEMES = frozenset({"https", "ftps", "mqtts", "wss"})
MQTT_CLIENT_PORT = 1883


@dataclass(frozen=True)
class ClientIssue:
    kind: str
    """tls-verification-disabled, cleartext-credentials, cleartext-request, insecure-code."""
    line: int
    command: str
    """The tool and the flag (`curl -k`), or the rule of a source line."""
    what: str
    url: str | None = None
    credentials: bool = False


def script_issues(text: str, rules: CommsRules) -> Iterator[ClientIssue]:
    """Issues of client commands in a shell script."""
    for command in parse_script(text).commands:
        rule = rules.clients.get(command.tool)
        if rule is not None and command.words:
            yield from _command_issues(command, rule, rules)


def code_issues(text: str, language: str, rules: CommsRules) -> Iterator[ClientIssue]:
    """Source or configuration lines that turn certificate verification off."""
    applicable = [rule for rule in rules.insecure_code if language in rule.languages]
    if not applicable or not rules.quick_code.search(text):
        return
    code = strip_comments(text, language).split("\n")
    for number, line in enumerate(code, 1):
        for rule in applicable:
            if rule.pattern.search(line):
                yield ClientIssue("insecure-code", number, rule.id, rule.what)
                break


def _command_issues(command: Command, rule: ClientRule, rules: CommsRules) -> Iterator[ClientIssue]:
    arguments = read_arguments(command.words[1:], rule.spec)
    credentials = _carries_credentials(arguments, rules)
    insecure = sorted(arguments.flags & rule.insecure)
    urls = [w for w in (*arguments.positional, *arguments.values.get("url", ())) if "://" in w]
    if insecure:
        target = urls[0] if urls else None
        what = f"`{command.tool} {insecure[0]}` turns certificate verification off"
        yield ClientIssue(
            "tls-verification-disabled", command.line, f"{command.tool} {insecure[0]}", what, target, credentials
        )
        return
    for url in urls:
        scheme = urlsplit(url).scheme.lower() if url[:1].isalpha() else ""
        if scheme in CLEARTEXT_SCHEMES and not _loopback(urlsplit(url).hostname, rules):
            with_secret = credentials or _url_credentials(url, rules)
            kind = "cleartext-credentials" if with_secret else "cleartext-request"
            what = f"`{command.tool}` sends a request to {url} in clear"
            yield ClientIssue(kind, command.line, command.tool, what, url, with_secret)
    if rule.tls_options and not (arguments.given & rule.tls_options):
        host = arguments.first("host")
        port = arguments.first("port")
        if host is not None and not _loopback(host, rules) and (port is None or port == str(MQTT_CLIENT_PORT)):
            kind = "cleartext-credentials" if credentials else "cleartext-request"
            what = f"`{command.tool}` connects to {host} without TLS"
            yield ClientIssue(
                kind, command.line, command.tool, what, f"mqtt://{host}:{port or MQTT_CLIENT_PORT}", credentials
            )


def _carries_credentials(arguments: Arguments, rules: CommsRules) -> bool:
    if arguments.values.get("credential"):
        return True
    headers = arguments.values.get("header", ())
    return any(header.split(":", 1)[0].strip().lower() in rules.credential_headers for header in headers)


def _url_credentials(url: str, rules: CommsRules) -> bool:
    parts = urlsplit(url)
    if parts.password or parts.username:
        return True
    return any(name.lower() in rules.credential_parameters for name, _ in parse_qsl(parts.query))


def _loopback(host: str | None, rules: CommsRules) -> bool:
    return host is not None and (host in rules.loopback or host.startswith("127."))
