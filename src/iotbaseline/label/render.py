"""The label as SVG (from a template, values escaped) and as PNG (that SVG rasterised by CairoSVG).

One layout, two files: the PNG is drawn from the very SVG written beside it, so they cannot disagree, and the
layout is not written twice (once for SVG, once for a raster library). CairoSVG needs Debian's libcairo2 and
renders with the first family of the font stack, DejaVu Sans (fonts-dejavu-core), whose widths the layout uses.
"""

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import markupsafe

from iotbaseline.errors import IotBaselineError
from iotbaseline.label.layout import LabelLayout
from iotbaseline.label.qr import QUIET_ZONE
from iotbaseline.output_files import write_rendered
from iotbaseline.report.text import visible

if TYPE_CHECKING:
    import jinja2

SVG_FILE = "label.svg"
PNG_FILE = "label.png"
PNG_SCALE = 2
"""1200 x 1920 pixels: about 290 dpi on an A6 print."""


class LabelRenderError(IotBaselineError):
    """The PNG could not be drawn (CairoSVG or libcairo2 missing or failing)."""


def render_svg(layout: LabelLayout) -> str:
    return _environment().get_template("label.svg.j2").render(layout=layout, quiet_zone=QUIET_ZONE)


def render_png(svg: str, layout: LabelLayout) -> bytes:
    try:
        import cairosvg  # type: ignore[import-untyped]  # here: importing it loads libcairo; only the label needs it

        png: bytes = cairosvg.svg2png(
            bytestring=svg.encode("utf-8"),
            output_width=layout.width * PNG_SCALE,
            output_height=layout.height * PNG_SCALE,
            unsafe=False,  # no external files or entities, whatever the SVG says
        )
    except (ImportError, OSError) as error:
        raise LabelRenderError(f"cannot draw the PNG: {error} (install cairosvg and Debian's libcairo2)") from error
    return png


def write_label(layout: LabelLayout, out_dir: Path) -> list[Path]:
    svg = render_svg(layout)
    return write_rendered(out_dir, [(SVG_FILE, svg), (PNG_FILE, render_png(svg, layout))], "the label")


@cache
def _environment() -> "jinja2.Environment":
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("iotbaseline", "data/label"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_visible_value,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _visible_value(value: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return visible(value)
    return value
