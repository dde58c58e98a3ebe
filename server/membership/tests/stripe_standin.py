"""A local stand-in for Stripe's REST API on 127.0.0.1, speaking its protocol to the SDK.

What it checks and answers like Stripe does:
- `Authorization: Bearer sk_…` (401 otherwise) and a well-formed `Stripe-Version` header
  (400 otherwise), echoed back in the response's `Stripe-Version`;
- form-encoded request bodies (`application/x-www-form-urlencoded`, nested keys such as
  `line_items[0][price]`), JSON refused;
- `Idempotency-Key`: the same key with the same parameters replays the first answer
  (`Idempotent-Replayed: true`); the same key with other parameters is a 400
  `idempotency_error`; a failed (5xx) attempt is not stored under the key;
- objects with `object`, `livemode` and `created`, so the SDK builds its typed objects;
- errors as `{"error": {"type", "code", "message", "param", "doc_url"}}` with a
  `Request-Id` header, and `Stripe-Should-Retry` when a test asks for it.

Every request is recorded (method, path, headers, flat form fields). Tests can queue
failures (`fail_next`) and slow answers (`delay`) to exercise retries and timeouts.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

API_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$")
FORM = "application/x-www-form-urlencoded"

Answer = tuple[int, dict[str, Any], dict[str, str]]


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]
    replayed: bool = False


@dataclass
class StripeStandIn:
    secret_key: str = "sk_test_standin"
    requests: list[RecordedRequest] = field(default_factory=list)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: list[tuple[int, bool | None]] = field(default_factory=list)
    # Seconds to wait before answering each request (to exercise client timeouts).
    delay: float = 0.0
    _idempotent: dict[str, tuple[str, dict[str, str], Answer]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def fail_next(self, *statuses: int, should_retry: bool | None = None) -> None:
        self.failures.extend((status, should_retry) for status in statuses)

    def add_subscription(self, subscription_id: str, **fields: Any) -> dict[str, Any]:
        now = int(time.time())
        obj = {
            "id": subscription_id,
            "object": "subscription",
            "livemode": False,
            "created": now,
            "status": "active",
            "customer": "cus_standin",
            "cancel_at_period_end": False,
            "canceled_at": None,
            "current_period_start": now,
            "current_period_end": now + 30 * 86400,
            "items": {"object": "list", "data": [], "has_more": False},
            "metadata": {},
            **fields,
        }
        self.subscriptions[subscription_id] = obj
        return obj

    # --- request handling -----------------------------------------------------------------

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        split = urlsplit(path)
        route = split.path
        if method == "GET":
            form = dict(parse_qsl(split.query, keep_blank_values=True))
        else:
            form = dict(parse_qsl(body.decode(), keep_blank_values=True)) if body else {}
        with self._lock:
            record = RecordedRequest(method, route, headers, form)
            self.requests.append(record)
            if headers.get("authorization") != f"Bearer {self.secret_key}":
                return _error(401, "invalid_request_error", "Invalid API Key provided.")
            version = headers.get("stripe-version", "")
            if not API_VERSION.match(version):
                return _error(
                    400, "invalid_request_error", f"Invalid Stripe API version: {version}"
                )
            if method == "POST" and body and headers.get("content-type", "") != FORM:
                return _error(400, "invalid_request_error", "Send parameters form-encoded.")
            key = headers.get("idempotency-key")
            if method == "POST" and key:
                if len(key) > 255:
                    return _error(400, "invalid_request_error", "Idempotency-Key too long.")
                seen = self._idempotent.get(key)
                if seen is not None:
                    first_route, first_form, answer = seen
                    if (first_route, first_form) != (route, form):
                        return _error(
                            400,
                            "idempotency_error",
                            "Keys for idempotent requests can only be used with the same "
                            "parameters they were first used with.",
                        )
                    record.replayed = True
                    status, payload, extra = answer
                    return status, payload, {**extra, "Idempotent-Replayed": "true"}
            if self.failures:
                status, should_retry = self.failures.pop(0)
                # Like Stripe, a failed attempt is not stored under the key.
                extra = (
                    {}
                    if should_retry is None
                    else {"Stripe-Should-Retry": str(should_retry).lower()}
                )
                failed = _error(status, "api_error", "Something went wrong on Stripe's end.")
                return failed[0], failed[1], {**failed[2], **extra}
            answer = self._route(method, route, form)
            if method == "POST" and key and answer[0] < 500:
                self._idempotent[key] = (route, form, answer)
            return answer

    def _route(self, method: str, route: str, form: dict[str, str]) -> Answer:
        if method == "POST" and route == "/v1/checkout/sessions":
            if form.get("mode") != "subscription" or not form.get("line_items[0][price]"):
                return _error(
                    400, "invalid_request_error", "Missing mode or line_items.", "parameter_missing"
                )
            session_id = f"cs_test_{uuid.uuid4().hex}"
            now = int(time.time())
            return (
                200,
                {
                    "id": session_id,
                    "object": "checkout.session",
                    "livemode": False,
                    "created": now,
                    "expires_at": now + 86400,
                    "mode": "subscription",
                    "status": "open",
                    "url": f"https://checkout.stripe.com/c/pay/{session_id}",
                    "client_reference_id": form.get("client_reference_id"),
                    "customer": form.get("customer"),
                    "customer_email": form.get("customer_email"),
                    "subscription": None,
                    "success_url": form.get("success_url"),
                    "cancel_url": form.get("cancel_url"),
                    "metadata": _nested(form, "metadata"),
                },
                {},
            )
        if route.startswith("/v1/subscriptions/"):
            subscription_id = route.rsplit("/", 1)[-1]
            obj = self.subscriptions.get(subscription_id)
            if obj is None:
                return _error(
                    404,
                    "invalid_request_error",
                    f"No such subscription: '{subscription_id}'",
                    "resource_missing",
                    param="id",
                )
            if method == "POST" and "cancel_at_period_end" in form:
                obj["cancel_at_period_end"] = form["cancel_at_period_end"] == "true"
            return 200, obj, {}
        return _error(404, "invalid_request_error", "Unrecognized request URL.")

    def start(self) -> StripeStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's requests session uses it

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, payload, extra = standin.handle(self.command, self.path, headers, body)
                # Slow after the work is done, like an answer lost on the way back.
                if standin.delay:
                    time.sleep(standin.delay)
                data = json.dumps(payload).encode()
                try:
                    self._answer(status, data, headers, extra)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client timed out and went away

            def _answer(
                self, status: int, data: bytes, headers: dict[str, str], extra: dict[str, str]
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", f"req_{uuid.uuid4().hex[:14]}")
                if "stripe-version" in headers:
                    self.send_header("Stripe-Version", headers["stripe-version"])
                for name, value in extra.items():
                    self.send_header(name, value)
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


def _nested(form: dict[str, str], prefix: str) -> dict[str, str]:
    """`metadata[a]=1&metadata[b]=2` → {"a": "1", "b": "2"}."""
    start = f"{prefix}["
    return {k[len(start) : -1]: v for k, v in form.items() if k.startswith(start) and k[-1] == "]"}


def _error(
    status: int, kind: str, message: str, code: str | None = None, *, param: str | None = None
) -> Answer:
    error: dict[str, Any] = {"type": kind, "message": message}
    if code is not None:
        error["code"] = code
        error["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
    if param is not None:
        error["param"] = param
    return status, {"error": error}, {}
