"""The outcome of an access token's signature check, remembered per process.

Plain counterpart: `tokens.access.decode_access_token`, which checks the ES256 signature on
every request. A client sends the same access token with every request for its whole
lifetime, so the outcome is remembered (bounded LRU; only successes are remembered; what is
cached is what `verify_signature` returns for that exact string). Expiry and revocation are
checked again on every use by the caller.
"""

from __future__ import annotations

import functools
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver

from tokens.access import verify_signature
from tokens.signals import TOKEN_SETTINGS
from tokens.verifier import AccessClaims


@functools.lru_cache(maxsize=4096)
def verify_signature_cached(token: str) -> AccessClaims:
    return verify_signature(token)


def forget_verified_tokens() -> None:
    """After the key set or the issuer/audience settings change (tests, reloads)."""
    verify_signature_cached.cache_clear()


@receiver(setting_changed, dispatch_uid="fastpath.forget_verified_tokens")
def _token_settings_changed(setting: str, **kwargs: Any) -> None:
    if setting in TOKEN_SETTINGS:
        forget_verified_tokens()
