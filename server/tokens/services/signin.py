"""Signing in, in one place: every way in (password, Google, passkey; an emailed code later)
goes through `sign_in`, which runs the same stages in the same order.

1. The way in checks its input (a malformed email is refused before anything is counted).
2. Attempt counting: the way in's rate limits (core.ratelimit actions such as
   `login:email` + `login:ip`, `google:login`, `passkey:login`), all counted at once.
3. The credential check: whose account the password, Google identity or passkey proves. A
   refusal by a known account is logged as SIGN_IN_FAILED here.
4. Account checks: active, and a verified address unless the way in vouches for it.
5. Registered stages (`sign_in_stage_add`): a second factor (mfa) may stop the sign-in here
   with its challenge; the session then starts in `sign_in_complete` once it is passed.
6. `sign_in_complete`: the session starts (last_login stamped in the same transaction) and
   the SIGN_IN security event is sent, which the security log records and where it spots
   a new device and emails its notice (securitylog/services.py).

Stages are registered rather than imported because the second factor lives above this
package (mfa), and the passkey sign-in, which needs no second factor, below it.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone

from accounts.email_address import has_refused_chars
from accounts.errors import AccountErrorCode
from accounts.models import User, normalize_email
from accounts.services import login_attempt_counters, login_attempts_forget
from core import ratelimit
from core.deferred import defer
from core.errors import CoreErrorCode, DomainError
from core.events import SecurityEventKind, counts_sign_in, security_event_send
from core.net import Caller
from tokens.access import issue_access_token
from tokens.models import AuthMethod, Session
from tokens.refresh import hash_token, new_refresh_token


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    access_token_expires_at: datetime
    refresh_token: str
    session: Session


def issue_tokens(session: Session, refresh_token: str) -> IssuedTokens:
    """A new access token for `session`, paired with its current refresh token."""
    access, expires_at = issue_access_token(
        user_id=str(session.user_id),
        session_id=str(session.pk),
        session_created_at=session.created_at,
    )
    return IssuedTokens(
        access_token=access,
        access_token_expires_at=expires_at,
        refresh_token=refresh_token,
        session=session,
    )


def _new_session(*, user: User, auth_method: AuthMethod, caller: Caller) -> tuple[Session, str]:
    """A session row as a sign-in begins it (not yet written), and its first refresh token."""
    session_id = uuid.uuid4()
    refresh_token = new_refresh_token(session_id)
    now = timezone.now()
    session = Session(
        id=session_id,
        user=user,
        created_at=now,
        last_used_at=now,
        rotated_at=now,
        authenticated_at=now,
        user_agent=(caller.user_agent or "")[:300],
        ip_address=caller.ip_address or None,
        auth_method=auth_method,
        generation=0,
        token_hash=hash_token(refresh_token),
    )
    return session, refresh_token


@functools.cache
def _signed_in_statement() -> tuple[str, list[Field], list[str]]:
    """A sign-in's writes as one statement: the user's last_login and the new session row
    (a data-modifying WITH, which PostgreSQL runs as one atomic statement)."""
    q = connection.ops.quote_name
    fields = list(Session._meta.concrete_fields)
    columns = ", ".join(q(str(f.column)) for f in fields)
    last_login = User._meta.get_field("last_login")
    assert isinstance(last_login, Field)
    sql = f"""
        WITH stamped AS (
            UPDATE {q(User._meta.db_table)} SET {q(str(last_login.column))} = %s
            WHERE {q(str(User._meta.pk.column))} = %s)
        INSERT INTO {q(Session._meta.db_table)} ({columns})
        VALUES ({", ".join(["%s"] * len(fields))})
        RETURNING {columns}
    """  # noqa: S608  (identifiers from the models, quoted; every value is a parameter)
    return sql, fields, [f.attname for f in fields]


def _signed_in(session: Session) -> Session:
    """Write a sign-in's session row and stamp last_login in one round trip (PostgreSQL):
    the ORM's way is four (BEGIN, UPDATE, INSERT, COMMIT), each built anew. The values are
    prepared by each field as the ORM's insert prepares them; the row comes back as the
    ORM would load it. tests/test_login.py holds it to the ORM's writes."""
    sql, fields, names = _signed_in_statement()
    values = [f.get_db_prep_save(getattr(session, f.attname), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, [session.created_at, session.user_id, *values])
        row = cursor.fetchone()
    saved = Session.from_db(connection.alias, names, row)
    saved.user = session.user
    return saved


def session_start(
    *, user: User, auth_method: AuthMethod, caller: Caller, last_login: bool = False
) -> IssuedTokens:
    """Create a Session row and return a fresh access + refresh token pair (in the
    caller's transaction when there is one). With `last_login`, the user's last_login is
    stamped in the same transaction (a sign-in)."""
    session, refresh_token = _new_session(user=user, auth_method=auth_method, caller=caller)
    if last_login and connection.vendor == "postgresql":
        session = _signed_in(session)
    else:
        # No savepoint: inside a caller's transaction a failure here fails the whole
        # sign-in anyway, and a savepoint would cost two more round trips.
        with transaction.atomic(savepoint=False):
            if last_login:
                User.objects.filter(pk=session.user_id).update(last_login=session.created_at)
            session.save(force_insert=True)
    security_event_send(
        SecurityEventKind.SIGN_IN,
        user.pk,
        caller,
        method=str(auth_method),
        session_id=session.pk,
    )
    return issue_tokens(session, refresh_token)


def session_authenticated(*, user: User, session_id: str | None) -> bool:
    """Stamp the user's session `session_id` as authenticated now (re-authentication for a
    sensitive change, or a second factor). False when it is not one of theirs."""
    if not session_id:
        return False
    return bool(
        Session.objects.filter(pk=session_id, user=user, revoked_at__isnull=True).update(
            authenticated_at=timezone.now()
        )
    )


# --- the flow -----------------------------------------------------------------------------


class SignInRefused(Exception):
    """A credential check's refusal: `error` for the client; `owner_id` when the
    credential was recognised as a known account's (logged as SIGN_IN_FAILED)."""

    def __init__(self, error: DomainError, owner_id: object = None) -> None:
        super().__init__(error.message)
        self.error = error
        self.owner_id = owner_id


# Looks up the account a sign-in names by its (normalized) address, loaded as the stages
# need it.
UserQuery = Callable[[str], User | None]


class Credential(Protocol):
    """One way in. `method` is its word in the metrics and the security log; with
    `second_factor` False it is both factors (a passkey) and no stage asks for another."""

    @property
    def method(self) -> str: ...

    @property
    def auth_method(self) -> AuthMethod: ...

    @property
    def second_factor(self) -> bool: ...

    @property
    def vouches_for_email(self) -> bool:
        """True when proving the credential proves the address too (Google vouches for it;
        a passkey was registered by its signed-in owner), so no verified address is asked."""

    def input_check(self) -> None:
        """Refuse a malformed input (a DomainError) before any attempt is counted."""

    def attempts(self, caller: Caller) -> tuple[tuple[str, str | None], ...]:
        """The (rate-limit action, identity) pairs one attempt counts against."""

    def rate_limited(self) -> DomainError:
        """The RATE_LIMITED error of a refused attempt."""

    def check(self, caller: Caller, users: UserQuery) -> User:
        """The account the credential proves, looked up in what `users` builds when the way
        in looks one up; raises SignInRefused (or a DomainError) otherwise."""

    def succeeded(self) -> None:
        """The account passed its checks: what the way in resets (its owner's counters)."""


class IpLimitedCredential:
    """What a way in limited per client IP alone (Google, a passkey) shares: one rate-limit
    action, nothing to check before counting, nothing to reset after."""

    rate_limit_action: str

    def input_check(self) -> None:
        return None

    def attempts(self, caller: Caller) -> tuple[tuple[str, str | None], ...]:
        return ((self.rate_limit_action, caller.ip_address),)

    def rate_limited(self) -> DomainError:
        return ratelimit.refusal(self.rate_limit_action)

    def succeeded(self) -> None:
        return None


class SignInStage(Protocol):
    """A stage between the account checks and the session (allauth's LoginStage idea)."""

    def user_by_email(self, email: str) -> User | None:
        """The user a password sign-in names, loaded with what `run` reads (so that it
        costs no query of its own)."""

    def run(self, *, user: User, auth_method: AuthMethod, transport: str) -> None:
        """Return to let the sign-in go on; raise a DomainError to stop it (no session)."""


_STAGES: list[SignInStage] = []


def sign_in_stage_add(stage: SignInStage) -> None:
    """Register a stage (from its app's `ready`); stages run in the order registered."""
    if stage not in _STAGES:
        _STAGES.append(stage)


def _user_by_email(email: str) -> User | None:
    # Only the last stage's lookup is used; one stage (mfa) exists today.
    if _STAGES:
        return _STAGES[-1].user_by_email(email)
    return User.objects.filter(email=email).first()


def _account_check(user: User, credential: Credential) -> None:
    if not user.is_active:
        raise DomainError(AccountErrorCode.ACCOUNT_DISABLED, "This account is disabled.", None)
    if not credential.vouches_for_email and not user.email_verified:
        raise DomainError(
            AccountErrorCode.EMAIL_NOT_VERIFIED,
            "Verify your email address first; we sent you a link.",
            None,
        )


def sign_in_complete(*, user: User, auth_method: AuthMethod, caller: Caller) -> IssuedTokens:
    """Every factor passed: record the sign-in and start the session (the flow's last
    stage; also where mfa's second step ends)."""
    # last_login as Django's own login sets it; it also spends reset links sent before this
    # sign-in (the reset token covers last_login), as accounts/email_tokens.py promises.
    return session_start(user=user, auth_method=auth_method, caller=caller, last_login=True)


def sign_in(credential: Credential, *, caller: Caller, transport: str) -> IssuedTokens:
    """Run the sign-in flow for one way in (see the module's docstring); `transport`
    (BODY or COOKIE) binds a second-factor challenge to the client that asked for it."""

    @counts_sign_in(credential.method)
    def flow() -> IssuedTokens:
        credential.input_check()
        if not ratelimit.allowed_all(*credential.attempts(caller)):
            raise credential.rate_limited()
        try:
            user = credential.check(caller, _user_by_email)
        except SignInRefused as refused:
            if refused.owner_id is not None:
                security_event_send(
                    SecurityEventKind.SIGN_IN_FAILED,
                    refused.owner_id,
                    caller,
                    method=credential.method,
                )
            raise refused.error from None
        _account_check(user, credential)
        credential.succeeded()
        if credential.second_factor:
            for stage in _STAGES:
                stage.run(user=user, auth_method=credential.auth_method, transport=transport)
        return sign_in_complete(user=user, auth_method=credential.auth_method, caller=caller)

    return flow()


# --- the password ---------------------------------------------------------------------


def _burn_password_hash(password: str) -> None:
    # Same work as checking a real password, so an unknown email answers as slowly.
    User().set_password(password)


@dataclass(frozen=True)
class PasswordCredential:
    """Email + password. A wrong password and an unknown email both give
    INVALID_CREDENTIALS, after the same password-hashing work; EMAIL_NOT_VERIFIED and
    ACCOUNT_DISABLED are only told to someone who knows the password."""

    email: str
    password: str
    method = "password"
    auth_method = AuthMethod.PASSWORD
    second_factor = True
    vouches_for_email = False

    @functools.cached_property
    def normalized(self) -> str:
        return normalize_email(self.email)

    def input_check(self) -> None:
        if has_refused_chars(self.email.strip()):
            # No stored address holds a control or invisible character (NUL would not even
            # reach PostgreSQL): say what is wrong rather than look it up.
            raise DomainError(
                AccountErrorCode.INVALID_EMAIL,
                "Enter a valid email address (it contains invisible or control characters).",
                "email",
            )

    def attempts(self, caller: Caller) -> tuple[tuple[str, str | None], ...]:
        return login_attempt_counters(email=self.normalized, ip_address=caller.ip_address)

    def rate_limited(self) -> DomainError:
        return DomainError(
            CoreErrorCode.RATE_LIMITED, "Too many sign-in attempts; try again later.", None
        )

    def check(self, caller: Caller, users: UserQuery) -> User:
        invalid = DomainError(
            AccountErrorCode.INVALID_CREDENTIALS, "The email or password is not correct.", None
        )
        if not self.password or len(self.password) > 4096:
            _burn_password_hash("x")
            raise invalid
        user = users(self.normalized) if self.normalized else None
        if user is None or not user.has_usable_password():
            _burn_password_hash(self.password)
            raise invalid
        if not user.check_password(self.password):
            raise SignInRefused(invalid, owner_id=user.pk)
        return user

    def succeeded(self) -> None:
        # The owner starts with a fresh per-address allowance; the answer does not wait for
        # Redis here (core/deferred.py).
        defer(functools.partial(login_attempts_forget, email=self.normalized))


def password_sign_in(*, email: str, password: str, transport: str, caller: Caller) -> IssuedTokens:
    """`login`: email + password, then a session or the second step."""
    return sign_in(PasswordCredential(email, password), caller=caller, transport=transport)
