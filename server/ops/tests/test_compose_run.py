"""compose.yaml's own commands, health checks included, under the production settings and
without Docker: a .env made from .env.example (DJANGO_ENV=production, ALLOWED_HOSTS naming
only the public host, the proxy terminating TLS, Google and Stripe left empty), each
service's environment as Compose builds it, and each command and health check run as
Docker runs them, with this repository as the image's /app.

What differs from the containers, and only that: PostgreSQL and Redis are this test's own
(DATABASE_URL, REDIS_URL and CACHE_KEY_PREFIX in the .env); gunicorn binds a spare port
(GUNICORN_BIND in the .env, which the health check follows) with one worker; the metrics
folder is a temporary one; `python` and `gunicorn` are the virtualenv's (the image puts
/app/.venv/bin first on PATH too); Debian's nginx stands in for the proxy image, with the
same templates (ops.proxy), the certificate mounted from PROXY_TLS_DIR and the upstreams
file pointing at the one local server instead of server-1/server-2:8000 (server-2 is
server-1's twin: test_compose checks that); the proxy's health check is sent to its local
port instead of 8080.
"""

from __future__ import annotations

import base64
import datetime
import http.client
import ipaddress
import json
import os
import re
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.db import connection

from api.testing import free_port
from ops.proxy import Tls, local_nginx_config, nginx_binary, nginx_command
from ops.tests.compose_file import (
    ROOT,
    command_argv,
    duration_seconds,
    healthcheck_argv,
    load,
    read_env_file,
    service_environment,
)
from tokens.keys import generate_private_jwk

# The processes started here use this run's test database (pytest-django creates it only
# for a session with a test that asks for one).
pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC_HOST = "api.example.com"
VENV_BIN = Path(sys.executable).parent


def self_signed_certificate(folder: Path) -> None:
    """fullchain.pem and privkey.pem for PUBLIC_HOST (and 127.0.0.1), as certbot names them."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, PUBLIC_HOST)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(PUBLIC_HOST), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True)
    (folder / "fullchain.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def production_dotenv(tmp: Path, *, server_port: int) -> dict[str, str]:
    """.env.example, with what it leaves for the operator to fill in filled in."""
    database = connection.settings_dict
    values = read_env_file(ROOT / ".env.example")
    values.update(
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS=PUBLIC_HOST,
        DATABASE_URL=f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}",
        REDIS_URL=str(settings.CACHES["default"]["LOCATION"]),
        CACHE_KEY_PREFIX=f"{settings.CACHES['default']['KEY_PREFIX']}compose",
        POSTGRES_PASSWORD=secrets.token_urlsafe(16),
        EMAIL_URL="console:",
        JWT_PRIVATE_KEYS=json.dumps({"keys": [generate_private_jwk("compose")]}),
        MFA_ENCRYPTION_KEY=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        GUNICORN_BIND=f"127.0.0.1:{server_port}",
        GUNICORN_WORKERS="1",
        PROXY_TLS_DIR=str(tmp / "tls"),
    )
    # The point of the exercise: production starts with Google and Stripe left empty.
    for name in ("GOOGLE_CLIENT_IDS", "GOOGLE_CLIENT_SECRET", "STRIPE_SECRET_KEY"):
        assert values[name] == "", f".env.example fills in {name}"
    assert values["DJANGO_ENV"] == "production" and values["PROXY_TLS"] == "on"
    return values


@dataclass
class Deployment:
    project_dir: Path
    dotenv: dict[str, str]
    compose: dict[str, Any]
    server_port: int
    logs: Path

    @property
    def services(self) -> dict[str, Any]:
        return self.compose["services"]

    def environment(self, name: str) -> dict[str, str]:
        env = service_environment(self.services[name], self.project_dir, self.dotenv)
        if "PROMETHEUS_MULTIPROC_DIR" in env:
            env["PROMETHEUS_MULTIPROC_DIR"] = str(self.project_dir / f"metrics-{name}")
        return {
            "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(self.project_dir),
            "LANG": "C.UTF-8",
            # the server image's ENV
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            **env,
        }

    def start(self, name: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("w")
        return subprocess.Popen(
            command_argv(self.services[name]["command"]),
            cwd=ROOT,
            env=self.environment(name),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text()[-4000:]


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def run_healthcheck(
    check: dict[str, Any], env: dict[str, str], *, rewrite: tuple[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a health check the way Docker does until it passes or the container would be
    marked unhealthy: failures in start_period do not count, then `retries` in a row do.
    Returns the last attempt."""
    argv = healthcheck_argv(check["test"])
    if rewrite:
        argv = [arg.replace(*rewrite) for arg in argv]
    timeout = duration_seconds(check.get("timeout", "30s"))
    # Polled faster than `interval`; the deadline is what Docker would allow.
    deadline = (
        time.monotonic()
        + duration_seconds(check.get("start_period", "0s"))
        + (check.get("retries", 3) * duration_seconds(check.get("interval", "30s")))
    )
    while True:
        try:
            result = subprocess.run(
                argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired as exc:
            result = subprocess.CompletedProcess(argv, -1, "", f"timed out: {exc}")
        if result.returncode == 0 or time.monotonic() > deadline:
            return result
        time.sleep(0.5)


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"nothing listens on {port}; {log}")
            time.sleep(0.2)


@pytest.fixture(scope="module")
def deployment(django_db_setup, tmp_path_factory) -> Deployment:
    project_dir = tmp_path_factory.mktemp("compose")
    self_signed_certificate(project_dir / "tls")
    server_port = free_port()
    dotenv = production_dotenv(project_dir, server_port=server_port)
    (project_dir / ".env").write_text("".join(f"{k}={v}\n" for k, v in dotenv.items()))
    logs = project_dir / "logs"
    logs.mkdir()
    return Deployment(project_dir, dotenv, load(dotenv), server_port, logs)


@pytest.fixture(scope="module")
def server(deployment: Deployment) -> Iterator[subprocess.Popen[bytes]]:
    """`migrate` ran to completion (the servers depend on it), then server-1's gunicorn."""
    migrate = deployment.services["migrate"]
    result = subprocess.run(
        command_argv(migrate["command"]),
        cwd=ROOT,
        env=deployment.environment("migrate"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    process = deployment.start("server-1")
    try:
        wait_for_port(deployment.server_port, process, deployment.log("server-1"), timeout=90)
        yield process
    finally:
        stop(process)


@dataclass
class Proxy:
    http_port: int
    https_port: int
    certificate: Path


@pytest.fixture(scope="module")
def proxy(deployment: Deployment, server, tmp_path_factory) -> Iterator[Proxy]:
    binary = nginx_binary()
    if binary is None:
        pytest.fail("nginx is not installed (Debian: apt-get install nginx-light; .ci/run does)")
    workdir = tmp_path_factory.mktemp("proxy")
    web = workdir / "dist"
    web.mkdir()
    (web / "index.html").write_text("<!doctype html><title>Gatehouse</title>")
    service = deployment.services["proxy"]
    env = service_environment(service, deployment.project_dir, deployment.dotenv)
    assert env["GATEHOUSE_TLS"] == "on"
    # The certificate where the image looks for it (its ENV), through compose's mount.
    image_env = dict(
        re.findall(
            r"(GATEHOUSE_[A-Z_]+)=(\S+)",
            (ROOT / "Dockerfile").read_text().split(" AS proxy", 1)[1].split("\nFROM ", 1)[0],
        )
    )
    mounts = dict(volume.rsplit(":", 2)[1::-1] for volume in service["volumes"])

    def mounted(path: str) -> Path:
        for target, source in mounts.items():
            if path.startswith(target + "/"):
                return Path(source) / path.removeprefix(target + "/")
        raise AssertionError(f"{path} is not on a volume of the proxy")

    tls = Tls(
        listen=free_port(),
        certificate=mounted(image_env["GATEHOUSE_TLS_CERTIFICATE"]),
        key=mounted(image_env["GATEHOUSE_TLS_CERTIFICATE_KEY"]),
    )
    http_port = free_port()
    config = local_nginx_config(
        workdir,
        listen=http_port,
        upstream_ports=[deployment.server_port],
        web_root=web,
        tls=tls,
    )
    log = workdir / "nginx.out"
    process = subprocess.Popen(
        nginx_command(binary, workdir, config),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_port(http_port, process, log.read_text(), timeout=30)
        yield Proxy(http_port, tls.listen, tls.certificate)
    finally:
        stop(process)


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def request(
    port: int,
    path: str,
    *,
    tls_certificate: Path | None = None,
    method: str = "GET",
    body: dict | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """One request to 127.0.0.1:port as a client of PUBLIC_HOST."""
    connection: http.client.HTTPConnection
    if tls_certificate:
        context = ssl.create_default_context(cafile=str(tls_certificate))
        connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    sent = {"Host": PUBLIC_HOST, **(headers or {})}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    try:
        connection.request(method, path, body=data, headers=sent)
        response = connection.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        connection.close()


def test_the_migrate_job_and_the_server_health_check_pass_under_production_settings(
    deployment, server
):
    check = deployment.services["server-1"]["healthcheck"]
    result = run_healthcheck(check, deployment.environment("server-1"))
    assert result.returncode == 0, (result.stdout, result.stderr, deployment.log("server-1"))
    assert "healthy: /readyz: 200" in result.stdout
    # What the old check did, a bare request to the port, is refused by ALLOWED_HOSTS: the
    # reason the health check names the host.
    bare = http.client.HTTPConnection("127.0.0.1", deployment.server_port, timeout=10)
    try:
        bare.request("GET", "/readyz")
        assert bare.getresponse().status == 400
    finally:
        bare.close()


def test_the_worker_starts_and_its_health_check_passes(deployment, server):
    worker = deployment.start("worker")
    try:
        check = deployment.services["worker"]["healthcheck"]
        result = run_healthcheck(check, deployment.environment("worker"))
        assert result.returncode == 0, (result.stdout, result.stderr, deployment.log("worker"))
        assert result.stdout.strip() == "healthy"
        assert worker.poll() is None, deployment.log("worker")
    finally:
        stop(worker)


def test_the_proxy_health_check_passes_and_tls_is_terminated_there(deployment, proxy):
    check = deployment.services["proxy"]["healthcheck"]
    result = run_healthcheck(
        check, dict(os.environ), rewrite=("127.0.0.1:8080", f"127.0.0.1:{proxy.http_port}")
    )
    assert result.returncode == 0, (result.stdout, result.stderr)

    # Over https, the API answers: X-Forwarded-Proto is https, so no redirect.
    ready = request(proxy.https_port, "/readyz", tls_certificate=proxy.certificate)
    assert (ready.status, json.loads(ready.body)) == (200, {"status": "ok"})
    typename = request(
        proxy.https_port,
        "/graphql/",
        tls_certificate=proxy.certificate,
        method="POST",
        body={"query": "{ __typename }"},
    )
    assert typename.status == 200, typename.body
    assert json.loads(typename.body) == {"data": {"__typename": "Query"}}
    assert "max-age=" in typename.headers["Strict-Transport-Security"]
    index = request(proxy.https_port, "/", tls_certificate=proxy.certificate)
    assert index.status == 200 and b"<title>Gatehouse</title>" in index.body

    # Plain HTTP reads are sent to https by the proxy, whatever a client claims in
    # X-Forwarded-Proto; anything else is refused unrun, with a JSON error saying why.
    for headers in ({}, {"X-Forwarded-Proto": "https"}):
        for method, path in (("GET", "/"), ("GET", "/readyz")):
            reply = request(proxy.http_port, path, method=method, headers=headers)
            assert reply.status == 308, (method, path, headers)
            assert reply.headers["Location"] == f"https://{PUBLIC_HOST}{path}"
        refused = request(
            proxy.http_port,
            "/graphql/",
            method="POST",
            headers=headers,
            body={"query": "{ __typename }"},
        )
        assert refused.status == 403, refused.body
        assert refused.headers["Content-Type"].startswith("application/json")
        assert "https://" in json.loads(refused.body)["errors"][0]["message"]


def test_google_and_stripe_are_off_when_left_empty(deployment):
    result = subprocess.run(
        [
            "python",
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            "from django.conf import settings as s; "
            "print(s.GOOGLE_SIGN_IN_ENABLED, s.PAYMENTS_ENABLED, repr(s.PAYMENT_PROVIDER))",
        ],
        cwd=ROOT,
        # the servers' settings; the metrics folder exists only once gunicorn has made it
        env=deployment.environment("migrate"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "''"]
