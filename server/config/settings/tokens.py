"""Access and refresh tokens: signing keys, lifetimes, the refresh cookie, sign-in limits."""

from __future__ import annotations

import os
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

from config.settings.accounts import RATE_LIMITS
from config.settings.environment import PRODUCTION, VAR_DIR, env
from core.ratelimit import deprecated_attempts, deprecated_window

JWT_PRIVATE_KEYS = os.environ.get("JWT_PRIVATE_KEYS", "")
JWT_PRIVATE_KEYS_FILE = os.environ.get("JWT_PRIVATE_KEYS_FILE", "")
if PRODUCTION and not (JWT_PRIVATE_KEYS.strip() or JWT_PRIVATE_KEYS_FILE.strip()):
    env.missing.append("JWT_PRIVATE_KEYS (or JWT_PRIVATE_KEYS_FILE)")
# Development only: generated on first start into the git-ignored var/ folder.
JWT_DEV_KEY_FILE = VAR_DIR / "keys" / "jwt-dev.json"
JWT_ISSUER = env.str("JWT_ISSUER", "gatehouse", required=False)
JWT_AUDIENCE = env.str("JWT_AUDIENCE", "gatehouse-api", required=False)
ACCESS_TOKEN_LIFETIME = env.duration("ACCESS_TOKEN_LIFETIME", timedelta(minutes=5))
# Clock difference tolerated between the signer and this server (exp, iat and the
# exp - iat ≤ ACCESS_TOKEN_LIFETIME check).
JWT_LEEWAY = env.duration("JWT_LEEWAY", timedelta(0))
REFRESH_TOKEN_LIFETIME = env.duration("REFRESH_TOKEN_LIFETIME", timedelta(days=14))
SESSION_ABSOLUTE_LIFETIME = env.duration("SESSION_ABSOLUTE_LIFETIME", timedelta(days=60))
REFRESH_REUSE_GRACE = env.duration("REFRESH_REUSE_GRACE", timedelta(seconds=10))
# Revoked and signed-out sessions are kept this long for the record, then cleaned up.
SESSION_REVOKED_RETENTION = env.duration("SESSION_REVOKED_RETENTION", timedelta(days=7))

# --- the refresh cookie -----------------------------------------------------------------

REFRESH_COOKIE_NAME = env.str("REFRESH_COOKIE_NAME", "gh_refresh", required=False)
REFRESH_COOKIE_SAMESITE = env.str(
    "REFRESH_COOKIE_SAMESITE", "None" if PRODUCTION else "Lax", required=False
)
if REFRESH_COOKIE_SAMESITE not in {"Strict", "Lax", "None"}:
    raise ImproperlyConfigured("REFRESH_COOKIE_SAMESITE must be Strict, Lax or None")
REFRESH_COOKIE_SECURE = PRODUCTION or env.bool("REFRESH_COOKIE_SECURE", False)

# --- sign-in rate limits ----------------------------------------------------------------

# Deprecated: RATE_LIMITS (settings/accounts.py) sets login:email and login:ip; these keep
# their old names, with what they amount to, for this release only.
LOGIN_RATE_LIMIT_PER_EMAIL = deprecated_attempts("LOGIN_RATE_LIMIT_PER_EMAIL", RATE_LIMITS)
LOGIN_RATE_LIMIT_PER_IP = deprecated_attempts("LOGIN_RATE_LIMIT_PER_IP", RATE_LIMITS)
LOGIN_RATE_WINDOW = deprecated_window("LOGIN_RATE_WINDOW", RATE_LIMITS)
