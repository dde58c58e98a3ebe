"""Fixed-window rate limits in the cache (Redis in production).

Every limit of the API is declared once, in `LIMITS` (action → its default, written as a
spec like `5/15m/ip`: at most 5 per 15 minutes for each client IP), and enforced by `check`
(raises the RATE_LIMITED payload error) or `allowed` (answers True/False, for callers that
go on). The RATE_LIMITS setting overrides any of them (`RATE_LIMITS=login:ip=20/15m,…`);
it is parsed and checked once at start, so that a typo stops the start with the entry named
rather than leaving a limit silently at its default.

A spec is `N/window/per`: N attempts (or, for `apq_register`, bytes), a window of `30s`,
`15m`, `1h` (or `h`), `1d` (or `d`), and who is counted: `ip`, `email` or `account`. A
cooldown (one email per address per minute) is a limit of one: `1/60s/email`. Overrides
may leave out `per` (it is the action's); one that names another is refused.

Per-IP limits count a client's IPv6 network rather than its address (core/net.py,
`rate_limit_network`): one subscriber is given a whole /64 or more.

Each counter key carries a TTL equal to its window, so Redis cleans up after itself. When
the cache cannot be reached a limit cannot be checked: every function here raises
ServiceUnavailableError then (the API answers 503), rather than letting the attempt through
unchecked or failing with an internal error.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import hashlib
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache

from core.cache import CACHE_DOWN, cache_required, raw_redis
from core.errors import CoreErrorCode, DomainError, note_retry_after
from core.events import rate_limit_refused
from core.net import rate_limit_network

# Who a limit counts; the callers pass the matching identity (an account's id for `account`).
PER = ("ip", "email", "account")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_WINDOW = re.compile(r"([0-9]*)([smhd])")
_COUNT = re.compile(r"[0-9]+")


class RateLimitSpecError(ValueError):
    """A rate-limit spec or RATE_LIMITS entry that cannot be read; the message says why."""


@dataclass(frozen=True)
class Rule:
    """At most `attempts` per `window` for each `per` (ip, email or account)."""

    attempts: int
    window: timedelta
    per: str

    @property
    def spec(self) -> str:
        """The rule written as a spec (`10/15m/email`), as RATE_LIMITS takes it."""
        return f"{self.attempts}/{window_text(self.window)}/{self.per}"


def window_text(window: timedelta) -> str:
    """`window` in the largest unit that writes it exactly: 1d, 15m, 90s."""
    seconds = int(window.total_seconds())
    for unit in ("d", "h", "m"):
        if seconds % _UNITS[unit] == 0:
            return f"{seconds // _UNITS[unit]}{unit}"
    return f"{seconds}s"


def parse_spec(spec: str, *, per: str | None = None) -> Rule:
    """Read `N/window/per` (`5/15m/ip`, `10/h/account`, `1/60s/email`).

    With `per` given (the action's), the spec may leave it out (`20/15m`) but must not name
    another. Raises RateLimitSpecError naming what is wrong.
    """
    parts = [part.strip() for part in spec.strip().split("/")]
    if len(parts) not in (2, 3) or (len(parts) == 2 and per is None):
        shape = "N/window" if per is not None else "N/window/per"
        raise RateLimitSpecError(f"{spec!r} is not {shape} (e.g. 5/15m/ip)")
    count, window_part = parts[0], parts[1].lower()
    if not _COUNT.fullmatch(count) or int(count) < 1:
        raise RateLimitSpecError(f"{count!r} in {spec!r} is not a whole number of at least 1")
    matched = _WINDOW.fullmatch(window_part)
    if matched is None or int(matched.group(1) or 1) < 1:
        raise RateLimitSpecError(
            f"{parts[1]!r} in {spec!r} is not a window (use e.g. 30s, 15m, 1h, h, 1d)"
        )
    seconds = int(matched.group(1) or 1) * _UNITS[matched.group(2)]
    named = parts[2].lower() if len(parts) == 3 else per
    if named not in PER:
        raise RateLimitSpecError(f"{parts[2]!r} in {spec!r} is not one of {', '.join(PER)}")
    if per is not None and named != per:
        raise RateLimitSpecError(f"{spec!r} counts per {named}, but this limit counts per {per}")
    return Rule(int(count), timedelta(seconds=seconds), named)


@functools.lru_cache(maxsize=256)
def _parsed(spec: str, per: str) -> Rule:
    return parse_spec(spec, per=per)


@dataclass(frozen=True)
class Limit:
    """An action's default `spec`, and its refusal: a RATE_LIMITED error with `message`
    (`{seconds}`: the window) on `field`.

    `deprecated` names the settings that set its count and window before RATE_LIMITS
    (read for one more release; None where there was none).
    """

    spec: str
    message: str = "Too many attempts; try again later."
    field: str | None = None
    deprecated: tuple[str | None, str | None] = (None, None)
    default: Rule = dataclasses.field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # A bad default is a bug of this table: it fails at import, not at the first check.
        object.__setattr__(self, "default", parse_spec(self.spec))

    @property
    def per(self) -> str:
        return self.default.per


_NETWORK = "Too many requests from your network; try later."
_EMAIL_SENT = "An email was just requested for this address; wait {seconds} seconds."
_RESEND = (None, "EMAIL_RESEND_COOLDOWN")

# Action → limit. The action is also the counter's key prefix in Redis (renaming one resets
# its live counters) and the name RATE_LIMITS overrides it by.
LIMITS: dict[str, Limit] = {
    # Sign-in (the API's `login` and the Django admin share these counters).
    "login:email": Limit(
        "10/15m/email", deprecated=("LOGIN_RATE_LIMIT_PER_EMAIL", "LOGIN_RATE_WINDOW")
    ),
    "login:ip": Limit("100/15m/ip", deprecated=("LOGIN_RATE_LIMIT_PER_IP", "LOGIN_RATE_WINDOW")),
    # Every Google sign-in may cost a call to Google: one address must not make us a proxy.
    "google:start": Limit("30/1m/ip"),
    "google:login": Limit("30/1m/ip"),
    # Passkey sign-in: each start stores a challenge in Redis, each attempt verifies a
    # signature; anonymous callers are counted per IP.
    "passkey:start": Limit("30/1m/ip"),
    "passkey:login": Limit("30/1m/ip"),
    # Sign-up, and the "send me an email" mutations (one email per address per minute).
    "register_ip": Limit(
        "20/1h/ip",
        "Too many sign-ups from your network; try later.",
        deprecated=("REGISTRATIONS_PER_IP", "REGISTRATIONS_IP_WINDOW"),
    ),
    "register_notice": Limit("1/60s/email", deprecated=_RESEND),
    "email_requests_ip": Limit(
        "20/1h/ip", _NETWORK, deprecated=("EMAIL_REQUESTS_PER_IP", "EMAIL_REQUESTS_IP_WINDOW")
    ),
    "verify_resend": Limit("1/60s/email", _EMAIL_SENT, "email", deprecated=_RESEND),
    "password_reset": Limit("1/60s/email", _EMAIL_SENT, "email", deprecated=_RESEND),
    # Typing an emailed one-time code (verifyEmailWithCode, resetPasswordWithCode): each
    # code allows five tries; these bound the guesses of one client over many addresses and
    # of many clients on one address. Counted alike whether or not the address exists.
    "email_code_ip": Limit(
        "30/15m/ip",
        "Too many codes tried from your network; try later.",
        "code",
        deprecated=("EMAIL_CODE_ATTEMPTS_PER_IP", "EMAIL_CODE_ATTEMPTS_IP_WINDOW"),
    ),
    "email_code_email": Limit(
        "15/1h/email",
        "Too many codes tried for this address; ask for a new code later.",
        "code",
        deprecated=("EMAIL_CODE_ATTEMPTS_PER_EMAIL", "EMAIL_CODE_ATTEMPTS_EMAIL_WINDOW"),
    ),
    # Signed-in actions.
    "change_password": Limit(
        "5/15m/account",
        field="old_password",
        deprecated=("CHANGE_PASSWORD_ATTEMPTS", "CHANGE_PASSWORD_WINDOW"),
    ),
    "subscribe": Limit("10/1h/account"),
    # Each start of a passkey registration stores a challenge in Redis.
    "passkey:register": Limit("20/1h/account"),
    # Second-factor codes (sign-in, re-authentication, disabling TOTP) and re-authentication
    # passwords, per account across challenges: a 6-digit code must not be guessable by
    # starting sign-in after sign-in.
    "second_factor": Limit(
        "10/15m/account", deprecated=("SECOND_FACTOR_ATTEMPTS", "SECOND_FACTOR_WINDOW")
    ),
    # Automatic persisted queries (config/persisted.py): the BYTES of documents one client
    # may register per window (documents live GRAPHQL_APQ_TTL, a day: a window of a day
    # bounds what one network keeps in Redis), on top of the store's own bound.
    "apq_register": Limit("1048576/1d/ip", deprecated=(None, "GRAPHQL_APQ_REGISTRATIONS_WINDOW")),
}

# Deprecated variables that cannot be carried over: read, warned about, ignored.
_RETIRED = {
    "GRAPHQL_APQ_REGISTRATIONS_PER_IP": (
        "apq_register now counts the bytes of the documents one client IP registers, not the "
        "documents"
    ),
}


def deprecated_settings() -> dict[str, str]:
    """Every deprecated setting → `attempts` or `window` (what it set)."""
    found: dict[str, str] = dict.fromkeys(_RETIRED, "attempts")
    for limit in LIMITS.values():
        attempts, window = limit.deprecated
        if attempts is not None:
            found[attempts] = "attempts"
        if window is not None:
            found[window] = "window"
    return found


@dataclass
class RateLimitSettings:
    """RATE_LIMITS as read at start: `overrides` (action → spec, deprecated variables folded
    in), `problems` (one line per bad entry) and `warnings` (deprecated variables)."""

    overrides: dict[str, str]
    problems: list[str]
    warnings: list[str]


def settings_from_environment(
    raw: str, deprecated: Mapping[str, int | timedelta]
) -> RateLimitSettings:
    """Read RATE_LIMITS (`action=spec,action=spec`) and the deprecated variables that are
    set (`deprecated`: name → value): every bad entry is a problem naming it; an action
    named twice is one too. RATE_LIMITS wins over a deprecated variable of the same action.
    """
    overrides: dict[str, str] = {}
    problems: list[str] = []
    for entry in (part.strip() for part in raw.split(",")):
        if not entry:
            continue
        action, sep, spec = (part.strip() for part in entry.partition("="))
        if not sep:
            problems.append(f"RATE_LIMITS: {entry!r} is not action=spec (e.g. login:ip=20/15m)")
            continue
        if action not in LIMITS:
            near = difflib.get_close_matches(action, LIMITS, n=1)
            hint = f"did you mean {near[0]!r}?" if near else f"known: {', '.join(LIMITS)}"
            problems.append(f"RATE_LIMITS: {entry!r} names no rate limit ({hint})")
            continue
        if action in overrides:
            problems.append(f"RATE_LIMITS: {action!r} is set twice")
            continue
        try:
            overrides[action] = parse_spec(spec, per=LIMITS[action].per).spec
        except RateLimitSpecError as exc:
            problems.append(f"RATE_LIMITS: {entry!r}: {exc}")
    for name, value in deprecated.items():
        if isinstance(value, int) and value < 1:
            problems.append(f"{name}: {value} is not a whole number of at least 1")
    named = set(overrides)
    used: list[str] = []
    overridden: list[str] = []  # actions RATE_LIMITS sets although a deprecated name is set
    for action, limit in LIMITS.items():
        attempts_name, window_name = limit.deprecated
        if not any(n is not None and n in deprecated for n in limit.deprecated):
            continue
        if action in named:
            overridden.append(action)
            continue
        found = limit.default
        attempts = deprecated.get(attempts_name) if attempts_name else None
        window = deprecated.get(window_name) if window_name else None
        if isinstance(attempts, int):
            found = replace(found, attempts=attempts)
            used.append(str(attempts_name))
        if isinstance(window, timedelta):
            found = replace(found, window=timedelta(seconds=max(1, int(window.total_seconds()))))
            used.append(str(window_name))
        overrides[action] = found.spec
    warnings: list[str] = []
    if used or overridden:
        given = [n for n in deprecated if n not in _RETIRED]
        written = ",".join(f"{action}={spec}" for action, spec in overrides.items())
        note = f" (RATE_LIMITS sets {', '.join(overridden)}: they are not read for it)"
        warnings.append(
            f"{', '.join(sorted(set(given)))}: deprecated, read for this release only"
            f"{note if overridden else ''}; set RATE_LIMITS={written} instead"
        )
    for name, why in _RETIRED.items():
        if name in deprecated:
            default = LIMITS["apq_register"]
            spec = overrides.get("apq_register", default.spec)
            warnings.append(f"{name}: ignored, {why}; set RATE_LIMITS=apq_register={spec}")
    return RateLimitSettings(overrides, problems, warnings)


def _deprecated_rule(name: str, overrides: Mapping[str, str]) -> Rule:
    # The first action the setting set (a shared window gives them all the same value).
    for action, limit in LIMITS.items():
        if name in limit.deprecated:
            spec = overrides.get(action)
            return limit.default if spec is None else _parsed(spec, limit.per)
    raise KeyError(name)


def deprecated_attempts(name: str, overrides: Mapping[str, str]) -> int:
    """What deprecated count setting `name` amounts to under `overrides`: the deprecated
    settings keep their names, with these values, for one more release (code reading them
    still works)."""
    return _deprecated_rule(name, overrides).attempts


def deprecated_window(name: str, overrides: Mapping[str, str]) -> timedelta:
    """`deprecated_attempts` of a deprecated window setting."""
    return _deprecated_rule(name, overrides).window


def rule(action: str) -> Rule:
    """The limit of `action` now: RATE_LIMITS's entry, else its default (read on every
    check, so that `override_settings` applies).

    Until the deprecated settings go, they still apply to an action RATE_LIMITS does not
    name (a test overriding LOGIN_RATE_LIMIT_PER_EMAIL); at start they hold what the table
    and RATE_LIMITS give, so that they change nothing unless overridden.
    """
    limit = LIMITS[action]
    overrides: Mapping[str, str] = getattr(settings, "RATE_LIMITS", None) or {}
    spec = overrides.get(action)
    if spec is not None:
        return _parsed(spec, limit.per)
    found = limit.default
    attempts_name, window_name = limit.deprecated
    attempts = getattr(settings, attempts_name, None) if attempts_name else None
    window = getattr(settings, window_name, None) if window_name else None
    if attempts is not None:
        found = replace(found, attempts=int(attempts))
    if isinstance(window, timedelta):
        found = replace(found, window=window)
    return found


def _identity(action: str, identity: str) -> str:
    """Who the counter of `action` counts: a client IP becomes its network."""
    limit = LIMITS.get(action)
    if limit is not None and limit.per == "ip":
        return rate_limit_network(identity)
    return identity


def allowed(action: str, identity: str | None) -> bool:
    """Count one attempt of `action` by `identity` (an email, IP or user id); False when its
    limit is used up. Nothing is counted without an identity (an unknown client IP)."""
    return allowed_all((action, identity))


def allowed_amount(action: str, identity: str | None, amount: int) -> bool:
    """`allowed`, counting `amount` (the bytes of a document) rather than one attempt."""
    return _allowed([(action, identity, amount)])


def allowed_all(*attempts: tuple[str, str | None]) -> bool:
    """`allowed` for several (action, identity) pairs at once: each one is counted, even
    when another refuses, and the counters share one round trip to Redis. False when any
    limit is used up."""
    return _allowed([(action, identity, 1) for action, identity in attempts])


def _allowed(attempts: list[tuple[str, str | None, int]]) -> bool:
    counters: list[tuple[str, str, timedelta, int]] = []
    most: list[int] = []
    for action, identity, amount in attempts:
        if identity is None:
            continue
        found = rule(action)
        counters.append((action, _identity(action, identity), found.window, amount))
        most.append(found.attempts)
    ok = True
    if counters:
        results = _hit_many(counters)
        for (scope, _, window, _), limit, (key, count) in zip(counters, most, results, strict=True):
            if count > limit:
                _refused(scope, key, max(1, int(window.total_seconds())))
                ok = False
    return ok


def refusal(action: str) -> DomainError:
    """The RATE_LIMITED payload error of `action`, with the seconds to wait."""
    limit = LIMITS[action]
    seconds = int(rule(action).window.total_seconds())
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
    ((key, count),) = _hit_many([(scope, identity, window, 1)])
    if count > limit:
        _refused(scope, key, max(1, int(window.total_seconds())))
        return False
    return True


def _raw_redis() -> Any:
    """The redis-py client behind django-redis, or None (another cache backend)."""
    return raw_redis()[0]


def _hit_many(counters: list[tuple[str, str, timedelta, int]]) -> list[tuple[str, int]]:
    """Count `amount` on each (scope, identity, window, amount): the keys and their new
    counts.

    On Redis, one round trip for all of them: per counter `SET key 0 EX window NX` then
    `INCRBY key amount` in one MULTI, so the key cannot expire between the two (an INCRBY
    alone would then create a counter without a TTL). The keys and values are those of the
    cache API (an integer under the cache's key), so `reset` and the TTL hint still apply.
    """
    keys = [
        (_key(scope, identity), max(1, int(window.total_seconds())), amount)
        for scope, identity, window, amount in counters
    ]
    with cache_required():
        client = _raw_redis()
        if client is None:
            return [(key, _count_with_cache_api(key, ttl, amount)) for key, ttl, amount in keys]
        pipe = client.pipeline(transaction=True)
        for key, ttl, amount in keys:
            full = cache.make_key(key)
            pipe.set(full, 0, ex=ttl, nx=True)
            pipe.incrby(full, amount)
        replies = pipe.execute()
    return [(key, int(count)) for (key, _, _), count in zip(keys, replies[1::2], strict=True)]


def _count_with_cache_api(key: str, ttl: int, amount: int = 1) -> int:
    if cache.add(key, amount, timeout=ttl):
        return amount
    try:
        return int(cache.incr(key, amount))
    except ValueError:  # expired between add and incr
        cache.add(key, amount, timeout=ttl)
        return amount


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
    """`check` of an action, its attempt given back when the block fails: a request that
    ended in an error did not do what the limit guards (send an email), so it must not cost
    the user a wait.

    Spent atomically up front (two concurrent requests still cannot both pass); wrap the
    block's own transaction inside, so that a failed commit also gives it back.
    """
    check(action, identity)
    try:
        yield
    except BaseException:
        _give_back(action, identity)
        raise


# One attempt back, only on a counter that still exists: a DECR of an expired key would
# create a counter of -1 without a TTL.
_GIVE_BACK = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end
return 0
"""


def _give_back(action: str, identity: str) -> None:
    """Uncount one attempt of `action` (a cooldown, a limit of one, is then free again).
    The original error matters more: a cache failure here is ignored, and the counter
    expires with its window anyway."""
    key = _key(action, _identity(action, identity))
    with suppress(*CACHE_DOWN):
        client = _raw_redis()
        if client is not None:
            client.eval(_GIVE_BACK, 1, cache.make_key(key))
            return
        with suppress(ValueError):  # already expired: nothing to give back
            cache.decr(key)


def reset(scope: str, identity: str) -> None:
    """Forget the counter of `scope` (an action, or a `hit` scope) for `identity`."""
    with cache_required():
        cache.delete(_key(scope, _identity(scope, identity)))
