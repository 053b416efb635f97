"""Communication security read from a firmware image (EN 303 645 5.5-1, 5.5-7): TLS versions and
ciphers servers allow, listeners without TLS, clients that do not check certificates."""

from iotbaseline.comms.check import CommunicationSecurityCheck

__all__ = ["CommunicationSecurityCheck"]
