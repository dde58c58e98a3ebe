"""13.2: one JSON object per line, request ids, the request's fields, and no secret."""

from __future__ import annotations

import base64
import io
import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils.module_loading import import_string

from api.testing import GraphQLClient
from tokens.tests.helpers import ME, data, login, refresh

LOGGING: dict[str, Any] = settings.LOGGING


class JsonLines:
    """The root logger writing through the configured JSON formatter and redact filter,
    into a buffer the test reads back."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.handler = logging.StreamHandler(self.buffer)
        self.handler.setFormatter(import_string(LOGGING["formatters"]["json"]["()"])())
        self.handler.addFilter(import_string(LOGGING["filters"]["redact"]["()"])())

    @property
    def text(self) -> str:
        return self.buffer.getvalue()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]

    def requests(self) -> list[dict[str, Any]]:
        return [line for line in self.lines() if line["logger"] == "gatehouse.request"]


@pytest.fixture
def json_logs() -> Iterator[JsonLines]:
    capture = JsonLines()
    root = logging.getLogger()
    saved = root.level
    root.addHandler(capture.handler)
    root.setLevel(logging.INFO)
    try:
        yield capture
    finally:
        root.removeHandler(capture.handler)
        root.setLevel(saved)


def test_the_json_format_is_chosen_in_production_or_by_log_format():
    assert LOGGING["handlers"]["console"]["formatter"] == settings.LOG_FORMAT
    assert "redact" in LOGGING["handlers"]["console"]["filters"]


def test_every_line_is_one_json_object_with_the_base_fields(json_logs):
    logging.getLogger("gatehouse.test").warning("two\nlines %s", "and \x00 a control char")
    (line,) = json_logs.text.splitlines()
    record = json.loads(line)
    assert record["level"] == "WARNING"
    assert record["logger"] == "gatehouse.test"
    assert record["message"] == "two\nlines and \x00 a control char"
    assert record["time"].endswith("+00:00")


def test_a_sane_request_id_is_taken_and_echoed(gql: GraphQLClient, json_logs):
    result = gql("query Anon { __typename }", headers={"X-Request-ID": "lb-1234.abc_DEF-9"})
    assert result.response["X-Request-ID"] == "lb-1234.abc_DEF-9"
    (line,) = json_logs.requests()
    assert line["request_id"] == "lb-1234.abc_DEF-9"


@pytest.mark.parametrize(
    "header", ["x" * 65, "has space", "new\nline", "semi;colon", "ünïcode", ""]
)
def test_an_insane_request_id_is_replaced_by_a_generated_one(gql: GraphQLClient, header):
    result = gql("{ __typename }", headers={"X-Request-ID": header})
    echoed = result.response["X-Request-ID"]
    assert echoed != header
    assert len(echoed) == 32
    assert all(c in "0123456789abcdef" for c in echoed)


def test_without_a_request_id_each_request_gets_its_own(gql: GraphQLClient):
    first = gql("{ __typename }").response["X-Request-ID"]
    second = gql("{ __typename }").response["X-Request-ID"]
    assert first != second


def test_non_graphql_responses_carry_the_request_id_too(client):
    response = client.get("/.well-known/jwks.json", headers={"X-Request-ID": "probe-7"})
    assert response["X-Request-ID"] == "probe-7"


def test_one_line_per_request_with_operation_user_session_status_and_duration(
    gql: GraphQLClient, user, password, json_logs
):
    tokens = data(login(gql, user.email, password))["login"]
    json_logs.buffer.truncate(0)
    json_logs.buffer.seek(0)
    query = ME.replace("{ me", "query WhoAmI { me", 1)
    gql(query, token=tokens["accessToken"], headers={"X-Request-ID": "req-42"})
    (line,) = json_logs.requests()
    claims = base64.urlsafe_b64decode(tokens["accessToken"].split(".")[1] + "==")
    session_id = json.loads(claims)["sid"]
    assert line["request_id"] == "req-42"
    assert line["operation"] == "WhoAmI"
    assert line["root_fields"] == ["me"]
    assert line["user_id"] == str(user.pk)
    assert line["session_id"] == session_id
    assert line["status"] == 200
    assert line["method"] == "POST"
    assert line["path"] == "/graphql/"
    assert line["error_codes"] == []
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] > 0


def test_error_codes_of_payloads_and_top_level_errors_are_logged(
    gql: GraphQLClient, user, json_logs
):
    login(gql, user.email, "wrong-password-123")
    gql(ME, token="not-a-token")
    failed_login, bad_bearer = json_logs.requests()
    assert failed_login["operation"] == "Login"
    assert failed_login["root_fields"] == ["login"]
    assert failed_login["error_codes"] == ["INVALID_CREDENTIALS"]
    assert bad_bearer["operation"] is None
    assert bad_bearer["root_fields"] == ["me"]
    assert bad_bearer["error_codes"] == ["UNAUTHENTICATED"]


def test_the_endpoint_without_its_slash_is_logged_as_graphql_too(client, json_logs):
    # /graphql is the same endpoint as /graphql/ (served as is, not redirected).
    body = json.dumps({"query": "query Anon { __typename }", "variables": {"x": 1}})
    client.post("/graphql", data=body, content_type="application/json")
    client.post("/graphql", data="{not json", content_type="application/json")
    ok, bad = json_logs.requests()
    assert (ok["path"], ok["operation"], ok["root_fields"]) == ("/graphql", "Anon", ["__typename"])
    assert (bad["status"], bad["error_codes"]) == (400, ["BAD_REQUEST"])


def test_a_body_nested_too_deeply_is_still_logged(client, json_logs):
    body = '{"query": "{ __typename }", "variables": {"a": ' + "[" * 3000 + "]" * 3000 + "}}"
    client.post("/graphql/", data=body, content_type="application/json")
    (line,) = json_logs.requests()
    assert (line["status"], line["error_codes"]) == (400, ["BAD_REQUEST"])


def test_lines_logged_during_a_request_carry_its_request_id(gql: GraphQLClient, json_logs):
    gql(
        ME,
        token="eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
        headers={"X-Request-ID": "r-1"},
    )
    rejected = [line for line in json_logs.lines() if line["logger"] == "api.context"]
    assert rejected
    assert rejected[0]["request_id"] == "r-1"


# --- no secret in any line ------------------------------------------------------------------


def test_requests_carrying_secrets_leave_none_in_the_json_lines(
    gql: GraphQLClient, user, password, client, json_logs
):
    # given: every kind of secret a request can carry
    tokens = data(login(gql, user.email, password))["login"]
    access, refresh_token = tokens["accessToken"], tokens["refreshToken"]
    gql(ME, token=access)
    rotated = data(refresh(gql, refresh_token))["refresh"]["refreshToken"]
    with override_settings(REFRESH_REUSE_GRACE=timedelta(0)):
        refresh(gql, refresh_token)  # reuse: a warning-worthy event
    gql(ME, token=access + "tampered")
    login(gql, user.email, "wrong-" + password)
    client.get("/verify-email?token=link-secret-123&x=1")  # a 404 Django logs as a warning
    client.get("/graphql/?query={me{id}}&token=query-secret-456")
    logging.getLogger("accounts.emails").info(
        "sending %s", f"{settings.FRONTEND_URL}/reset-password?token=reset-secret-789"
    )
    try:
        raise ValueError(f"bad refresh_token={rotated}")
    except ValueError:
        logging.getLogger("gatehouse.test").exception("while refreshing")

    # then: plenty was logged, all of it JSON, none of it secret
    lines = json_logs.lines()
    assert len(json_logs.requests()) >= 7
    assert any(line["level"] == "WARNING" for line in lines)
    text = json_logs.text
    for secret in (
        password,
        access,
        access.split(".")[2],
        refresh_token,
        rotated,
        "link-secret-123",
        "query-secret-456",
        "reset-secret-789",
    ):
        assert secret not in text


def test_a_request_path_cannot_forge_a_line_in_the_plain_format(client):
    # given: the plain format, as LOG_FORMAT=plain configures it
    spec = dict(LOGGING["formatters"]["plain"])
    factory = import_string(spec.pop("()")) if "()" in spec else logging.Formatter
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(factory(**{"fmt" if k == "format" else k: v for k, v in spec.items()}))
    logger = logging.getLogger("gatehouse.request")
    logger.addHandler(handler)
    try:
        # when: the path carries a newline and what looks like a line of its own
        client.get("/graphql%0A2026-01-01 00:00:00,000 ERROR gatehouse.request forged%0D")
    finally:
        logger.removeHandler(handler)
    # then: one line, the newline written as an escape
    (line,) = buffer.getvalue().splitlines()
    assert "\\n2026-01-01" in line
    assert "\r" not in buffer.getvalue()
