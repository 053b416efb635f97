"""The human-readable summary of an extraction, for the terminal."""

from collections import Counter

from rich.console import Console
from rich.table import Table

from iotbaseline.firmware.extract import ExtractionResult
from iotbaseline.firmware.limits import MIB

_SHOWN_INCOMPLETE = 25


def print_summary(result: ExtractionResult, console: Console) -> None:
    tree = result.tree
    total = sum(f.size for f in tree.files)
    console.print(f"[bold]{result.image.name}[/bold]  {result.image_size:,} bytes  sha256 {result.image_sha256[:16]}…")
    console.print(
        f"Extracted {len(tree.files):,} files ({total / MIB:,.1f} MiB), {len(tree.links):,} links "
        f"in {result.seconds:.1f} s into {result.output}"
    )

    formats = result.format_counts()
    if formats:
        console.print(
            "Formats: " + ", ".join(f"{name} x{count}" if count > 1 else name for name, count in formats.most_common())
        )
    else:
        console.print("[yellow]No known container or filesystem format was found in the image.[/yellow]")

    kinds = Counter(f.type.kind.value for f in tree.files)
    if kinds:
        console.print("File kinds: " + ", ".join(f"{kind} {count:,}" for kind, count in kinds.most_common()))

    if tree.rootfs:
        table = Table(title="Linux root filesystems", title_justify="left")
        table.add_column("folder")
        table.add_column("files", justify="right")
        table.add_column("evidence")
        for rootfs in tree.rootfs:
            count = sum(1 for _ in tree.files_in(rootfs))
            table.add_row(rootfs.path or ".", f"{count:,}", ", ".join(rootfs.marks))
        console.print(table)
    else:
        console.print("No Linux root filesystem found.")

    unknown = sum(u.end - u.offset for u in result.unknown) if result.unknown else 0
    if unknown:
        console.print(
            f"Unrecognised data: {len(result.unknown)} ranges, {unknown:,} bytes (encrypted, padding or unsupported)."
        )

    if not result.incomplete:
        console.print("[green]Nothing was skipped or cut short.[/green]")
        return
    table = Table(title=f"Skipped or cut short ({len(result.incomplete)})", title_justify="left")
    table.add_column("what", style="yellow")
    table.add_column("where", overflow="fold")
    table.add_column("why", overflow="fold")
    for item in result.incomplete[:_SHOWN_INCOMPLETE]:
        table.add_row(item.what.value, item.where, item.reason)
    console.print(table)
    if len(result.incomplete) > _SHOWN_INCOMPLETE:
        console.print(f"… and {len(result.incomplete) - _SHOWN_INCOMPLETE} more (see --json).")
