from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from core import ratelimit
from core.logging import RedactSecretsFilter, redact


@pytest.mark.parametrize(
    "line",
    [
        "GET /verify-email?token=abc.def-123 HTTP/1.1",
        "reset link https://app.example.com/reset-password?token=Zm9v:bar&x=1",
        "Authorization: Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
        "refresh_token=opaque-secret-value",
        "google callback ?code=4/0AX-secret&state=xyz",
    ],
)
def test_redact_removes_secrets(line):
    cleaned = redact(line)
    for secret in ("abc.def-123", "Zm9v:bar", "c2lnbmF0dXJl", "opaque-secret-value", "4/0AX"):
        assert secret not in cleaned


def test_ordinary_words_survive():
    assert redact("task 42 finished state=SUCCESSFUL") == "task 42 finished state=SUCCESSFUL"


def test_filter_rewrites_the_record(caplog):
    logger = logging.getLogger("gatehouse.test")
    logger.addFilter(RedactSecretsFilter())
    with caplog.at_level(logging.INFO, logger="gatehouse.test"):
        logger.info("clicked %s", "https://x/reset-password?token=s3cr3t")
    assert "s3cr3t" not in caplog.text
    assert "[redacted]" in caplog.text


@pytest.mark.django_db
def test_rate_limit_counts_per_identity_in_redis():
    window = timedelta(minutes=1)
    results = [ratelimit.hit("login", "ADA@example.com", limit=3, window=window) for _ in range(5)]
    assert results == [True, True, True, False, False]
    assert ratelimit.hit("login", "grace@example.com", limit=3, window=window)
    ratelimit.reset("login", "ada@example.com")
    assert ratelimit.hit("login", "ada@example.com", limit=3, window=window)


@pytest.mark.django_db
def test_cooldown_allows_once_per_period():
    period = timedelta(seconds=60)
    assert ratelimit.cooldown("resend", "ada@example.com", period=period)
    assert not ratelimit.cooldown("resend", "Ada@Example.com", period=period)


@pytest.mark.django_db
def test_rate_limit_keys_expire_and_hide_the_identity():
    from django.core.cache import cache

    ratelimit.hit("login", "ada@example.com", limit=3, window=timedelta(seconds=30))
    client = cache.client.get_client()  # type: ignore[attr-defined]
    # This run's own keys only: other runs share the Redis.
    keys = [key.decode() for key in client.keys(cache.make_key("rl:login:*"))]
    assert keys
    assert all("ada" not in key for key in keys)
    assert 0 < client.ttl(keys[0]) <= 30


@pytest.mark.parametrize("log_format", ["plain", "json"])
def test_each_log_format_redacts_what_redact_removes(log_format):
    # The same lines as test_redact_removes_secrets, through the handler as LOGGING builds
    # it for each LOG_FORMAT: in the message, in its arguments and in a traceback.
    import io

    from django.conf import settings
    from django.utils.module_loading import import_string

    lines = test_redact_removes_secrets.pytestmark[0].args[1]
    config: dict = settings.LOGGING
    formatter = config["formatters"][log_format]
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(
        import_string(formatter["()"])()
        if "()" in formatter
        else logging.Formatter(formatter["format"])
    )
    handler.addFilter(import_string(config["filters"]["redact"]["()"])())
    logger = logging.getLogger(f"gatehouse.redact.{log_format}")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        for line in lines:
            logger.warning(line)
            logger.warning("seen: %s", line)
            if log_format == "json":  # the plain format's traceback is the stdlib's own
                try:
                    raise ValueError(line)
                except ValueError:
                    logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    written = buffer.getvalue()
    assert written.count("[redacted") >= 2 * len(lines)
    for secret in ("abc.def-123", "Zm9v:bar", "c2lnbmF0dXJl", "opaque-secret-value", "4/0AX"):
        assert secret not in written
