"""The standards catalogue: every provision of every standard iotbaseline judges against, read from data files.

`default_catalogue()` gives the packaged catalogue (validated once per process); `load_catalogue(paths)` reads
any set of catalogue files, e.g. to test a new one.
"""

from iotbaseline.catalogue.entries import CatalogueError, ComplianceRoute, ScheduleItem, Standard
from iotbaseline.catalogue.loader import default_catalogue, load_catalogue, packaged_sources
from iotbaseline.catalogue.queries import Catalogue

__all__ = [
    "Catalogue",
    "CatalogueError",
    "ComplianceRoute",
    "ScheduleItem",
    "Standard",
    "default_catalogue",
    "load_catalogue",
    "packaged_sources",
]
