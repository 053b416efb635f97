"""Software components of a firmware image: identification (package databases, then version
signatures in binaries) and the Component model the SBOM and vulnerability matching share."""

from iotbaseline.components.identify import ComponentCollector, DebugToolSighting, identify_components
from iotbaseline.components.model import Component, Evidence, Method

__all__ = ["Component", "ComponentCollector", "DebugToolSighting", "Evidence", "Method", "identify_components"]
