"""A software WebAuthn authenticator and client, for the tests: a real EC P-256 key, real
CBOR attestation objects ("none" attestation) and real ECDSA assertions, shaped exactly as a
browser's `PublicKeyCredential.toJSON()` (base64url without padding).

It plays both the authenticator (authenticatorData, signatures, the counter) and the
browser (clientDataJSON with the page's origin, honouring excludeCredentials), so a test can
also play a phishing page (another origin) or a misconfigured RP ID.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

ORIGIN = "http://localhost:5173"
RP_ID = "localhost"

# authenticatorData flags (WebAuthn §6.1).
UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ExcludedCredential(Exception):
    """What a browser raises (InvalidStateError) when the authenticator already holds one
    of the excluded credentials."""


@dataclass
class SoftAuthenticator:
    """One discoverable credential on one authenticator."""

    origin: str = ORIGIN
    # A synced passkey (backup eligible and backed up) that never counts, like most
    # platform passkeys; counting=True behaves like a security key.
    synced: bool = False
    counting: bool = True
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    credential_id: bytes = field(default_factory=lambda: os.urandom(32))
    sign_count: int = 0
    user_handle: bytes | None = None
    aaguid: bytes = bytes.fromhex("ea9b8d664d011d213ce4b6b48cb575d4")
    # True: the browser ran the ceremony in a frame that another site embedded.
    cross_origin: bool = False

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        # kty EC2, alg ES256, crv P-256, x, y
        return cbor2.dumps(
            {
                1: 2,
                3: -7,
                -1: 1,
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def _flags(self, *, uv: bool, attested: bool = False) -> int:
        flags = UP | (UV if uv else 0) | (AT if attested else 0)
        return flags | (BE | BS if self.synced else 0)

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps(
            {
                "type": kind,
                "challenge": challenge,
                "origin": origin or self.origin,
                "crossOrigin": self.cross_origin,
            },
            separators=(",", ":"),
        ).encode()

    def create(
        self,
        options_json: str,
        *,
        origin: str | None = None,
        rp_id: str | None = None,
        uv: bool = True,
    ) -> str:
        """navigator.credentials.create() followed by credential.toJSON(), stringified."""
        options = json.loads(options_json)
        excluded = {unb64url(c["id"]) for c in options.get("excludeCredentials", [])}
        if self.credential_id in excluded:
            raise ExcludedCredential("the authenticator already holds an excluded credential")
        self.user_handle = unb64url(options["user"]["id"])
        rp_hash = hashlib.sha256((rp_id or options["rp"]["id"]).encode()).digest()
        auth_data = (
            rp_hash
            + bytes([self._flags(uv=uv, attested=True)])
            + self.sign_count.to_bytes(4, "big")
            + self.aaguid
            + len(self.credential_id).to_bytes(2, "big")
            + self.credential_id
            + self._cose_key()
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        return json.dumps(
            {
                "id": b64url(self.credential_id),
                "rawId": b64url(self.credential_id),
                "type": "public-key",
                "authenticatorAttachment": "platform",
                "clientExtensionResults": {},
                "response": {
                    "clientDataJSON": b64url(client_data),
                    "attestationObject": b64url(attestation),
                    "authenticatorData": b64url(auth_data),
                    "transports": ["hybrid", "internal"],
                    "publicKeyAlgorithm": -7,
                },
            }
        )

    def get(
        self,
        options_json: str,
        *,
        origin: str | None = None,
        rp_id: str | None = None,
        uv: bool = True,
        sign_count: int | None = None,
        user_handle: bytes | str | None = "own",
    ) -> str:
        """navigator.credentials.get() followed by credential.toJSON(), stringified.

        `sign_count` forces the counter (a cloned authenticator); `user_handle` None leaves
        it out, bytes send another one.
        """
        options = json.loads(options_json)
        allowed = [unb64url(c["id"]) for c in options.get("allowCredentials", [])]
        if allowed and self.credential_id not in allowed:
            raise LookupError("the authenticator holds none of the allowed credentials")
        if sign_count is None:
            if self.counting:
                self.sign_count += 1
            sign_count = self.sign_count
        rp_hash = hashlib.sha256((rp_id or options["rpId"]).encode()).digest()
        auth_data = rp_hash + bytes([self._flags(uv=uv)]) + sign_count.to_bytes(4, "big")
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = self.key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        handle = self.user_handle if user_handle == "own" else user_handle
        response: dict[str, Any] = {
            "clientDataJSON": b64url(client_data),
            "authenticatorData": b64url(auth_data),
            "signature": b64url(signature),
        }
        if isinstance(handle, bytes):
            response["userHandle"] = b64url(handle)
        return json.dumps(
            {
                "id": b64url(self.credential_id),
                "rawId": b64url(self.credential_id),
                "type": "public-key",
                "authenticatorAttachment": "platform",
                "clientExtensionResults": {},
                "response": response,
            }
        )
