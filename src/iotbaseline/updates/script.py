"""A vendor update script read as its download, check and flash steps, in the order it runs them,
with what each signature check stops when it fails."""

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from iotbaseline.shell import ScriptFlow, Step, parse_script
from iotbaseline.shell.options import Arguments, read_arguments
from iotbaseline.updates.rules import FlasherRule, UpdateRules, VerifierMode

CLEARTEXT = frozenset({"http", "ftp", "tftp"})


@dataclass(frozen=True)
class Download:
    order: int
    line: int
    tool: str
    url: str
    transport: str
    """Scheme of the URL (http, https, ftp, tftp), or "unknown" when the URL is not in the script."""
    output: str | None
    to_stdout: bool
    insecure: str | None
    """The flag that turned certificate verification off (curl -k), if any."""


@dataclass(frozen=True)
class Flash:
    order: int
    line: int
    tool: str
    input: str | None
    target: str | None
    installer: str | None = None
    key: str | None = None
    forced: bool = False


@dataclass(frozen=True)
class Verification:
    order: int
    line: int
    tool: str
    signature: bool
    """A signature check; False: a checksum."""
    key: str | None = None
    digest: str | None = None
    algorithm: str | None = None
    input: str | None = None
    gates: frozenset[int] = frozenset()
    """Orders of the steps that run only when this check succeeded."""


@dataclass(frozen=True)
class UpdaterScript:
    downloads: tuple[Download, ...]
    flashes: tuple[Flash, ...]
    checks: tuple[Verification, ...]

    @property
    def networked(self) -> bool:
        """Fetches something before it flashes: an image delivered over a network."""
        return bool(self.flashes) and any(d.order < self.flashes[0].order for d in self.downloads)


def read_updater(text: str, rules: UpdateRules) -> UpdaterScript | None:
    """The update steps of a shell script, or None when it flashes nothing."""
    flow = ScriptFlow(parse_script(text), rules.aborts)
    reader = _StepReader(rules)
    downloads: list[Download] = []
    flashes: list[Flash] = []
    checks: list[Verification] = []
    for step in flow.steps:
        command = step.command
        if not command.words:
            continue
        if command.tool in rules.downloaders:
            downloads.extend(reader.download(step))
        flash = reader.flash(step)
        if flash is not None:
            flashes.append(flash)
        check = reader.verification(step)
        if check is not None:
            gates = flow.gated_by(step) if check.signature else frozenset()
            checks.append(replace(check, gates=gates))
    if not flashes:
        return None
    return UpdaterScript(tuple(downloads), tuple(flashes), tuple(checks))


class _StepReader:
    def __init__(self, rules: UpdateRules) -> None:
        self.rules = rules

    def download(self, step: Step) -> Iterator[Download]:
        command = step.command
        rule = self.rules.downloaders[command.tool]
        arguments = read_arguments(command.words[1:], rule.spec)
        insecure = next((flag for flag in sorted(arguments.flags) if flag in rule.insecure), None)
        output = arguments.first("output")
        if rule.transport is not None:
            roles = _positional_roles(arguments, rule.positional)
            host, remote = roles.get("host", ""), arguments.first("remote") or roles.get("remote", "")
            output = output or roles.get("output") or (PurePosixPath(remote).name if remote else None)
            url = f"{rule.transport}://{host}/{remote.lstrip('/')}"
            yield Download(step.order, command.line, command.tool, url, rule.transport, output, False, None)
            return
        urls = [w for w in (*arguments.positional, *arguments.values.get("url", ())) if "://" in w]
        if not urls:
            urls = [w for w in arguments.positional if w.startswith("$")][:1]
        for url in urls:
            transport = _scheme(url)
            named = output if output is not None else _default_output(command.tool, url)
            to_stdout = named is None or named == "-"
            yield Download(step.order, command.line, command.tool, url, transport, named, to_stdout, insecure)

    def flash(self, step: Step) -> Flash | None:
        command = step.command
        rule = self.rules.flashers.get(command.tool)
        if rule is not None:
            return self._flash_command(step, rule)
        if command.tool in self.rules.redirect_writers:
            for operator, target in command.redirects:
                if operator in (">", ">>") and self.rules.devices.match(target):
                    words = [w for w in command.words[1:] if not w.startswith("-")]
                    return Flash(step.order, command.line, command.tool, words[0] if words else None, target)
        return None

    def _flash_command(self, step: Step, rule: FlasherRule) -> Flash | None:
        command = step.command
        arguments = read_arguments(command.words[1:], rule.spec)
        roles = _positional_roles(arguments, rule.positional)
        if rule.subcommand is not None and roles.get("subcommand") != rule.subcommand:
            return None
        source = arguments.first("input") or roles.get("input")
        target = arguments.first("target") or roles.get("target")
        if rule.device_target and (target is None or not self.rules.devices.match(target)):
            return None
        forced = False
        if rule.installer is not None:
            forced = bool(arguments.flags & self.rules.installers[rule.installer].force)
        return Flash(
            step.order, command.line, command.tool, source, target, rule.installer, arguments.first("key"), forced
        )

    def verification(self, step: Step) -> Verification | None:
        command = step.command
        modes = self.rules.verifiers.get(command.tool)
        if modes is not None:
            subcommand = command.words[1] if len(command.words) > 1 and None not in modes else None
            mode = modes.get(subcommand)
            if mode is not None:
                start = 1 if subcommand is None else 2
                found = self._signature(step, mode, read_arguments(command.words[start:], mode.spec))
                if found is not None:
                    return found
                if subcommand == "dgst":
                    return self._openssl_digest(step)
        algorithm = self.rules.hashes.get(command.tool)
        if algorithm is not None:
            files = [w for w in command.words[1:] if not w.startswith("-")]
            return Verification(
                step.order, command.line, command.tool, False, algorithm=algorithm, input=files[-1] if files else None
            )
        return None

    def _signature(self, step: Step, mode: VerifierMode, arguments: Arguments) -> Verification | None:
        checking = (not mode.when and not mode.when_roles) or bool(arguments.flags & mode.when)
        checking = checking or any(role in arguments.values for role in mode.when_roles)
        if not checking:
            return None
        command = step.command
        digest = arguments.first("digest") or next(
            (self.rules.digest_flags[f] for f in sorted(arguments.flags) if f in self.rules.digest_flags), None
        )
        files = arguments.positional
        source = arguments.first("input") or (files[-1] if files else None)
        return Verification(
            step.order,
            command.line,
            command.tool,
            True,
            key=arguments.first("key"),
            digest=digest,
            algorithm=mode.algorithm,
            input=source,
        )

    def _openssl_digest(self, step: Step) -> Verification:
        words = step.command.words
        digest = next((self.rules.digest_flags[w] for w in words if w in self.rules.digest_flags), None)
        files = [w for w in words[2:] if not w.startswith("-")]
        source = files[-1] if files else None
        return Verification(step.order, step.command.line, "openssl dgst", False, digest=digest, input=source)


def _positional_roles(arguments: Arguments, roles: tuple[str, ...]) -> dict[str, str]:
    return dict(zip(roles, arguments.positional, strict=False))


def _scheme(url: str) -> str:
    if "://" not in url:
        return "unknown"
    scheme = urlsplit(url).scheme.lower() if url[0].isalpha() else ""
    return scheme or "unknown"


def _default_output(tool: str, url: str) -> str | None:
    """wget saves under the URL's file name in the working folder; curl writes to its output."""
    if tool == "curl" or "://" not in url:
        return None
    name = PurePosixPath(urlsplit(url).path).name
    return name or None


def same_file(first: str | None, second: str | None) -> bool:
    """Two names of one file as a reader can tell: equal, or equal file names when one is relative."""
    if first is None or second is None:
        return False
    if first == second:
        return True
    one, two = PurePosixPath(first), PurePosixPath(second)
    relative = not one.is_absolute() or not two.is_absolute()
    return relative and one.name == two.name and not one.name.startswith("$")
