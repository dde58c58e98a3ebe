"""A local stand-in for Stripe's REST API on 127.0.0.1, speaking its protocol.

Records every request (method, path, headers, form fields) and answers like Stripe:
form-encoded requests authenticated with `Authorization: Bearer sk_…`, JSON objects back,
Idempotency-Key honoured (the same key replays the first answer). Tests can queue
failures (`fail_next`) to exercise retries.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]


@dataclass
class StripeStandIn:
    secret_key: str = "sk_test_standin"
    requests: list[RecordedRequest] = field(default_factory=list)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: list[int] = field(default_factory=list)
    _idempotent: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def fail_next(self, *statuses: int) -> None:
        self.failures.extend(statuses)

    def add_subscription(self, subscription_id: str, **fields: Any) -> dict[str, Any]:
        now = int(time.time())
        obj = {
            "id": subscription_id,
            "object": "subscription",
            "status": "active",
            "customer": "cus_standin",
            "cancel_at_period_end": False,
            "current_period_start": now,
            "current_period_end": now + 30 * 86400,
            **fields,
        }
        self.subscriptions[subscription_id] = obj
        return obj

    # --- request handling -----------------------------------------------------------------

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes):
        form = dict(parse_qsl(body.decode(), keep_blank_values=True)) if body else {}
        if method == "GET":
            form = dict(parse_qsl(urlsplit(path).query))
        route = urlsplit(path).path
        with self._lock:
            self.requests.append(RecordedRequest(method, route, headers, form))
            if headers.get("authorization") != f"Bearer {self.secret_key}":
                return 401, _error("invalid_request_error", "Invalid API Key provided.")
            key = headers.get("idempotency-key")
            if method == "POST" and key and key in self._idempotent:
                return self._idempotent[key]
            if self.failures:
                status = self.failures.pop(0)
                # Like Stripe, a failed attempt is not stored under the key.
                return status, _error("api_error", "Something went wrong on Stripe's end.")
            answer = self._route(method, route, form)
            if method == "POST" and key:
                self._idempotent[key] = answer
            return answer

    def _route(self, method: str, route: str, form: dict[str, str]):
        if method == "POST" and route == "/v1/checkout/sessions":
            if form.get("mode") != "subscription" or not form.get("line_items[0][price]"):
                return 400, _error("invalid_request_error", "Missing mode or line_items.")
            session_id = f"cs_test_{uuid.uuid4().hex}"
            return 200, {
                "id": session_id,
                "object": "checkout.session",
                "mode": "subscription",
                "status": "open",
                "url": f"https://checkout.stripe.com/c/pay/{session_id}",
                "client_reference_id": form.get("client_reference_id"),
                "customer": form.get("customer"),
                "customer_email": form.get("customer_email"),
                "success_url": form.get("success_url"),
                "cancel_url": form.get("cancel_url"),
            }
        if route.startswith("/v1/subscriptions/"):
            subscription_id = route.rsplit("/", 1)[-1]
            obj = self.subscriptions.get(subscription_id)
            if obj is None:
                return 404, _error("invalid_request_error", "No such subscription.")
            if method == "POST" and "cancel_at_period_end" in form:
                obj["cancel_at_period_end"] = form["cancel_at_period_end"] == "true"
            return 200, obj
        return 404, _error("invalid_request_error", "Unrecognized request URL.")

    def start(self) -> StripeStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, payload = standin.handle(self.command, self.path, headers, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", f"req_{uuid.uuid4().hex[:14]}")
                self.end_headers()
                self.wfile.write(data)

            do_GET = _serve
            do_POST = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message}}
