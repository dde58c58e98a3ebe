"""A small client for Stripe's REST API: form-encoded requests with a Bearer secret key.

Only what Gatehouse needs (Checkout Sessions and subscriptions). Requests that change
something carry an Idempotency-Key, so that the retry after a timeout or a 5xx cannot
create a second Checkout Session or apply a change twice.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import requests

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({409, 429, 500, 502, 503, 504})


class StripeError(Exception):
    """Stripe refused or could not be reached. The message never holds the secret key."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code


def form_encode(params: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Stripe's nested form encoding: `line_items[0][price]=…`, `metadata[key]=…`."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if value is None:
            continue
        if isinstance(value, Mapping):
            pairs.extend(form_encode(value, name))
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                item_name = f"{name}[{index}]"
                if isinstance(item, Mapping):
                    pairs.extend(form_encode(item, item_name))
                else:
                    pairs.append((item_name, _scalar(item)))
        else:
            pairs.append((name, _scalar(value)))
    return pairs


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class StripeClient:
    def __init__(
        self,
        *,
        api_base: str,
        secret_key: str,
        timeout: float = 10.0,
        max_retries: int = 2,
        session: requests.Session | None = None,
    ) -> None:
        self.api_base = api_base.rstrip("/")
        self._secret_key = secret_key
        self.timeout = timeout
        self.max_retries = max_retries
        self.session = session or requests.Session()

    def __repr__(self) -> str:
        return f"StripeClient(api_base={self.api_base!r})"

    def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        if method == "POST" and idempotency_key is None:
            idempotency_key = str(uuid.uuid4())
        headers = {"Authorization": f"Bearer {self._secret_key}"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        encoded = form_encode(params or {})
        url = f"{self.api_base}{path}"
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self.session.request(
                    method,
                    url,
                    data=encoded if method != "GET" else None,
                    params=encoded if method == "GET" else None,
                    headers=headers,
                    timeout=self.timeout,
                )
            except requests.RequestException as exc:
                if attempt <= self.max_retries:
                    time.sleep(0.2 * attempt)
                    continue
                logger.warning("stripe %s %s unreachable: %s", method, path, type(exc).__name__)
                raise StripeError("Stripe could not be reached.") from None
            should_retry = response.headers.get("Stripe-Should-Retry")
            retryable = should_retry == "true" or (
                should_retry is None and response.status_code in RETRY_STATUSES
            )
            if retryable and attempt <= self.max_retries:
                time.sleep(0.2 * attempt)
                continue
            return self._parse(response, method, path)

    def _parse(self, response: requests.Response, method: str, path: str) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400 or not isinstance(body, dict):
            error = body.get("error", {}) if isinstance(body, dict) else {}
            code = error.get("code") or error.get("type")
            logger.warning(
                "stripe %s %s failed: status=%s code=%s request_id=%s",
                method,
                path,
                response.status_code,
                code,
                response.headers.get("Request-Id", ""),
            )
            raise StripeError("Stripe refused the request.", status=response.status_code, code=code)
        return body

    # --- the calls Gatehouse makes --------------------------------------------------------

    def create_checkout_session(
        self, params: Mapping[str, Any], *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        return self.request(
            "POST", "/v1/checkout/sessions", params, idempotency_key=idempotency_key
        )

    def update_subscription(
        self, subscription_id: str, params: Mapping[str, Any], *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        return self.request(
            "POST",
            f"/v1/subscriptions/{quote(subscription_id, safe='')}",
            params,
            idempotency_key=idempotency_key,
        )

    def retrieve_subscription(self, subscription_id: str) -> dict[str, Any]:
        return self.request("GET", f"/v1/subscriptions/{quote(subscription_id, safe='')}")
