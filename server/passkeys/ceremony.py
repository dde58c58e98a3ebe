"""The relying party's side of the WebAuthn ceremonies, on top of py_webauthn.

Everything a browser sends is untrusted: `credential_parse` bounds its size and shape
before any of it is decoded, and every failure of the library (whose parsers of CBOR,
ASN.1 and base64 raise many kinds of exception) becomes `CeremonyFailed`, whose reason is
safe to log (it never holds the response itself).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.cose import COSEAlgorithmIdentifier
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)
from webauthn.registration.verify_registration_response import VerifiedRegistration

# A passkey response is a few hundred bytes to a few kilobytes (an attestation with a
# certificate chain); anything longer is not a response we asked for.
MAX_CREDENTIAL_CHARS = 32 * 1024
MAX_CLIENT_DATA_BYTES = 4 * 1024
MAX_TRANSPORTS = 8

# ES256 (nearly every authenticator), EdDSA, RS256 (Windows Hello): what py_webauthn verifies.
ALGORITHMS = [
    COSEAlgorithmIdentifier.ECDSA_SHA_256,
    COSEAlgorithmIdentifier.EDDSA,
    COSEAlgorithmIdentifier.RSASSA_PKCS1_v1_5_SHA_256,
]

_TRANSPORTS = {t.value for t in AuthenticatorTransport}


class CeremonyFailed(Exception):
    """The response cannot be trusted; the message says why, for the log only."""


def _timeout_ms() -> int:
    return int(settings.PASSKEY_CHALLENGE_LIFETIME.total_seconds() * 1000)


def _descriptors(credentials: list[tuple[bytes, list[str]]]) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(
            id=credential_id,
            transports=[AuthenticatorTransport(t) for t in transports if t in _TRANSPORTS] or None,
        )
        for credential_id, transports in credentials
    ]


def registration_options(
    *,
    challenge: bytes,
    user_handle: bytes,
    user_name: str,
    display_name: str,
    exclude: list[tuple[bytes, list[str]]],
) -> str:
    """`PublicKeyCredentialCreationOptionsJSON` for navigator.credentials.create()."""
    options = generate_registration_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        rp_name=settings.WEBAUTHN_RP_NAME,
        user_id=user_handle,
        user_name=user_name,
        user_display_name=display_name,
        challenge=challenge,
        timeout=_timeout_ms(),
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            # Discoverable: the passkey alone finds the account (no email typed first).
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(exclude),
        supported_pub_key_algs=ALGORITHMS,
    )
    return options_to_json(options)


def authentication_options(
    *,
    challenge: bytes,
    allow: list[tuple[bytes, list[str]]],
    user_verification_required: bool,
) -> str:
    """`PublicKeyCredentialRequestOptionsJSON` for navigator.credentials.get()."""
    options = generate_authentication_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        challenge=challenge,
        timeout=_timeout_ms(),
        allow_credentials=_descriptors(allow),
        user_verification=(
            UserVerificationRequirement.REQUIRED
            if user_verification_required
            else UserVerificationRequirement.PREFERRED
        ),
    )
    return options_to_json(options)


@dataclass(frozen=True)
class ParsedCredential:
    """The parts of a response we read before verifying it."""

    data: dict[str, Any]
    raw_id: bytes
    challenge: bytes
    user_handle: bytes | None
    transports: list[str]


def _b64(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise CeremonyFailed(f"{what} is not a string")
    try:
        return base64url_to_bytes(value)
    except (ValueError, TypeError):
        raise CeremonyFailed(f"{what} is not base64url") from None


def credential_parse(text: str) -> ParsedCredential:
    """Bound and decode the JSON of `PublicKeyCredential.toJSON()`; read its ID, the
    challenge from its clientDataJSON, its user handle and transports."""
    if not isinstance(text, str) or not text.strip():
        raise CeremonyFailed("empty credential")
    if len(text) > MAX_CREDENTIAL_CHARS:
        raise CeremonyFailed(f"credential longer than {MAX_CREDENTIAL_CHARS} characters")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise CeremonyFailed("credential is not JSON") from None
    if not isinstance(data, dict):
        raise CeremonyFailed("credential is not a JSON object")
    response = data.get("response")
    if not isinstance(response, dict):
        raise CeremonyFailed("credential has no response object")
    raw_id = _b64(data.get("rawId"), "rawId")
    if not raw_id:
        raise CeremonyFailed("empty rawId")
    client_data_bytes = _b64(response.get("clientDataJSON"), "clientDataJSON")
    if len(client_data_bytes) > MAX_CLIENT_DATA_BYTES:
        raise CeremonyFailed("clientDataJSON too long")
    try:
        client_data = json.loads(client_data_bytes)
    except (ValueError, RecursionError):
        raise CeremonyFailed("clientDataJSON is not JSON") from None
    if not isinstance(client_data, dict):
        raise CeremonyFailed("clientDataJSON is not a JSON object")
    if client_data.get("crossOrigin") is True:
        # Made inside a frame embedded by another site: our pages never run the ceremonies
        # there, and a page that frames them could drive them.
        raise CeremonyFailed("ceremony run in a cross-origin frame")
    challenge = _b64(client_data.get("challenge"), "challenge")
    if not challenge:
        raise CeremonyFailed("empty challenge")
    handle = response.get("userHandle")
    user_handle = _b64(handle, "userHandle") if handle not in (None, "") else None
    raw_transports = response.get("transports")
    transports = (
        [t for t in raw_transports if isinstance(t, str) and t in _TRANSPORTS][:MAX_TRANSPORTS]
        if isinstance(raw_transports, list)
        else []
    )
    return ParsedCredential(
        data=data,
        raw_id=raw_id,
        challenge=challenge,
        user_handle=user_handle,
        transports=sorted(set(transports)),
    )


# The library decodes attacker-chosen CBOR, ASN.1, base64 and COSE keys; its errors are not
# a closed set (WebAuthnException, ValueError, TypeError, KeyError, cbor2's and
# cryptography's own…). Any of them means "not a response we can trust", never a 500.
_LIBRARY_FAILURES = (Exception,)


def registration_verify(credential: ParsedCredential, *, challenge: bytes) -> VerifiedRegistration:
    """Check the attestation: type, challenge, origin, RP ID hash, user presence, algorithm
    and (for fmt other than "none") the attestation statement."""
    try:
        return verify_registration_response(
            credential=credential.data,
            expected_challenge=challenge,
            expected_rp_id=settings.WEBAUTHN_RP_ID,
            expected_origin=list(settings.WEBAUTHN_ORIGINS),
            # Registration asks for verification ("preferred") but does not demand it: a
            # security key without a PIN may still be a second factor. Signing in with a
            # passkey alone demands it at every use (services.finish_authentication).
            require_user_verification=False,
            supported_pub_key_algs=ALGORITHMS,
        )
    except WebAuthnException as exc:
        raise CeremonyFailed(f"registration refused: {exc}") from None
    except _LIBRARY_FAILURES as exc:
        raise CeremonyFailed(f"registration unreadable: {type(exc).__name__}") from None


@dataclass(frozen=True)
class VerifiedAssertion:
    sign_count: int
    backed_up: bool
    user_verified: bool


def assertion_verify(
    credential: ParsedCredential,
    *,
    challenge: bytes,
    public_key: bytes,
    user_verification_required: bool,
) -> VerifiedAssertion:
    """Check an assertion: type, challenge, origin, RP ID hash, user presence (and
    verification when required) and the signature over authenticatorData + clientDataJSON.

    The sign counter is checked by the caller against the stored one, atomically, after the
    signature: a counter that went back on a validly signed assertion is recorded as a
    possible clone, which an unsigned forgery must not be able to trigger.
    """
    try:
        verified = verify_authentication_response(
            credential=credential.data,
            expected_challenge=challenge,
            expected_rp_id=settings.WEBAUTHN_RP_ID,
            expected_origin=list(settings.WEBAUTHN_ORIGINS),
            credential_public_key=public_key,
            # 0: the library's own counter check never fires; ours runs on the stored row.
            credential_current_sign_count=0,
            require_user_verification=user_verification_required,
        )
    except WebAuthnException as exc:
        raise CeremonyFailed(f"assertion refused: {exc}") from None
    except _LIBRARY_FAILURES as exc:
        raise CeremonyFailed(f"assertion unreadable: {type(exc).__name__}") from None
    return VerifiedAssertion(
        sign_count=verified.new_sign_count,
        backed_up=verified.credential_backed_up,
        user_verified=verified.user_verified,
    )


def credential_id_text(credential_id: bytes) -> str:
    return bytes_to_base64url(credential_id)
