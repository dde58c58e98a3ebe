"""Writes for second factors: enrolling and disabling an authenticator app, recovery codes,
the second step of a sign-in, and re-authentication (step-up).

The second factor is a stage of the one sign-in flow (tokens/services/signin.py), registered
when the app is ready: for an account with a second factor, the flow stops with
SecondFactorRequired carrying a short-lived challenge, which `second_factor_verify` turns
into a session.

Single use under races: a TOTP step is accepted by a conditional UPDATE of
`last_used_step`, a recovery code by a conditional UPDATE of `used_at`, a challenge by the
one DELETE that removes it. Codes never reach a log or a security event.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.email_tokens import not_me_token_check
from accounts.errors import AccountErrorCode
from accounts.models import User
from accounts.security_notices import SecurityChange, security_notice_queue
from core import ratelimit
from core.errors import CoreErrorCode, DomainError
from core.events import SecurityEventKind, counts_sign_in, security_event_send
from core.net import Caller
from mfa import challenges, crypto, passkey_bridge, selectors, totp
from mfa.errors import MfaErrorCode
from mfa.models import RecoveryCode, TotpDevice
from mfa.tasks import MfaNotice, notice_queue
from tokens.models import AuthMethod
from tokens.services import (
    IssuedTokens,
    session_authenticated,
    sessions_end_all,
    sign_in_complete,
)

__all__ = ["Caller"]  # re-exported: callers of these services build one

SECOND_FACTOR_MESSAGE = (
    "Enter the code from your authenticator app, a recovery code or use a passkey."
)
RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: codes are read off paper and typed by hand. 31 symbols, 10 of them:
# about 49.5 bits per code.
_RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
_RECOVERY_LENGTH = 10


# How recently a session must have signed in or re-authenticated to confirm a new
# authenticator without proving it is the owner again in the same call.
def enrol_freshness() -> timedelta:
    """SECOND_FACTOR_ENROL_FRESHNESS (a minute by default).

    STEP_UP_WINDOW (10 minutes) lets a token fresh from a sign-in make sensitive changes; a
    token stolen in that window could enrol its own authenticator and take ten recovery
    codes. Confirming one therefore wants the sign-in itself (or a re-authentication) to be
    a moment old, else proof in the same call."""
    value: timedelta = settings.SECOND_FACTOR_ENROL_FRESHNESS
    return value


class Method(StrEnum):
    """A second factor, by its GraphQL name."""

    TOTP = "TOTP"
    RECOVERY_CODE = "RECOVERY_CODE"
    PASSKEY = "PASSKEY"


# The security log's short words for each way of proving who one is.
_EVENT_METHOD = {
    Method.TOTP: "totp",
    Method.RECOVERY_CODE: "recovery_code",
    Method.PASSKEY: "passkey",
}


@dataclass(frozen=True)
class Challenge:
    """What a client needs to finish a sign-in: the challenge and how it may answer it."""

    challenge: str
    expires_at: datetime
    methods: list[Method]
    passkey_options: str | None


class SecondFactorRequired(DomainError):
    """The first factor passed and the account has a second one: no session yet.

    A DomainError so that it reaches the client as the payload error SECOND_FACTOR_REQUIRED
    (an old client shows the message) and is counted by `counts_sign_in` as such; the
    schema adds `challenge` to the payload.
    """

    def __init__(self, challenge: Challenge) -> None:
        super().__init__(MfaErrorCode.SECOND_FACTOR_REQUIRED, SECOND_FACTOR_MESSAGE)
        self.challenge = challenge


@dataclass(frozen=True)
class TotpEnrollment:
    secret: str
    otpauth_uri: str


def _event(
    kind: SecurityEventKind,
    user: User,
    caller: Caller,
    method: str = "",
    session_id: str | None = None,
) -> None:
    security_event_send(kind, user.pk, caller, method=method, session_id=session_id)


# --- proving a second factor -------------------------------------------------------------


class _Wrong(Exception):
    """The presented factor is wrong or already used (never carries the factor itself)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class _Presented:
    method: Method
    value: str
    field: str


def _one_factor(
    *, code: str | None, recovery_code: str | None, passkey: str | None
) -> _Presented | None:
    given = [
        _Presented(method, value, field)
        for method, value, field in (
            (Method.TOTP, code, "code"),
            (Method.RECOVERY_CODE, recovery_code, "recoveryCode"),
            (Method.PASSKEY, passkey, "passkey"),
        )
        if value is not None and value != ""
    ]
    if len(given) > 1:
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR,
            "Give exactly one of an authenticator code, a recovery code or a passkey.",
            None,
        )
    return given[0] if given else None


def _required_factor(
    *, code: str | None, recovery_code: str | None, passkey: str | None, missing: str
) -> _Presented:
    """The one factor presented; VALIDATION_ERROR on `code` saying `missing` when none was."""
    presented = _one_factor(code=code, recovery_code=recovery_code, passkey=passkey)
    if presented is None:
        raise DomainError(CoreErrorCode.VALIDATION_ERROR, missing, "code")
    return presented


def _totp_accept(user: User, code: str) -> None:
    """Accept the current authenticator code once (its time step is recorded), or _Wrong."""
    wrong = _Wrong("The authenticator code is wrong or was already used.", "code")
    digits = totp.code_clean(code)
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if digits is None or device is None:
        raise wrong
    step = totp.matching_step(
        secret=crypto.secret_decrypt(device.secret), code=digits, at=totp.clock()
    )
    if step is None:
        raise wrong
    # Only a step newer than the last accepted one: the same code (or an older one) twice,
    # even by two requests at once, passes once.
    accepted = (
        TotpDevice.objects.filter(pk=device.pk, confirmed_at__isnull=False)
        .filter(Q(last_used_step__isnull=True) | Q(last_used_step__lt=step))
        .update(last_used_step=step)
    )
    if not accepted:
        raise wrong


def _recovery_code_clean(code: str) -> str | None:
    if len(code) > 64:
        return None
    cleaned = "".join(code.split()).replace("-", "").lower()
    if len(cleaned) != _RECOVERY_LENGTH or any(c not in _RECOVERY_ALPHABET for c in cleaned):
        return None
    return cleaned


def _recovery_code_accept(user: User, code: str) -> None:
    """Spend one unused recovery code of the user's, or _Wrong."""
    wrong = _Wrong("The recovery code is wrong or was already used.", "recoveryCode")
    cleaned = _recovery_code_clean(code)
    if cleaned is None:
        raise wrong
    hashes = crypto.recovery_code_hashes(user_id=str(user.pk), code=cleaned)
    spent = RecoveryCode.objects.filter(
        user=user, code_hash__in=hashes, used_at__isnull=True
    ).update(used_at=timezone.now())
    if not spent:
        raise wrong


def _passkey_accept(user: User, credential_json: str) -> None:
    if len(credential_json) > 16 * 1024:  # an assertion is about 1 KiB
        raise _Wrong("The passkey answer is too large.", "passkey")
    try:
        passkey_bridge.assertion_check(credential_json=credential_json, user=user)
    except DomainError as exc:
        raise _Wrong(exc.message, "passkey") from None


def _factor_prove[T](
    *,
    user: User,
    presented: _Presented,
    caller: Caller,
    session_id: str | None,
    then: Callable[[], T],
    on_wrong: Callable[[], None] = lambda: None,
) -> T:
    """Check the factor and run `then` in the same transaction (whatever `then` refuses
    gives the code back). A wrong factor counts against the account (and `on_wrong`), is
    logged as SECOND_FACTOR_FAILED and raised as INVALID_SECOND_FACTOR."""
    ratelimit.check("second_factor", str(user.pk))
    try:
        with transaction.atomic():
            if presented.method is Method.TOTP:
                _totp_accept(user, presented.value)
            elif presented.method is Method.RECOVERY_CODE:
                _recovery_code_accept(user, presented.value)
                notice_queue(kind=MfaNotice.RECOVERY_CODE_USED, user=user)
            else:
                _passkey_accept(user, presented.value)
            result = then()
    except _Wrong as wrong:
        on_wrong()
        _event(
            SecurityEventKind.SECOND_FACTOR_FAILED,
            user,
            caller,
            _EVENT_METHOD[presented.method],
            session_id,
        )
        raise DomainError(MfaErrorCode.INVALID_SECOND_FACTOR, wrong.message, wrong.field) from None
    if presented.method is Method.RECOVERY_CODE:
        _event(SecurityEventKind.RECOVERY_CODE_USED, user, caller, "recovery_code", session_id)
    return result


# --- the two-step sign-in -----------------------------------------------------------------


def _methods(summary: selectors.SecondFactorSummary) -> list[Method]:
    methods = []
    if summary.totp_enabled:
        methods.append(Method.TOTP)
    if summary.recovery_codes_remaining:
        methods.append(Method.RECOVERY_CODE)
    if summary.passkey_count:
        methods.append(Method.PASSKEY)
    return methods


class SecondFactorStage:
    """The sign-in flow's second-factor stage (registered in mfa/apps.py): an account with
    a second factor gets a challenge bound to this user, first-factor method and transport
    instead of a session."""

    def user_by_email(self, email: str) -> User | None:
        return selectors.user_signing_in(email)

    def run(self, *, user: User, auth_method: AuthMethod, transport: str) -> None:
        if not selectors.second_factor_enabled(user):
            return
        methods = _methods(selectors.second_factors_summary(user))
        options = passkey_bridge.authentication_options(user) if Method.PASSKEY in methods else None
        if Method.PASSKEY in methods and options is None:
            methods.remove(Method.PASSKEY)
        challenge, expires_at = challenges.challenge_create(
            user_id=str(user.pk), auth_method=str(auth_method), transport=transport
        )
        raise SecondFactorRequired(
            Challenge(
                challenge=challenge,
                expires_at=expires_at,
                methods=methods,
                passkey_options=options,
            )
        )


def _expired(
    message: str = "This sign-in has expired or was already finished; sign in again.",
) -> DomainError:
    return DomainError(MfaErrorCode.CHALLENGE_EXPIRED, message, "challenge")


@counts_sign_in("second_factor")
def second_factor_verify(
    *,
    challenge: str,
    code: str | None = None,
    recovery_code: str | None = None,
    passkey: str | None = None,
    transport: str,
    caller: Caller,
) -> IssuedTokens:
    """`verifySecondFactor`: the second step of a sign-in; starts the session."""
    pending = challenges.challenge_read(challenge)
    if pending is None or pending.expires_at <= timezone.now():
        raise _expired()
    if pending.transport != transport:
        # Started for a browser and finished by something asking for tokens in the body (or
        # the other way round): not the client that passed the first factor. Burn it.
        challenges.challenge_consume(challenge)
        raise _expired("This sign-in was started with another transport; sign in again.")
    presented = _required_factor(
        code=code,
        recovery_code=recovery_code,
        passkey=passkey,
        missing="Give an authenticator code, a recovery code or a passkey.",
    )
    user = User.objects.filter(pk=pending.user_id).first()
    if user is None or not user.is_active:
        challenges.challenge_consume(challenge)
        raise DomainError(AccountErrorCode.ACCOUNT_DISABLED, "This account is disabled.", None)

    def start() -> IssuedTokens:
        # Inside the factor's transaction: a challenge spent by a racer gives the code back.
        if not challenges.challenge_consume(challenge):
            raise _expired()
        return sign_in_complete(
            user=user, auth_method=AuthMethod(pending.auth_method), caller=caller
        )

    return _factor_prove(
        user=user,
        presented=presented,
        caller=caller,
        session_id=None,
        then=start,
        on_wrong=lambda: challenges.challenge_failed(challenge),
    )


# --- step-up ------------------------------------------------------------------------------


def reauthenticate(
    *,
    user: User,
    caller: Caller,
    session_id: str | None,
    password: str | None = None,
    code: str | None = None,
    recovery_code: str | None = None,
    passkey: str | None = None,
) -> None:
    """Stamp the caller's session as freshly authenticated, after the password (accounts
    without a second factor) or a second factor (accounts with one)."""
    presented = _one_factor(code=code, recovery_code=recovery_code, passkey=passkey)
    if (presented is not None) == bool(password):
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR,
            "Give exactly one of a password, an authenticator code, a recovery code or a passkey.",
            None,
        )
    summary = selectors.second_factors_summary(user)

    def stamp() -> None:
        if not session_authenticated(user=user, session_id=session_id):
            raise DomainError(
                CoreErrorCode.VALIDATION_ERROR, "This session has ended; sign in again.", None
            )

    if presented is not None:
        if not summary.any and presented.method is not Method.RECOVERY_CODE:
            raise DomainError(
                MfaErrorCode.INVALID_SECOND_FACTOR,
                "This account has no second factor: re-authenticate with your password.",
                presented.field,
            )
        _factor_prove(
            user=user, presented=presented, caller=caller, session_id=session_id, then=stamp
        )
        _event(SecurityEventKind.STEP_UP, user, caller, _EVENT_METHOD[presented.method], session_id)
        return
    if summary.any:
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR,
            "This account has a second factor: re-authenticate with it, not the password.",
            "password",
        )
    if not user.has_usable_password():
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR,
            "This account has no password: sign in again (e.g. with Google) instead.",
            "password",
        )
    ratelimit.check("second_factor", str(user.pk))
    if not password or len(password) > 4096 or not user.check_password(password):
        raise DomainError(
            AccountErrorCode.INVALID_CREDENTIALS, "The password is not correct.", "password"
        )
    stamp()
    _event(SecurityEventKind.STEP_UP, user, caller, "password", session_id)


# --- enrolment ----------------------------------------------------------------------------


@transaction.atomic
def totp_enrollment_start(*, user: User) -> TotpEnrollment:
    """A new secret for the user's authenticator app, pending until a code confirms it.
    Replaces a pending one; refused when one is already confirmed."""
    device = TotpDevice.objects.select_for_update().filter(user=user).first()
    if device is not None and device.confirmed_at is not None:
        raise DomainError(
            MfaErrorCode.TOTP_ALREADY_ENABLED,
            "An authenticator app is already set up; disable it first.",
            None,
        )
    secret = totp.secret_new()
    TotpDevice.objects.update_or_create(
        user=user,
        defaults={
            "secret": crypto.secret_encrypt(secret),
            "created_at": timezone.now(),
            "confirmed_at": None,
            "last_used_step": None,
        },
    )
    uri = totp.provisioning_uri(secret=secret, account=user.email, issuer=settings.TOTP_ISSUER)
    return TotpEnrollment(secret=secret, otpauth_uri=uri)


@dataclass(frozen=True)
class _CodeBatch:
    codes: list[str]  # as shown to the user, `xxxxx-xxxxx`
    made_at: datetime  # every code of the batch has it: what a notice's link names


def _recovery_codes_new(user: User, made_at: datetime | None = None) -> _CodeBatch:
    """Replace every recovery code of the user's with ten new ones (inside a transaction)."""
    codes = [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    made_at = made_at or timezone.now()
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(
            user=user,
            code_hash=crypto.recovery_code_hashes(user_id=str(user.pk), code=c)[0],
            created_at=made_at,
        )
        for c in codes
    )
    return _CodeBatch(codes=[f"{c[:5]}-{c[5:]}" for c in codes], made_at=made_at)


@dataclass(frozen=True)
class Proof:
    """Who one is, proved again inside the call that needs it: exactly one of the password
    (accounts without a second factor) or an existing second factor."""

    password: str | None = None
    code: str | None = None
    recovery_code: str | None = None
    passkey: str | None = None

    @property
    def given(self) -> bool:
        return any(
            v not in (None, "")
            for v in (self.password, self.code, self.recovery_code, self.passkey)
        )


def _reauthentication_required(user: User) -> DomainError:
    if selectors.second_factors_summary(user).any:
        what = "`proof` with a recovery code (`proof.recoveryCode`) or a passkey (`proof.passkey`)"
    elif user.has_usable_password():
        what = "`proof.password` with the account's password"
    else:
        what = "nothing more after signing in again (e.g. with Google)"
    return DomainError(
        MfaErrorCode.REAUTHENTICATION_REQUIRED,
        "This session signed in more than a minute ago: to add an authenticator app, confirm "
        f"it is you in the same call — send {what}.",
        "proof",
    )


def totp_enrollment_confirm(
    *,
    user: User,
    code: str,
    caller: Caller,
    session_id: str | None = None,
    recently_authenticated: bool,
    proof: Proof | None = None,
) -> list[str] | None:
    """Confirm the pending authenticator with a first code. Returns ten new recovery codes
    when the account had none left, else None.

    `recently_authenticated`: the session signed in or re-authenticated within
    `enrol_freshness()`. When it did not, `proof` must prove the owner again (the password,
    or an existing factor when there is one; see `reauthenticate`, which it stamps like)."""
    if recently_authenticated:
        ratelimit.check("second_factor", str(user.pk))
    else:
        if proof is None or not proof.given:
            raise _reauthentication_required(user)
        # Counts against the same limit as the code, once (reauthenticate checks it). It
        # stamps the session: should the new code be wrong, a retry within the minute needs
        # no proof again.
        reauthenticate(
            user=user,
            caller=caller,
            session_id=session_id,
            password=proof.password,
            code=proof.code,
            recovery_code=proof.recovery_code,
            passkey=proof.passkey,
        )
    wrong = DomainError(
        MfaErrorCode.INVALID_SECOND_FACTOR,
        "The code is wrong: check the app's clock and enter the code it shows now.",
        "code",
    )
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user).first()
        if device is None or device.confirmed_at is not None:
            raise DomainError(
                MfaErrorCode.TOTP_NOT_STARTED,
                "No authenticator set-up is waiting for a code; start again.",
                None,
            )
        digits = totp.code_clean(code)
        step = (
            None
            if digits is None
            else totp.matching_step(
                secret=crypto.secret_decrypt(device.secret), code=digits, at=totp.clock()
            )
        )
        if step is not None:
            device.confirmed_at = timezone.now()
            device.last_used_step = step
            device.save(update_fields=["confirmed_at", "last_used_step"])
            # Codes made with the app carry its confirmation time: the notice's link removes
            # the app and these codes, and nothing the owner made.
            batch = (
                None
                if selectors.recovery_codes_remaining(user)
                else _recovery_codes_new(user, made_at=device.confirmed_at)
            )
            # One notice for both. The app is named by its enrolment (the row is keyed by
            # the user: a later enrolment is another app).
            security_notice_queue(
                change=SecurityChange.AUTHENTICATOR_ADDED,
                user=user,
                object_id=device.created_at.isoformat(),
            )
    if step is None:
        raise wrong
    _event(SecurityEventKind.TOTP_ENABLED, user, caller, "totp", session_id)
    if batch is None:
        return None
    _event(SecurityEventKind.RECOVERY_CODES_GENERATED, user, caller, "", session_id)
    return batch.codes


def totp_disable(
    *,
    user: User,
    caller: Caller,
    session_id: str | None,
    password: str | None,
    code: str | None,
    recovery_code: str | None,
) -> None:
    """Remove the authenticator app: the password (when the account has one) and a current
    code or a recovery code. Recovery codes go too when no other second factor is left."""
    if not selectors.totp_enabled(user):
        raise DomainError(MfaErrorCode.TOTP_NOT_ENABLED, "No authenticator app is set up.", None)
    presented = _required_factor(
        code=code,
        recovery_code=recovery_code,
        passkey=None,
        missing="Give a current authenticator code or a recovery code.",
    )
    if user.has_usable_password():
        if not password:
            raise DomainError(
                AccountErrorCode.INVALID_CREDENTIALS,
                "Enter your password to remove the authenticator app.",
                "password",
            )
        ratelimit.check("second_factor", str(user.pk))
        if len(password) > 4096 or not user.check_password(password):
            raise DomainError(
                AccountErrorCode.INVALID_CREDENTIALS, "The password is not correct.", "password"
            )

    def remove() -> None:
        TotpDevice.objects.filter(user=user).delete()
        if not passkey_bridge.passkey_count(user):
            RecoveryCode.objects.filter(user=user).delete()

    _factor_prove(user=user, presented=presented, caller=caller, session_id=session_id, then=remove)
    _event(
        SecurityEventKind.TOTP_DISABLED, user, caller, _EVENT_METHOD[presented.method], session_id
    )


def recovery_codes_regenerate(
    *, user: User, caller: Caller, session_id: str | None = None
) -> list[str]:
    """Ten new recovery codes replacing all of the user's (used or not)."""
    if not selectors.second_factors_summary(user).any:
        raise DomainError(
            MfaErrorCode.TOTP_NOT_ENABLED,
            "Set up an authenticator app or a passkey first; recovery codes stand in for it.",
            None,
        )
    with transaction.atomic():
        batch = _recovery_codes_new(user)
        security_notice_queue(
            change=SecurityChange.RECOVERY_CODES_MADE,
            user=user,
            object_id=batch.made_at.isoformat(),
        )
    _event(SecurityEventKind.RECOVERY_CODES_GENERATED, user, caller, "", session_id)
    return batch.codes


# --- "this wasn't me" ---------------------------------------------------------------------


def _instant(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _added_factor_remove(*, user: User, change: str, object_id: str, caller: Caller) -> None:
    """Remove what a notice's change added, if it is still there (and only that)."""
    if change == SecurityChange.AUTHENTICATOR_ADDED:
        created_at = _instant(object_id)
        if created_at is None:
            return
        with transaction.atomic():
            device = (
                TotpDevice.objects.select_for_update()
                .filter(user=user, created_at=created_at, confirmed_at__isnull=False)
                .first()
            )
            if device is None or device.confirmed_at is None:
                return
            RecoveryCode.objects.filter(user=user, created_at=device.confirmed_at).delete()
            device.delete()
        _event(SecurityEventKind.TOTP_DISABLED, user, caller, "not_me")
    elif change == SecurityChange.PASSKEY_ADDED:
        try:
            passkey_id = str(uuid.UUID(object_id))
        except ValueError:
            return
        passkey_bridge.passkey_remove_if_there(user=user, passkey_id=passkey_id, caller=caller)
    elif change == SecurityChange.RECOVERY_CODES_MADE:
        made_at = _instant(object_id)
        if made_at is not None:
            RecoveryCode.objects.filter(user=user, created_at=made_at).delete()


def account_secure(*, token: str, caller: Caller) -> None:
    """`secureAccount`, the "this wasn't me" link of a security notice: remove the second
    factor the notice told of (when it is still there) and end every session of the
    account, so that whoever added it is signed out and cannot sign back in with it.

    The link works until it expires, not once: using it again signs everyone out again
    and removes nothing more. The password is not changed here: the notice says to reset
    it, through the usual email."""
    claim = not_me_token_check(token=token)
    _added_factor_remove(
        user=claim.user, change=claim.change, object_id=claim.object_id, caller=caller
    )
    sessions_end_all(user=claim.user, caller=caller)


def secrets_reencrypt(*, batch_size: int = 500) -> int:
    """Re-encrypt every TOTP secret under the current MFA_ENCRYPTION_KEY (key rotation);
    returns how many rows changed."""
    changed = 0
    for pk in TotpDevice.objects.values_list("pk", flat=True).iterator(chunk_size=batch_size):
        with transaction.atomic():
            device = TotpDevice.objects.select_for_update().filter(pk=pk).first()
            if device is None:
                continue
            rotated = crypto.secret_reencrypt(device.secret)
            if rotated is not None:
                device.secret = rotated
                device.save(update_fields=["secret"])
                changed += 1
    return changed
