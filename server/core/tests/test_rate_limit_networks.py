"""Per-IP limits count an IPv6 client by its network (a /64 unless RATE_LIMIT_IPV6_PREFIX
says otherwise): one subscriber's many addresses share one counter."""

from __future__ import annotations

import ipaddress

import pytest
from django.test import Client, override_settings

from api.testing import GraphQLClient
from core import ratelimit
from core.net import rate_limit_network
from tokens.tests.helpers import data, login

pytestmark = pytest.mark.django_db

START_LOGIN = "mutation { startPasskeyLogin { options errors { code message } } }"


def addresses(network: str, count: int) -> list[str]:
    """`count` different addresses spread over `network`."""
    net = ipaddress.ip_network(network)
    step = max(1, net.num_addresses // (count + 1))
    return [str(net[(i + 1) * step]) for i in range(count)]


@pytest.mark.parametrize(
    ("ip", "prefix", "identity"),
    [
        ("203.0.113.7", 64, "203.0.113.7"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 64, "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::1", 64, "2001:db8:1:2::/64"),
        ("2001:db8:1:2ff::1", 56, "2001:db8:1:200::/56"),
        ("2001:db8:1:ffff::1", 48, "2001:db8:1::/48"),
        ("2001:db8::1", 128, "2001:db8::1/128"),
        ("::ffff:203.0.113.7", 64, "203.0.113.7"),
        ("unknown", 64, "unknown"),
    ],
)
def test_the_identity_of_a_client_ip(ip, prefix, identity):
    with override_settings(RATE_LIMIT_IPV6_PREFIX=prefix):
        assert rate_limit_network(ip) == identity


def _start_login_from(ip: str) -> list[dict[str, str]]:
    client = GraphQLClient(Client(REMOTE_ADDR=ip))
    return data(client(START_LOGIN))["startPasskeyLogin"]["errors"]


def test_300_addresses_of_one_slash_64_get_what_one_ipv4_address_gets():
    # startPasskeyLogin: 30 per minute per IP (each start stores a challenge in Redis).
    answers = [_start_login_from(ip) for ip in addresses("2001:db8:aa:bb::/64", 300)]
    assert answers[:30] == [[]] * 30
    assert {error["code"] for errors in answers[30:] for error in errors} == {"RATE_LIMITED"}
    assert all(answers[30:])
    # Another /64 is another client.
    assert _start_login_from("2001:db8:aa:bc::1") == []


def test_a_wider_prefix_groups_a_whole_site():
    with override_settings(RATE_LIMITS={"passkey:start": "2/1m"}, RATE_LIMIT_IPV6_PREFIX=48):
        first, second, third = addresses("2001:db8:aa::/48", 3)
        assert _start_login_from(first) == [] and _start_login_from(second) == []
        assert [e["code"] for e in _start_login_from(third)] == ["RATE_LIMITED"]
        assert _start_login_from("2001:db8:ab::1") == []


def test_an_ipv4_mapped_address_shares_its_ipv4_counter():
    with override_settings(RATE_LIMITS={"passkey:start": "1/1m"}):
        assert _start_login_from("192.0.2.10") == []
        assert [e["code"] for e in _start_login_from("::ffff:192.0.2.10")] == ["RATE_LIMITED"]


@override_settings(RATE_LIMITS={"login:ip": "3/15m"}, TRUSTED_PROXY_COUNT=1)
def test_sign_in_attempts_from_one_slash_64_share_the_per_ip_limit(gql):
    ips = addresses("2001:db8:cc:dd::/64", 4)
    answers = [
        data(login(gql, f"user{i}@example.com", "wrong", headers={"X-Forwarded-For": ip}))
        for i, ip in enumerate(ips)
    ]
    codes = [answer["login"]["errors"][0]["code"] for answer in answers]
    assert codes == ["INVALID_CREDENTIALS"] * 3 + ["RATE_LIMITED"]


def test_reset_forgets_the_network_counter():
    with override_settings(RATE_LIMITS={"register_ip": "1/1h"}):
        assert ratelimit.allowed("register_ip", "2001:db8:ee::1")
        assert not ratelimit.allowed("register_ip", "2001:db8:ee::2")
        ratelimit.reset("register_ip", "2001:db8:ee::3")
        assert ratelimit.allowed("register_ip", "2001:db8:ee::4")
