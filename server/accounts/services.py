"""Writes for accounts. Resolvers call these; nothing under schema/ touches the ORM."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction

from accounts import email_codes, email_tokens
from accounts.email_address import domain_problem, has_refused_chars
from accounts.email_codes import CodePurpose, VerificationMethod
from accounts.emails import AccountEmail
from accounts.errors import AccountErrorCode
from accounts.models import Profile, RegisterMethod, User, normalize_email
from accounts.selectors import user_get_by_email
from accounts.signals import credentials_changed
from accounts.tasks import account_email_queue, account_email_queue_for_address
from accounts.validators import MAX_PASSWORD_LENGTH
from core import ratelimit
from core.errors import CoreErrorCode, DomainError, raise_if_any
from core.events import SecurityEventKind, security_event_send
from core.net import NO_REQUEST, Caller
from core.text import refuse_nul

_email_validator = EmailValidator()
_url_validator = URLValidator(schemes=["http", "https"])

MAX_LINKS = 10
PROFILE_LIMITS = {
    "display_name": 50,
    "first_name": 150,
    "last_name": 150,
    "short_intro": 160,
    "bio": 5000,
    "website": 200,
}


@dataclass(frozen=True, kw_only=True)
class ProfileData:
    """A partial profile: fields left as None are not changed."""

    display_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    short_intro: str | None = None
    bio: str | None = None
    website: str | None = None
    links: list[str] | None = field(default=None)


def email_clean(email: str, *, field_name: str = "email") -> str:
    """Normalise and validate an address (accounts/email_address.py), or raise
    INVALID_EMAIL: invisible or control characters (NUL included), IP-address or dotless
    domains, anything Django's EmailValidator refuses."""

    def invalid(why: str = "") -> DomainError:
        message = f"Enter a valid email address ({why})." if why else "Enter a valid email address."
        return DomainError(AccountErrorCode.INVALID_EMAIL, message, field_name)

    if has_refused_chars(email.strip()):
        raise invalid("it contains invisible or control characters")
    normalized = normalize_email(email)
    if len(normalized) > 254:
        raise invalid()
    problem = domain_problem(normalized.rpartition("@")[2])
    if problem is not None:
        raise invalid(f"the part after @ is {problem}")
    try:
        _email_validator(normalized)
    except ValidationError:
        raise invalid() from None
    return normalized


def password_check(
    password: str, *, user: User | None = None, field_name: str = "password"
) -> None:
    """Run Django's password validators; their failures become PASSWORD_TOO_WEAK."""
    refuse_nul({field_name: password})
    if len(password) > MAX_PASSWORD_LENGTH:
        # Checked before the validators so that no slow work runs on a huge input.
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR,
            f"Use at most {MAX_PASSWORD_LENGTH} characters.",
            field_name,
        )
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise DomainError(
            AccountErrorCode.PASSWORD_TOO_WEAK, " ".join(exc.messages), field_name
        ) from None


def _profile_changes(data: ProfileData, *, path: str = "") -> dict[str, Any]:
    """The validated changes; each error names its field by its path in the input
    (`profile.display_name` under `path="profile."`, `links[2]`)."""
    refuse_nul({f"{path}{name}": getattr(data, name) for name in (*PROFILE_LIMITS, "links")})
    changes: dict[str, Any] = {}
    errors: list[DomainError] = []
    for name, limit in PROFILE_LIMITS.items():
        value = getattr(data, name)
        if value is None:
            continue
        value = value.strip()
        if len(value) > limit:
            errors.append(
                DomainError(
                    CoreErrorCode.VALIDATION_ERROR,
                    f"Use at most {limit} characters.",
                    f"{path}{name}",
                )
            )
            continue
        if name == "website" and value:
            try:
                _url_validator(value)
            except ValidationError:
                errors.append(
                    DomainError(
                        CoreErrorCode.VALIDATION_ERROR,
                        "Enter a valid http(s) URL.",
                        f"{path}{name}",
                    )
                )
                continue
        changes[name] = value
    if data.links is not None:
        if len([link for link in data.links if link.strip()]) > MAX_LINKS:
            errors.append(
                DomainError(
                    CoreErrorCode.VALIDATION_ERROR,
                    f"Add at most {MAX_LINKS} links.",
                    f"{path}links",
                )
            )
        else:
            links: list[str] = []
            bad = False
            for index, raw in enumerate(data.links):
                link = raw.strip()
                if not link:
                    continue
                try:
                    if len(link) > 200:
                        raise ValidationError("too long")
                    _url_validator(link)
                except ValidationError:
                    bad = True
                    errors.append(
                        DomainError(
                            CoreErrorCode.VALIDATION_ERROR,
                            "Each link must be an http(s) URL of at most 200 characters.",
                            f"{path}links[{index}]",
                        )
                    )
                links.append(link)
            if not bad:
                changes["links"] = links
    raise_if_any(errors)
    return changes


def login_attempt_counters(
    *, email: str, ip_address: str | None
) -> tuple[tuple[str, str | None], ...]:
    """The counters one password sign-in attempt counts against: the address and the
    client IP (the API's `login` and the Django admin share them)."""
    return (("login:email", email), ("login:ip", ip_address))


def login_attempt_record(*, email: str, ip_address: str | None) -> bool:
    """Count a sign-in attempt of the Django admin; False when the address or the client IP
    has used up its attempts for the window."""
    # Both counted, even when the first refuses (in one round trip to Redis).
    return ratelimit.allowed_all(*login_attempt_counters(email=email, ip_address=ip_address))


def login_attempts_forget(*, email: str) -> None:
    """After a successful sign-in: the owner starts with a fresh per-address allowance."""
    ratelimit.reset("login:email", email)


@dataclass(frozen=True)
class RegistrationResult:
    """`created` is for the caller's side effects only and must never reach a client."""

    user: User
    created: bool


@transaction.atomic
def user_register(
    *,
    email: str,
    password: str,
    profile: ProfileData | None = None,
    caller: Caller = NO_REQUEST,
    verification_method: VerificationMethod = VerificationMethod.LINK,
) -> RegistrationResult:
    """Create an unverified account, or find the existing one without saying so.

    The password is validated and hashed in both cases so that a taken address answers
    in the same time and with the same payload as a free one.
    """
    # Each attempt costs a deliberately slow hash and may send an email: limit it per
    # client, before any of that work, whether or not the address has an account.
    ratelimit.check("register_ip", caller.ip_address)
    errors: list[DomainError] = []
    normalized = ""
    try:
        normalized = email_clean(email)
    except DomainError as exc:
        errors.append(exc)
    try:
        password_check(password, user=User(email=normalized) if normalized else None)
    except DomainError as exc:
        errors.append(exc)
    changes: dict[str, Any] = {}
    try:
        changes = _profile_changes(profile or ProfileData(), path="profile.")
    except DomainError as exc:
        errors.extend(getattr(exc, "errors", [exc]))
    raise_if_any(errors)

    password_hash = make_password(password)
    existing = user_get_by_email(email=normalized)
    if existing is None:
        try:
            with transaction.atomic():
                user = User.objects.create(
                    email=normalized, password=password_hash, register_method=RegisterMethod.EMAIL
                )
        except IntegrityError:
            # A concurrent registration of the same address won the race.
            existing = User.objects.get(email=normalized)
        else:
            Profile.objects.create(user=user, **changes)
            account_email_queue(
                kind=_VERIFY_EMAILS[verification_method], user=user, state=user.email
            )
            return RegistrationResult(user=user, created=True)
    _registration_attempt_notify(existing, verification_method)
    return RegistrationResult(user=existing, created=False)


# The verification and reset emails by method: a link, or a one-time code.
_VERIFY_EMAILS = {
    VerificationMethod.LINK: AccountEmail.VERIFY_EMAIL,
    VerificationMethod.CODE: AccountEmail.VERIFY_EMAIL_CODE,
}
_RESET_EMAILS = {
    VerificationMethod.LINK: AccountEmail.PASSWORD_RESET,
    VerificationMethod.CODE: AccountEmail.PASSWORD_RESET_CODE,
}


def _registration_attempt_notify(user: User, method: VerificationMethod) -> None:
    """Tell the owner of a taken address, at most once per cooldown (silently: the caller's
    answer must not differ from a fresh registration's)."""
    if not user.is_active or not ratelimit.allowed("register_notice", user.email):
        return
    if user.email_verified:
        account_email_queue(kind=AccountEmail.REGISTRATION_ATTEMPT, user=user)
    else:
        # Most likely the owner, who lost the first verification email: send another.
        account_email_queue(kind=_VERIFY_EMAILS[method], user=user, state=user.email)


@transaction.atomic
def profile_update(*, user: User, data: ProfileData) -> Profile:
    changes = _profile_changes(data)
    profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
    for name, value in changes.items():
        setattr(profile, name, value)
    if changes:
        profile.save(update_fields=[*changes, "updated_at"])
    return profile


# --- email verification, password reset and change ------------------------------------


def _email_request_allowed(*, email: str, scope: str, caller: Caller) -> None:
    """The per-IP limit shared by the "send me an email" mutations.

    Applied the same whether or not an account exists, so that the answer tells nothing
    about the address.
    """
    ratelimit.check("email_requests_ip", caller.ip_address)


def _email_queue_once(*, kind: AccountEmail, scope: str, email: str) -> None:
    """Queue the email at most once per EMAIL_RESEND_COOLDOWN per address.

    The cooldown is given back when queueing fails (PostgreSQL lost, the commit failed):
    nothing was sent, so the user must be able to ask again at once.
    """
    with ratelimit.cooldown_spent_on_success(scope, email), transaction.atomic():
        account_email_queue_for_address(kind=kind, address=email)


def _email_verified(user: User, *, method: VerificationMethod, caller: Caller) -> User:
    """Mark the (locked, unverified) user's address verified: the one way, by link or code."""
    user.email_verified = True
    user.save(update_fields=["email_verified"])
    security_event_send(SecurityEventKind.EMAIL_VERIFIED, user.pk, caller, method=str(method))
    return user


@transaction.atomic
def user_verify_email(*, token: str, caller: Caller = NO_REQUEST) -> User:
    """Mark the address the token was sent to as verified; a token works once."""
    user = email_tokens.verification_token_check(token=token, lock=True)
    return _email_verified(user, method=VerificationMethod.LINK, caller=caller)


def _code_attempt_allowed(*, email: str, code: str, caller: Caller) -> None:
    """Count one typed code against the client IP and the address (both counted, even when
    the first refuses), before anything about the address is looked at. A code that is not
    six digits once tidied is refused first and counts nowhere: a typo of length is not a
    guess."""
    email_codes.code_tidy(code)
    by_email = ratelimit.allowed("email_code_email", email)
    if not ratelimit.allowed("email_code_ip", caller.ip_address):
        raise ratelimit.refusal("email_code_ip")
    if not by_email:
        raise ratelimit.refusal("email_code_email")


def _code_holder(*, purpose: CodePurpose, email: str, code: str) -> User:
    """Spend the code and return its account, locked, when the account is still in the
    state the code was sent for; INVALID_CODE otherwise (the same for every failure)."""
    refuse_nul({"code": code})
    holder = email_codes.code_spend(purpose=purpose, email=email, code=code)
    user = User.objects.select_for_update().filter(pk=holder.user_id, email=email).first()
    if user is None or not user.is_active:
        raise email_codes.invalid_code()
    if purpose is CodePurpose.VERIFY_EMAIL and (user.email_verified or user.email != holder.state):
        raise email_codes.invalid_code()
    # A newer reset request (link or code), a reset or a password change bumped the counter.
    if purpose is CodePurpose.PASSWORD_RESET and str(user.password_reset_counter) != holder.state:
        raise email_codes.invalid_code()
    return user


def user_verify_email_with_code(*, email: str, code: str, caller: Caller = NO_REQUEST) -> User:
    """Mark the address verified with the code emailed to it (method CODE): the same state
    as verifying by link. Every failure is INVALID_CODE on `code`."""
    normalized = email_clean(email)
    _code_attempt_allowed(email=normalized, code=code, caller=caller)
    with transaction.atomic():
        user = _code_holder(purpose=CodePurpose.VERIFY_EMAIL, email=normalized, code=code)
        return _email_verified(user, method=VerificationMethod.CODE, caller=caller)


def verification_email_resend(
    *, email: str, caller: Caller = NO_REQUEST, method: VerificationMethod = VerificationMethod.LINK
) -> None:
    """Send another verification email (a link or a code) if the address has an unverified
    account.

    Answers the same, with the same rate limits and the same work (one queued task), for
    every well-formed address. Links and codes share the cooldown.
    """
    normalized = email_clean(email)
    _email_request_allowed(email=normalized, scope="verify_resend", caller=caller)
    _email_queue_once(kind=_VERIFY_EMAILS[method], scope="verify_resend", email=normalized)


def password_reset_request(
    *, email: str, caller: Caller = NO_REQUEST, method: VerificationMethod = VerificationMethod.LINK
) -> None:
    """Queue a reset link or code if the address has an account; answers the same either
    way.

    The request does the same work for every address: the worker finds the account,
    bumps its reset counter (spending every link and code sent before) and sends the new
    one. Links and codes share the cooldown.
    """
    normalized = email_clean(email)
    _email_request_allowed(email=normalized, scope="password_reset", caller=caller)
    _email_queue_once(kind=_RESET_EMAILS[method], scope="password_reset", email=normalized)


def _password_set(user: User, new_password: str) -> None:
    user.set_password(new_password)
    # Spends reset links already sent, even when the password hash scheme would not.
    user.password_reset_counter += 1


def _password_reset_apply(
    user: User,
    new_password: str,
    *,
    method: VerificationMethod,
    caller: Caller,
) -> User:
    """Set the new password of the locked user who proved the inbox (link or code): the one
    definition of what a reset does. Ends every session; no sign-in."""
    password_check(new_password, user=user, field_name="new_password")
    _password_set(user, new_password)
    # The link or code reached this inbox, which proves the address as well as verifying.
    user.email_verified = True
    user.save(update_fields=["password", "password_reset_counter", "email_verified"])
    credentials_changed.send(sender=User, user=user, keep_session_id=None)
    account_email_queue(kind=AccountEmail.PASSWORD_CHANGED, user=user)
    security_event_send(SecurityEventKind.PASSWORD_RESET, user.pk, caller, method=str(method))
    return user


@transaction.atomic
def password_reset(*, token: str, new_password: str, caller: Caller = NO_REQUEST) -> User:
    """Set a new password with a reset token; ends every session. No sign-in."""
    user = email_tokens.reset_token_check(token=token, lock=True)
    return _password_reset_apply(
        user,
        new_password,
        method=VerificationMethod.LINK,
        caller=caller,
    )


def password_reset_with_code(
    *, email: str, code: str, new_password: str, caller: Caller = NO_REQUEST
) -> User:
    """Set a new password with the code emailed to the address (method CODE); exactly what
    a reset by link does. Every failure of the code is INVALID_CODE on `code`."""
    normalized = email_clean(email)
    # Checked before the code is spent, so that a weak password does not cost the code (as
    # with a link). The validators read only the address, which is known here.
    password_check(new_password, user=User(email=normalized), field_name="new_password")
    _code_attempt_allowed(email=normalized, code=code, caller=caller)
    with transaction.atomic():
        user = _code_holder(purpose=CodePurpose.PASSWORD_RESET, email=normalized, code=code)
        return _password_reset_apply(
            user,
            new_password,
            method=VerificationMethod.CODE,
            caller=caller,
        )


@transaction.atomic
def password_change(
    *,
    user: User,
    old_password: str,
    new_password: str,
    current_session_id: str | None,
    caller: Caller = NO_REQUEST,
) -> User:
    """Change the signed-in user's password; ends every other session."""
    ratelimit.check("change_password", str(user.pk))
    # Locked before the current password is checked, so that two concurrent changes (or a
    # change racing a reset) cannot both pass the check against the same old hash.
    locked = User.objects.select_for_update().get(pk=user.pk)
    if len(old_password) > MAX_PASSWORD_LENGTH or not locked.check_password(old_password):
        raise DomainError(
            AccountErrorCode.INVALID_CREDENTIALS, "The current password is wrong.", "old_password"
        )
    password_check(new_password, user=locked, field_name="new_password")
    _password_set(locked, new_password)
    locked.save(update_fields=["password", "password_reset_counter"])
    credentials_changed.send(sender=User, user=locked, keep_session_id=current_session_id)
    account_email_queue(kind=AccountEmail.PASSWORD_CHANGED, user=locked)
    security_event_send(
        SecurityEventKind.PASSWORD_CHANGED,
        locked.pk,
        caller,
        method="password",
        session_id=current_session_id,
    )
    return locked
