"""Where everything on the label goes: a fixed page (600 x 960 units, 5:8 portrait) filled top-down, the footer
anchored at the bottom. The SVG template draws exactly this, and the PNG is that SVG rasterised: one layout.

Every text is fitted to its column with a bounded number of lines, so the worst content still ends above the
footer (tests lay out the longest and widest strings and check it).
"""

from dataclasses import dataclass

from iotbaseline.label.facts import Answer, LabelFacts
from iotbaseline.label.qr import QUIET_ZONE, QrSymbol, qr_symbol
from iotbaseline.label.textfit import clean, fit_lines
from iotbaseline.label.wording import GlyphWidths, LabelWording, State

WIDTH = 600
HEIGHT = 960
MARGIN = 28
LINE_SPACING = 1.22
QR_SIZE = 150
"""The QR code with its quiet zone, in label units: 40 mm wide on an A6 print, ample for a phone camera."""
ICON_RADIUS = 17
TEXT_INDENT = 2 * ICON_RADIUS + 14


@dataclass(frozen=True)
class TextLine:
    x: float
    y: float
    """Baseline."""
    size: float
    text: str
    fill: str
    bold: bool = False
    anchor: str = "start"


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    radius: float = 0.0
    stroke: str = "none"
    stroke_width: float = 0.0

    @property
    def bottom(self) -> float:
        return self.y + self.height


@dataclass(frozen=True)
class Icon:
    """A state drawn as a shape, not only a colour: a tick, a cross or a question mark in a disc."""

    state: State
    cx: float
    cy: float
    r: float
    disc: str
    mark: str

    @property
    def path(self) -> str:
        """The tick or cross as stroke path data; empty for the question mark, which is text."""
        r, cx, cy = self.r, self.cx, self.cy
        if self.state is State.GOOD:
            return (
                f"M{cx - 0.48 * r:.2f} {cy + 0.02 * r:.2f}l{0.3 * r:.2f} {0.32 * r:.2f}l{0.6 * r:.2f} {-0.66 * r:.2f}"
            )
        if self.state is State.BAD:
            d = 0.38 * r
            down = f"M{cx - d:.2f} {cy - d:.2f}L{cx + d:.2f} {cy + d:.2f}"
            return f"{down}M{cx + d:.2f} {cy - d:.2f}L{cx - d:.2f} {cy + d:.2f}"
        return ""


@dataclass(frozen=True)
class QrPlacement:
    x: float
    y: float
    module: float
    """Side of one module in label units."""
    symbol: QrSymbol

    @property
    def size(self) -> float:
        return self.module * (self.symbol.size + 2 * QUIET_ZONE)


@dataclass(frozen=True)
class LabelLayout:
    width: int
    height: int
    font_family: str
    title: str
    description: str
    paper: str
    ink: str
    rects: tuple[Rect, ...]
    rules: tuple[Rect, ...]
    lines: tuple[TextLine, ...]
    icons: tuple[Icon, ...]
    result_band: Rect
    footer_top: float
    content_bottom: float
    """Where the flowing content ends; never below `footer_top`."""
    qr: QrPlacement | None
    report_url: str | None


class _Flow:
    """A top-down cursor that fits text and records what it places."""

    def __init__(self, widths: GlyphWidths, y: float) -> None:
        self.widths = widths
        self.y = y
        self.lines: list[TextLine] = []

    def text(
        self, text: str, x: float, width: float, size: float, fill: str, *, bold: bool = False, max_lines: int = 1
    ) -> None:
        for line in fit_lines(text, size, width, max_lines, self.widths):
            self.y += size * LINE_SPACING
            self.lines.append(TextLine(x, _r(self.y - 0.22 * size), size, line, fill, bold))


def lay_out(facts: LabelFacts, wording: LabelWording, widths: GlyphWidths) -> LabelLayout:
    palette = wording.palette
    inner = WIDTH - 2 * MARGIN
    rects = [Rect(0, 0, WIDTH, 86, palette.header.background)]
    flow = _Flow(widths, 8)
    flow.text(wording.title, MARGIN, inner, 36, palette.header.text, bold=True)
    flow.text(wording.subtitle, MARGIN, inner, 15, palette.header.text)

    flow.y = 98
    flow.text(facts.product, MARGIN, inner, 26, palette.ink, bold=True, max_lines=2)
    if facts.maker:
        flow.text(facts.maker, MARGIN, inner, 17, palette.muted, max_lines=2)
    icons: list[Icon] = []
    band = _result_band(flow, facts, wording, icons)
    rects.append(band)

    rules: list[Rect] = []
    for index, answer in enumerate(facts.answers):
        flow.y += 14
        _answer(flow, answer, wording, icons, answer_lines=2 if index == 2 else 1)
        flow.y += 12
        rules.append(Rect(MARGIN, _r(flow.y), inner, 1, palette.rule))

    content_bottom = flow.y
    footer_top, qr = _footer(flow, facts, wording)
    return LabelLayout(
        width=WIDTH,
        height=HEIGHT,
        font_family=wording.font_family,
        title=f"{wording.title}: {clean(facts.product)[:120]}",
        description=_description(facts, wording),
        paper=palette.paper,
        ink=palette.ink,
        rects=tuple(rects),
        rules=tuple(rules),
        lines=tuple(flow.lines),
        icons=tuple(icons),
        result_band=band,
        footer_top=footer_top,
        content_bottom=content_bottom,
        qr=qr,
        report_url=facts.report_url,
    )


def _result_band(flow: _Flow, facts: LabelFacts, wording: LabelWording, icons: list[Icon]) -> Rect:
    """The overall result, first thing under the product's name: icon, headline and one sentence on its colour."""
    colours = wording.palette.states[facts.result]
    top = flow.y + 16
    flow.y = top + 8
    text_x = MARGIN + 18 + 2 * 22 + 14
    text_width = WIDTH - MARGIN - 18 - text_x
    flow.text(facts.headline, text_x, text_width, 26, colours.text, bold=True, max_lines=2)
    flow.y += 4
    flow.text(facts.result_detail, text_x, text_width, 16, colours.text, max_lines=2)
    height = max(flow.y + 16, top + 80) - top
    flow.y = top + height + 6
    icons.append(Icon(facts.result, MARGIN + 18 + 22, _r(top + height / 2), 22, colours.text, colours.background))
    return Rect(MARGIN, _r(top), WIDTH - 2 * MARGIN, _r(height), colours.background, radius=10)


def _r(value: float) -> float:
    """Coordinates to a hundredth of a unit: exact enough, and short in the SVG."""
    return round(value, 2)


def _answer(flow: _Flow, answer: Answer, wording: LabelWording, icons: list[Icon], answer_lines: int) -> None:
    palette = wording.palette
    x = MARGIN + TEXT_INDENT
    width = WIDTH - MARGIN - x
    flow.text(answer.label, MARGIN, WIDTH - 2 * MARGIN, 17, palette.muted)
    answer_top = flow.y
    flow.text(answer.answer, x, width, 28, palette.ink, bold=True, max_lines=answer_lines)
    disc = palette.states[answer.state]
    # centred on the first answer line's capitals
    icons.append(
        Icon(answer.state, MARGIN + ICON_RADIUS, _r(answer_top + 0.64 * 28), ICON_RADIUS, disc.background, disc.text)
    )
    if answer.detail:
        flow.text(answer.detail, x, width, 16, palette.ink, max_lines=2)


def _footer(flow: _Flow, facts: LabelFacts, wording: LabelWording) -> tuple[float, QrPlacement | None]:
    palette = wording.palette
    caption_size = 13
    footer_top = HEIGHT - MARGIN - QR_SIZE - caption_size * LINE_SPACING - 6
    text_width = WIDTH - 2 * MARGIN
    qr = None
    if facts.report_url is not None:
        symbol = qr_symbol(facts.report_url)
        module = QR_SIZE / (symbol.size + 2 * QUIET_ZONE)  # exact: the template writes it with 6 decimals
        qr = QrPlacement(WIDTH - MARGIN - QR_SIZE, footer_top, module, symbol)
        text_width -= QR_SIZE + 20
        flow.lines.append(
            TextLine(
                WIDTH - MARGIN - QR_SIZE / 2,
                _r(footer_top + QR_SIZE + caption_size * LINE_SPACING),
                caption_size,
                wording.footer["qr_caption"],
                palette.ink,
                anchor="middle",
            )
        )
    flow.y = footer_top + 20
    flow.text(facts.checked, MARGIN, text_width, 16, palette.ink, max_lines=2)
    flow.text(facts.tool, MARGIN, text_width, 16, palette.muted, max_lines=2)
    return footer_top, qr


def _description(facts: LabelFacts, wording: LabelWording) -> str:
    """Everything the label shows, as sentences, for a screen reader (the SVG's <desc>)."""
    parts = [f"{wording.title} for {clean(facts.product)}."]
    if facts.maker:
        parts.append(f"{clean(facts.maker)}.")
    for answer in facts.answers:
        parts.append(f"{answer.label}: {clean(answer.answer)}.")
        if answer.detail:
            parts.append(answer.detail)
    parts += [f"Overall: {facts.headline}.", facts.result_detail, f"{facts.checked} {clean(facts.tool)}."]
    if facts.report_url:
        parts.append(f"{wording.footer['qr_caption']}: {clean(facts.report_url)}")
    return " ".join(parts)
