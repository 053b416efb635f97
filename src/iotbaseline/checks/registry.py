"""The checks a scan runs: one explicit tuple, in the order their findings are reported.

Empty until the first checks land (credentials, components, attack surface: the next issues);
a scan meanwhile judges every provision INCONCLUSIVE with the evidence still missing.
"""

from iotbaseline.checks.base import Check

ALL_CHECKS: tuple[type[Check], ...] = ()
