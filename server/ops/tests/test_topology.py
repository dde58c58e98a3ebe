"""The production topology without Docker: Debian's nginx, rendered from the same template
as the `proxy` image (deploy/nginx/gatehouse.conf.template), in front of two gunicorn
processes (gunicorn.conf.py, DJANGO_ENV=production) on one PostgreSQL and one Redis.

nginx names the process that answered in a header this test adds (X-Gatehouse-Upstream,
nginx's $upstream_addr), so each step shows which process served it.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from accounts.models import User
from api.testing import free_port, wait_until_serving
from ops.proxy import UPSTREAM_HEADER, local_nginx_config, nginx_binary, nginx_command
from tokens.keys import generate_private_jwk
from tokens.tests.helpers import LOGIN, LOGOUT, ME, REFRESH

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "correct-horse-battery-9"
KEYS = json.dumps({"keys": [generate_private_jwk("topology")]})
# One for every process: refresh tokens carry a tag keyed by it.
SECRET_KEY = secrets.token_urlsafe(48)


def nginx() -> str:
    found = nginx_binary()
    if found is None:
        pytest.fail("nginx is not installed (Debian: apt-get install nginx-light; .ci/run does)")
    return found


def server_env(port: int) -> dict[str, str]:
    database = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_ENV="production",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        FRONTEND_URL="https://app.example.com",
        CORS_ALLOWED_ORIGINS="https://app.example.com",
        DATABASE_URL=f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}",
        REDIS_URL=str(settings.CACHES["default"]["LOCATION"]),
        CACHE_KEY_PREFIX=str(settings.CACHES["default"]["KEY_PREFIX"]),
        DEFAULT_FROM_EMAIL="Gatehouse <no-reply@example.com>",
        EMAIL_URL="console:",
        JWT_PRIVATE_KEYS=KEYS,
        MFA_ENCRYPTION_KEY=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        GOOGLE_CLIENT_IDS="topology.apps.googleusercontent.com",
        GOOGLE_CLIENT_SECRET="topology-google-secret",
        STRIPE_SECRET_KEY="sk_test_topology",
        STRIPE_WEBHOOK_SECRET="whsec_topology",
        TRUSTED_PROXY_COUNT="1",
        LOGIN_RATE_LIMIT_PER_EMAIL="3",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
        FORWARDED_ALLOW_IPS="127.0.0.1",
        PYTHONUNBUFFERED="1",
    )
    return env


@dataclass
class Stack:
    proxy: str
    servers: dict[str, subprocess.Popen]  # "127.0.0.1:port" -> gunicorn
    logs: dict[str, Path]


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def stack(django_db_setup, tmp_path_factory) -> Iterator[Stack]:
    """One stack for the module (starting it is most of the time): every test signs in
    afresh, and the fail-over test, which stops a process, comes last."""
    tmp_path = tmp_path_factory.mktemp("topology")
    binary = nginx()
    web = tmp_path / "dist"
    (web / "assets").mkdir(parents=True)
    (web / "index.html").write_text("<!doctype html><title>Gatehouse</title><div id=root>")
    (web / "assets" / "app-3f2a.js").write_text("console.log('gatehouse')")
    ports = [free_port(), free_port()]
    processes: dict[str, subprocess.Popen] = {}
    logs: dict[str, Path] = {}
    started: list[subprocess.Popen] = []
    try:
        for port in ports:
            address = f"127.0.0.1:{port}"
            logs[address] = tmp_path / f"gunicorn-{port}.log"
            processes[address] = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
                cwd=ROOT,
                env=server_env(port),
                stdout=logs[address].open("w"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            started.append(processes[address])
        for address, process in processes.items():
            with logs[address].open() as log:
                wait_until_serving(f"http://{address}", process, log, timeout=90)
        listen = free_port()
        config = local_nginx_config(tmp_path, listen=listen, upstream_ports=ports, web_root=web)
        nginx_log = tmp_path / "nginx.out"
        proxy = subprocess.Popen(
            nginx_command(binary, tmp_path, config),
            stdout=nginx_log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(proxy)
        with nginx_log.open() as log:
            wait_until_serving(f"http://127.0.0.1:{listen}", proxy, log, timeout=30)
        yield Stack(f"http://127.0.0.1:{listen}", processes, logs)
    finally:
        for process in reversed(started):
            stop(process)


@dataclass
class Reply:
    status: int
    headers: Any
    body: bytes

    @property
    def upstream(self) -> str:
        return self.headers.get(UPSTREAM_HEADER, "")

    def json(self) -> Any:
        return json.loads(self.body)


def call(stack: Stack, path: str, payload: dict | None = None, token: str | None = None) -> Reply:
    # The test stands for the TLS-terminating load balancer in front of the proxy.
    headers = {"X-Forwarded-Proto": "https", "User-Agent": "topology-test"}
    data = None
    if payload is not None:
        data = json.dumps(payload).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(stack.proxy + path, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Reply(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.headers, error.read())


def graphql(stack: Stack, query: str, variables: dict, token: str | None = None) -> Reply:
    reply = call(stack, "/graphql/", {"query": query, "variables": variables}, token)
    assert reply.status == 200, reply.body
    assert reply.upstream in stack.servers, reply.headers
    return reply


def sign_in(stack: Stack, password: str = PASSWORD) -> Reply:
    return graphql(
        stack, LOGIN, {"email": "ada@example.com", "password": password, "transport": "BODY"}
    )


def me_refused(reply: Reply) -> bool:
    body = reply.json()
    if [e["extensions"]["code"] for e in body.get("errors") or []] == ["UNAUTHENTICATED"]:
        return True
    assert body["data"]["me"]["email"] == "ada@example.com", body
    return False


def test_the_proxy_serves_the_web_client_and_routes_the_api(stack, transactional_db):
    index = call(stack, "/")
    assert index.status == 200 and b"<title>Gatehouse</title>" in index.body
    assert index.headers["Referrer-Policy"] == "no-referrer"
    # a client-side route, and a path that only looks like the API, are the web client's
    for path in ("/reset-password?token=abc", "/account/sessions", "/graphqlx"):
        reply = call(stack, path)
        assert (reply.status, reply.body) == (200, index.body), path
        assert not reply.upstream, path
    asset = call(stack, "/assets/app-3f2a.js")
    assert asset.body == b"console.log('gatehouse')"
    assert "immutable" in asset.headers["Cache-Control"]
    assert call(stack, "/assets/missing.js").status == 404
    # the API's paths reach a server process
    jwks = call(stack, "/.well-known/jwks.json")
    assert jwks.upstream in stack.servers and jwks.json()["keys"][0]["kid"] == "topology"
    for path in ("/healthz", "/readyz"):
        reply = call(stack, path)
        assert reply.status == 200 and reply.upstream in stack.servers, path
    assert call(stack, "/admin/login/").upstream in stack.servers
    assert call(stack, "/webhooks/stripe/", {}).upstream in stack.servers
    body = graphql(stack, "{ __typename }", {}).json()
    assert body == {"data": {"__typename": "Query"}}


def test_sign_in_refresh_and_logout_across_the_two_processes(stack, transactional_db):
    User.objects.create_user("ada@example.com", PASSWORD, email_verified=True)

    # sign in through the proxy
    signed_in = sign_in(stack)
    login = signed_in.json()["data"]["login"]
    assert login["errors"] == [], login

    # the refresh lands on the other process, which knows the session
    refreshed = graphql(stack, REFRESH, {"token": login["refreshToken"], "transport": "BODY"})
    assert refreshed.upstream != signed_in.upstream
    rotated = refreshed.json()["data"]["refresh"]
    assert rotated["errors"] == [], rotated

    # both processes accept the new access token
    seen = set()
    for _ in range(2):
        reply = graphql(stack, ME, {}, token=rotated["accessToken"])
        assert not me_refused(reply)
        seen.add(reply.upstream)
    assert seen == set(stack.servers)

    # logout on one process; the other refuses the access token at once
    logged_out = graphql(stack, LOGOUT, {"token": rotated["refreshToken"]})
    assert logged_out.json()["data"]["logout"]["ok"] is True
    after = graphql(stack, ME, {}, token=rotated["accessToken"])
    assert after.upstream != logged_out.upstream
    assert me_refused(after)
    # and so does the first one
    again = graphql(stack, ME, {}, token=rotated["accessToken"])
    assert again.upstream == logged_out.upstream
    assert me_refused(again)


def test_rate_limits_are_shared_by_the_processes(stack, transactional_db):
    User.objects.create_user("ada@example.com", PASSWORD, email_verified=True)
    seen = set()
    for _ in range(3):  # LOGIN_RATE_LIMIT_PER_EMAIL=3 in this stack
        wrong = sign_in(stack, password="not-the-password-1")
        assert [e["code"] for e in wrong.json()["data"]["login"]["errors"]] == [
            "INVALID_CREDENTIALS"
        ]
        seen.add(wrong.upstream)
    assert seen == set(stack.servers)
    # the fourth attempt, even with the right password, is refused by whichever answers
    for _ in range(2):
        refused = sign_in(stack)
        codes = [e["extensions"]["code"] for e in refused.json().get("errors") or []] or [
            e["code"] for e in refused.json()["data"]["login"]["errors"]
        ]
        assert codes == ["RATE_LIMITED"], refused.json()
        seen.discard(refused.upstream)
    assert not seen  # both processes refused


def test_revoke_sessions_reaches_both_processes_at_once(stack, transactional_db):
    User.objects.create_user("ada@example.com", PASSWORD, email_verified=True)
    login = sign_in(stack).json()["data"]["login"]
    assert not me_refused(graphql(stack, ME, {}, token=login["accessToken"]))

    call_command("revoke_sessions", "--all", stdout=StringIO())

    answered = set()
    for _ in range(2):
        reply = graphql(stack, ME, {}, token=login["accessToken"])
        assert me_refused(reply)
        answered.add(reply.upstream)
    assert answered == set(stack.servers)
    refreshed = graphql(stack, REFRESH, {"token": login["refreshToken"], "transport": "BODY"})
    assert [e["code"] for e in refreshed.json()["data"]["refresh"]["errors"]] == ["SESSION_REVOKED"]


def test_the_proxy_fails_over_when_a_process_goes_down(stack, transactional_db):
    User.objects.create_user("ada@example.com", PASSWORD, email_verified=True)
    down, up = list(stack.servers)
    stop(stack.servers[down])

    replies = [call(stack, "/healthz") for _ in range(4)]
    assert [r.status for r in replies] == [200] * 4
    assert {r.upstream.split(", ")[-1] for r in replies} == {up}
    # a sign-in (a POST) is passed to the live process too: it never reached the dead one
    login = sign_in(stack).json()["data"]["login"]
    assert login["errors"] == []
    assert not me_refused(graphql(stack, ME, {}, token=login["accessToken"]))
