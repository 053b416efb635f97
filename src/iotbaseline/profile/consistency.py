"""Declarations of one profile that contradict each other: the verdict engine would otherwise reason from
a product that cannot exist (no update mechanism, but updates over the network)."""

from iotbaseline.profile.features import IMPLICATIONS
from iotbaseline.profile.model import NETWORK_UPDATE_METHODS, ProductProfile, UpdateMethod
from iotbaseline.profile.nodes import NodeReader


def check_consistency(reader: NodeReader, profile: ProductProfile) -> None:
    _feature_implications(reader, profile)
    _update_delivery(reader, profile)
    _support_period(reader, profile)


def _feature_implications(reader: NodeReader, profile: ProductProfile) -> None:
    for rule in IMPLICATIONS:
        if profile.feature(rule.if_yes) is True and profile.feature(rule.then_yes) is False:
            reader.problem(
                _line(profile, f"features.{rule.then_yes}"),
                f"features.{rule.then_yes} is no, but features.{rule.if_yes} is yes "
                f"(line {_line(profile, f'features.{rule.if_yes}')}): {rule.reason}; correct one of the answers",
            )


def _update_delivery(reader: NodeReader, profile: ProductProfile) -> None:
    methods = set(profile.update_delivery.methods)
    line = _line(profile, "update_delivery.methods")
    if UpdateMethod.NONE in methods and len(methods) > 1:
        reader.problem(
            line, "update_delivery.methods: 'none' cannot be listed with other methods; keep one or the other"
        )
    mechanism = profile.feature("update_mechanism")
    if methods == {UpdateMethod.NONE} and mechanism is True:
        reader.problem(
            line,
            "update_delivery.methods is [none], but features.update_mechanism is yes "
            f"(line {_line(profile, 'features.update_mechanism')}); list how updates reach the device",
        )
    if methods - {UpdateMethod.NONE} and mechanism is False:
        reader.problem(
            line,
            "update_delivery.methods lists ways to deliver updates, but features.update_mechanism is no "
            f"(line {_line(profile, 'features.update_mechanism')}); correct one of them",
        )
    over_network = sorted(methods & NETWORK_UPDATE_METHODS)
    if over_network and profile.feature("network_updates") is False:
        reader.problem(
            line,
            f"update_delivery.methods lists {', '.join(over_network)}, which deliver updates over a network, but "
            f"features.network_updates is no (line {_line(profile, 'features.network_updates')}); correct one of them",
        )


def _support_period(reader: NodeReader, profile: ProductProfile) -> None:
    period = profile.support_period
    if period.start_date is not None and period.end_date is not None and period.end_date < period.start_date:
        reader.problem(
            _line(profile, "support_period.end_date"),
            f"support_period.end_date {period.end_date} is before start_date {period.start_date}; swap or correct them",
        )


def _line(profile: ProductProfile, path: str) -> int:
    return profile.line_of(path) or 0
