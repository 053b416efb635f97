"""The draft statement in Markdown and in print-ready HTML: two layouts of one `DraftStatement`.

Every value passes through the format's escaping in the template environment (`finalize`), so a manufacturer's
name cannot become markup in either file. The HTML has no script or external asset and a Content Security Policy,
like the HTML report.
"""

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import markupsafe

from iotbaseline.output_files import write_rendered
from iotbaseline.report.markdown_report import md
from iotbaseline.report.text import visible
from iotbaseline.statement.content import DraftStatement, RunKind

if TYPE_CHECKING:
    import jinja2

MARKDOWN_FILE = "statement.md"
HTML_FILE = "statement.html"
BLANK = "_" * 24
"""What a blank to fill looks like in the text of both renderings (a check reads it as a blank)."""


def render_markdown(draft: DraftStatement) -> str:
    return _environment(markdown=True).get_template("statement.md.j2").render(**_context(draft))


def render_html(draft: DraftStatement) -> str:
    return _environment(markdown=False).get_template("statement.html.j2").render(**_context(draft))


def write_draft(draft: DraftStatement, out_dir: Path) -> list[Path]:
    rendered = [(MARKDOWN_FILE, render_markdown(draft)), (HTML_FILE, render_html(draft))]
    return write_rendered(out_dir, rendered, "the draft statement")


def _context(draft: DraftStatement) -> dict[str, Any]:
    return {"draft": draft, "RunKind": RunKind, "blank": BLANK}


@cache
def _environment(*, markdown: bool) -> "jinja2.Environment":
    import jinja2  # here: only these commands need it, and the CLI's start-up counts

    return jinja2.Environment(
        loader=jinja2.PackageLoader("iotbaseline", "data/statement"),
        autoescape=not markdown,  # noqa: S701 (Markdown: finalize escapes every value with md())
        undefined=jinja2.StrictUndefined,
        finalize=_markdown_value if markdown else _html_value,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _markdown_value(value: Any) -> Any:
    """Markup here is a macro's output (`|safe`), already escaped inside it."""
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return md(value)
    return value


def _html_value(value: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return visible(value)
    return value
