"""Writes for passkeys: register one, remove one, and verify one at sign-in.

`begin_authentication` / `finish_authentication` are the seam that other sign-in flows
(a passkey as a second factor, re-authentication) use; `PasskeyCredential` is the way a
passkey alone goes through the one sign-in flow (tokens/services/signin.py).

User verification: registration asks for it ("preferred", so that a security key without a
PIN can still serve as a second factor), but a passkey alone signs in only when the
authenticator verified the user (PIN or biometrics) at that very sign-in: possession plus
verification are the two factors. Options made without a user (`begin_authentication(None)`,
discoverable) therefore require verification, and the challenge remembers it.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.security_notices import SecurityChange, security_notice_queue
from core import ratelimit
from core.errors import CoreErrorCode, DomainError
from core.events import SecurityEventKind, security_event_send
from core.net import NO_REQUEST, Caller
from core.text import refuse_nul

# Reads go through the selectors module, not imported by name, so that the seam others
# count passkeys with has one home: passkeys.selectors.
from passkeys import ceremony, challenges, selectors
from passkeys.ceremony import CeremonyFailed, ParsedCredential
from passkeys.challenges import Purpose
from passkeys.errors import PasskeyErrorCode
from passkeys.models import MAX_CREDENTIAL_ID_BYTES, DeviceType, Passkey, PasskeyUser
from tokens.models import AuthMethod
from tokens.services import (
    IpLimitedCredential,
    IssuedTokens,
    SignInRefused,
    UserQuery,
    sign_in,
)

logger = logging.getLogger(__name__)

METHOD = "passkey"
MAX_PASSKEYS_PER_USER = 20
MAX_NAME_LENGTH = 60
DEFAULT_NAME = "Passkey"

EXPIRED_MESSAGE = "This passkey request has expired or was already used; please try again."
FAILED_MESSAGE = "The passkey could not be verified; please try again."
UNKNOWN_MESSAGE = "This passkey is not registered with this account."
WRONG_ACCOUNT_MESSAGE = "This passkey belongs to another account."


class _Refused(Exception):
    """An assertion or attestation was refused. `reason` is for the log (never holds the
    response); `owner_id` is the account of the credential when it was recognised."""

    def __init__(self, reason: str, message: str = FAILED_MESSAGE, owner_id: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.message = message
        self.owner_id = owner_id

    def domain_error(self, ceremony_name: str) -> DomainError:
        # The reason may quote what the browser sent (an origin): bounded and repr'd.
        logger.info("passkey %s refused: %.200r", ceremony_name, self.reason)
        return DomainError(PasskeyErrorCode.PASSKEY_INVALID, self.message, "credential")


def _parse(credential_json: str) -> ParsedCredential:
    try:
        return ceremony.credential_parse(credential_json)
    except CeremonyFailed as exc:
        raise _Refused(str(exc), "This is not a passkey response; please try again.") from None


def _challenge_take(
    parsed: ParsedCredential, *, purpose: Purpose, user: User | None
) -> challenges.IssuedChallenge:
    """Consume the challenge the response answers and check what it was issued for."""
    issued = challenges.consume(parsed.challenge)
    if issued is None:
        raise _Refused("unknown, expired or used challenge", EXPIRED_MESSAGE)
    if issued.purpose is not purpose:
        raise _Refused(f"challenge issued for {issued.purpose}, used for {purpose}")
    if issued.user_id is not None and (user is None or str(user.pk) != issued.user_id):
        # Options listing one account's passkeys answer for that account only. Options made
        # for nobody (discoverable) may serve a known user: the passkey must then be theirs.
        raise _Refused("challenge issued for another user")
    return issued


def _user_handle(user: User) -> bytes:
    """The account's WebAuthn user handle, made on first use."""
    try:
        with transaction.atomic():
            record, _ = PasskeyUser.objects.get_or_create(user=user)
    except IntegrityError:
        # Two first registrations at once: the other one made it.
        record = PasskeyUser.objects.get(user=user)
    return bytes(record.handle)


def _event(
    kind: SecurityEventKind, *, user_id: object, caller: Caller, session_id: str | None
) -> None:
    security_event_send(kind, user_id, caller, method=METHOD, session_id=session_id)


# --- registration ---------------------------------------------------------------------


def passkey_registration_start(*, user: User) -> str:
    """Creation options (JSON) for navigator.credentials.create(): a discoverable credential,
    the account's random user handle, its existing passkeys excluded."""
    ratelimit.check("passkey:register", str(user.pk))
    if selectors.passkey_count(user.pk) >= MAX_PASSKEYS_PER_USER:
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR,
            f"An account can have at most {MAX_PASSKEYS_PER_USER} passkeys; remove one first.",
        )
    profile = getattr(user, "profile", None)
    display_name = (getattr(profile, "display_name", "") or "").strip() or user.email
    challenge = challenges.issue(
        purpose=Purpose.REGISTRATION, user_id=str(user.pk), user_verification_required=False
    )
    return ceremony.registration_options(
        challenge=challenge,
        user_handle=_user_handle(user),
        user_name=user.email,
        display_name=display_name,
        exclude=selectors.passkey_descriptors(user.pk),
    )


def _name_clean(name: str | None) -> str:
    if name is None or not name.strip():
        return DEFAULT_NAME
    refuse_nul({"name": name})
    name = " ".join(name.split())
    if len(name) > MAX_NAME_LENGTH:
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR, f"Use at most {MAX_NAME_LENGTH} characters.", "name"
        )
    return name


def passkey_registration_finish(
    *,
    user: User,
    credential: str,
    name: str | None = None,
    caller: Caller = NO_REQUEST,
    session_id: str | None = None,
) -> Passkey:
    """Verify the browser's attestation against the registration challenge and store the
    passkey. The challenge is spent whatever the outcome."""
    clean_name = _name_clean(name)
    try:
        parsed = _parse(credential)
        _challenge_take(parsed, purpose=Purpose.REGISTRATION, user=user)
        try:
            verified = ceremony.registration_verify(parsed, challenge=parsed.challenge)
        except CeremonyFailed as exc:
            raise _Refused(str(exc)) from None
        if len(verified.credential_id) > MAX_CREDENTIAL_ID_BYTES:
            raise _Refused("credential ID longer than 1023 bytes")
        if verified.credential_id != parsed.raw_id:
            raise _Refused("attested credential ID differs from rawId")
    except _Refused as refused:
        raise refused.domain_error("registration") from None
    device_type = (
        DeviceType.MULTI_DEVICE
        if verified.credential_device_type == "multi_device"
        else DeviceType.SINGLE_DEVICE
    )
    try:
        with transaction.atomic():
            passkey = Passkey.objects.create(
                user=user,
                credential_id=verified.credential_id,
                public_key=verified.credential_public_key,
                sign_count=verified.sign_count,
                transports=parsed.transports,
                aaguid=verified.aaguid,
                backed_up=verified.credential_backed_up,
                device_type=device_type,
                name=clean_name,
            )
            # Queued with the passkey: whoever holds this session's token (perhaps not the
            # owner) can add one, and the owner hears of it with a link that removes it.
            security_notice_queue(
                change=SecurityChange.PASSKEY_ADDED, user=user, object_id=passkey.pk
            )
    except IntegrityError:
        # excludeCredentials keeps a browser from registering a passkey twice for one
        # account; this catches the rest (a race, another account, a hand-made response).
        raise DomainError(
            PasskeyErrorCode.PASSKEY_ALREADY_REGISTERED,
            "This passkey is already registered.",
            "credential",
        ) from None
    _event(SecurityEventKind.PASSKEY_ADDED, user_id=user.pk, caller=caller, session_id=session_id)
    return passkey


def passkey_remove(
    *,
    user: User,
    passkey_id: str,
    caller: Caller = NO_REQUEST,
    session_id: str | None = None,
) -> uuid.UUID:
    """Delete one of the user's passkeys and return its id; NOT_FOUND for anyone else's or
    an unknown id."""
    try:
        pk = uuid.UUID(passkey_id.strip())
    except (ValueError, AttributeError):
        pk = None
    deleted = 0
    if pk is not None:
        deleted, _ = Passkey.objects.filter(pk=pk, user=user).delete()
    if pk is None or not deleted:
        raise DomainError(CoreErrorCode.NOT_FOUND, "No such passkey.", "id")
    _event(SecurityEventKind.PASSKEY_REMOVED, user_id=user.pk, caller=caller, session_id=session_id)
    return pk


# --- authentication -------------------------------------------------------------------


def begin_authentication(user: User | None = None) -> str:
    """Request options (JSON, `PublicKeyCredentialRequestOptionsJSON`) for
    navigator.credentials.get().

    With a user: allowCredentials lists their passkeys, the challenge is bound to them and
    user verification is preferred (the passkey is a second factor). Without one: an empty
    allowCredentials (discoverable: the browser offers every passkey it has for this site)
    and user verification required (the passkey may be the only factor).
    """
    uv_required = user is None
    challenge = challenges.issue(
        purpose=Purpose.AUTHENTICATION,
        user_id=str(user.pk) if user is not None else None,
        user_verification_required=uv_required,
    )
    return ceremony.authentication_options(
        challenge=challenge,
        allow=selectors.passkey_descriptors(user.pk) if user is not None else [],
        user_verification_required=uv_required,
    )


def _counter_advance(passkey: Passkey, sign_count: int, backed_up: bool) -> bool:
    """Store the new counter if it went up (or both are 0: an authenticator that does not
    count). One conditional UPDATE, so two assertions racing with the same counter cannot
    both pass."""
    advanced = Q(sign_count__lt=sign_count) if sign_count > 0 else Q(sign_count=0)
    return bool(
        Passkey.objects.filter(advanced, pk=passkey.pk).update(
            sign_count=sign_count, backed_up=backed_up, last_used_at=timezone.now()
        )
    )


def _assertion_check(credential_json: str, user: User | None) -> Passkey:
    """Verify an assertion; the passkey it was made with. Raises _Refused."""
    parsed = _parse(credential_json)
    issued = _challenge_take(parsed, purpose=Purpose.AUTHENTICATION, user=user)
    passkey = selectors.passkey_by_credential_id(parsed.raw_id)
    if passkey is None:
        raise _Refused("unknown credential", UNKNOWN_MESSAGE)
    owner_id = str(passkey.user_id)
    if user is not None and passkey.user_id != user.pk:
        raise _Refused("credential of another user", WRONG_ACCOUNT_MESSAGE)
    stored_handle = PasskeyUser.objects.filter(user_id=passkey.user_id).values_list(
        "handle", flat=True
    )
    expected_handle = bytes(stored_handle[0]) if stored_handle else None
    if parsed.user_handle is not None and parsed.user_handle != expected_handle:
        raise _Refused("user handle does not match the credential's owner", owner_id=owner_id)
    if parsed.user_handle is None and user is None:
        # A discoverable sign-in identifies the account by the handle (WebAuthn §7.2).
        raise _Refused("no user handle in a discoverable sign-in", owner_id=owner_id)
    try:
        verified = ceremony.assertion_verify(
            parsed,
            challenge=parsed.challenge,
            public_key=bytes(passkey.public_key),
            user_verification_required=issued.user_verification_required,
        )
    except CeremonyFailed as exc:
        raise _Refused(str(exc), owner_id=owner_id) from None
    if not _counter_advance(passkey, verified.sign_count, verified.backed_up):
        Passkey.objects.filter(pk=passkey.pk).update(sign_count_regressed_at=timezone.now())
        logger.warning(
            "passkey %s of user %s: sign counter did not increase (%d); possible clone",
            passkey.pk,
            owner_id,
            verified.sign_count,
        )
        raise _Refused("sign counter did not increase", owner_id=owner_id)
    return passkey


def finish_authentication(credential_json: str, user: User | None = None) -> User:
    """Verify an assertion (`PublicKeyCredential.toJSON()` of navigator.credentials.get(),
    stringified) and return the passkey's owner.

    Checks, in order: the challenge in its clientDataJSON was issued by
    `begin_authentication` (for this user when it was issued for one), and is consumed here
    whatever the outcome; the credential is registered (to `user`, when given); the user
    handle matches; origin, RP ID, user presence (and verification when the options
    required it), the signature; the sign counter went up. Raises DomainError
    PASSKEY_INVALID (field `credential`) otherwise.
    """
    try:
        passkey = _assertion_check(credential_json, user)
    except _Refused as refused:
        raise refused.domain_error("authentication") from None
    return passkey.user


def passkey_login_start(*, caller: Caller) -> str:
    """Options for a passkey-only sign-in (discoverable); rate limited per client IP."""
    ratelimit.check("passkey:start", caller.ip_address)
    return begin_authentication(None)


@dataclass(frozen=True)
class PasskeyCredential(IpLimitedCredential):
    """A passkey alone, as a way into the sign-in flow (tokens/services/signin.py). It is
    both factors (possession, and the PIN or biometrics the options required), so no second
    factor is asked; its owner registered it signed in, so no verified address either."""

    credential: str
    method = METHOD
    auth_method = AuthMethod.PASSKEY
    second_factor = False
    vouches_for_email = True
    rate_limit_action = "passkey:login"

    def check(self, caller: Caller, users: UserQuery) -> User:
        # The account comes with the passkey (its user handle), not from a lookup.
        try:
            passkey = _assertion_check(self.credential, None)
        except _Refused as refused:
            raise SignInRefused(refused.domain_error("sign-in"), refused.owner_id) from None
        return passkey.user


def passkey_login(*, credential: str, transport: str, caller: Caller) -> IssuedTokens:
    """Sign in with a passkey alone and start a session."""
    return sign_in(PasskeyCredential(credential), caller=caller, transport=transport)
