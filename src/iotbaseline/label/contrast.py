"""WCAG 2.x contrast between two sRGB colours, so the palette can be held to AA when it is loaded."""

TEXT_AA = 4.5
"""Normal-size text (WCAG 2.x 1.4.3)."""
GRAPHICS_AA = 3.0
"""Icons and other graphics that carry meaning (WCAG 2.x 1.4.11)."""


def relative_luminance(colour: str | tuple[int, int, int]) -> float:
    red, green, blue = _rgb(colour)
    return 0.2126 * _linear(red) + 0.7152 * _linear(green) + 0.0722 * _linear(blue)


def contrast_ratio(first: str | tuple[int, int, int], second: str | tuple[int, int, int]) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _rgb(colour: str | tuple[int, int, int]) -> tuple[int, int, int]:
    if isinstance(colour, tuple):
        return colour
    value = colour.removeprefix("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _linear(channel: int) -> float:
    value = channel / 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
