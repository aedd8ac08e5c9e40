"""Alert rules in supportops.yaml: typed, unknown keys and wrong values refused with their line."""

from __future__ import annotations

import io

import pytest
from ruamel.yaml import YAML

from supportops.alerts import CsatDrop, SlaAtRisk, VolumeSpike
from supportops.config import parse_config
from supportops.errors import ConfigError

SLA = "sla_policies:\n  - {name: std, targets: {first_reply: 4h}}\n"


def _parse(text: str) -> object:
    return parse_config(YAML(typ="rt").load(io.StringIO(SLA + text)))


def test_each_kind_reads_with_its_defaults_and_durations() -> None:
    config = _parse(
        "alerts:\n"
        "  - {name: a, kind: sla_at_risk, within: 30m, targets: first_reply,\n"
        "     deliver: {slack_webhook: 'https://hooks.example.com/x'}}\n"
        "  - {name: b, kind: volume_spike, deliver: {email: {to: ops@x.io, from: so@x.io}}}\n"
        "  - {name: c, kind: csat_drop, window: 3d, drop_points: 5,\n"
        "     deliver: {slack_webhook: 'http://127.0.0.1:9/hook'}}\n"
    )
    sla, spike, csat = config.alerts  # type: ignore[attr-defined]
    assert isinstance(sla, SlaAtRisk) and (sla.within, sla.targets) == (1800, ["first_reply"])
    assert isinstance(spike, VolumeSpike) and (spike.weeks, spike.ratio) == (4, 2.0)
    assert spike.deliver.email is not None and spike.deliver.email.sender == "so@x.io"
    assert spike.deliver.email.to == ["ops@x.io"] and spike.deliver.email.smtp_port == 25
    assert isinstance(csat, CsatDrop) and (csat.window, csat.below) == (3 * 86400, None)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("{name: a, kind: sla_at_risk, wihtin: 1h, deliver: {slack_webhook: 'http://x'}}",
         "line 4: alerts.0.wihtin: unknown key"),
        ("{name: a, kind: volume_spike, ratio: 0, deliver: {slack_webhook: 'http://x'}}",
         "line 4: alerts.0.ratio: Input should be greater than 0"),
        ("{name: a, kind: csat_drop, deliver: {slack_webhook: 'http://x'}}",
         "give below (a fraction, e.g. 0.8) or drop_points"),
        ("{name: a, kind: backlog_growth, deliver: {slack_webhook: 'ftp://x'}}",
         "not an http(s) URL"),
        ("{name: a, kind: backlog_growth, deliver: {}}",
         "exactly one of slack_webhook, email or file"),
        ("{name: a, kind: sla_at_risk, targets: [first_replyy], deliver: {slack_webhook: 'http://x'}}",
         "unknown SLA target 'first_replyy'"),
        ("{name: a, kind: sla_at_risk, policies: [vip], deliver: {slack_webhook: 'http://x'}}",
         "unknown SLA policy 'vip'"),
        ("{name: a, kind: page_the_ceo, deliver: {slack_webhook: 'http://x'}}", "alerts.0"),
        ("{name: a, kind: volume_spike, filters: {chanel: x}, deliver: {slack_webhook: 'http://x'}}",
         "line 4: alerts.0.filters.chanel: unknown field (did you mean 'channel'?)"),
    ],
)  # fmt: skip
def test_a_wrong_rule_is_a_config_error_naming_it(rule: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _parse(f"alerts:\n  - {rule}\n")
    assert message in str(caught.value)


def test_two_rules_cannot_share_a_name() -> None:
    rule = "{name: same, kind: volume_spike, deliver: {slack_webhook: 'http://x'}}"
    with pytest.raises(ConfigError, match="two rules are named 'same'"):
        _parse(f"alerts:\n  - {rule}\n  - {rule}\n")
