"""Configuration: embedded defaults in development, a clear refusal in production."""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from config.email_url import email_settings
from config.env import parse_duration
from tokens.keys import generate_private_jwk

ROOT = Path(__file__).resolve().parents[3]


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_env(**overrides: str) -> dict[str, str]:
    env = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": "gH7-kq2Lz9vXw4Rt8YbNc3Mf6Jd1Sp5Ua0Ee_Ii-Oo2Pp9Qq7Rr4Ss6Tt8Uu3Vv1Ww",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "ALLOWED_HOSTS": "api.example.com",
        "FRONTEND_URL": "https://app.example.com",
        "CORS_ALLOWED_ORIGINS": "https://app.example.com",
        "EMAIL_URL": "anymail://postmark",
        "ANYMAIL_POSTMARK_SERVER_TOKEN": "pm-test-token",
        "DEFAULT_FROM_EMAIL": "Gatehouse <no-reply@example.com>",
        "JWT_PRIVATE_KEYS": json.dumps({"keys": [generate_private_jwk()]}),
        "MFA_ENCRYPTION_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "GOOGLE_CLIENT_IDS": "web.apps.googleusercontent.com",
        "GOOGLE_CLIENT_SECRET": "g-secret",
        "PAYMENT_PROVIDER": "stripe",
        "STRIPE_SECRET_KEY": "sk_test_x",
        "STRIPE_WEBHOOK_SECRET": "whsec_x",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v}


def test_production_names_every_missing_variable():
    result = manage("check", env={"DJANGO_ENV": "production"})
    assert result.returncode != 0
    for name in (
        "SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "ALLOWED_HOSTS",
        "FRONTEND_URL",
        "CORS_ALLOWED_ORIGINS",
        "EMAIL_URL",
        "DEFAULT_FROM_EMAIL",
        "JWT_PRIVATE_KEYS",
        "MFA_ENCRYPTION_KEY",
    ):
        assert name in result.stderr, name
    # Google sign-in and Stripe are optional: off while their variables are empty.
    for name in ("GOOGLE_CLIENT_IDS", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"):
        assert name not in result.stderr, name
    assert "Traceback" not in result.stderr.split("ImproperlyConfigured")[-1]


def test_a_malformed_value_is_reported_with_the_missing_ones_in_one_message():
    result = manage(
        "check",
        env={"DJANGO_ENV": "production", "ACCESS_TOKEN_LIFETIME": "abc", "GRAPHQL_MAX_DEPTH": "x"},
    )
    assert result.returncode != 0
    for expected in ("SECRET_KEY", "DATABASE_URL", "ACCESS_TOKEN_LIFETIME: not a duration"):
        assert expected in result.stderr, expected
    assert "GRAPHQL_MAX_DEPTH: not an integer" in result.stderr


def test_production_check_deploy_is_clean():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_the_dev_payment_provider():
    result = manage("check", env=production_env(PAYMENT_PROVIDER="dev"))
    assert result.returncode != 0
    assert "PAYMENT_PROVIDER" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = manage("check", env=production_env(SECRET_KEY="short"))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_stripe_without_its_keys_is_refused_in_development_too():
    result = manage("check", env={"PAYMENT_PROVIDER": "stripe"})
    assert result.returncode != 0
    assert "STRIPE_SECRET_KEY" in result.stderr
    assert "STRIPE_WEBHOOK_SECRET" in result.stderr


def test_unknown_environment_is_refused():
    result = manage("check", env={"DJANGO_ENV": "staging"})
    assert result.returncode != 0
    assert "DJANGO_ENV" in result.stderr


@pytest.mark.parametrize(
    ("raw", "seconds"), [("300", 300), ("5m", 300), ("14d", 14 * 86400), ("1h", 3600)]
)
def test_durations(raw, seconds):
    assert parse_duration(raw).total_seconds() == seconds


@pytest.mark.parametrize("raw", ["", "five", "-1", "0"])
def test_bad_durations(raw):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        parse_duration(raw)


def test_email_urls():
    smtp = email_settings("smtp://u:p%40ss@127.0.0.1:1025", {})["MAILERS"]["default"]
    assert smtp["BACKEND"].endswith("smtp.EmailBackend")
    assert smtp["OPTIONS"]["host"] == "127.0.0.1"
    assert smtp["OPTIONS"]["port"] == 1025
    assert smtp["OPTIONS"]["password"] == "p@ss"
    assert email_settings("console:", {})["MAILERS"]["default"]["BACKEND"].endswith(
        "console.EmailBackend"
    )
    anymail = email_settings("anymail://postmark", {"ANYMAIL_POSTMARK_SERVER_TOKEN": "t"})
    assert anymail["ANYMAIL"] == {"POSTMARK_SERVER_TOKEN": "t"}
    with pytest.raises(ValueError, match="credentials"):
        email_settings("anymail://postmark", {})
    with pytest.raises(ValueError, match="unsupported"):
        email_settings("http://x", {})
