"""Google sign-in: start the web flow, verify what comes back, find, link or create the user.

Accounts are keyed by (issuer, subject). An email address only matters the first time an
identity is seen: to create a user, or to link an existing one when Google vouches for the
address.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.errors import AccountErrorCode
from accounts.models import Profile, RegisterMethod, User
from accounts.services import email_clean
from core import ratelimit
from core.errors import CoreErrorCode, DomainError
from core.net import Caller
from social import google
from social.errors import SocialErrorCode
from social.google import GoogleAuthFailed, GoogleIdentity, GoogleUnavailable
from social.models import SocialAccount
from social.selectors import social_account_get
from tokens.models import AuthMethod
from tokens.services import (
    IpLimitedCredential,
    IssuedTokens,
    UserQuery,
    sessions_end_all,
    sign_in,
)

logger = logging.getLogger(__name__)

FAILED_MESSAGE = "Google sign-in failed. Please try again."
UNAVAILABLE_MESSAGE = "Google sign-in is unavailable right now. Please try again in a moment."
UNVERIFIED_MESSAGE = "Google has not verified this email address, so we cannot sign you in with it."
SIGN_IN_WITH_PASSWORD_MESSAGE = (
    "An account with this email address already exists, and Google has not verified the "
    "address. Sign in with your password first."
)
DISABLED_MESSAGE = "This account is disabled."
NOT_AVAILABLE_MESSAGE = "Sign-in with Google is not available on this server."


@dataclass(frozen=True)
class GoogleLoginStart:
    authorization_url: str
    state: str


def _failed(reason: str, message: str = FAILED_MESSAGE) -> DomainError:
    # The reason names the check that failed; it never contains the token or the code.
    logger.info("google sign-in refused: %s", reason)
    return DomainError(SocialErrorCode.GOOGLE_AUTH_FAILED, message)


def _disabled() -> DomainError:
    return DomainError(AccountErrorCode.ACCOUNT_DISABLED, DISABLED_MESSAGE)


def _unavailable(reason: str) -> DomainError:
    logger.warning("google sign-in unavailable: %s", reason)
    return DomainError(SocialErrorCode.GOOGLE_UNAVAILABLE, UNAVAILABLE_MESSAGE)


def google_sign_in_check() -> None:
    """Refuse when sign-in with Google is off (GOOGLE_SIGN_IN_ENABLED, false while
    GOOGLE_CLIENT_IDS is empty): said before anything is counted or Google is asked, since
    no retry and no other input can make it work."""
    if not settings.GOOGLE_SIGN_IN_ENABLED:
        raise DomainError(SocialErrorCode.GOOGLE_SIGN_IN_DISABLED, NOT_AVAILABLE_MESSAGE)


def google_login_start(*, redirect_uri: str, caller: Caller) -> GoogleLoginStart:
    """Begin the web code flow: an authorization URL with PKCE (S256), a state and a nonce."""
    google_sign_in_check()
    ratelimit.check("google:start", caller.ip_address)
    redirect_uri = redirect_uri.strip()
    if not google.redirect_uri_allowed(redirect_uri):
        logger.info("google sign-in refused: redirect URI not in GOOGLE_REDIRECT_URIS")
        raise DomainError(
            SocialErrorCode.GOOGLE_AUTH_FAILED,
            "This redirect URI is not allowed for Google sign-in.",
            "redirect_uri",
        )
    url, state = google.authorization_start(redirect_uri=redirect_uri)
    return GoogleLoginStart(authorization_url=url, state=state)


def _present(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def google_identity_verify(
    *,
    code: str | None = None,
    state: str | None = None,
    id_token: str | None = None,
    nonce: str | None = None,
) -> GoogleIdentity:
    """Turn either a web (code, state) or a mobile (idToken, nonce) pair into a verified
    identity. Nothing is written to the database here."""
    code, state, id_token, nonce = map(_present, (code, state, id_token, nonce))
    web = code is not None and state is not None
    mobile = id_token is not None and nonce is not None
    if web == mobile or (web and (id_token or nonce)) or (mobile and (code or state)):
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR,
            "Send either code and state (web) or idToken and nonce (mobile).",
        )
    if mobile and not (google.MIN_NONCE_LENGTH <= len(nonce or "") <= google.MAX_NONCE_LENGTH):
        # The app chose it: a mistake the developer can fix, not a failed sign-in.
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR,
            f"The nonce must be {google.MIN_NONCE_LENGTH} to {google.MAX_NONCE_LENGTH} "
            "characters; use a fresh random one per sign-in.",
            "nonce",
        )
    try:
        if web:
            assert code is not None and state is not None
            pending = google.pending_login_spend(state=state)
            token = google.code_exchange(code=code, pending=pending)
            expected_nonce = pending.nonce
        else:
            assert id_token is not None and nonce is not None
            google.nonce_check(nonce)
            token, expected_nonce = id_token, nonce
        identity = google.id_token_verify(token=token, nonce=expected_nonce)
        google.nonce_spend(nonce=expected_nonce, expires_at=identity.expires_at, now=time.time())
    except GoogleAuthFailed as exc:
        raise _failed(str(exc)) from None
    except GoogleUnavailable as exc:
        raise _unavailable(str(exc)) from None
    return identity


def _identity_email(identity: GoogleIdentity) -> str:
    try:
        return email_clean(identity.email)
    except DomainError:
        raise _failed("ID token without a usable email") from None


def _user_create(*, identity: GoogleIdentity, email: str) -> User:
    user = User(email=email, register_method=RegisterMethod.GOOGLE, email_verified=True)
    # A Google user has no password until they set one through the reset flow.
    user.set_unusable_password()
    user.save()
    Profile.objects.create(
        user=user,
        display_name=(identity.name or identity.given_name)[:50],
        first_name=identity.given_name[:150],
        last_name=identity.family_name[:150],
    )
    return user


def _user_link(*, user: User, identity: GoogleIdentity) -> None:
    """Prepare an existing account with the same address for a Google identity; only when
    Google vouches for the address."""
    if not user.is_active:
        raise _disabled()
    if not identity.email_verified:
        raise _failed(
            "email_verified is false on an existing address", SIGN_IN_WITH_PASSWORD_MESSAGE
        )
    if user.email_verified:
        return
    # Whoever registered this address never proved they own it, and Google now says
    # someone else does: the password they chose must not keep working (account
    # pre-hijacking). The owner can set a password through the reset flow.
    user.email_verified = True
    user.set_unusable_password()
    user.save(update_fields=["email_verified", "password"])
    sessions_end_all(user=user)


@transaction.atomic
def google_user_resolve(*, identity: GoogleIdentity) -> User:
    """Find the user of a verified Google identity, linking or creating one as needed."""
    account = social_account_get(issuer=identity.issuer, subject=identity.subject)
    if account is not None:
        if not account.user.is_active:
            raise _disabled()
        if not identity.email_verified:
            raise _failed("email_verified is false", UNVERIFIED_MESSAGE)
        account.last_login_at = timezone.now()
        account.save(update_fields=["last_login_at"])
        return account.user

    email = _identity_email(identity)
    user = User.objects.select_for_update().filter(email=email).first()
    if user is None:
        if not identity.email_verified:
            raise _failed("email_verified is false", UNVERIFIED_MESSAGE)
        try:
            with transaction.atomic():
                user = _user_create(identity=identity, email=email)
        except IntegrityError:
            # The address was registered at this very moment (a double click, or a password
            # sign-up): treat it as the existing account it now is.
            user = User.objects.select_for_update().filter(email=email).first()
            if user is None:
                raise _failed("concurrent registration vanished") from None
            _user_link(user=user, identity=identity)
    else:
        _user_link(user=user, identity=identity)

    try:
        with transaction.atomic():
            SocialAccount.objects.create(
                user=user,
                issuer=identity.issuer,
                subject=identity.subject,
                email=email,
                last_login_at=timezone.now(),
            )
    except IntegrityError:
        # A concurrent first sign-in of the same identity linked it first.
        account = social_account_get(issuer=identity.issuer, subject=identity.subject)
        if account is None:
            raise
        if not account.user.is_active:
            raise _disabled() from None
        return account.user
    return user


@dataclass(frozen=True)
class GoogleCredential(IpLimitedCredential):
    """A Google identity, as a way into the sign-in flow (tokens/services/signin.py): the
    account it belongs to is found, linked or created. Google vouches for the address.
    Which pair (web or mobile) was sent is checked with the identity, after the attempt is
    counted."""

    code: str | None = None
    state: str | None = None
    id_token: str | None = None
    nonce: str | None = None
    method = "google"
    auth_method = AuthMethod.GOOGLE
    second_factor = True
    vouches_for_email = True
    rate_limit_action = "google:login"

    def input_check(self) -> None:
        # The first stage of the sign-in flow, before the attempt is counted: one place for
        # both pairs (web code and mobile ID token), so neither reaches Google when it is off.
        google_sign_in_check()

    def check(self, caller: Caller, users: UserQuery) -> User:
        # Talks to Google: kept outside the transaction so that no connection waits on it.
        identity = google_identity_verify(
            code=self.code, state=self.state, id_token=self.id_token, nonce=self.nonce
        )
        # Committed before the second step is asked for: a link made by this sign-in stays.
        return google_user_resolve(identity=identity)


def google_login(
    *,
    code: str | None = None,
    state: str | None = None,
    id_token: str | None = None,
    nonce: str | None = None,
    transport: str = "BODY",
    caller: Caller,
) -> IssuedTokens:
    """Sign in (or up) with Google and start a session, as `login` does for passwords: for
    an account with a second factor, SecondFactorRequired instead (mfa)."""
    return sign_in(
        GoogleCredential(code=code, state=state, id_token=id_token, nonce=nonce),
        caller=caller,
        transport=transport,
    )
