"""13.4: Redis through Sentinel; the API and the worker follow a failover without a restart.

A real master, replica and three sentinels on spare ports; a real gunicorn configured only
by REDIS_SENTINELS / REDIS_SENTINEL_MASTER (REDIS_URL's host is a name that resolves
nowhere: only its database number is used). The master is failed over twice: by
`SENTINEL FAILOVER`, then by killing it.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
from collections.abc import Iterator
from typing import Any

import pytest
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from accounts.tests.conftest import SmtpSink
from api.testing import post_graphql as post
from config.redis_sentinel import sentinel_cache_options
from config.tests.services import RedisSentinelSet, wait_for
from observability.tests.servers import ROOT, Gunicorn, server_env
from tokens.tests.helpers import LOGIN, LOGOUT, ME

PASSWORD = "correct-horse-battery-9"
DB = 3
PREFIX = "ghsentinel"
WRONG_LOGIN = {"email": "eve@example.com", "password": "not-her-password", "transport": "BODY"}
REQUEST_RESET = "mutation R($email: String!) { requestPasswordReset(email: $email) { ok } }"


def test_the_sentinel_settings_take_db_and_password_from_redis_url():
    location, options = sentinel_cache_options(
        "redis://:s3cr%40t@ignored.example:6379/5", ["10.0.0.1:26379", " [::1]:26380"], "gh-main"
    )
    assert location == "redis://:s3cr%40t@gh-main/5"
    assert options["SENTINELS"] == [("10.0.0.1", 26379), ("::1", 26380)]
    assert options["CONNECTION_FACTORY"] == "django_redis.pool.SentinelConnectionFactory"


@pytest.mark.parametrize(
    ("url", "sentinels", "master"),
    [
        ("redis://h/0", ["nohostport"], "gh"),
        ("redis://h/0", ["h:notaport"], "gh"),
        ("redis://h/0", ["h:70000"], "gh"),
        ("redis://h/x", ["h:1"], "gh"),
        ("http://h/0", ["h:1"], "gh"),
        ("redis://h/0", ["h:1"], "MixedCase"),
    ],
)
def test_bad_sentinel_settings_are_refused_with_a_reason(url, sentinels, master):
    with pytest.raises(ValueError, match=r"\S"):
        sentinel_cache_options(url, sentinels, master)


@pytest.fixture
def redis_set(tmp_path) -> Iterator[RedisSentinelSet]:
    cluster = RedisSentinelSet(tmp_path)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


def sentinel_env(cluster: RedisSentinelSet) -> dict[str, str]:
    return {
        "REDIS_URL": f"redis://redis.invalid:1/{DB}",
        "REDIS_SENTINELS": cluster.sentinels_setting,
        "REDIS_SENTINEL_MASTER": cluster.name,
        "CACHE_KEY_PREFIX": PREFIX,
        "LOGIN_RATE_LIMIT_PER_EMAIL": "3",
        "TASK_BACKEND": "database",
    }


def me(base: str, token: str) -> Any:
    """`me` with this token: the user's email, 'refused', or 'error' (Redis unreachable)."""
    try:
        body = post(base, ME, token=token)
    except urllib.error.HTTPError as exc:
        return "error" if exc.code >= 500 else f"http {exc.code}"
    except OSError:
        return "error"
    codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
    if "UNAUTHENTICATED" in codes:
        return "refused"
    if body.get("data") and body["data"].get("me"):
        return body["data"]["me"]["email"]
    return "error"


def sign_in(base: str) -> dict[str, str]:
    variables = {"email": "ada@example.com", "password": PASSWORD, "transport": "BODY"}
    payload = post(base, LOGIN, variables)["data"]["login"]
    assert not payload["errors"], payload
    return payload


def logout(base: str, tokens: dict[str, str]) -> None:
    assert post(base, LOGOUT, {"token": tokens["refreshToken"]})["data"]["logout"]["ok"]


def wrong_login_codes(base: str) -> list[str]:
    return [e["code"] for e in post(base, LOGIN, WRONG_LOGIN)["data"]["login"]["errors"]]


def fail_over(cluster: RedisSentinelSet, base: str, logged_out: list[str], how: str) -> int:
    """Fail the master over `how`; meanwhile a logged-out token is never served."""
    old = cluster.master_port()
    if how == "SENTINEL FAILOVER":
        cluster.sentinel(0).execute_command("SENTINEL", "FAILOVER", cluster.name)
    else:
        cluster.processes[cluster.label_of(old)].kill()
    deadline = time.monotonic() + 60
    while True:
        for token in logged_out:
            assert me(base, token) in {"refused", "error"}
        try:
            new = cluster.master_port()
        except Exception:  # a sentinel mid-switch
            new = old
        if new != old:
            return new
        assert time.monotonic() < deadline, "no failover within 60 s"
        time.sleep(0.2)


def test_api_and_worker_follow_the_master_through_two_failovers(
    transactional_db, tmp_path, redis_set: RedisSentinelSet
):
    cluster = redis_set
    User.objects.create_user("ada@example.com", PASSWORD, email_verified=True)
    log = (tmp_path / "gunicorn.log").open("w+")
    server = Gunicorn(tmp_path, log, workers=2, **sentinel_env(cluster))
    try:
        server.wait()
        base = server.base

        # given: two sessions, one of them logged out, and a rate-limit counter under way
        ended, kept = sign_in(base), sign_in(base)
        assert me(base, kept["accessToken"]) == "ada@example.com"
        logout(base, ended)
        assert me(base, ended["accessToken"]) == "refused"
        assert [wrong_login_codes(base) for _ in range(3)] == [["INVALID_CREDENTIALS"]] * 3
        # everything went to the master the sentinels name, in REDIS_URL's database
        first = cluster.master_port()
        keys = cluster.client(first, db=DB).keys(f"{PREFIX}:*")
        assert any(b":rev:sid:" in key for key in keys), keys
        assert cluster.client(first, db=0).dbsize() == 0

        # when: the master is failed over by the sentinels
        second = fail_over(cluster, base, [ended["accessToken"]], "SENTINEL FAILOVER")
        assert second != first

        # then: the API recovers by itself; the logged-out token stays refused
        wait_for("the API on the new master", lambda: me(base, kept["accessToken"]) != "error")
        assert me(base, kept["accessToken"]) == "ada@example.com"
        assert me(base, ended["accessToken"]) == "refused"
        # the rate limit went on counting on the new master: the 4th attempt is refused
        assert wrong_login_codes(base) == ["RATE_LIMITED"]
        # a logout once the failover is complete (the sentinels have made the old master a
        # replica, which closes the connections still reading it) is refused at once, on
        # every worker. Before that a worker may still read revocations from the old master
        # (README, "Redis Sentinel"); answering `me` faster made the test hit that window.
        wait_for("the old master to replicate the new one", lambda: cluster.replica_in_sync(second))
        logout(base, kept)
        assert [me(base, kept["accessToken"]) for _ in range(4)] == ["refused"] * 4

        # when: the new master dies outright (the old one is its replica by now)
        wait_for("the sentinels to see the replica", cluster.sentinels_agree)
        third = fail_over(
            cluster, base, [ended["accessToken"], kept["accessToken"]], "kill the master"
        )
        assert third == first

        # then: the API recovers again; every logged-out token is still refused
        later = wait_for("a sign-in on the third master", lambda: _try_sign_in(base))
        assert me(base, later["accessToken"]) == "ada@example.com"
        assert me(base, ended["accessToken"]) == "refused"
        assert me(base, kept["accessToken"]) == "refused"
        logout(base, later)
        assert me(base, later["accessToken"]) == "refused"

        # and the worker finds the master too: a reset email bumps the user's reset
        # counter, which drops the user's cached snapshot in Redis (the `me` above made it)
        reset = post(base, REQUEST_RESET, {"email": "ada@example.com"})
        assert reset["data"]["requestPasswordReset"]["ok"]
        snapshot_keys = cluster.client(third, db=DB).keys(f"{PREFIX}:*user:v1:*")
        sink = SmtpSink()
        sink.start()
        try:
            worker = subprocess.run(
                [sys.executable, "manage.py", "worker", "--batch", "--no-startup-delay"],
                cwd=ROOT,
                env=server_env(EMAIL_URL=sink.url, **sentinel_env(cluster)),
                capture_output=True,
                text=True,
                timeout=120,
            )
        finally:
            sink.stop()
        assert worker.returncode == 0, worker.stdout + worker.stderr
        assert len(sink.inbox) == 1
        assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL
        assert snapshot_keys
        assert not cluster.client(third, db=DB).keys(f"{PREFIX}:*user:v1:*")
    finally:
        server.stop()
        log.close()


def _try_sign_in(base: str) -> dict[str, str] | None:
    try:
        return sign_in(base)
    except (OSError, AssertionError, KeyError, TypeError):
        return None
