"""Revocations reach every server process: two real servers sharing PostgreSQL and Redis."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from accounts.models import User
from api.testing import free_port, wait_until_serving
from api.testing import post_graphql as post
from tokens.keys import generate_private_jwk
from tokens.tests.helpers import LOGIN, LOGOUT, LOGOUT_ALL, ME, REVOKE

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "correct-horse-battery-9"
KEYS = json.dumps({"keys": [generate_private_jwk("two-processes")]})


def start_server(port: int, log: Any) -> subprocess.Popen:
    database = connection.settings_dict
    env: dict[str, str] = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "development",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:"
        f"{database['PORT']}/{database['NAME']}",
        "REDIS_URL": str(settings.CACHES["default"]["LOCATION"]),
        "CACHE_KEY_PREFIX": str(settings.CACHES["default"]["KEY_PREFIX"]),
        "JWT_PRIVATE_KEYS": KEYS,
        "PYTHONUNBUFFERED": "1",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


@pytest.fixture
def servers(transactional_db, tmp_path) -> Iterator[tuple[str, str]]:
    ports = [free_port(), free_port()]
    logs = [(tmp_path / f"server{n}.log").open("w+") for n in range(2)]
    processes = [start_server(port, log) for port, log in zip(ports, logs, strict=True)]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for base, process, log in zip(bases, processes, logs, strict=True):
            wait_until_serving(base, process, log, timeout=60)
        with override_settings(JWT_PRIVATE_KEYS=KEYS):
            yield bases[0], bases[1]
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=20)
        for log in logs:
            log.close()


def sign_in(base: str) -> dict[str, Any]:
    payload = post(
        base, LOGIN, {"email": "ada@example.com", "password": PASSWORD, "transport": "BODY"}
    )["data"]["login"]
    assert payload["errors"] == [], payload
    return payload


def refused(base: str, access: str) -> bool:
    body = post(base, ME, token=access)
    codes = [e["extensions"]["code"] for e in body.get("errors") or []]
    if codes == ["UNAUTHENTICATED"]:
        return True
    assert body["data"]["me"]["email"] == "ada@example.com", body
    return False


def test_revocations_take_effect_on_the_next_request_in_another_process(servers):
    a, b = servers
    User.objects.create_user("ada@example.com", PASSWORD, email_verified=True)

    # logout on A; B refuses the access token on its very next request
    first = sign_in(a)
    assert not refused(b, first["accessToken"])
    assert post(a, LOGOUT, {"token": first["refreshToken"]})["data"]["logout"]["ok"]
    assert refused(b, first["accessToken"])

    # revokeSession on B; A refuses
    keep, phone = sign_in(a), sign_in(b)
    assert not refused(a, phone["accessToken"])
    sid = json.loads(base64.urlsafe_b64decode(phone["accessToken"].split(".")[1] + "=="))["sid"]
    revoked = post(b, REVOKE, {"id": sid}, token=keep["accessToken"])["data"]["revokeSession"]
    assert revoked["ok"]
    assert refused(a, phone["accessToken"])
    assert not refused(a, keep["accessToken"])

    # logoutAll on A; B refuses every session's token
    other = sign_in(b)
    post(a, LOGOUT_ALL, {"keep": False}, token=keep["accessToken"])
    assert refused(b, keep["accessToken"])
    assert refused(b, other["accessToken"])

    # a password change on B ends the other sessions; A refuses them, keeps the current
    current, laptop = sign_in(a), sign_in(a)
    changed = post(
        b,
        "mutation($o: String!, $n: String!) { changePassword(oldPassword: $o, newPassword: $n)"
        " { ok errors { code } } }",
        {"o": PASSWORD, "n": "another-long-passphrase-42"},
        token=current["accessToken"],
    )["data"]["changePassword"]
    assert changed["ok"], changed
    assert refused(a, laptop["accessToken"])
    assert not refused(a, current["accessToken"])
