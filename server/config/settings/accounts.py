"""Users and passwords: hashing, validation, the emailed links and their rate limits."""

from __future__ import annotations

import warnings
from datetime import timedelta

from config.settings.environment import env
from core.ratelimit import (
    deprecated_attempts,
    deprecated_settings,
    deprecated_window,
    settings_from_environment,
)

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "accounts.validators.MaximumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- email verification and password reset ----------------------------------------------

EMAIL_VERIFICATION_TOKEN_LIFETIME = env.duration(
    "EMAIL_VERIFICATION_TOKEN_LIFETIME", timedelta(days=3)
)
PASSWORD_RESET_TOKEN_LIFETIME = env.duration("PASSWORD_RESET_TOKEN_LIFETIME", timedelta(hours=1))
PASSWORD_RESET_TIMEOUT = int(PASSWORD_RESET_TOKEN_LIFETIME.total_seconds())
# One-time codes emailed instead of links (method: CODE): six digits, five tries each.
EMAIL_CODE_LIFETIME = env.duration("EMAIL_CODE_LIFETIME", timedelta(minutes=10))

# --- rate limits (every action's, not only these) -----------------------------------------

# Overrides of the defaults in core/ratelimit.py LIMITS, `action=spec` separated by commas:
# RATE_LIMITS=login:ip=20/15m,email_code_email=10/1h. A spec is N/window[/per] (30s, 15m,
# 1h, 1d; per: ip, email or account); a bad entry stops the start naming it. Parsed once
# here into {action: spec}; the deprecated variables below are folded in, with a warning.
_rate_limit_deprecated: dict[str, int | timedelta] = {
    name: env.int(name, 0) if kind == "attempts" else env.duration(name, timedelta(seconds=1))
    for name, kind in deprecated_settings().items()
    if env.environ.get(name, "").strip()
}
_rate_limits = settings_from_environment(
    env.str("RATE_LIMITS", "", required=False), _rate_limit_deprecated
)
env.invalid.extend(_rate_limits.problems)
for _warning in _rate_limits.warnings:
    # FutureWarning: shown by default (a DeprecationWarning would be hidden from operators).
    warnings.warn(_warning, FutureWarning, stacklevel=1)
RATE_LIMITS: dict[str, str] = _rate_limits.overrides
# Per-IP limits count an IPv6 client by its network of this many bits: one subscriber gets
# a /64 (often a /56 or /48: set 56 or 48 where providers hand those out).
RATE_LIMIT_IPV6_PREFIX = env.int("RATE_LIMIT_IPV6_PREFIX", 64)
if not 32 <= RATE_LIMIT_IPV6_PREFIX <= 128:
    env.invalid.append(f"RATE_LIMIT_IPV6_PREFIX: {RATE_LIMIT_IPV6_PREFIX} is not 32 to 128")
    RATE_LIMIT_IPV6_PREFIX = 64

# Deprecated (RATE_LIMITS replaces them; read for this release only): what they amount to.
EMAIL_RESEND_COOLDOWN = deprecated_window("EMAIL_RESEND_COOLDOWN", RATE_LIMITS)
REGISTRATIONS_PER_IP = deprecated_attempts("REGISTRATIONS_PER_IP", RATE_LIMITS)
REGISTRATIONS_IP_WINDOW = deprecated_window("REGISTRATIONS_IP_WINDOW", RATE_LIMITS)
EMAIL_REQUESTS_PER_IP = deprecated_attempts("EMAIL_REQUESTS_PER_IP", RATE_LIMITS)
EMAIL_REQUESTS_IP_WINDOW = deprecated_window("EMAIL_REQUESTS_IP_WINDOW", RATE_LIMITS)
EMAIL_CODE_ATTEMPTS_PER_IP = deprecated_attempts("EMAIL_CODE_ATTEMPTS_PER_IP", RATE_LIMITS)
EMAIL_CODE_ATTEMPTS_IP_WINDOW = deprecated_window("EMAIL_CODE_ATTEMPTS_IP_WINDOW", RATE_LIMITS)
EMAIL_CODE_ATTEMPTS_PER_EMAIL = deprecated_attempts("EMAIL_CODE_ATTEMPTS_PER_EMAIL", RATE_LIMITS)
EMAIL_CODE_ATTEMPTS_EMAIL_WINDOW = deprecated_window(
    "EMAIL_CODE_ATTEMPTS_EMAIL_WINDOW", RATE_LIMITS
)
CHANGE_PASSWORD_ATTEMPTS = deprecated_attempts("CHANGE_PASSWORD_ATTEMPTS", RATE_LIMITS)
CHANGE_PASSWORD_WINDOW = deprecated_window("CHANGE_PASSWORD_WINDOW", RATE_LIMITS)
