"""Running a probe for a command: targets parsed (refused before anything is sent), the probe with a
spinner, and the attempt log written beside the reports."""

import json
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from iotbaseline.checks.masking import mask_password
from iotbaseline.live.model import LiveHost
from iotbaseline.live.probe import ProbeOptions, ProbeResult, probe
from iotbaseline.live.targets import parse_targets
from iotbaseline.live.trials import CredentialTrial
from iotbaseline.output_files import write_rendered

ATTEMPT_LOG = "probe-log.jsonl"


def run_probe(names: Sequence[str], options: ProbeOptions, *, allow_large_range: bool, shown: bool) -> ProbeResult:
    targets = parse_targets(names, allow_large_range=allow_large_range)
    label = f"Probing {len(targets.targets)} address(es)"
    if not shown:
        return probe(targets, options)
    with Console(stderr=True).status(label, spinner="dots"):
        return probe(targets, options)


def write_attempt_log(result: ProbeResult, output: Path) -> list[Path]:
    """Every connection, request and datagram, one JSON object a line: what a test lab shows the owner."""
    lines = "".join(json.dumps(attempt.to_dict(), sort_keys=True) + "\n" for attempt in result.attempts)
    return write_rendered(output, [(ATTEMPT_LOG, lines)], "the probe log")


def print_probe_summary(result: ProbeResult, console: Console) -> None:
    """What was tried and what answered, per host."""
    logins = sum(1 for a in result.attempts if a.purpose.startswith("login:"))  # outcomes, not connections
    connections = sum(1 for a in result.attempts if a.transport.value == "tcp") - logins
    datagrams = len(result.attempts) - connections - logins
    console.print(
        f"[bold]Probe[/bold]: {len(result.hosts)} host(s), {connections} TCP connection attempts, "
        f"{datagrams} UDP requests, {result.seconds:.1f} s"
    )
    for host in result.hosts:
        name = host.target if host.target == host.address else f"{host.target} ({host.address})"
        console.print(
            f"  {name}: {len(host.ports_tried)} TCP ports ({host.port_selection}), "
            f"{len(host.udp_ports_tried)} UDP; {len(host.services)} open",
            highlight=False,
        )
        for service in host.services:
            product = " ".join(part for part in (service.product, service.version) if part)
            line = f"    {service.port}/{service.transport.value} {service.scheme}"
            console.print(f"{line:<24} {product}", highlight=False, markup=False)
        for line in followup_lines(host):
            console.print(f"  {line}", highlight=False, markup=False)
        for note in host.notes:
            console.print(f"    note: {note}", highlight=False, markup=False)


def followup_lines(host: LiveHost) -> list[str]:
    """What the tests after the port scan tried and found, a line each (passwords masked)."""
    lines = []
    run = host.credential_run
    if run is not None and not run.attempted:
        lines.append(f"credentials: {run.reason}")
    elif run is not None:
        attempts = sum(t.attempts for t in host.credentials)
        lines.append(
            f"credentials ({run.reason}): {attempts} attempts on {len(host.credentials)} login(s), "
            f"at most {run.max_attempts} each, {run.delay:g} s apart"
        )
        for trial in host.credentials:
            lines.append(f"  {trial.method} {trial.scheme}/{trial.port}: {_trial_outcome(trial)}")
    if host.access_tested:
        opened = [f"{r.test} {r.scheme}/{r.port}" for r in host.access if r.open is True]
        closed = sum(1 for r in host.access if r.open is False)
        lines.append(
            f"access without authentication: {len(host.access)} tests, "
            f"{'OPEN: ' + ', '.join(opened) if opened else 'none open'}; {closed} asked for credentials"
        )
    for scan in host.tls_scans:
        versions = ", ".join(scan.accepted) or "none"
        key = f", key {scan.certificate.key_type} {scan.certificate.key_bits}" if scan.certificate else ""
        failed = f", {scan.error}" if scan.error else ""
        lines.append(f"TLS {scan.scheme}/{scan.port}: accepts {versions}{key} ({scan.connections} handshakes{failed})")
    return lines


def _trial_outcome(trial: CredentialTrial) -> str:
    if trial.login is not None:
        shown = f"{trial.login.user}/{mask_password(trial.login.password)}"
        return f"LOGGED IN as {shown} after {trial.attempts} attempt(s)"
    if trial.lockout is not None:
        return f"locked out after {trial.lockout.after_failures} failures ({trial.lockout.kind})"
    return f"{trial.attempts} attempts, none accepted ({trial.stopped}{': ' + trial.note if trial.note else ''})"
