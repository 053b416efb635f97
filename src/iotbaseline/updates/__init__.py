"""How a firmware image updates itself, and whether it checks what it installs (EN 303 645 5.3),
with hints of secure boot (5.7-1)."""

from iotbaseline.updates.boot_check import SecureBootHintsCheck
from iotbaseline.updates.check import UpdateMechanismCheck

__all__ = ["SecureBootHintsCheck", "UpdateMechanismCheck"]
