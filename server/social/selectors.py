"""Reads for social sign-in."""

from __future__ import annotations

from social.models import SocialAccount, normalize_issuer


def social_account_get(*, issuer: str, subject: str) -> SocialAccount | None:
    return (
        SocialAccount.objects.select_related("user")
        .filter(issuer=normalize_issuer(issuer), subject=subject)
        .first()
    )
