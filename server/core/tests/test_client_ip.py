"""Client IP from X-Forwarded-For: only IP addresses count, else the peer address."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from core.net import client_ip
from tokens.models import Session
from tokens.tests.helpers import data, login

pytestmark = pytest.mark.django_db


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_correct_login_with_a_forged_non_ip_hop_signs_in_with_the_peer_address(
    gql, user, password
):
    result = login(gql, "ada@example.com", password, headers={"X-Forwarded-For": "not-an-ip"})

    payload = data(result)["login"]
    assert payload["errors"] == []
    assert payload["accessToken"]
    assert Session.objects.get(user=user).ip_address == "127.0.0.1"


@pytest.mark.parametrize(
    ("forwarded", "proxies", "expected"),
    [
        ("203.0.113.7", 1, "203.0.113.7"),
        ("198.51.100.1, 203.0.113.7", 1, "203.0.113.7"),
        ("198.51.100.1, 203.0.113.7", 2, "198.51.100.1"),
        (" 2001:DB8::1 ", 1, "2001:db8::1"),
        # What a dual-stack socket reports for an IPv4 peer is that IPv4 address.
        ("::ffff:203.0.113.7", 1, "203.0.113.7"),
        ("not-an-ip", 1, "10.0.0.9"),
        ("203.0.113.7, <script>", 1, "10.0.0.9"),
        ("203.0.113.7", 2, "10.0.0.9"),
        ("203.0.113.7\x00", 1, "10.0.0.9"),
        ("203.0.113.7", 0, "10.0.0.9"),
    ],
)
def test_forwarded_hops_must_be_ip_addresses(forwarded, proxies, expected):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_ip(request) == expected


def test_a_non_ip_peer_address_gives_no_address():
    request = RequestFactory().get("/", REMOTE_ADDR="unix-socket")
    assert client_ip(request) is None
