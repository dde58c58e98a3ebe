"""Test helpers shared by every domain's tests: post GraphQL the way a client does."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from django.test import Client


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now, for local stand-ins."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def post_graphql(
    base: str,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
    *,
    timeout: float = 30,
) -> Any:
    """POST one operation to `base`/graphql/ of a server a test started, over real HTTP;
    the decoded JSON response."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    # Only ever our own http://127.0.0.1 servers.
    request = urllib.request.Request(  # noqa: S310
        f"{base}/graphql/",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers=headers,
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return json.loads(response.read())


def wait_until_serving(
    base: str, process: subprocess.Popen[bytes], log: IO[str], *, timeout: float
) -> None:
    """Poll `base`/healthz until a server we started answers; fail with its log if it dies
    or does not come up within `timeout` seconds."""
    import pytest

    deadline = time.monotonic() + timeout
    while True:
        try:
            # Only ever our own http://127.0.0.1 servers.
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"the server at {base} did not come up:\n{log.read()[-4000:]}")
            time.sleep(0.2)


@dataclass
class GraphQLResult:
    status: int
    body: dict[str, Any]
    response: Any

    @property
    def data(self) -> dict[str, Any] | None:
        return self.body.get("data")

    @property
    def errors(self) -> list[dict[str, Any]]:
        return self.body.get("errors") or []

    @property
    def error_codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code") for e in self.errors]


class GraphQLClient:
    """Posts to /graphql/ with an optional bearer token and extra headers."""

    def __init__(self, client: Client | None = None) -> None:
        self.client = client or Client()

    def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        operation_name: str | None = None,
    ) -> GraphQLResult:
        extra = dict(headers or {})
        if token is not None:
            extra["Authorization"] = f"Bearer {token}"
        payload: dict[str, Any] = {"query": query, "variables": variables or {}}
        if operation_name:
            payload["operationName"] = operation_name
        response = self.client.post(
            "/graphql/", data=json.dumps(payload), content_type="application/json", headers=extra
        )
        return GraphQLResult(response.status_code, json.loads(response.content), response)


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    """The SQL sent while the block runs, counted at execution (not from the query log,
    which each request resets)."""
    from django.db import connection

    statements: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield statements
