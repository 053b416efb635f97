"""`iotbaseline catalogue`: show the standards catalogue as tables or as JSON."""

import json
import sys

import click
from rich.console import Console
from rich.table import Table

from iotbaseline.catalogue import Catalogue, CatalogueError, Standard, default_catalogue
from iotbaseline.errors import EXIT_USAGE_ERROR
from iotbaseline.model import EvidenceChannel, Provision

_CHANNEL_LABELS = {
    EvidenceChannel.FIRMWARE: "FW",
    EvidenceChannel.LIVE: "LIVE",
    EvidenceChannel.DOCUMENTS: "DOC",
    EvidenceChannel.DECLARATION: "DECL",
}
_LEGEND = "FW firmware, LIVE device on a network, DOC published documents, DECL declaration only; (…) partial evidence"
_UNCONFIRMED_MARK = "?"


@click.command()
@click.option("--standard", metavar="KEY", help="Show one standard only (e.g. EN303645, EN303645-V3, PSTI, CRA).")
@click.option("--json", "as_json", is_flag=True, help="Print the provisions and condition tables as JSON on stdout.")
def catalogue(standard: str | None, as_json: bool) -> None:
    """List the provisions iotbaseline judges against, with how each can be evidenced."""
    err = Console(stderr=True)
    try:
        loaded = default_catalogue()
        keys = (_standard_key(loaded, standard),) if standard is not None else loaded.standards()
    except CatalogueError as error:
        err.print(f"[red]error:[/red] {error}", highlight=False)
        sys.exit(EXIT_USAGE_ERROR)
    if as_json:
        json.dump(loaded.to_dict(keys[0] if standard is not None else None), sys.stdout, indent=1)
        sys.stdout.write("\n")
        return
    console = Console()
    for key in keys:
        _print_standard(console, loaded, loaded.standard(key))


def _standard_key(loaded: Catalogue, asked: str) -> str:
    """Accept any letter case: `psti` is PSTI."""
    for key in loaded.standards():
        if key.casefold() == asked.casefold():
            return key
    raise CatalogueError(f"no standard {asked!r} in the catalogue (known: {', '.join(loaded.standards())})")


def _print_standard(console: Console, loaded: Catalogue, standard: Standard) -> None:
    console.print(_provision_table(loaded, standard))
    if any(loaded.deemed_compliance(p.qualified_id) for p in standard.provisions):
        console.print(_route_table(loaded, standard))
    if standard.conditions or standard.features:
        console.print(_code_table(standard))
    console.print()


def _provision_table(loaded: Catalogue, standard: Standard) -> Table:
    unconfirmed = sum(not p.confirmed for p in standard.provisions)
    caption = _LEGEND + (f"; {_UNCONFIRMED_MARK} not confirmed by the reference ({unconfirmed})" if unconfirmed else "")
    table = Table(title=f"{standard.key}: {standard.title}, {standard.version}", caption=caption, title_justify="left")
    # Laws and EN 18031 have no status codes, and only EN 18031 has parts: show a column only where it says something.
    with_status = any(p.status for p in standard.provisions)
    with_parts = any(loaded.parts(p.qualified_id) for p in standard.provisions)
    table.add_column("", width=1)
    table.add_column("ID", no_wrap=True)
    if with_status:
        table.add_column("Status", no_wrap=True)
    table.add_column("Obligation", no_wrap=True)
    if with_parts:
        table.add_column("Parts", no_wrap=True)
    table.add_column("Title")
    table.add_column("Channels", no_wrap=True)
    for provision in standard.provisions:
        cells = ["" if provision.confirmed else _UNCONFIRMED_MARK, provision.id]
        cells += [provision.status] if with_status else []
        cells += [provision.obligation.value]
        cells += [",".join(map(str, loaded.parts(provision.qualified_id)))] if with_parts else []
        cells += [provision.title, _channels(loaded, provision)]
        table.add_row(*cells)
    return table


def _route_table(loaded: Catalogue, standard: Standard) -> Table:
    table = Table(title=f"{standard.key} deemed compliance (any one route suffices)", title_justify="left")
    table.add_column("ID", no_wrap=True)
    table.add_column("Route (all of)")
    for provision in standard.provisions:
        for route in loaded.deemed_compliance(provision.qualified_id):
            mark = "" if route.confirmed else f" {_UNCONFIRMED_MARK}"
            table.add_row(provision.id, " and ".join(route.all_of) + mark)
    return table


def _code_table(standard: Standard) -> Table:
    table = Table(title=f"{standard.key} conditions and features", title_justify="left")
    table.add_column("Code", no_wrap=True)
    table.add_column("Applies when")
    for code, meaning in {**standard.conditions, **standard.features}.items():
        table.add_row(code, meaning)
    return table


def _channels(loaded: Catalogue, provision: Provision) -> str:
    partial = loaded.partial_channels(provision.qualified_id)
    return " ".join(f"({_CHANNEL_LABELS[c]})" if c in partial else _CHANNEL_LABELS[c] for c in provision.channels)
