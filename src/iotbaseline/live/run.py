"""Running a probe for a command: targets parsed (refused before anything is sent), the probe with a
spinner, and the attempt log written beside the reports."""

import json
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from iotbaseline.live.probe import ProbeOptions, ProbeResult, probe
from iotbaseline.live.targets import parse_targets
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
    connections = sum(1 for a in result.attempts if a.transport.value == "tcp")
    datagrams = len(result.attempts) - connections
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
        for note in host.notes:
            console.print(f"    note: {note}", highlight=False, markup=False)
