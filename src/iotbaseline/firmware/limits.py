"""The bounds that keep a hostile image from hurting the host: disk, files, depth, time."""

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class ExtractionLimits:
    """Bounds for one extraction.

    The output budget scales with the input because real images legitimately expand (a squashfs
    inflates three to five times; nested update packages add more), while a bomb expands by
    orders of magnitude.
    """

    max_output_bytes: int | None = None
    """Total bytes the output folder may hold; None derives it from the input size."""
    output_ratio: int = 20
    min_output_bytes: int = 512 * MIB
    max_files: int = 200_000
    max_depth: int = 12
    """Nesting depth of containers unpacked (image -> TRX -> squashfs -> tar.gz is depth 4)."""
    command_timeout: float = 300.0
    """Seconds one external extractor (7z, unsquashfs, debugfs, ...) may run."""
    total_timeout: float = 1800.0
    """Seconds the whole extraction may run."""

    def output_budget(self, input_size: int) -> int:
        if self.max_output_bytes is not None:
            return self.max_output_bytes
        return max(self.min_output_bytes, self.output_ratio * input_size)

    def single_file_cap(self, input_size: int) -> int:
        """Largest single file an extractor may write: half the budget, so that one bomb cannot
        starve the rest of the image of its budget."""
        return max(1, self.output_budget(input_size) // 2)
