from __future__ import annotations

import pytest

from passkeys.tests.authenticator import ORIGIN, RP_ID, SoftAuthenticator


@pytest.fixture(autouse=True)
def relying_party(settings):
    """The relying party the software authenticator talks to: the web client's origin."""
    settings.WEBAUTHN_RP_ID = RP_ID
    settings.WEBAUTHN_RP_NAME = "Gatehouse"
    settings.WEBAUTHN_ORIGINS = [ORIGIN]
    return settings


@pytest.fixture
def authenticator() -> SoftAuthenticator:
    return SoftAuthenticator()
