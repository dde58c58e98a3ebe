"""Sign-in with Google turned off (GOOGLE_SIGN_IN_ENABLED false, GOOGLE_CLIENT_IDS empty):
every Google mutation says so at once, counts nothing and never calls Google."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from django.test import override_settings

from accounts.models import User
from social.tests.conftest import REDIRECT_URI
from social.tests.helpers import follow_authorization
from social.tests.test_google_login import LOGIN, NONCE, START, start
from tokens.models import Session

ROOT = Path(__file__).resolve().parents[3]
OFF = override_settings(GOOGLE_SIGN_IN_ENABLED=False)
DISABLED = {
    "field": None,
    "code": "GOOGLE_SIGN_IN_DISABLED",
    "message": "Sign-in with Google is not available on this server.",
}


def _login(gql, google_input: dict) -> tuple[dict, float]:
    began = time.monotonic()
    result = gql(LOGIN, {"input": google_input, "transport": "BODY"})
    elapsed = time.monotonic() - began
    assert result.status == 200 and result.errors == [], result.body
    return result.data["googleLogin"], elapsed


def _assert_disabled(payload: dict) -> None:
    assert payload["errors"] == [DISABLED]
    assert payload["accessToken"] is None
    assert payload["refreshToken"] is None
    assert payload["user"] is None


def test_start_is_refused_and_not_counted(gql, provider):
    # 31 attempts: one more than google:start allows per minute and IP.
    with OFF:
        for _ in range(31):
            # An allowed URI, so that only the switch can explain the refusal.
            result = gql(START, {"redirectUri": REDIRECT_URI})
            assert result.status == 200 and result.errors == []
            payload = result.data["startGoogleLogin"]
            assert payload == {"authorizationUrl": None, "state": None, "errors": [DISABLED]}

    # Turned back on, the same client is not rate limited: nothing was counted.
    assert start(gql)["errors"] == []


def test_the_web_code_is_refused_without_calling_google_and_nothing_is_spent(
    gql, provider, settings, silent_port_url
):
    # given a code and state obtained while Google sign-in was on
    code, state = follow_authorization(start(gql)["authorizationUrl"])
    token_url = settings.GOOGLE_TOKEN_URL
    # A token endpoint that never answers: any call would take the whole timeout.
    settings.GOOGLE_TOKEN_URL = silent_port_url + "/token"
    settings.GOOGLE_CERTS_URL = silent_port_url + "/certs"
    settings.GOOGLE_HTTP_TIMEOUT = timedelta(seconds=5)

    # when it is turned off and the code comes back
    with OFF:
        payload, elapsed = _login(gql, {"code": code, "state": state})

    # then the answer is the specific error, at once, and Google was not asked
    _assert_disabled(payload)
    assert elapsed < 4  # a call would have waited the whole 5 s
    assert provider.token_requests == 0
    assert not User.objects.exists()

    # and the state was not spent: once on again, the same pair signs in
    settings.GOOGLE_TOKEN_URL = token_url
    settings.GOOGLE_CERTS_URL = provider.certs_url
    payload, _ = _login(gql, {"code": code, "state": state})
    assert payload["errors"] == []
    assert provider.token_requests == 1


def test_a_mobile_id_token_is_refused_without_fetching_googles_keys(
    gql, provider, settings, closed_port_url
):
    # A valid token: with the check missing it would sign in, or (keys unreachable) answer
    # GOOGLE_UNAVAILABLE.
    token = provider.id_token(nonce=NONCE)
    settings.GOOGLE_CERTS_URL = closed_port_url + "/certs"

    with OFF:
        payload, elapsed = _login(gql, {"idToken": token, "nonce": NONCE})

    _assert_disabled(payload)
    assert elapsed < 4
    assert not User.objects.exists()
    assert not Session.objects.exists()

    # The nonce was not spent either: on again, the same token signs in.
    settings.GOOGLE_CERTS_URL = provider.certs_url
    payload, _ = _login(gql, {"idToken": token, "nonce": NONCE})
    assert payload["errors"] == []


def test_the_switch_comes_before_input_checks_and_rate_limits(gql, provider):
    # Both pairs at once is a VALIDATION_ERROR when on; off, the switch is what to tell.
    with OFF:
        for _ in range(31):  # one more than google:login allows per minute and IP
            payload, _ = _login(gql, {"code": "c", "state": "s", "idToken": "t", "nonce": NONCE})
            _assert_disabled(payload)

    # Nothing was counted: on again, a sign-in goes through.
    payload, _ = _login(gql, {"idToken": provider.id_token(nonce=NONCE), "nonce": NONCE})
    assert payload["errors"] == []


def test_development_defaults_keep_google_sign_in_on():
    # A fresh process with no GOOGLE_* variable, as `manage.py runserver` starts.
    clean = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings as s; "
            "print(s.GOOGLE_SIGN_IN_ENABLED, s.GOOGLE_CLIENT_IDS, s.GOOGLE_REDIRECT_URIS)",
        ],
        cwd=ROOT / "server",
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "True ['gatehouse-dev.apps.googleusercontent.com'] "
        "['http://localhost:5173/auth/google/callback']"
    )
