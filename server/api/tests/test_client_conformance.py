"""Client conformance: Apollo Client, urql and graphql-codegen (client preset, `tsc
--strict`) against a live server, as client developers use them (clients/conformance/).

Starts the server as a subprocess on this test's PostgreSQL database and Redis prefix, with
a 5-second access token and an SMTP sink for the verification mail, then runs the scripts:
register → verify → login → me → updateProfile → articles pages → an expired token
refreshes once → logout. Needs Node.js 20+; installs the locked packages (`npm ci`) when
node_modules is missing.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from api.testing import free_port, wait_until_serving
from membership.tests.fixtures import make_article
from tokens.keys import generate_private_jwk

ROOT = Path(__file__).resolve().parents[3]
PROJECT = ROOT / "clients" / "conformance"
ARTICLES = 8


class _MailToFiles:
    """Writes each message's recipient and text part to a file the scripts can read."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        body = message.get_body(preferencelist=("plain",))
        text = str(body.get_content()) if body is not None else ""
        for recipient in envelope.rcpt_tos:
            with self.lock:
                self.count += 1
                path = self.folder / f"{self.count:04d}.txt"
            # Written aside, then renamed: a reader never sees half a message.
            path.with_suffix(".tmp").write_text(f"To: {recipient}\n\n{text}")
            path.with_suffix(".tmp").rename(path)
        return "250 Message accepted for delivery"


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js 20 or later is needed for the client conformance tests (no node)")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True)
    major = int(version.stdout.strip().lstrip("v").split(".")[0])
    if major < 20:
        pytest.fail(f"Node.js 20 or later is needed, found {version.stdout.strip()}")
    return node


def _npm(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is needed for the client conformance tests")
    return subprocess.run(
        [npm, *args], cwd=PROJECT, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def node_project() -> Path:
    _node()
    lock = PROJECT / "package-lock.json"
    installed = PROJECT / "node_modules" / ".package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        result = _npm("ci", "--no-audit", "--no-fund", timeout=900)
        assert result.returncode == 0, f"npm ci failed:\n{result.stdout}\n{result.stderr}"
    return PROJECT


@pytest.fixture
def gatehouse_server(transactional_db, tmp_path) -> Iterator[tuple[str, Path]]:
    for n in range(ARTICLES):
        make_article(f"conformance-{n}", tier=n % 2, days_ago=n + 1)
    make_article("draft", tier=0, published_at=None)

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    sink = Controller(_MailToFiles(mail_dir), hostname="127.0.0.1", port=free_port())
    sink.start()

    port = free_port()
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "development",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:"
        f"{database['PORT']}/{database['NAME']}",
        "REDIS_URL": str(settings.CACHES["default"]["LOCATION"]),
        "CACHE_KEY_PREFIX": str(settings.CACHES["default"]["KEY_PREFIX"]),
        "JWT_PRIVATE_KEYS": json.dumps({"keys": [generate_private_jwk("conformance")]}),
        "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
        "TASK_BACKEND": "immediate",
        "ACCESS_TOKEN_LIFETIME": "5s",
        "PYTHONUNBUFFERED": "1",
    }
    log = (tmp_path / "server.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, process, log, timeout=60)
        yield f"{base}/graphql/", mail_dir
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
        sink.stop()
        log.seek(0)
        server_log = log.read()
        log.close()
        # Kept for the failure report below (pytest shows it with -rA / on failure).
        print(server_log[-3000:])


def _script(name: str, graphql_url: str, mail_dir: Path, email_address: str) -> dict[str, Any]:
    result = subprocess.run(
        [_node(), name],
        cwd=PROJECT,
        env={
            **os.environ,
            "GATEHOUSE_URL": graphql_url,
            "MAIL_DIR": str(mail_dir),
            "CONFORMANCE_EMAIL": email_address,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{name} failed:\n{result.stdout}\n{result.stderr}"
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_codegen_client_preset_types_check_with_tsc_strict(node_project):
    codegen = _npm("run", "--silent", "codegen", timeout=180)
    assert codegen.returncode == 0, codegen.stdout + codegen.stderr
    generated = json.loads((node_project / "src/gql/persisted-documents.json").read_text())
    assert len(generated) >= 9
    typecheck = _npm("run", "--silent", "typecheck", timeout=180)
    assert typecheck.returncode == 0, typecheck.stdout + typecheck.stderr


def test_apollo_and_urql_against_a_live_server(node_project, gatehouse_server):
    graphql_url, mail_dir = gatehouse_server
    apollo = _script("apollo.mjs", graphql_url, mail_dir, "apollo@example.com")
    assert apollo["articles"] == ARTICLES
    assert apollo["pages"] == 3  # 8 articles, 3 a page
    assert apollo["apqNotFound"] >= 1 and apollo["apqHashOnlyHits"] >= 1
    urql = _script("urql.mjs", graphql_url, mail_dir, "urql@example.com")
    assert urql["articles"] == ARTICLES
    assert urql["refreshes"] == 1
