"""HTML to blocks: the text a reader of the page sees, without scripts, styles, navigation and cookie banners.

Parsed with selectolax's lexbor engine: a C implementation of the WHATWG parsing algorithm, so a page is read
the way a browser builds it (lxml's libxml2 HTML parser is not an HTML5 parser; the standard library's
html.parser had quadratic cases fixed only in Python releases newer than ours). The HTML5 tree builder itself has
costs that grow faster than the input: every element nested in the one before, and formatting elements left open,
which it re-opens in every later block (a few kilobytes of `<b id=N>` build hundreds of millions of nodes). A
linear pre-scan of the tags measures both first and refuses such markup, as no real page needs it. Scripts and
styles are cut out before parsing, the tree is walked with an explicit stack, and input and walk are bounded.
"""

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from iotbaseline.documents.blocks import Block, BlockText, clean, row_text

MAX_HTML_CHARS = 2_000_000
"""Of markup, after scripts and styles are cut out."""
MAX_NODES = 200_000
MAX_TABLE_ROWS = 2_000
MAX_DEPTH = 1_000
"""Elements open at once (not counting those whose end tag may be left out): real pages stay under a hundred."""
MAX_REOPENED = 200_000
"""Formatting elements left open times the blocks after them: the nodes the tree builder would re-create."""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_SKIPPED = _words(
    "script style noscript template svg math iframe object embed canvas nav head select option button "
    "input textarea datalist audio video map"
)
_HEADINGS = _words("h1 h2 h3 h4 h5 h6")
_BLOCKS = _HEADINGS | _words(
    "p div section article main header footer aside li ul ol dl dt dd blockquote pre address figure "
    "figcaption caption details summary hr br form fieldset legend label body html center"
)
_CONTAINERS = frozenset(("html", "body", "main"))
_RAW_TEXT_START = re.compile(r"<(script|style)(?=[\s/>])", re.IGNORECASE)
_RAW_TEXT_END = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in ("script", "style")}
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]{0,40})([^<>]{0,300})")
_FORMATTING = _words("a b big code em font i nobr s small strike strong tt u")
_NO_DEPTH = _words(
    "area base br col embed hr img input link meta param source track wbr p li dt dd tr td th thead tbody "
    "tfoot option optgroup colgroup caption rb rt rp html head body"
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


@dataclass(frozen=True)
class HtmlPage:
    problem: str
    """Why the page was not parsed (markup built to exhaust a parser); empty when it was."""
    language: str
    """The primary language tag the page declares (`<html lang="en-GB">`: en), empty when none."""
    title: str
    blocks: tuple[Block, ...]
    password_field: bool
    """The page holds a password input: a login form."""
    controls_text: str
    """Text of buttons and form controls, left out of the blocks but telling for a login page."""
    noscript_text: str
    scripts: int
    truncated: bool


def read_html(text: str, furniture: re.Pattern[str]) -> HtmlPage:
    markup, scripts = _without_raw_text(text)
    truncated = len(markup) > MAX_HTML_CHARS
    markup = markup[:MAX_HTML_CHARS]
    problem = _markup_problem(markup)
    if problem:
        return HtmlPage(problem, "", "", (), False, "", "", scripts, truncated)
    tree = LexborHTMLParser(markup)
    title_node = tree.css_first("title")
    walker = _Walker(furniture)
    walker.walk(_content_root(tree))
    html = tree.css_first("html")
    return HtmlPage(
        problem="",
        language=(html.attributes.get("lang") or "").split("-")[0].strip().lower() if html is not None else "",
        title=clean(title_node.text()) if title_node is not None else "",
        blocks=tuple(walker.blocks),
        password_field=bool(tree.css('input[type="password" i]')),
        controls_text=clean(" ".join(_control_text(node) for node in tree.css("button, input, [role=button]"))),
        noscript_text=clean(" ".join(node.text(separator=" ") for node in tree.css("noscript"))),
        scripts=scripts,
        truncated=truncated or walker.truncated,
    )


def _without_raw_text(text: str) -> tuple[str, int]:
    """The markup without the contents of its scripts and styles, and how many scripts it had. Each character is
    looked at once or twice: an unclosed `<script` runs to the end of the page, as in a browser."""
    pieces: list[str] = []
    scripts = 0
    position = 0
    while True:
        start = _RAW_TEXT_START.search(text, position)
        if start is None:
            pieces.append(text[position:])
            break
        name = start.group(1).lower()
        scripts += name == "script"
        pieces.append(text[position : start.start()])
        end = _RAW_TEXT_END[name].search(text, start.end())
        if end is None:
            break
        position = end.end()
    return "".join(pieces), scripts


def _markup_problem(markup: str) -> str:
    """Why the tree builder must not see this markup: nesting or re-opened formatting beyond any real page."""
    depth = peak_depth = reopened = 0
    formatting = _OpenFormatting()
    for match in _TAG.finditer(markup):
        name = match.group(2).lower()
        closing = match.group(1) == "/"
        if name in _FORMATTING:
            formatting.close(name) if closing else formatting.open(name, match.group(3))
        elif not closing:
            reopened += formatting.active
        if name not in _NO_DEPTH:
            depth = max(0, depth - 1) if closing else depth + 1
            peak_depth = max(peak_depth, depth)
        if peak_depth > MAX_DEPTH:
            return f"the page's markup nests more than {MAX_DEPTH} elements deep: not parsed"
        if reopened > MAX_REOPENED:
            return "the page leaves so many formatting elements open that parsing it would build millions of nodes"
    return ""


class _OpenFormatting:
    """The HTML5 list of active formatting elements, estimated from the tags alone: at most three identical ones
    (the "Noah's Ark" rule), one `<a>` and one `<nobr>` (a new one closes the last)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.stacks: dict[str, list[str]] = {}
        self.active = 0

    def open(self, name: str, attributes: str) -> None:
        key = name if name in ("a", "nobr") else f"{name} {' '.join(attributes.split())}"
        limit = 1 if name in ("a", "nobr") else 3
        count = self.counts.get(key, 0)
        if count < limit:
            self.active += 1
        self.counts[key] = count + 1
        self.stacks.setdefault(name, []).append(key)

    def close(self, name: str) -> None:
        stack = self.stacks.get(name)
        if not stack:
            return
        key = stack.pop()
        count = self.counts[key] - 1
        self.counts[key] = count
        if count < (1 if name in ("a", "nobr") else 3):
            self.active -= 1


def _content_root(tree: LexborHTMLParser) -> LexborNode | None:
    """The page's main element when it has one with text (the author's own mark of what is not furniture)."""
    for node in tree.css("main, [role=main]"):
        if node.text(strip=True):
            return node
    return tree.body or tree.root


def _control_text(node: LexborNode) -> str:
    if node.tag == "input":
        return (node.attributes.get("value") or "") + " " + (node.attributes.get("placeholder") or "")
    return node.text(separator=" ")


class _Walker:
    def __init__(self, furniture: re.Pattern[str]) -> None:
        self.furniture = furniture
        self.blocks: list[Block] = []
        self.section = ""
        self.truncated = False
        self._buffer = BlockText()

    def walk(self, root: LexborNode | None) -> None:
        stack: list[tuple[LexborNode, bool]] = [(root, False)] if root is not None else []
        visited = 0
        while stack:
            node, leaving = stack.pop()
            if leaving:
                self._leave(node)
                continue
            visited += 1
            if visited > MAX_NODES:
                self.truncated = True
                break
            if not self._enter(node):
                continue
            stack.append((node, True))
            children = []
            child = node.child
            while child is not None:
                children.append(child)
                child = child.next
            stack.extend((c, False) for c in reversed(children))
        self._flush(heading=False)

    def _enter(self, node: LexborNode) -> bool:
        """Handles the node; False when its children are not to be walked."""
        if node.is_text_node:
            self._buffer.add(node.text_content or "")
            return False
        tag = node.tag or ""
        if not node.is_element_node or tag in _SKIPPED or self._hidden(node, tag):
            return False
        if tag == "table":
            self._flush(heading=False)
            self._table(node)
            return False
        if tag in _BLOCKS:
            self._flush(heading=False)
        if tag == "a":
            target = (node.attributes.get("href") or "").strip()
            if target:
                self._buffer.link(target)
        return True

    def _leave(self, node: LexborNode) -> None:
        tag = node.tag or ""
        if tag in _HEADINGS:
            self._flush(heading=True)
        elif tag in _BLOCKS:
            self._flush(heading=False)

    def _hidden(self, node: LexborNode, tag: str) -> bool:
        attributes = node.attributes
        if "hidden" in attributes or (attributes.get("aria-hidden") or "").lower() == "true":
            return True
        if _HIDDEN_STYLE.search(attributes.get("style") or ""):
            return True
        if tag in _CONTAINERS:  # a class on <body> ("cookie-consent-shown") says nothing about the page
            return False
        names = f"{attributes.get('id') or ''} {attributes.get('class') or ''}"
        return bool(names.strip()) and bool(self.furniture.search(names))

    def _flush(self, heading: bool) -> None:
        text, links = self._buffer.take()
        if not text:
            return
        if heading:
            self.section = text
        self.blocks.append(Block(text, section="" if heading else self.section, heading=heading, links=links))

    def _table(self, table: LexborNode) -> None:
        """Each row one block, its cells named by the header row when there is one (`row_text`)."""
        headers: list[str] = []
        for count, row in enumerate(_own_rows(table)):
            if count >= MAX_TABLE_ROWS:
                self.truncated = True
                break
            cells = [c for c in row.iter() if c.tag in ("td", "th")]
            texts = [clean(c.text(separator=" ")) for c in cells]
            if not any(texts):
                continue
            if not headers and all(c.tag == "th" for c in cells):
                headers = texts
                continue
            links = tuple((0, (a.attributes.get("href") or "").strip()) for a in row.css("a[href]"))
            self.blocks.append(
                Block(
                    row_text(headers, texts),
                    section=self.section,
                    links=tuple(link for link in links if link[1]),
                    cells=tuple(texts),
                )
            )


def _own_rows(table: LexborNode) -> list[LexborNode]:
    """The table's rows, not those of tables nested in its cells."""
    rows = []
    for row in table.css("tr"):
        parent = row.parent
        while parent is not None and parent.tag != "table":
            parent = parent.parent
        if parent is not None and parent.mem_id == table.mem_id:
            rows.append(row)
    return rows
