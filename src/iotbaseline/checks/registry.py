"""The checks a scan runs: one explicit tuple, in the order their findings are reported and their hooks run
(a check that reads another's facts comes after it: vulnerabilities after the component inventory)."""

from iotbaseline.checks.accounts import DefaultPasswordCheck, PasswordHashSchemeCheck
from iotbaseline.checks.base import Check
from iotbaseline.checks.hardcoded import BinaryCredentialStringsCheck, HardcodedCredentialsCheck
from iotbaseline.checks.secrets import CertificateCheck, PrivateKeyCheck, TokenCheck
from iotbaseline.comms import CommunicationSecurityCheck
from iotbaseline.components.check import ComponentInventoryCheck
from iotbaseline.components.vulnerability_check import KnownVulnerabilityCheck
from iotbaseline.documents.policy_check import DisclosurePolicyCheck
from iotbaseline.documents.security_txt_check import SecurityTxtCheck
from iotbaseline.documents.support_period_check import SupportPeriodCheck
from iotbaseline.hardening.check import BinaryHardeningCheck
from iotbaseline.live.checks import LiveAccessCheck, LiveCredentialsCheck, LiveServicesCheck, LiveTlsCheck
from iotbaseline.reset import FactoryResetCheck
from iotbaseline.services import (
    BackdoorCheck,
    BootServicesCheck,
    DebugInterfacesCheck,
    NetworkServicesCheck,
    ServiceConfigCheck,
)
from iotbaseline.updates import SecureBootHintsCheck, UpdateMechanismCheck

ALL_CHECKS: tuple[type[Check], ...] = (
    DefaultPasswordCheck,
    PasswordHashSchemeCheck,
    HardcodedCredentialsCheck,
    BinaryCredentialStringsCheck,
    PrivateKeyCheck,
    CertificateCheck,
    TokenCheck,
    ComponentInventoryCheck,
    KnownVulnerabilityCheck,
    BinaryHardeningCheck,
    BootServicesCheck,
    NetworkServicesCheck,
    DebugInterfacesCheck,
    ServiceConfigCheck,
    BackdoorCheck,
    UpdateMechanismCheck,
    SecureBootHintsCheck,
    CommunicationSecurityCheck,
    FactoryResetCheck,
    DisclosurePolicyCheck,
    SecurityTxtCheck,
    SupportPeriodCheck,
    LiveServicesCheck,
    LiveCredentialsCheck,
    LiveAccessCheck,
    LiveTlsCheck,
)
