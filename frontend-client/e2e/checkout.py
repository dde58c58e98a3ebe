"""Stripe Checkout for the browser tests: the hosted payment page Stripe would show.

The Stripe stand-in (server/membership/tests/stripe_standin.py) answers the API calls the
server makes, but its Checkout Session URLs point at checkout.stripe.com, which is not
reachable here, and it sends no webhooks. This module adds what a real checkout does after
the API call:

1. `POST /v1/checkout/sessions` answers with a URL of the local payment page (HTTPS with a
   self-signed certificate: the server only accepts https:// checkout URLs).
2. The page shows the plan and a "Pay" button. Paying creates the subscription in the
   stand-in (so the server's `GET /v1/subscriptions/<id>` finds it), sends
   `checkout.session.completed` to the server's webhook, signed with the webhook secret
   exactly as Stripe signs (HMAC-SHA256 over `<t>.<body>`), and redirects the browser to
   the session's success_url with {CHECKOUT_SESSION_ID} filled in.
3. "Cancel" redirects to cancel_url.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import html
import ipaddress
import json
import ssl
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from membership.tests.stripe_standin import Answer, StripeStandIn


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "checkout.crt", directory / "checkout.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def tls_context(directory: Path) -> tuple[ssl.SSLContext, Path]:
    """A server context for https://localhost and https://127.0.0.1; also returns the
    certificate, for clients that must trust it (REQUESTS_CA_BUNDLE)."""
    cert, key = self_signed_certificate(directory)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context, cert


class TLSThreadingHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer speaking HTTPS with `context`."""

    context: ssl.SSLContext

    def server_bind(self) -> None:
        super().server_bind()
        self.socket = self.context.wrap_socket(self.socket, server_side=True)


def stripe_signature_header(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


class CheckoutStripe(StripeStandIn):
    """The stand-in, with Checkout Sessions that lead to the local payment page."""

    checkout_base: str = ""
    sessions: dict[str, dict[str, Any]]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sessions = {}

    def _route(self, method: str, route: str, form: dict[str, str]) -> Answer:
        status, body, headers = super()._route(method, route, form)
        if method == "POST" and route == "/v1/checkout/sessions" and status == 200:
            metadata = {
                key[len("metadata[") : -1]: value
                for key, value in form.items()
                if key.startswith("metadata[")
            }
            body = {
                **body,
                "url": f"{self.checkout_base}/c/pay/{body['id']}",
                "metadata": metadata,
                "price": form.get("line_items[0][price]"),
            }
            self.sessions[body["id"]] = body
        return status, body, headers


class CheckoutPage:
    def __init__(
        self,
        stripe: CheckoutStripe,
        *,
        webhook_url: str,
        webhook_secret: str,
        context: ssl.SSLContext,
    ) -> None:
        self.stripe = stripe
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.context = context
        self.server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"https://localhost:{self.server.server_address[1]}"

    def start(self) -> CheckoutPage:
        page = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                page.show(self)

            def do_POST(self) -> None:
                page.pay(self)

        server_class = type("CheckoutServer", (TLSThreadingHTTPServer,), {"context": self.context})
        self.server = server_class(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.stripe.checkout_base = self.base_url
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def _session(self, handler: BaseHTTPRequestHandler) -> dict[str, Any] | None:
        parts = urlsplit(handler.path).path.strip("/").split("/")
        if len(parts) == 3 and parts[:2] == ["c", "pay"]:
            return self.stripe.sessions.get(parts[2])
        return None

    def show(self, handler: BaseHTTPRequestHandler) -> None:
        session = self._session(handler)
        if session is None:
            self._send(handler, 404, "<h1>No such checkout session</h1>")
            return
        plan = html.escape(str(session.get("metadata", {}).get("plan_slug", "")))
        email = html.escape(str(session.get("customer_email") or ""))
        self._send(
            handler,
            200,
            f"""<main><h1>Stripe test checkout</h1>
            <p>Plan <strong>{plan}</strong> for {email}</p>
            <form method="post"><input type="hidden" name="action" value="pay">
            <button type="submit">Pay</button></form>
            <form method="post"><input type="hidden" name="action" value="cancel">
            <button type="submit">Cancel</button></form></main>""",
        )

    def pay(self, handler: BaseHTTPRequestHandler) -> None:
        session = self._session(handler)
        length = int(handler.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(handler.rfile.read(length).decode()))
        if session is None:
            self._send(handler, 404, "<h1>No such checkout session</h1>")
            return
        if form.get("action") != "pay":
            self._redirect(handler, str(session["cancel_url"]))
            return
        subscription_id = f"sub_{uuid.uuid4().hex[:24]}"
        customer = session.get("customer") or f"cus_{uuid.uuid4().hex[:14]}"
        metadata = session.get("metadata", {})
        self.stripe.add_subscription(
            subscription_id,
            customer=customer,
            metadata=metadata,
            items={"object": "list", "data": [{"price": {"id": session.get("price")}}]},
        )
        completed = {
            **session,
            "status": "complete",
            "payment_status": "paid",
            "subscription": subscription_id,
            "customer": customer,
        }
        event = {
            "id": f"evt_{uuid.uuid4().hex}",
            "object": "event",
            "api_version": "2024-06-20",
            "type": "checkout.session.completed",
            "created": int(time.time()),
            "data": {"object": completed},
        }
        payload = json.dumps(event).encode()
        request = urllib.request.Request(  # noqa: S310 (the API's own webhook URL)
            self.webhook_url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Stripe-Signature": stripe_signature_header(payload, self.webhook_secret),
            },
        )
        with urllib.request.urlopen(request, timeout=15) as answer:  # noqa: S310 (the API)
            if answer.status != 200:
                self._send(handler, 502, "<h1>The webhook was refused</h1>")
                return
        success = str(session["success_url"]).replace("{CHECKOUT_SESSION_ID}", session["id"])
        self._redirect(handler, success)

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, body: str) -> None:
        data = (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>Checkout</title></head><body>{body}</body></html>"
        ).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    @staticmethod
    def _redirect(handler: BaseHTTPRequestHandler, location: str) -> None:
        handler.send_response(303)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
