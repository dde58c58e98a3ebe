"""Fixed-window rate limits and cooldowns in the cache (Redis in production).

Every limit of the API is declared once, in `LIMITS` (action → who is counted, how many
attempts per window, and the settings that set them), and enforced by `check` (raises the
RATE_LIMITED payload error) or `allowed` (answers True/False, for callers that go on).

Each counter key carries a TTL equal to its window, so Redis cleans up after itself. When
the cache cannot be reached a limit cannot be checked: every function here raises
ServiceUnavailableError then (the API answers 503), rather than letting the attempt through
unchecked or failing with an internal error.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache

from core.cache import CACHE_DOWN, cache_required, raw_redis
from core.errors import CoreErrorCode, DomainError, note_retry_after
from core.events import rate_limit_refused


@dataclass(frozen=True)
class Limit:
    """At most `attempts` per `window` for each identity (`per`); a cooldown (one attempt
    per `window`) when `attempts` is None.

    `attempts` and `window` are the names of the settings that hold them (read on every
    check, so that the environment and `override_settings` apply) or fixed values. The
    refusal is a RATE_LIMITED error with `message` (`{seconds}`: the window) on `field`.
    """

    per: str
    attempts: str | int | None
    window: str | timedelta
    message: str = "Too many attempts; try again later."
    field: str | None = None

    def window_value(self) -> timedelta:
        value = getattr(settings, self.window) if isinstance(self.window, str) else self.window
        assert isinstance(value, timedelta)
        return value

    def attempts_value(self) -> int | None:
        if isinstance(self.attempts, str):
            return int(getattr(settings, self.attempts))
        return self.attempts


_NETWORK = "Too many requests from your network; try later."
_EMAIL_SENT = "An email was just requested for this address; wait {seconds} seconds."

# Action → limit. The action is also the counter's key prefix in Redis: renaming one
# resets its live counters. The settings' names are the documented environment variables.
LIMITS: dict[str, Limit] = {
    # Sign-in (the API's `login` and the Django admin share these counters).
    "login:email": Limit("email", "LOGIN_RATE_LIMIT_PER_EMAIL", "LOGIN_RATE_WINDOW"),
    "login:ip": Limit("ip", "LOGIN_RATE_LIMIT_PER_IP", "LOGIN_RATE_WINDOW"),
    # Every Google sign-in may cost a call to Google: one address must not make us a proxy.
    "google:start": Limit("ip", 30, timedelta(minutes=1)),
    "google:login": Limit("ip", 30, timedelta(minutes=1)),
    # Passkey sign-in: each start stores a challenge in Redis, each attempt verifies a
    # signature; anonymous callers are counted per IP.
    "passkey:start": Limit("ip", 30, timedelta(minutes=1)),
    "passkey:login": Limit("ip", 30, timedelta(minutes=1)),
    # Sign-up, and the "send me an email" mutations.
    "register_ip": Limit(
        "ip",
        "REGISTRATIONS_PER_IP",
        "REGISTRATIONS_IP_WINDOW",
        "Too many sign-ups from your network; try later.",
    ),
    "register_notice": Limit("email", None, "EMAIL_RESEND_COOLDOWN"),
    "email_requests_ip": Limit("ip", "EMAIL_REQUESTS_PER_IP", "EMAIL_REQUESTS_IP_WINDOW", _NETWORK),
    "verify_resend": Limit("email", None, "EMAIL_RESEND_COOLDOWN", _EMAIL_SENT, "email"),
    "password_reset": Limit("email", None, "EMAIL_RESEND_COOLDOWN", _EMAIL_SENT, "email"),
    # Typing an emailed one-time code (verifyEmailWithCode, resetPasswordWithCode): each
    # code allows five tries; these bound the guesses of one client over many addresses and
    # of many clients on one address. Counted alike whether or not the address exists.
    "email_code_ip": Limit(
        "ip",
        "EMAIL_CODE_ATTEMPTS_PER_IP",
        "EMAIL_CODE_ATTEMPTS_IP_WINDOW",
        "Too many codes tried from your network; try later.",
        "code",
    ),
    "email_code_email": Limit(
        "email",
        "EMAIL_CODE_ATTEMPTS_PER_EMAIL",
        "EMAIL_CODE_ATTEMPTS_EMAIL_WINDOW",
        "Too many codes tried for this address; ask for a new code later.",
        "code",
    ),
    # Signed-in actions.
    "change_password": Limit(
        "user", "CHANGE_PASSWORD_ATTEMPTS", "CHANGE_PASSWORD_WINDOW", field="old_password"
    ),
    "subscribe": Limit("user", 10, timedelta(hours=1)),
    # Each start of a passkey registration stores a challenge in Redis.
    "passkey:register": Limit("user", 20, timedelta(hours=1)),
    # Second-factor codes (sign-in, re-authentication, disabling TOTP) and re-authentication
    # passwords, per account across challenges: a 6-digit code must not be guessable by
    # starting sign-in after sign-in.
    "second_factor": Limit("user", "SECOND_FACTOR_ATTEMPTS", "SECOND_FACTOR_WINDOW"),
    # Automatic persisted queries: documents each client may register.
    "apq_register": Limit(
        "ip", "GRAPHQL_APQ_REGISTRATIONS_PER_IP", "GRAPHQL_APQ_REGISTRATIONS_WINDOW"
    ),
}


def allowed(action: str, identity: str | None) -> bool:
    """Count one attempt of `action` by `identity` (an email, IP or user id); False when its
    limit is used up. Nothing is counted without an identity (an unknown client IP)."""
    return allowed_all((action, identity))


def allowed_all(*attempts: tuple[str, str | None]) -> bool:
    """`allowed` for several (action, identity) pairs at once: each one is counted, even
    when another refuses, and the counters share one round trip to Redis. False when any
    limit is used up."""
    counters: list[tuple[str, str, int, timedelta]] = []
    ok = True
    for action, identity in attempts:
        if identity is None:
            continue
        limit = LIMITS[action]
        count = limit.attempts_value()
        if count is None:
            ok = cooldown(action, identity, period=limit.window_value()) and ok
        else:
            counters.append((action, identity, count, limit.window_value()))
    if counters:
        results = _hit_many([(scope, identity, window) for scope, identity, _, window in counters])
        for (scope, _, most, window), (key, count) in zip(counters, results, strict=True):
            if count > most:
                _refused(scope, key, max(1, int(window.total_seconds())))
                ok = False
    return ok


def refusal(action: str) -> DomainError:
    """The RATE_LIMITED payload error of `action`, with the seconds to wait."""
    limit = LIMITS[action]
    seconds = int(limit.window_value().total_seconds())
    return DomainError(
        CoreErrorCode.RATE_LIMITED, limit.message.format(seconds=seconds), limit.field
    )


def check(action: str, identity: str | None) -> None:
    """`allowed`, raising the RATE_LIMITED payload error when it is not."""
    if not allowed(action, identity):
        raise refusal(action)


def _refused(scope: str, key: str, window_seconds: int) -> None:
    remaining: int | None = None
    ttl = getattr(cache, "ttl", None)  # django-redis; the in-process cache has none
    if ttl is not None:
        try:
            value = ttl(key)
        except Exception:  # the limit still holds; only the hint is lost
            value = None
        if isinstance(value, int) and value > 0:
            remaining = value
    note_retry_after(remaining or window_seconds)
    rate_limit_refused.send(None, scope=scope)


def _key(scope: str, identity: str) -> str:
    # Identities are emails and IPs: hash them so that no address sits in Redis in clear.
    digest = hashlib.sha256(identity.strip().lower().encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}"


def hit(scope: str, identity: str, *, limit: int, window: timedelta) -> bool:
    """Count one attempt; return False when the limit for this window is exceeded."""
    ((key, count),) = _hit_many([(scope, identity, window)])
    if count > limit:
        _refused(scope, key, max(1, int(window.total_seconds())))
        return False
    return True


def _raw_redis() -> Any:
    """The redis-py client behind django-redis, or None (another cache backend)."""
    return raw_redis()[0]


def _hit_many(counters: list[tuple[str, str, timedelta]]) -> list[tuple[str, int]]:
    """Count one attempt on each (scope, identity, window): the keys and their new counts.

    On Redis, one round trip for all of them: per counter `SET key 0 EX window NX` then
    `INCR key` in one MULTI, so the key cannot expire between the two (an INCR alone
    would then create a counter without a TTL). The keys and values are those of the
    cache API (an integer under the cache's key), so `reset` and the TTL hint still apply.
    """
    keys = [
        (_key(scope, identity), max(1, int(window.total_seconds())))
        for scope, identity, window in counters
    ]
    with cache_required():
        client = _raw_redis()
        if client is None:
            return [(key, _count_with_cache_api(key, ttl)) for key, ttl in keys]
        pipe = client.pipeline(transaction=True)
        for key, ttl in keys:
            full = cache.make_key(key)
            pipe.set(full, 0, ex=ttl, nx=True)
            pipe.incr(full)
        replies = pipe.execute()
    return [(key, int(count)) for (key, _), count in zip(keys, replies[1::2], strict=True)]


def _count_with_cache_api(key: str, ttl: int) -> int:
    if cache.add(key, 1, timeout=ttl):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=ttl)
        return 1


def cooldown(scope: str, identity: str, *, period: timedelta) -> bool:
    """Return True at most once per period for this identity (atomic `SET NX EX`)."""
    key, seconds = _key(scope, identity), max(1, int(period.total_seconds()))
    with cache_required():
        if cache.add(key, 1, timeout=seconds):
            return True
    _refused(scope, key, seconds)
    return False


@contextmanager
def cooldown_spent_on_success(action: str, identity: str) -> Iterator[None]:
    """`check` of a cooldown action, given back when the block fails: a request that ended
    in an error did not do what the cooldown guards (send an email), so it must not cost the
    user a wait.

    Spent atomically up front (two concurrent requests still cannot both pass); wrap the
    block's own transaction inside, so that a failed commit also gives it back.
    """
    check(action, identity)
    try:
        yield
    except BaseException:
        _give_back(action, identity)
        raise


def _give_back(scope: str, identity: str) -> None:
    # The original error matters more; the key expires with its period anyway.
    with suppress(*CACHE_DOWN):
        cache.delete(_key(scope, identity))


def reset(scope: str, identity: str) -> None:
    with cache_required():
        cache.delete(_key(scope, identity))
