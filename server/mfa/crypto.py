"""Secrets of second factors at rest: TOTP secrets encrypted, recovery codes hashed.

TOTP secrets must be read back (to compute the expected code), so they are encrypted with
Fernet under MFA_ENCRYPTION_KEY; MFA_ENCRYPTION_OLD_KEYS still decrypt, so the key can be
rotated (`manage.py mfa_rotate_key` re-encrypts every row under the current key).
Development generates a key into `var/keys/` on first use, like the JWT signing key.

Recovery codes are never read back and carry ~50 random bits each, so a keyed SHA-256
(HMAC under SECRET_KEY, also under SECRET_KEY_FALLBACKS while one rotates) is right: a
slow password hash would only add latency, and without the key a database dump alone
cannot be searched.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import salted_hmac


class SecretUnreadable(Exception):
    """A stored secret was encrypted under a key that is no longer configured."""


def _dev_key(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Owner-only permissions; the folder is git-ignored.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process wrote it first
            return path.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(Fernet.generate_key().decode())
    return path.read_text().strip()


def _keys() -> list[str]:
    current = settings.MFA_ENCRYPTION_KEY.strip()
    if not current:
        if settings.PRODUCTION:
            raise ImproperlyConfigured("MFA_ENCRYPTION_KEY is required in production")
        current = _dev_key(Path(settings.MFA_DEV_KEY_FILE))
    return [current, *settings.MFA_ENCRYPTION_OLD_KEYS]


@functools.cache
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:  # the message never contains the key
        raise ImproperlyConfigured(f"MFA encryption key: {exc}") from None


def fernet() -> MultiFernet:
    """The current key first (encrypts), then the old ones (decrypt only)."""
    return _fernet_for(tuple(_keys()))


def secret_encrypt(secret: str) -> str:
    return fernet().encrypt(secret.encode()).decode()


def secret_decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("no configured MFA key decrypts this secret") from None


def secret_reencrypt(token: str) -> str | None:
    """The same secret under the current key, or None when it already is under it."""
    try:
        Fernet(_keys()[0].encode()).decrypt(token.encode())
    except InvalidToken:
        pass
    else:
        return None
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("no configured MFA key decrypts this secret") from None


_RECOVERY_SALT = "gatehouse.mfa.recovery-code"


def recovery_code_hashes(*, user_id: str, code: str) -> list[str]:
    """The stored forms `code` may have for this user: under SECRET_KEY first, then each of
    SECRET_KEY_FALLBACKS (codes made before a rotation keep working)."""
    message = f"{user_id}:{code}"
    return [
        salted_hmac(_RECOVERY_SALT, message, secret=secret, algorithm="sha256").hexdigest()
        for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    ]
