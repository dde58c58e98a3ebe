"""Start the whole product for the browser tests, as production runs it, and tear it down.

    uv run python frontend-client/e2e/stack.py                     # serve until Ctrl-C
    uv run python frontend-client/e2e/stack.py -- npx playwright test   # run, then stop

From the repository root. It creates a fresh PostgreSQL database `gatehouse_e2e_<pid>`
(dropped at the end), migrates it, seeds the demo plans and articles, and starts on free
ports:

- an SMTP sink (aiosmtpd) that keeps every mail, readable as JSON at `GET /messages`;
- the local OpenID provider standing in for Google (server/social/tests/provider.py);
- the Stripe stand-in with a local hosted checkout page (checkout.py);
- the API in production mode (DJANGO_ENV=production, gunicorn, real Redis on 6379 with its
  own key prefix, queued emails delivered by `manage.py worker`) behind https_wsgi.py,
  which adds the headers of a TLS-terminating load balancer;
- the built client (`vite build` with VITE_API_URL, then `vite preview`) on another origin.

The addresses are written as JSON to frontend-client/e2e/.stack/stack.json (or --out), which
Playwright's globalSetup reads. After `--`, the given command runs in frontend-client/
with E2E_STACK_FILE set, and its exit code is this script's.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import email
import email.policy
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "frontend-client"
E2E = CLIENT / "e2e"
sys.path[:0] = [str(ROOT / "server"), str(E2E)]

import psycopg  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402
from checkout import CheckoutPage, CheckoutStripe, TLSThreadingHTTPServer, tls_context  # noqa: E402

import social.tests.provider as provider_module  # noqa: E402
from social.tests.provider import LocalOpenIDProvider  # noqa: E402
from tokens.keys import generate_private_jwk  # noqa: E402

MIGRATE_AND_SEED = (
    "import sys; sys.path[:0] = ['server', '.']; import os; "
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); import django; "
    "django.setup(); from django.core.management import call_command; "
    "call_command('migrate', interactive=False, verbosity=0); call_command('seed_demo')"
)

GOOGLE_CLIENT_ID = "gatehouse-e2e.apps.googleusercontent.com"
GOOGLE_CLIENT_SECRET = "e2e-google-secret"
STRIPE_SECRET_KEY = "sk_test_standin"
STRIPE_WEBHOOK_SECRET = "whsec_e2e_" + secrets.token_hex(16)
STEP_UP_WINDOW_SECONDS = int(os.environ.get("E2E_STEP_UP_WINDOW_SECONDS", "60"))
PLAN_PRICES = {
    "STRIPE_PRICE_BASIC_MONTHLY": "price_e2e_basic_monthly",
    "STRIPE_PRICE_PRO_MONTHLY": "price_e2e_pro_monthly",
    "STRIPE_PRICE_PRO_YEARLY": "price_e2e_pro_yearly",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(
    url: str, *, timeout: float = 60.0, process: subprocess.Popen[Any] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (http, local)
                return
        except urllib.error.HTTPError:
            return  # it answers
        except Exception as exc:
            last = exc
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up within {timeout}s: {last}")


class MailSink:
    """Keeps every message the server sends; `GET /messages` lists them as JSON."""

    def __init__(self) -> None:
        self.messages: list[dict[str, str]] = []
        self.lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                message = email.message_from_bytes(envelope.content, policy=email.policy.default)
                part = message.get_body(preferencelist=("plain", "html"))
                with sink.lock:
                    sink.messages.append(
                        {
                            "to": ", ".join(envelope.rcpt_tos),
                            "subject": str(message["subject"]),
                            "text": part.get_content() if part is not None else "",
                        }
                    )
                return "250 Message accepted for delivery"

        self.smtp_port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.smtp_port)

        class Http(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                with sink.lock:
                    data = json.dumps(sink.messages).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Http)
        self.http.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http.server_address[1]}"

    def start(self) -> MailSink:
        self.controller.start()
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.controller.stop()
        self.http.shutdown()
        self.http.server_close()


class Stack:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.pid = os.getpid()
        self.db_name = f"gatehouse_e2e_{self.pid}"
        self.admin_url = os.environ.get(
            "E2E_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        )
        self.redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        self.processes: list[subprocess.Popen[Any]] = []
        self.var_dir = Path(tempfile.mkdtemp(prefix="gatehouse-e2e-"))
        self.log_dir = CLIENT / "test-results" / "stack-logs"
        self.stoppers: list[Any] = []
        self.db_created = False

    def _step(self, what: str) -> None:
        print(f"[stack {time.monotonic() - self.t0:6.1f}s] {what}", file=sys.stderr, flush=True)

    def _database_url(self) -> str:
        base = self.admin_url.rsplit("/", 1)[0]
        return f"{base}/{self.db_name}"

    def _admin(self, sql: str) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql)

    def _spawn(
        self, name: str, args: list[str], *, env: dict[str, str], cwd: Path = ROOT
    ) -> subprocess.Popen[Any]:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(  # noqa: S603 (our own commands, no shell)
            args, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append(process)
        return process

    def start(self) -> dict[str, Any]:
        started = self.t0 = time.monotonic()
        self._admin(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        self._admin(f'CREATE DATABASE "{self.db_name}"')
        self.db_created = True

        self._step("database created")
        mail = MailSink().start()
        self.stoppers.append(mail.stop)
        # Google's endpoints are HTTPS (oauthlib refuses anything else), so the local
        # provider and the checkout page speak TLS with a certificate made for this run,
        # which the server trusts through REQUESTS_CA_BUNDLE / SSL_CERT_FILE and Chromium ignores
        # (ignoreHTTPSErrors).
        tls, certificate = tls_context(self.var_dir)
        provider_module.ThreadingHTTPServer = type(  # type: ignore[misc]
            "ProviderServer", (TLSThreadingHTTPServer,), {"context": tls}
        )
        google = LocalOpenIDProvider(client_id=GOOGLE_CLIENT_ID, client_secret=GOOGLE_CLIENT_SECRET)
        google.start()
        self.stoppers.append(google.stop)
        google_base = f"https://127.0.0.1:{google.server.server_address[1]}"
        stripe = CheckoutStripe(secret_key=STRIPE_SECRET_KEY).start()
        self.stoppers.append(stripe.stop)

        api_port, client_port = free_port(), free_port()
        api_origin = f"http://localhost:{api_port}"
        client_origin = f"http://localhost:{client_port}"
        checkout = CheckoutPage(
            stripe,
            webhook_url=f"http://127.0.0.1:{api_port}/webhooks/stripe/",
            webhook_secret=STRIPE_WEBHOOK_SECRET,
            context=tls,
        ).start()
        self.stoppers.append(checkout.stop)

        self._step("stand-ins started")
        # The client is built while the server starts: both take a while on a busy machine.
        dist = CLIENT / "dist-e2e"
        build = self._spawn(
            "client-build",
            ["npx", "vite", "build", "--outDir", str(dist), "--emptyOutDir", "--logLevel", "warn"],
            env={**os.environ, "VITE_API_URL": f"{api_origin}/graphql/"},
            cwd=CLIENT,
        )
        signing_key = json.dumps({"keys": [generate_private_jwk("e2e")]})
        base_env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "DATABASE_", "STRIPE_", "GOOGLE_", "EMAIL_"))
        }
        production = {
            **base_env,
            "DJANGO_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "DATABASE_URL": self._database_url(),
            "REDIS_URL": self.redis_url,
            "CACHE_KEY_PREFIX": f"gh-e2e-{self.pid}",
            "ALLOWED_HOSTS": "localhost,127.0.0.1",
            "FRONTEND_URL": client_origin,
            "CORS_ALLOWED_ORIGINS": client_origin,
            "EMAIL_URL": f"smtp://127.0.0.1:{mail.smtp_port}",
            "DEFAULT_FROM_EMAIL": "Gatehouse <no-reply@gatehouse.test>",
            "JWT_PRIVATE_KEYS": signing_key,
            "GOOGLE_CLIENT_IDS": GOOGLE_CLIENT_ID,
            "GOOGLE_CLIENT_SECRET": GOOGLE_CLIENT_SECRET,
            "GOOGLE_AUTHORIZATION_URL": f"{google_base}/authorize",
            "GOOGLE_TOKEN_URL": f"{google_base}/token",
            "GOOGLE_CERTS_URL": f"{google_base}/certs",
            # requests (the token exchange) and urllib (PyJWKClient, the certificates).
            "REQUESTS_CA_BUNDLE": str(certificate),
            "SSL_CERT_FILE": str(certificate),
            "PAYMENT_PROVIDER": "stripe",
            "STRIPE_SECRET_KEY": STRIPE_SECRET_KEY,
            "STRIPE_WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET,
            "STRIPE_API_BASE": stripe.url,
            "GATEHOUSE_VAR_DIR": str(self.var_dir),
            "LOG_LEVEL": "WARNING",
            # Short-lived access tokens, so that the journeys go through refresh-and-retry
            # and the cross-tab test can wait for one to expire.
            "ACCESS_TOKEN_LIFETIME": os.environ.get("E2E_ACCESS_TOKEN_LIFETIME", "20s"),
            # Encrypts TOTP secrets at rest; a Fernet key made for this run.
            "MFA_ENCRYPTION_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            # Short, so that the journeys meet the step-up dialog after waiting this long
            # since their sign-in (logoutAll, new recovery codes).
            "STEP_UP_WINDOW": f"{STEP_UP_WINDOW_SECONDS}s",
            # Passkeys are bound to the site: the relying party is the client's host and the
            # browser's origin is the client's (http://localhost counts as a secure context).
            "WEBAUTHN_RP_ID": "localhost",
            "WEBAUTHN_ORIGINS": client_origin,
        }
        # One Django start for both: seed_demo refuses production (it makes a known demo
        # login) and migrations do not depend on the environment, so both run with
        # development settings against the same database.
        seed_env = {
            **base_env,
            "DJANGO_ENV": "development",
            "DATABASE_URL": self._database_url(),
            "GATEHOUSE_VAR_DIR": str(self.var_dir),
            **PLAN_PRICES,
        }
        subprocess.run(  # noqa: S603 (our own command, no shell)
            [sys.executable, "-c", MIGRATE_AND_SEED],
            cwd=ROOT,
            env=seed_env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self._step("seeded")
        server = self._spawn(
            "server",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{api_port}",
                "--workers",
                "2",
                "--threads",
                "4",
                # Import the app once, before forking the workers: half the start time.
                "--preload",
                "--pythonpath",
                f"{ROOT / 'server'},{E2E}",
                "--access-logfile",
                "-",
                "https_wsgi:application",
            ],
            env=production,
        )
        self._spawn(
            "worker", [sys.executable, "manage.py", "worker", "--interval", "0.2"], env=production
        )

        # The journeys that arrange server state (age a session, make a notice link) run
        # `manage.py shell` with the server's own settings: its SECRET_KEY signs the tokens.
        # Kept in this run's private directory, removed with it.
        server_env = self.var_dir / "server-env.json"
        server_env.touch(mode=0o600)
        server_env.write_text(json.dumps(production))

        self._step("server and worker started")
        if build.wait() != 0:
            raise RuntimeError("vite build failed; see test-results/stack-logs/client-build.log")
        self._step("client built")
        preview = self._spawn(
            "client",
            [
                "npx",
                "vite",
                "preview",
                "--outDir",
                str(dist),
                "--host",
                "localhost",
                "--port",
                str(client_port),
                "--strictPort",
            ],
            env=dict(os.environ),
            cwd=CLIENT,
        )
        wait_for(f"http://127.0.0.1:{api_port}/healthz", process=server)
        wait_for(f"{client_origin}/", process=preview)

        self._step("everything answers")
        addresses = {
            "api": f"{api_origin}/graphql/",
            "client": client_origin,
            "mail": f"{mail.url}/messages",
            "google": google_base,
            "stripe": stripe.url,
            "checkout": checkout.base_url,
            "database": self.db_name,
            "accessTokenLifetime": production["ACCESS_TOKEN_LIFETIME"],
            "stepUpWindowSeconds": STEP_UP_WINDOW_SECONDS,
            "serverShell": {
                "python": sys.executable,
                "cwd": str(ROOT),
                "envFile": str(server_env),
            },
            "startupSeconds": round(time.monotonic() - started, 1),
        }
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.out.write_text(json.dumps(addresses, indent=2))
        return addresses

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        for stop in reversed(self.stoppers):
            try:
                stop()
            except Exception as exc:  # best effort: the rest must still be torn down
                print(f"teardown: {exc!r}", file=sys.stderr)
        if self.db_created:
            try:
                self._admin(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
            except Exception as exc:
                print(f"could not drop {self.db_name}: {exc}", file=sys.stderr)
        self._clear_redis_prefix()
        shutil.rmtree(self.var_dir, ignore_errors=True)
        self.out.unlink(missing_ok=True)

    def _clear_redis_prefix(self) -> None:
        # Only this run's keys: the shared Redis is never flushed.
        try:
            import redis

            client = redis.Redis.from_url(self.redis_url)
            keys = list(client.scan_iter(match=f"gh-e2e-{self.pid}:*", count=500))
            if keys:
                client.delete(*keys)
        except Exception as exc:  # the keys expire with nothing reading them
            print(f"teardown: could not clear Redis keys: {exc!r}", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=E2E / ".stack" / "stack.json")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command

    stack = Stack(args.out.resolve())
    stopping = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stopping.set()
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        addresses = stack.start()
        print(json.dumps(addresses, indent=2), flush=True)
        if command:
            env = {**os.environ, "E2E_STACK_FILE": str(args.out.resolve())}
            # The command line given after `--` by the developer or bin/test.
            return subprocess.call(command, cwd=CLIENT, env=env)  # noqa: S603
        print("Stack is up; Ctrl-C stops it.", flush=True)
        while not stopping.is_set():
            time.sleep(0.5)
        return 0
    except KeyboardInterrupt:
        return 130
    finally:
        stack.stop()


if __name__ == "__main__":
    asyncio.set_event_loop_policy(None)
    sys.exit(main())
