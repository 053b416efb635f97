"""Fitting text into the label's columns: SVG does not wrap, so lines are broken here, with the widest font of
the stack's measured widths, and what does not fit in the lines allowed ends with an ellipsis.

Text from a report is hostile (a 10,000-character model name, no spaces, control characters): it is made
visible and bounded before it is measured, and a word wider than the column is broken between characters.
"""

from iotbaseline.label.wording import GlyphWidths
from iotbaseline.report.text import one_line

ELLIPSIS = "…"
MAX_INPUT_CHARS = 2000
"""No label line holds more than a few dozen characters; longer text is cut before measuring."""


def clean(text: str) -> str:
    """One line, every unshowable character as a visible escape, runs of spaces as one."""
    return " ".join(one_line(text[:MAX_INPUT_CHARS]).split())


def text_width(text: str, size: float, widths: GlyphWidths) -> float:
    return sum(widths.em(character) for character in text) * size


def fit_lines(text: str, size: float, max_width: float, max_lines: int, widths: GlyphWidths) -> tuple[str, ...]:
    """`text` broken into at most `max_lines` lines no wider than `max_width`; the last one ends with an ellipsis
    when text was left out."""
    words = clean(text).split(" ")
    lines: list[str] = []
    current = ""
    for word in (w for w in words if w):
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size, widths) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
            current = ""
        while text_width(word, size, widths) > max_width:  # a word wider than the column: break it
            head = _longest_prefix(word, size, max_width, widths)
            lines.append(head)
            word = word[len(head) :]
        current = word
        if len(lines) > max_lines:
            break
    if current:
        lines.append(current)
    if len(lines) <= max_lines:
        return tuple(lines)
    kept = lines[:max_lines]
    kept[-1] = _with_ellipsis(kept[-1], size, max_width, widths)
    return tuple(kept)


def _longest_prefix(word: str, size: float, max_width: float, widths: GlyphWidths) -> str:
    total = 0.0
    for index, character in enumerate(word):
        total += widths.em(character) * size
        if total > max_width:
            return word[: max(index, 1)]
    return word


def _with_ellipsis(line: str, size: float, max_width: float, widths: GlyphWidths) -> str:
    while line and text_width(line + ELLIPSIS, size, widths) > max_width:
        line = line[:-1]
    return line.rstrip() + ELLIPSIS
