"""Suite-wide set-up and fixtures.

The suite runs against real PostgreSQL and Redis or fails with a message saying how to
start them; it never falls back to a mock.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache

from accounts.models import User
from api.testing import GraphQLClient

PASSWORD = "correct-horse-battery-9"

HOW_TO_START = """
The test suite needs real PostgreSQL and Redis on 127.0.0.1 and will not fall back to
anything else. {what} is not reachable at {host}:{port}.

Start them, for example:
  PostgreSQL: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start
  Redis:      redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
or with Docker: docker compose up -d postgres redis
or point DATABASE_URL / REDIS_URL at running servers.
"""


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Checked once the tests are known: a run of source-only tests (the layer test) needs
    # neither service.
    if all(item.get_closest_marker("no_services") for item in items):
        return
    database = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/x"))
    redis = urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    for what, parts, default_port in (
        ("PostgreSQL", database, 5432),
        ("Redis", redis, 6379),
    ):
        host, port = parts.hostname or "127.0.0.1", parts.port or default_port
        if not _reachable(host, port):
            raise pytest.UsageError(HOW_TO_START.format(what=what, host=host, port=port))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    # In CI a skipped test is a failure: it would hide a missing service or package.
    if os.environ.get("CI") and terminalreporter.stats.get("skipped"):
        terminalreporter.write_line("CI: skipped tests count as failures", red=True)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if os.environ.get("CI") and reporter is not None and reporter.stats.get("skipped"):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _clean_cache(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("no_services"):
        yield
        return
    # Each test process has its own key prefix (config/settings_test.py); delete only those
    # keys, never FLUSHDB, so that parallel runs on the same Redis do not disturb each other.
    cache.delete_pattern("*")  # type: ignore[attr-defined]
    yield
    cache.delete_pattern("*")  # type: ignore[attr-defined]


@pytest.fixture
def gql(db: None) -> GraphQLClient:
    return GraphQLClient()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def user(db: None) -> User:
    return User.objects.create_user("ada@example.com", PASSWORD, email_verified=True)


@pytest.fixture
def access_token(user: User) -> str:
    """A real ES256 access token for `user`, as the token service would mint it."""
    from tokens.access import issue_access_token

    token, _ = issue_access_token(user_id=str(user.pk), session_id="test-session")
    return token
