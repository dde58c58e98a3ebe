"""Client mistakes are logged at INFO without the document or variables; nothing of a
password or token reaches any log record, at any level."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from core.logging import RedactSecretsFilter, redact

PASSWORD = "Hunter2-correct-horse-password"
REFRESH_TOKEN = "s3ss10n.4.n0nce-refresh-secret.t4g"
RESET_TOKEN = "reset-token-Zm9vYmFy-secret"
SECRETS = (PASSWORD, REFRESH_TOKEN, RESET_TOKEN, "n0nce-refresh-secret", "Zm9vYmFy")

# Long lines: graphql-core wraps them at 80 columns when it prints the source, which is
# how the document slipped past the old redaction in two halves.
PADDING = " " * 90
BAD_DOCUMENTS = [
    # syntax error
    {
        "query": f'mutation {{{PADDING} login(input: {{email: "a@b.co", password: "{PASSWORD}"'
        "}, transport: BODY) { accessToken "
    },
    # validation errors: unknown field, misspelt argument and input field
    {
        "query": f'mutation {{{PADDING} refresh(transport: BODY, refreshToken: "{REFRESH_TOKEN}")'
        " { nope } }"
    },
    {
        "query": f'mutation {{ resetPassword(tokn: "{RESET_TOKEN}", newPassword: "{PASSWORD}")'
        " { ok } }"
    },
    {
        "query": f'mutation {{ login(input: {{email: "a@b.co", passwrd: "{PASSWORD}"}}, '
        "transport: BODY) { accessToken } }"
    },
    # wrong variable types, secrets in the variables
    {
        "query": "mutation($t: Int!, $p: String!) { resetPassword(token: $t, newPassword: $p)"
        " { ok } }",
        "variables": {"t": RESET_TOKEN, "p": PASSWORD},
    },
    {
        "query": "mutation($i: LoginInput!) { login(input: $i, transport: BODY) { accessToken } }",
        "variables": {"i": {"email": 5, "password": PASSWORD, "extra": REFRESH_TOKEN}},
    },
    {
        "query": "mutation($r: String) { refresh(transport: BODY, refreshToken: $r) "
        "{ accessToken } }",
        "variables": {"r": [REFRESH_TOKEN]},
    },
]


def _everything_logged(caplog) -> str:
    lines = []
    for record in caplog.records:
        lines.append(record.getMessage())
        lines.append(repr(record.args))
        lines.append(repr(record.__dict__))
        if record.exc_info:
            lines.append(logging.Formatter().formatException(record.exc_info))
        if record.exc_text:
            lines.append(record.exc_text)
    return "\n".join(lines)


@pytest.mark.django_db
def test_bad_documents_carrying_secrets_leave_no_trace_in_any_log_record(caplog):
    client = Client()
    caplog.set_level(logging.DEBUG)  # the root logger: every record from every logger
    for body in BAD_DOCUMENTS:
        response = client.post("/graphql/", data=json.dumps(body), content_type="application/json")
        assert response.status_code == 200
        assert {e["extensions"]["code"] for e in json.loads(response.content)["errors"]} == {
            "BAD_REQUEST"
        }
    response = client.get(
        "/graphql/", {"query": "{ nope }", "token": RESET_TOKEN, "password": PASSWORD}
    )
    assert response.status_code == 200
    text = _everything_logged(caplog)
    for secret in SECRETS:
        assert secret not in text
    # client mistakes are not server errors: INFO, one line per request, no document
    graphql_records = [r for r in caplog.records if r.name == "api.graphql"]
    assert len(graphql_records) == len(BAD_DOCUMENTS) + 1
    assert {r.levelno for r in graphql_records} == {logging.INFO}
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "mutation" not in text


@pytest.mark.django_db
def test_a_resolver_bug_is_still_an_error_with_its_traceback_but_no_variables(caplog, monkeypatch):
    from accounts import services

    def boom(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "user_register", boom)
    caplog.set_level(logging.DEBUG)
    response = Client().post(
        "/graphql/",
        data=json.dumps(
            {
                "query": "mutation($i: RegisterInput!) { register(input: $i) { ok } }",
                "variables": {"i": {"email": "eve@example.com", "password": PASSWORD}},
            }
        ),
        content_type="application/json",
    )
    body = json.loads(response.content)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INTERNAL_SERVER_ERROR"]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].exc_info and "the database went away" in str(errors[0].exc_info[1])
    assert PASSWORD not in _everything_logged(caplog)


@pytest.mark.parametrize(
    "text",
    [
        f'login(input: {{email: "a@b.co", password: "{PASSWORD}"}})',
        f'login(input: {{email: "a@b.co", password:"{PASSWORD}"}})',
        f'refresh(transport: BODY, refreshToken:\n   "{REFRESH_TOKEN}")',
        f'resetPassword(token: "{RESET_TOKEN}", newPassword: "{PASSWORD}")',
        f'changePassword(oldPassword: "{PASSWORD}", newPassword: """{PASSWORD}""")',
        f'googleLogin(input: {{idToken: "{RESET_TOKEN}", nonce: "n"}})',
        f'googleLogin(input: {{code: "{RESET_TOKEN}", state: "s"}})',
        # wrapped in two halves, as printed source lines are
        f'1 | mutation {{ login(input: {{password: "{PASSWORD[:6]}\n  | {PASSWORD[6:]}"}}) }}',
        json.dumps({"password": PASSWORD, "refresh_token": REFRESH_TOKEN}),
        json.dumps({"variables": {"newPassword": PASSWORD, "token": RESET_TOKEN}}),
        repr({"password": PASSWORD, "refreshToken": REFRESH_TOKEN}),
    ],
)
def test_redaction_covers_graphql_json_and_python_syntax(text):
    cleaned = redact(text)
    for secret in (PASSWORD, REFRESH_TOKEN, RESET_TOKEN, PASSWORD[:6], PASSWORD[6:]):
        assert secret not in cleaned
    assert "[redacted]" in cleaned


def test_error_codes_survive_redaction():
    text = '{"extensions": {"code": "BAD_REQUEST"}}'
    assert redact(text) == text


def test_the_development_server_access_log_has_no_query_strings(caplog):
    """What runserver writes for each request (django.core.servers.basehttp)."""
    from django.core.servers.basehttp import WSGIRequestHandler

    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
    handler.request = None  # type: ignore[assignment]
    handler.requestline = f"GET /graphql/?query=%7Bme%7D&token={RESET_TOKEN} HTTP/1.1"
    server_logger = logging.getLogger("django.server")
    server_logger.addHandler(caplog.handler)  # it does not propagate to the root
    try:
        with caplog.at_level(logging.DEBUG, logger="django.server"):
            handler.log_request(200, 17)
    finally:
        server_logger.removeHandler(caplog.handler)
    assert caplog.records, "runserver's access line was not logged"
    line = caplog.records[-1].getMessage()
    assert '"GET /graphql/ HTTP/1.1" 200 17' in line
    assert RESET_TOKEN not in line and "query=" not in line


def test_exception_text_is_redacted_too():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, None)
    try:
        raise ValueError(f'bad input {{password: "{PASSWORD}"}}')
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    RedactSecretsFilter().filter(record)
    assert PASSWORD not in logging.Formatter().format(record)
