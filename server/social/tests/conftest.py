from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta

import pytest

from api.testing import free_port
from social.tests.provider import LocalOpenIDProvider

WEB_CLIENT_ID = "gatehouse-web.apps.googleusercontent.com"
IOS_CLIENT_ID = "gatehouse-ios.apps.googleusercontent.com"
ANDROID_CLIENT_ID = "gatehouse-android.apps.googleusercontent.com"
CLIENT_SECRET = "test-google-client-secret"
REDIRECT_URI = "http://localhost:5173/auth/google/callback"


@pytest.fixture
def provider(settings, monkeypatch) -> Iterator[LocalOpenIDProvider]:
    """A local OpenID provider on 127.0.0.1, with every GOOGLE_* setting pointed at it."""
    provider = LocalOpenIDProvider(client_id=WEB_CLIENT_ID, client_secret=CLIENT_SECRET).start()
    # oauthlib refuses plain-HTTP token endpoints unless told otherwise; only the local
    # stand-in speaks plain HTTP.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    settings.GOOGLE_CLIENT_IDS = [WEB_CLIENT_ID, IOS_CLIENT_ID, ANDROID_CLIENT_ID]
    settings.GOOGLE_CLIENT_SECRET = CLIENT_SECRET
    settings.GOOGLE_REDIRECT_URIS = [REDIRECT_URI]
    settings.GOOGLE_AUTHORIZATION_URL = provider.authorization_url
    settings.GOOGLE_TOKEN_URL = provider.token_url
    settings.GOOGLE_CERTS_URL = provider.certs_url
    settings.GOOGLE_HTTP_TIMEOUT = timedelta(seconds=3)
    yield provider
    provider.stop()


@pytest.fixture
def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: Google being unreachable."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def silent_port_url() -> Iterator[str]:
    """A URL on 127.0.0.1 that accepts connections and never answers: Google hanging."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
