"""Second factors (TOTP, recovery codes), the two-step sign-in and step-up."""

from __future__ import annotations

import base64
import binascii
from datetime import timedelta

from config.settings.accounts import RATE_LIMITS
from config.settings.environment import VAR_DIR, env
from core.ratelimit import deprecated_attempts, deprecated_window


def _fernet_key_problem(value: str) -> str | None:
    """Why `value` is not a Fernet key (32 bytes, URL-safe base64), or None when it is."""
    try:
        raw = base64.urlsafe_b64decode(value.encode())
    except (binascii.Error, ValueError):
        return "not URL-safe base64"
    return None if len(raw) == 32 else "not 32 bytes once decoded"


# Encrypts TOTP secrets at rest (Fernet: AES-128-CBC + HMAC-SHA256). Generate one with
# `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.
# Development generates one into var/keys/ on first use.
MFA_ENCRYPTION_KEY = env.str("MFA_ENCRYPTION_KEY", "")
# Earlier keys, newest first: still decrypt, never encrypt. To rotate, move the current key
# here, set a new MFA_ENCRYPTION_KEY, run `manage.py mfa_rotate_key`, then drop the old one.
MFA_ENCRYPTION_OLD_KEYS = env.list("MFA_ENCRYPTION_OLD_KEYS", [], required=False)
for _name, _value in [("MFA_ENCRYPTION_KEY", MFA_ENCRYPTION_KEY)] + [
    ("MFA_ENCRYPTION_OLD_KEYS", key) for key in MFA_ENCRYPTION_OLD_KEYS
]:
    if _value and (_problem := _fernet_key_problem(_value)):
        # The value itself is a secret: only the variable's name is reported.
        env.invalid.append(f"{_name}: a Fernet key is 32 bytes in URL-safe base64 ({_problem})")
MFA_DEV_KEY_FILE = VAR_DIR / "keys" / "mfa-dev.key"

# The `issuer` of otpauth:// URIs: the name authenticator apps show above the code.
TOTP_ISSUER = env.str("TOTP_ISSUER", "Gatehouse", required=False)
# How long a sign-in waits for its second factor after the first one passed.
SECOND_FACTOR_CHALLENGE_LIFETIME = env.duration(
    "SECOND_FACTOR_CHALLENGE_LIFETIME", timedelta(minutes=5)
)
# Wrong codes one challenge takes before it is burned (the user signs in again).
SECOND_FACTOR_CHALLENGE_ATTEMPTS = env.int("SECOND_FACTOR_CHALLENGE_ATTEMPTS", 5)
# Deprecated: RATE_LIMITS=second_factor=… (settings/accounts.py) sets the attempts per
# account across challenges; these keep their old names, for this release only.
SECOND_FACTOR_ATTEMPTS = deprecated_attempts("SECOND_FACTOR_ATTEMPTS", RATE_LIMITS)
SECOND_FACTOR_WINDOW = deprecated_window("SECOND_FACTOR_WINDOW", RATE_LIMITS)
# Sensitive changes need a session that signed in or re-authenticated this recently.
STEP_UP_WINDOW = env.duration("STEP_UP_WINDOW", timedelta(minutes=10))
# Confirming a new authenticator wants the session's sign-in (or re-authentication) this
# recent, else the password or an existing factor in the same call.
SECOND_FACTOR_ENROL_FRESHNESS = env.duration("SECOND_FACTOR_ENROL_FRESHNESS", timedelta(seconds=60))
