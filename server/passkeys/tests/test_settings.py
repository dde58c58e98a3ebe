"""The relying party's settings: derived from FRONTEND_URL, overridable, checked at start."""

from __future__ import annotations

import json

from core.tests.test_settings import manage, production_env

PRINT = (
    "import json; from django.conf import settings as s; print(json.dumps([s.WEBAUTHN_RP_ID, "
    "s.WEBAUTHN_RP_NAME, s.WEBAUTHN_ORIGINS, s.PASSKEY_CHALLENGE_LIFETIME.total_seconds()]))"
)


def relying_party(**overrides: str) -> list:
    result = manage("shell", "-c", PRINT, env=production_env(**overrides))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_defaults_come_from_the_web_clients_address():
    assert relying_party() == ["app.example.com", "Gatehouse", ["https://app.example.com"], 300]


def test_a_parent_domain_and_several_origins():
    assert relying_party(
        WEBAUTHN_RP_ID="example.com",
        WEBAUTHN_RP_NAME="Example",
        WEBAUTHN_ORIGINS="https://app.example.com, https://example.com/",
        PASSKEY_CHALLENGE_LIFETIME="2m",
    ) == ["example.com", "Example", ["https://app.example.com", "https://example.com"], 120]


def test_an_origin_outside_the_rp_id_stops_the_start():
    result = manage(
        "check",
        env=production_env(WEBAUTHN_RP_ID="example.com", WEBAUTHN_ORIGINS="https://evil.test"),
    )
    assert result.returncode != 0
    assert (
        "WEBAUTHN_ORIGINS: https://evil.test is not on WEBAUTHN_RP_ID example.com" in result.stderr
    )
