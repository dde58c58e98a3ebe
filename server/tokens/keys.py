"""ES256 signing keys with a `kid`, and the JWKS that publishes their public halves.

`JWT_PRIVATE_KEYS` (or the file named by `JWT_PRIVATE_KEYS_FILE`) holds a JWK Set of EC
P-256 private keys. The first key signs; every key verifies, so a new key can be published
before it signs and an old one kept until the last token it signed has expired: keys rotate
without signing anyone out. Development generates one key into `var/keys/` on first use.
"""

from __future__ import annotations

import functools
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from jwt.algorithms import ECAlgorithm

ALGORITHM = "ES256"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: ec.EllipticCurvePrivateKey
    public_key: ec.EllipticCurvePublicKey
    public_jwk: dict[str, Any]


@dataclass(frozen=True)
class KeySet:
    signing: SigningKey
    verifying: dict[str, ec.EllipticCurvePublicKey]
    jwks: dict[str, Any]


def generate_private_jwk(kid: str | None = None) -> dict[str, Any]:
    """A new P-256 private key as a JWK, with a date-stamped random `kid`."""
    key = ec.generate_private_key(ec.SECP256R1())
    jwk: dict[str, Any] = json.loads(ECAlgorithm.to_jwk(key))
    jwk.update(
        kid=kid or f"{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(4)}", alg=ALGORITHM, use="sig"
    )
    return jwk


def _load_jwk(jwk: dict[str, Any]) -> SigningKey:
    kid = jwk.get("kid")
    if not isinstance(kid, str) or not kid:
        raise ImproperlyConfigured("every JWT signing key needs a 'kid'")
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256" or "d" not in jwk:
        raise ImproperlyConfigured(f"JWT key {kid!r} must be an EC P-256 private key (ES256)")
    private_key = ECAlgorithm.from_jwk(jwk)
    if not isinstance(private_key, ec.EllipticCurvePrivateKey):
        raise ImproperlyConfigured(f"JWT key {kid!r} is not a private key")
    public_key = private_key.public_key()
    public_jwk: dict[str, Any] = json.loads(ECAlgorithm.to_jwk(public_key))
    public_jwk.update(kid=kid, alg=ALGORITHM, use="sig")
    return SigningKey(
        kid=kid, private_key=private_key, public_key=public_key, public_jwk=public_jwk
    )


def _dev_keys(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written with owner-only permissions; the folder is git-ignored.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump({"keys": [generate_private_jwk()]}, handle)
    return path.read_text()


def parse_keyset(raw: str) -> KeySet:
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ImproperlyConfigured("JWT_PRIVATE_KEYS must be a JWK Set (JSON)") from exc
    entries = document.get("keys") if isinstance(document, dict) else document
    if not isinstance(entries, list) or not entries:
        raise ImproperlyConfigured("JWT_PRIVATE_KEYS must hold at least one key")
    keys = [_load_jwk(entry) for entry in entries]
    kids = [key.kid for key in keys]
    if len(set(kids)) != len(kids):
        raise ImproperlyConfigured("JWT signing keys must have distinct kids")
    return KeySet(
        signing=keys[0],
        verifying={key.kid: key.public_key for key in keys},
        jwks={"keys": [key.public_jwk for key in keys]},
    )


@functools.cache
def keyset() -> KeySet:
    """The configured keys, parsed once per process."""
    if settings.JWT_PRIVATE_KEYS.strip():
        return parse_keyset(settings.JWT_PRIVATE_KEYS)
    if settings.JWT_PRIVATE_KEYS_FILE.strip():
        return parse_keyset(Path(settings.JWT_PRIVATE_KEYS_FILE).read_text())
    if settings.PRODUCTION:
        raise ImproperlyConfigured("JWT_PRIVATE_KEYS is required in production")
    return parse_keyset(_dev_keys(Path(settings.JWT_DEV_KEY_FILE)))
