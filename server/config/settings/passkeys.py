"""Passkeys (WebAuthn): who we are to the browser (the relying party), which page origins may
use our passkeys, and how long a started ceremony stays valid."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from config.settings.environment import env
from config.settings.security import FRONTEND_URL

_frontend = urlsplit(FRONTEND_URL)

# The RP ID is a registrable domain the web client's host ends with. Passkeys are bound to
# it for good: changing it later makes every registered passkey unusable.
WEBAUTHN_RP_ID = env.str("WEBAUTHN_RP_ID", _frontend.hostname or "localhost", required=False)
# The name the browser shows in its passkey dialogs.
WEBAUTHN_RP_NAME = env.str("WEBAUTHN_RP_NAME", "Gatehouse", required=False)
# Exact origins (scheme://host[:port]) of the pages allowed to run the ceremonies: the
# browser writes the page's origin into clientDataJSON, and anything else is refused.
WEBAUTHN_ORIGINS = [
    origin.rstrip("/")
    for origin in env.list(
        "WEBAUTHN_ORIGINS", [f"{_frontend.scheme}://{_frontend.netloc}"], required=False
    )
]
# A started registration or sign-in (its challenge, in Redis) is valid this long, once.
PASSKEY_CHALLENGE_LIFETIME = env.duration("PASSKEY_CHALLENGE_LIFETIME", timedelta(minutes=5))

for _origin in WEBAUTHN_ORIGINS:
    _host = urlsplit(_origin).hostname or ""
    if _host != WEBAUTHN_RP_ID and not _host.endswith("." + WEBAUTHN_RP_ID):
        # Browsers refuse such a pair anyway; say so at start rather than at each sign-in.
        raise ImproperlyConfigured(
            f"WEBAUTHN_ORIGINS: {_origin} is not on WEBAUTHN_RP_ID {WEBAUTHN_RP_ID} "
            "(or a subdomain of it)"
        )
