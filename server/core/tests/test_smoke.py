"""Smoke: the README's quick-start command serves the API on embedded defaults.

Starts `bin/dev` in a fresh folder (SQLite, in-process cache, console email) with no
DATABASE_URL or REDIS_URL, and talks to it over real HTTP.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import urllib.request
from pathlib import Path

import pytest

from api.testing import free_port, post_graphql, wait_until_serving

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.smoke


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    var_dir = tmp_path_factory.mktemp("var")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "CACHE_KEY_PREFIX"}
    }
    # As from a developer's shell: not inside this test run's virtual environment.
    env.pop("VIRTUAL_ENV", None)
    venv_bin = str(ROOT / ".venv" / "bin")
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != venv_bin)
    env.update(GATEHOUSE_VAR_DIR=str(var_dir), PORT=str(port), PYTHONUNBUFFERED="1")
    log = (var_dir / "server.log").open("w+")
    process = subprocess.Popen(
        [str(ROOT / "bin" / "dev"), "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, process, log, timeout=120)
        yield base, var_dir, log
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        log.close()


def test_prints_the_graphiql_address_on_localhost(server):
    # localhost, not 127.0.0.1: the web client runs on localhost:5173, and cookies are per
    # host name, so the API must be on the same one for cookie refresh to work.
    base, _, log = server
    log.seek(0)
    port = base.rsplit(":", 1)[1]
    assert f"GraphiQL: http://localhost:{port}/graphql/" in log.read()


def test_graphiql_renders_in_a_browser_without_any_cdn(server, tmp_path):
    """Headless Chromium with every other origin unreachable (a dead proxy): GraphiQL must
    still render, under its own strict CSP."""
    base, _, _ = server
    chromium = next(
        (
            found
            for name in ("chromium", "chromium-browser", "google-chrome")
            if (found := shutil.which(name))
        ),
        None,
    )
    if chromium is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    port = base.rsplit(":", 1)[1]
    result = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--proxy-server=http://127.0.0.1:9",  # nothing listens: no CDN is reachable
            "--proxy-bypass-list=<-loopback>;localhost",
            "--virtual-time-budget=10000",
            "--dump-dom",
            f"http://localhost:{port}/graphql/",
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    dom = result.stdout
    assert "graphiql-container" in dom and "CodeMirror" in dom, result.stderr[-2000:]
    assert "Loading…" not in dom


def test_graphiql_is_served_in_development(server):
    base, _, _ = server
    request = urllib.request.Request(f"{base}/graphql/", headers={"Accept": "text/html"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert "graphiql" in response.read().decode().lower()


def test_runs_on_sqlite_with_demo_data(server):
    _, var_dir, _ = server
    assert (var_dir / "gatehouse.sqlite3").exists()
    with urllib.request.urlopen(f"{server[0]}/readyz", timeout=10) as response:
        assert json.loads(response.read()) == {"status": "ok"}


def test_register_and_me(server):
    base, _, _ = server
    result = post_graphql(
        base,
        "mutation($i: RegisterInput!) { register(input: $i) { ok errors { code } } }",
        {"i": {"email": "smoke@example.com", "password": "smoke-test-passphrase"}},
    )
    assert result == {"data": {"register": {"ok": True, "errors": []}}}
    assert post_graphql(base, "{ me { id } }") == {"data": {"me": None}}


def test_demo_user_signs_in_reads_me_edits_profile_and_refreshes(server):
    base, _, _ = server
    login = post_graphql(
        base,
        "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p},"
        " transport: BODY) { accessToken refreshToken errors { code } } }",
        {"e": "demo@example.com", "p": "demo-password-123"},
    )["data"]["login"]
    assert login["errors"] == []

    me = post_graphql(base, "{ me { email } }", token=login["accessToken"])
    assert me == {"data": {"me": {"email": "demo@example.com"}}}

    updated = post_graphql(
        base,
        'mutation { updateProfile(input: {displayName: "Smoke"}) '
        "{ profile { displayName } errors { code } } }",
        token=login["accessToken"],
    )["data"]["updateProfile"]
    assert updated == {"profile": {"displayName": "Smoke"}, "errors": []}

    refreshed = post_graphql(
        base,
        "mutation($t: String) { refresh(refreshToken: $t, transport: BODY)"
        " { accessToken refreshToken errors { code } } }",
        {"t": login["refreshToken"]},
    )["data"]["refresh"]
    assert refreshed["errors"] == []
    assert refreshed["refreshToken"] != login["refreshToken"]
    sessions = post_graphql(base, "{ sessions { current } }", token=refreshed["accessToken"])
    assert sessions == {"data": {"sessions": [{"current": True}]}}


def test_one_user_shape_on_sqlite(server):
    """The raw-SQL viewer load converts SQLite's hex UUIDs and naive dates like the ORM."""
    base, _, _ = server
    fields = "id email emailVerified registerMethod dateJoined"
    login = post_graphql(
        base,
        "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p},"
        f" transport: BODY) {{ accessToken accessTokenExpiresAt user {{ {fields} }} }} }}",
        {"e": "demo@example.com", "p": "demo-password-123"},
    )["data"]["login"]
    cold = post_graphql(base, f"{{ me {{ {fields} }} }}", token=login["accessToken"])["data"]["me"]
    warm = post_graphql(base, f"{{ me {{ {fields} }} }}", token=login["accessToken"])["data"]["me"]
    assert cold == warm == login["user"]
    assert re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", cold["id"])
    for value in (cold["dateJoined"], login["accessTokenExpiresAt"]):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", value), value
