"""Sessions end when what they were granted on changes: a new password (accounts'
`credentials_changed`) or a user set inactive (admin, support tooling, any save)."""

from __future__ import annotations

from typing import Any

from django.core.signals import setting_changed
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.models import User
from accounts.signals import credentials_changed


@receiver(post_save, sender=User, dispatch_uid="tokens.end_sessions_of_inactive_user")
def end_sessions_of_inactive_user(
    sender: type[User], instance: User, created: bool, **kwargs: Any
) -> None:
    if created or instance.is_active:
        return
    from tokens.services import sessions_end_all

    sessions_end_all(user=instance)


@receiver(credentials_changed, dispatch_uid="tokens.end_sessions_on_credentials_change")
def end_sessions_on_credentials_change(
    sender: type[User], user: User, keep_session_id: str | None, **kwargs: Any
) -> None:
    from tokens.services import sessions_end_all

    sessions_end_all(user=user, keep_session_id=keep_session_id)


# The settings whose change changes the outcome of an access token's check: the key set is
# reloaded and remembered signature checks are forgotten on them here.
TOKEN_SETTINGS = frozenset(
    {
        "JWT_PRIVATE_KEYS",
        "JWT_PRIVATE_KEYS_FILE",
        "JWT_ISSUER",
        "JWT_AUDIENCE",
        "ACCESS_TOKEN_LIFETIME",
        "JWT_LEEWAY",
    }
)


@receiver(setting_changed, dispatch_uid="tokens.reload_keys")
def reload_keys(setting: str, **kwargs: Any) -> None:
    # Tests and reloads that swap the key set must not keep verifying with the old one.
    if setting in TOKEN_SETTINGS:
        from tokens.access import verify_signature_cached
        from tokens.keys import keyset

        keyset.cache_clear()
        verify_signature_cached.cache_clear()
