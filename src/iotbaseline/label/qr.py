"""The QR code linking to the full report: segno's module matrix, drawn by us as one SVG path of horizontal runs
(numbers only, so nothing from the URL reaches the markup but through the escaped link)."""

from dataclasses import dataclass

QUIET_ZONE = 4
"""Light modules around the symbol that scanners need (ISO/IEC 18004)."""


@dataclass(frozen=True)
class QrSymbol:
    url: str
    modules: tuple[tuple[bool, ...], ...]
    """Dark (True) or light, row by row, without the quiet zone."""

    @property
    def size(self) -> int:
        return len(self.modules)

    @property
    def path(self) -> str:
        """SVG path data in module units: one rectangle per horizontal run of dark modules."""
        commands = []
        for y, row in enumerate(self.modules):
            x = 0
            while x < len(row):
                if not row[x]:
                    x += 1
                    continue
                start = x
                while x < len(row) and row[x]:
                    x += 1
                commands.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
        return "".join(commands)


def qr_symbol(url: str) -> QrSymbol:
    import segno  # here: only a label with --url needs it

    # A full QR code, never a Micro QR (which phone cameras do not read); error correction M, raised when it fits.
    code = segno.make_qr(url, error="m", boost_error=True)
    return QrSymbol(url, tuple(tuple(bool(module) for module in row) for row in code.matrix))
