"""Sign-in with Google: the OAuth client, Google's endpoints, and how long things are kept.

Optional: in production it is on when GOOGLE_CLIENT_IDS is set and off when it is empty
(GOOGLE_SIGN_IN_ENABLED); development runs on stand-in IDs so the flow can be exercised.
"""

from __future__ import annotations

from datetime import timedelta

from config.settings.environment import PRODUCTION, env
from config.settings.security import FRONTEND_URL

GOOGLE_CLIENT_IDS = env.list(
    "GOOGLE_CLIENT_IDS",
    [] if PRODUCTION else ["gatehouse-dev.apps.googleusercontent.com"],
    required=False,
)
GOOGLE_SIGN_IN_ENABLED = bool(GOOGLE_CLIENT_IDS)
# The web client's secret (the code flow): needed as soon as Google sign-in is on.
GOOGLE_CLIENT_SECRET = env.str(
    "GOOGLE_CLIENT_SECRET",
    "" if PRODUCTION else "dev-google-secret",
    required=GOOGLE_SIGN_IN_ENABLED,
)
if PRODUCTION and GOOGLE_CLIENT_SECRET and not GOOGLE_SIGN_IN_ENABLED:
    # Most likely the IDs were forgotten: say so at start rather than run with Google off.
    env.invalid.append(
        "GOOGLE_CLIENT_SECRET: set while GOOGLE_CLIENT_IDS is empty (set both to turn "
        "sign-in with Google on, or neither to leave it off)"
    )
GOOGLE_REDIRECT_URIS = env.list(
    "GOOGLE_REDIRECT_URIS",
    [f"{FRONTEND_URL}/auth/google/callback"] if GOOGLE_SIGN_IN_ENABLED else [],
    required=False,
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
