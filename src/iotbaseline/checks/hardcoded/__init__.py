"""Hard-coded credentials in code, configuration and binaries (issue 4, point 3).

Two checks: `HardcodedCredentialsCheck` reads scripts and configs with their comments removed;
`BinaryCredentialStringsCheck` looks for known default passwords next to login logic in ELF
binaries. What they match is data (`data/hardcoded/patterns.yaml`).
"""

from iotbaseline.checks.hardcoded.binary_check import BinaryCredentialStringsCheck
from iotbaseline.checks.hardcoded.scripts_check import HardcodedCredentialsCheck

__all__ = ["BinaryCredentialStringsCheck", "HardcodedCredentialsCheck"]
