"""`iotbaseline discover`: list the devices on the local segment that answer SSDP and mDNS."""

import asyncio
import json
import sys

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from iotbaseline.cli_support import user_errors


@click.command()
@click.option("--interface", help="Network interface to ask on (default: the one the system picks).")
@click.option(
    "--timeout", type=click.FloatRange(min=0.5, max=60), default=3.0, show_default=True, help="Seconds to listen."
)
@click.option("--json", "as_json", is_flag=True, help="Print the devices as JSON.")
def discover(interface: str | None, timeout: float, as_json: bool) -> None:
    """Ask the local segment who is there (one SSDP M-SEARCH, mDNS DNS-SD questions) and list the
    answers: address, server, description locations, services. Nothing found is probed; probe a
    device with `iotbaseline probe ADDRESS`."""
    from iotbaseline.live.discover import discover as run_discover

    with user_errors():
        devices = asyncio.run(run_discover(timeout, interface))
    if as_json:
        json.dump([device.to_dict() for device in devices], sys.stdout, indent=1)
        sys.stdout.write("\n")
        return
    table = Table(title=f"{len(devices)} device(s) answered", title_justify="left")
    for column in ("address", "via", "server", "location", "services"):
        table.add_column(column, overflow="fold")
    for device in devices:
        cells = (
            device.address,
            ", ".join(sorted(device.via)),
            device.server,
            "\n".join(sorted(device.locations)),
            "\n".join(sorted(device.services)[:12]),
        )
        table.add_row(*(Text(cell) for cell in cells))  # what devices say is text, never markup
    Console().print(table)
