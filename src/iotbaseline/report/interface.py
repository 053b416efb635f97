"""The one interface every report format implements."""

from abc import ABC, abstractmethod
from typing import ClassVar

from iotbaseline.catalogue import Catalogue
from iotbaseline.model import Assessment


class ReportFormat(ABC):
    """One output format of an Assessment.

    A subclass declares what it is in class attributes and implements `render`: a pure function of the assessment
    (and of the catalogue, for standard, clause and provision titles) that returns the whole document as text. It
    opens no file and no socket; `iotbaseline.report.write_reports` is the one place that writes reports.
    """

    name: ClassVar[str]
    """What `--format` calls it, e.g. html."""
    file_name: ClassVar[str]
    """The file it is written to in the output folder, e.g. report.html."""
    media_type: ClassVar[str]
    description: ClassVar[str]
    """One line for `--help`."""

    @abstractmethod
    def render(self, assessment: Assessment, catalogue: Catalogue) -> str:
        """The document, as text."""
