"""`iotbaseline probe`: test a live device on the network, only at the addresses named, and write
the same reports as `scan`."""

import json
import sys
from pathlib import Path

import click
from rich.console import Console

from iotbaseline.cli_support import user_errors


@click.command()
@click.argument("hosts", nargs=-1, required=True)
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="Output folder.")
@click.option("--ports", "ports_text", help="TCP ports to probe instead of the device list, e.g. 22,80,8000-8100.")
@click.option("--all-ports", is_flag=True, help="Probe every TCP port (1-65535), paced by --max-rate.")
@click.option(
    "--no-udp", is_flag=True, help="Skip the UDP questions (SSDP, CoAP, SNMPv3 discovery, WS-Discovery, TFTP)."
)
@click.option(
    "--max-rate",
    type=click.FloatRange(min=1, max=5000),
    default=200,
    show_default=True,
    help="Connections plus datagrams per second, over the whole probe.",
)
@click.option(
    "--timeout",
    "read_timeout",
    type=click.FloatRange(min=0.2, max=60),
    default=2.0,
    show_default=True,
    help="Seconds to wait for a connection or an answer.",
)
@click.option("--allow-large-range", is_flag=True, help="Accept CIDR ranges up to a /16 (default: up to a /24).")
@click.option("--profile", "profile_path", type=click.Path(path_type=Path), help="Product profile (iotbaseline init).")
@click.option(
    "--fail-on",
    type=click.Choice(["fail", "mandatory", "never"]),
    default="mandatory",
    show_default=True,
    help="Exit 1 on any FAIL, on a FAIL of a mandatory provision or PSTI requirement, or never.",
)
@click.option(
    "--i-own-this-device",
    "owner",
    is_flag=True,
    help="Confirm you own the device(s) or have the owner's permission: allows trying default passwords.",
)
@click.option("--no-credentials", is_flag=True, help="Do not try default passwords, even on an owned device.")
@click.option(
    "--credential-attempts",
    type=click.IntRange(min=1, max=100),
    help="Default pairs tried per login (default 20; never more than 100).",
)
@click.option(
    "--credential-delay",
    type=click.FloatRange(min=0, max=60),
    help="Seconds between two attempts on one login (default 0.5).",
)
@click.option("--no-access", is_flag=True, help="Skip the tests of access without authentication.")
@click.option("--no-tls-scan", is_flag=True, help="Skip the TLS scans (sslyze: a few hundred handshakes per service).")
@click.option("--reveal", is_flag=True, help="Show passwords that logged in in clear in the reports.")
@click.option("--json", "as_json", is_flag=True, help="Print report.json on stdout too.")
def probe(
    hosts: tuple[str, ...],
    output: Path,
    ports_text: str | None,
    all_ports: bool,
    no_udp: bool,
    max_rate: float,
    read_timeout: float,
    allow_large_range: bool,
    profile_path: Path | None,
    fail_on: str,
    owner: bool,
    no_credentials: bool,
    credential_attempts: int | None,
    credential_delay: float | None,
    no_access: bool,
    no_tls_scan: bool,
    reveal: bool,
    as_json: bool,
) -> None:
    """Probe HOSTS (IP addresses, host names, CIDR ranges up to a /24) and write report.json, .html,
    .sarif, .junit.xml and .md into OUTPUT, with probe-log.jsonl: every connection and request sent.

    Only the addresses named are contacted and nothing is written to the device. Default passwords are
    tried (a few per login, with a delay, stopping at a lockout) only with --i-own-this-device or the
    profile's live_testing.owner_confirmed: yes.

    Exit codes: 0 the --fail-on policy is met, 1 it is not, 2 unusable input or options.
    """
    from iotbaseline.catalogue import default_catalogue
    from iotbaseline.checks.base import CheckSettings, ScanEvidence
    from iotbaseline.live.credentials.phase import CredentialOptions, owner_confirmation
    from iotbaseline.live.followup import FollowUpOptions
    from iotbaseline.live.ports import parse_ports
    from iotbaseline.live.probe import ProbeOptions
    from iotbaseline.live.run import print_probe_summary, run_probe, write_attempt_log
    from iotbaseline.live.session import ProbeLimits
    from iotbaseline.profile.loader import load_profile
    from iotbaseline.report import write_reports
    from iotbaseline.report.exit_policy import exit_code
    from iotbaseline.scan import ScanOptions, judge
    from iotbaseline.scan_cli import print_summary

    catalogue = default_catalogue()
    with user_errors():
        if all_ports and ports_text:
            raise click.UsageError("--ports and --all-ports exclude each other")
        profile = load_profile(profile_path) if profile_path is not None else None
        product = dict(profile.to_dict().get("product") or {}) if profile is not None else None
        limits = ProbeLimits(max_rate=max_rate, connect_timeout=read_timeout, read_timeout=read_timeout)
        ports = parse_ports(ports_text) if ports_text else None
        credentials = CredentialOptions(
            enabled=not no_credentials,
            authorised_by=owner_confirmation(owner, profile),
            attempts=credential_attempts,
            delay=credential_delay,
        )
        followup = FollowUpOptions(access=not no_access, tls_scan=not no_tls_scan, credentials=credentials)
        options = ProbeOptions(ports=ports, all_ports=all_ports, udp=not no_udp, limits=limits, followup=followup)
        result = run_probe(hosts, options, allow_large_range=allow_large_range, shown=not as_json)
        evidence = ScanEvidence(profile=profile, hosts=result.hosts)
        settings = ScanOptions(settings=CheckSettings(reveal=reveal))
        outcome = judge((), evidence, product, settings, catalogue=catalogue)
        written = write_reports(outcome.assessment, catalogue, output) + write_attempt_log(result, output)
    if as_json:
        json.dump(outcome.assessment.to_dict(), sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        console = Console()
        print_probe_summary(result, console)
        print_summary(outcome.assessment, written, console)
    sys.exit(exit_code(outcome.assessment, catalogue, fail_on))
