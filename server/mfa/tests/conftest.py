"""Fixtures of the second-factor tests: a clock the tests move, sign-in helpers, and the
security events sent during a test."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from django.utils import timezone

from accounts.models import User
from api.testing import GraphQLClient
from core.events import security_event
from mfa import services
from mfa.models import TotpDevice
from tokens.models import Session

LOGIN = """
mutation Login($email: String!, $password: String!, $transport: TokenTransport!) {
  login(input: {email: $email, password: $password}, transport: $transport) {
    accessToken refreshToken user { id email }
    errors { field code message }
    secondFactor { challenge expiresAt methods passkeyOptions }
  }
}
"""

VERIFY = """
mutation Verify($input: VerifySecondFactorInput!, $transport: TokenTransport!) {
  verifySecondFactor(input: $input, transport: $transport) {
    accessToken refreshToken user { id email }
    errors { field code message }
    secondFactor { challenge }
  }
}
"""

REAUTH = """
mutation Reauth($input: ReauthenticateInput!) {
  reauthenticate(input: $input) { ok errors { field code message } }
}
"""

START = """
mutation { startTotpEnrollment { secret otpauthUri errors { field code message } } }
"""

CONFIRM = """
mutation Confirm($code: String!) {
  confirmTotpEnrollment(code: $code) { recoveryCodes errors { field code message } }
}
"""

DISABLE = """
mutation Disable($password: String, $code: String, $recoveryCode: String) {
  disableTotp(password: $password, code: $code, recoveryCode: $recoveryCode) {
    ok errors { field code message }
  }
}
"""

REGENERATE = """
mutation { regenerateRecoveryCodes { recoveryCodes errors { field code message } } }
"""

ME_QUERY = "{ me { email } }"

SECOND_FACTORS = "{ secondFactors { totpEnabled recoveryCodesRemaining passkeyCount } }"


class Clock:
    """The time the TOTP checks see, moved by the tests (no sleeping)."""

    def __init__(self) -> None:
        # The middle of a 30-second step, so that a few seconds of test run time never
        # cross into the next one.
        now = time.time()
        self.now = now - (now % 30) + 15

    def __call__(self) -> float:
        return self.now

    def step(self, steps: int = 1) -> None:
        self.now += 30 * steps


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr("mfa.totp.clock", clock)
    return clock


@pytest.fixture
def events() -> Iterator[list[dict[str, Any]]]:
    sent: list[dict[str, Any]] = []

    def receive(sender: object, **kwargs: Any) -> None:
        sent.append(kwargs)

    security_event.connect(receive, weak=False, dispatch_uid="mfa-tests")
    yield sent
    security_event.disconnect(dispatch_uid="mfa-tests")


def kinds(events: list[dict[str, Any]]) -> list[str]:
    return [str(event["kind"]) for event in events]


@dataclass
class Enrolled:
    user: User
    secret: str
    recovery_codes: list[str]
    clock: Clock

    def code(self, offset_steps: int = 0) -> str:
        return pyotp.TOTP(self.secret).at(self.clock.now, counter_offset=offset_steps)


@pytest.fixture
def enrolled(user: User, clock: Clock) -> Enrolled:
    """`user` with a confirmed authenticator app and ten recovery codes; the clock is two
    steps past the confirming code, so no code within the skew window was used."""
    enrollment = services.totp_enrollment_start(user=user)
    codes = services.totp_enrollment_confirm(
        user=user,
        code=pyotp.TOTP(enrollment.secret).at(clock.now),
        caller=services.Caller(),
        recently_authenticated=True,
    )
    assert codes is not None
    clock.step(2)
    return Enrolled(user=user, secret=enrollment.secret, recovery_codes=codes, clock=clock)


def login(gql: GraphQLClient, password: str, transport: str = "BODY", **kw: Any) -> dict:
    result = gql(
        LOGIN, {"email": "ada@example.com", "password": password, "transport": transport}, **kw
    )
    assert result.status == 200 and not result.errors, result.body
    return result.data["login"]  # type: ignore[index]


def verify(gql: GraphQLClient, transport: str = "BODY", **factor: str | None) -> dict:
    result = gql(VERIFY, {"input": factor, "transport": transport})
    assert result.status == 200 and not result.errors, result.body
    return result.data["verifySecondFactor"]  # type: ignore[index]


def call(gql: GraphQLClient, query: str, name: str, token: str, **variables: Any) -> dict:
    result = gql(query, variables, token=token)
    assert result.status == 200 and not result.errors, result.body
    return result.data[name]  # type: ignore[index]


def codes(payload: dict) -> list[str]:
    return [error["code"] for error in payload["errors"]]


def age_sessions(user: User, minutes: int = 11) -> None:
    """Make every session of the user's last authenticate `minutes` ago."""
    Session.objects.filter(user=user).update(
        authenticated_at=timezone.now() - timedelta(minutes=minutes)
    )


def totp_device(user: User) -> TotpDevice:
    return TotpDevice.objects.get(user=user)
