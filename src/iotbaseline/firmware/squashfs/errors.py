"""Domain exceptions raised while reading a SquashFS image."""


class SquashfsError(Exception):
    """The image, or a part of it, cannot be read as SquashFS; the message says which part and why."""


class CorruptImage(SquashfsError):
    """A structure in the image is inconsistent: out of bounds, too large, or does not decode."""


class UnsupportedImage(SquashfsError):
    """The image is SquashFS, but a version or variant this reader does not handle."""
