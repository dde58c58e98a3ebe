"""Sign-in with Google: the OAuth client, Google's endpoints, and how long things are kept."""

from __future__ import annotations

from datetime import timedelta

from config.settings.environment import env
from config.settings.security import FRONTEND_URL

GOOGLE_CLIENT_IDS = env.list("GOOGLE_CLIENT_IDS", ["gatehouse-dev.apps.googleusercontent.com"])
GOOGLE_CLIENT_SECRET = env.str("GOOGLE_CLIENT_SECRET", "dev-google-secret")
GOOGLE_REDIRECT_URIS = env.list(
    "GOOGLE_REDIRECT_URIS", [f"{FRONTEND_URL}/auth/google/callback"], required=False
)
# Google's endpoints; tests point them at a local OpenID provider.
GOOGLE_AUTHORIZATION_URL = env.str(
    "GOOGLE_AUTHORIZATION_URL", "https://accounts.google.com/o/oauth2/v2/auth", required=False
)
GOOGLE_TOKEN_URL = env.str(
    "GOOGLE_TOKEN_URL", "https://oauth2.googleapis.com/token", required=False
)
GOOGLE_CERTS_URL = env.str(
    "GOOGLE_CERTS_URL", "https://www.googleapis.com/oauth2/v3/certs", required=False
)
GOOGLE_ISSUERS = env.list(
    "GOOGLE_ISSUERS", ["accounts.google.com", "https://accounts.google.com"], required=False
)
# A pending web sign-in (state, PKCE verifier, nonce, redirect URI) lives this long in Redis.
GOOGLE_STATE_LIFETIME = env.duration("GOOGLE_STATE_LIFETIME", timedelta(minutes=10))
# Each call to Google's token or certificate endpoint gives up after this long.
GOOGLE_HTTP_TIMEOUT = env.duration("GOOGLE_HTTP_TIMEOUT", timedelta(seconds=5))
# Google's signing keys are cached this long per process; an unknown `kid` refetches them,
# at most once per cooldown so that forged tokens cannot make us hammer Google.
GOOGLE_CERTS_LIFETIME = env.duration("GOOGLE_CERTS_LIFETIME", timedelta(hours=1))
GOOGLE_CERTS_REFETCH_COOLDOWN = env.duration("GOOGLE_CERTS_REFETCH_COOLDOWN", timedelta(seconds=30))
# Tolerated clock difference between Google and us when checking `exp` and `iat`.
GOOGLE_CLOCK_SKEW = env.duration("GOOGLE_CLOCK_SKEW", timedelta(seconds=30))
