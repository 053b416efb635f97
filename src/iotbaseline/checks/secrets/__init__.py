"""Secrets baked into firmware: private keys, certificates, tokens, and secrets shared between images.

keys          private keys in PEM (anywhere in a file), DER, PKCS#12 and OpenSSH form
dropbear      dropbear's binary host-key format
certificates  X.509 certificates and what is wrong with them
token_rules   the table of token patterns (cloud, API, Wi-Fi, generic assignments)
tokens        finding those tokens in text and binaries, masking them for reports
placement     where a file lies (documentation and test folders, trust stores)
shared        the cross-image index: the same secret in two images is on every unit
key_check, certificate_check, token_check   the checks
"""

from iotbaseline.checks.secrets.certificate_check import CertificateCheck
from iotbaseline.checks.secrets.key_check import PrivateKeyCheck
from iotbaseline.checks.secrets.token_check import TokenCheck

__all__ = ["CertificateCheck", "PrivateKeyCheck", "TokenCheck"]
