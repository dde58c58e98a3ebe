"""Bad requests get a clear JSON error with a code, never a 500 or a stack trace."""

from __future__ import annotations

import json

import pytest
from django.test import Client

ME = "{ me { id } }"


def assert_clean_error(response, status, code="BAD_REQUEST"):
    assert response.status_code == status, response.content[:300]
    body = json.loads(response.content)
    assert [e["extensions"]["code"] for e in body["errors"]] == [code]
    text = response.content.decode()
    assert "Traceback" not in text and 'File "' not in text
    return body


@pytest.fixture
def client(db):
    return Client()


def test_malformed_json(client):
    response = client.post("/graphql/", data="{not json", content_type="application/json")
    assert_clean_error(response, 400)


def test_non_json_content_type(client):
    # 415 Unsupported Media Type, whatever the client accepts (GraphQL over HTTP).
    response = client.post("/graphql/", data="query=" + ME, content_type="text/plain")
    body = assert_clean_error(response, 415)
    assert "application/json" in body["errors"][0]["message"]


def test_form_encoded_is_refused(client):
    response = client.post("/graphql/", data={"query": ME})
    assert_clean_error(response, 415)


def test_mutation_over_get(client):
    # A mutation never runs over GET: 405, with the method that would do.
    response = client.get(
        "/graphql/",
        {"query": 'mutation { register(input: {email: "a@b.co", password: "x"}) { ok } }'},
    )
    assert_clean_error(response, 405)
    assert response["Allow"] == "POST"


def test_query_over_get_works(client):
    response = client.get("/graphql/", {"query": ME}, headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert json.loads(response.content) == {"data": {"me": None}}


def test_batch_is_refused(client):
    body = json.dumps([{"query": ME}, {"query": ME}])
    response = client.post("/graphql/", data=body, content_type="application/json")
    assert_clean_error(response, 400)


@pytest.mark.parametrize("body", [{}, {"query": ""}, {"query": None}, {"query": "   "}])
def test_empty_query(client, body):
    response = client.post("/graphql/", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert_clean_error(response, 400)


def test_one_megabyte_query_string(client):
    huge = "{ me { id } }" + " " * (1024 * 1024)
    response = client.post(
        "/graphql/", data=json.dumps({"query": huge}), content_type="application/json"
    )
    assert_clean_error(response, 413)
    # Over GET it is the URI that is too long: 414, and the message says to POST.
    response = client.get("/graphql/", {"query": huge[:200_000]})
    body = assert_clean_error(response, 414)
    assert "POST" in body["errors"][0]["message"]


def test_query_not_a_string(client):
    response = client.post(
        "/graphql/", data=json.dumps({"query": 5}), content_type="application/json"
    )
    assert_clean_error(response, 400)


def test_syntax_error_has_bad_request_code(client):
    response = client.post(
        "/graphql/", data=json.dumps({"query": "{ me { "}), content_type="application/json"
    )
    body = assert_clean_error(response, 200)
    assert body["data"] is None


def test_unknown_field(client):
    response = client.post(
        "/graphql/", data=json.dumps({"query": "{ nope }"}), content_type="application/json"
    )
    assert_clean_error(response, 200)


def test_query_too_deep(db):
    from config.schema import build_schema

    shallow = build_schema(max_depth=1)
    result = shallow.execute_sync("{ me { profile { displayName } } }")
    assert result.data is None
    assert result.errors
    assert "exceeds maximum operation depth" in result.errors[0].message


def test_introspection_can_be_disabled(db):
    from config.schema import build_schema

    closed = build_schema(introspection=False)
    result = closed.execute_sync("{ __schema { queryType { name } } }")
    assert result.errors and result.data is None
    assert closed.execute_sync("{ __typename }").errors is None


def test_too_many_aliases(client):
    aliases = " ".join(f"a{n}: me {{ id }}" for n in range(50))
    response = client.post(
        "/graphql/",
        data=json.dumps({"query": "{" + aliases + "}"}),
        content_type="application/json",
    )
    assert_clean_error(response, 200)


def test_too_many_tokens(client):
    fields = " ".join("__typename" for _ in range(3000))
    response = client.post(
        "/graphql/", data=json.dumps({"query": "{" + fields + "}"}), content_type="application/json"
    )
    assert_clean_error(response, 200)


def test_wrong_variable_type(client):
    response = client.post(
        "/graphql/",
        data=json.dumps(
            {
                "query": "mutation($i: RegisterInput!) { register(input: $i) { ok } }",
                "variables": {"i": {"email": 5}},
            }
        ),
        content_type="application/json",
    )
    body = json.loads(response.content)
    assert response.status_code == 200
    assert {e["extensions"]["code"] for e in body["errors"]} == {"BAD_REQUEST"}


def test_put_is_refused(client):
    response = client.put("/graphql/", data="{}", content_type="application/json")
    assert_clean_error(response, 405)
    assert response["Allow"] == "GET, POST, OPTIONS"


@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-jwt", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer a.b.c"],
)
def test_bad_bearer_is_unauthenticated_even_on_public_fields(client, header):
    response = client.post(
        "/graphql/",
        data=json.dumps({"query": "{ __typename me { id } }"}),
        content_type="application/json",
        headers={"Authorization": header},
    )
    body = assert_clean_error(response, 200, "UNAUTHENTICATED")
    assert body["data"] is None


def test_unexpected_exception_is_masked(client, monkeypatch):
    import accounts.schema.queries as queries

    def boom(*args, **kwargs):
        raise RuntimeError("SELECT secret FROM users -- password=hunter2")

    monkeypatch.setattr(queries.Query, "me", boom, raising=False)
    from accounts.models import User
    from tokens.access import issue_access_token

    user = User.objects.create_user("x@example.com", "x" * 12)
    token, _ = issue_access_token(user_id=str(user.pk), session_id="s")
    monkeypatch.setattr("tokens.viewer._load_user", boom)
    monkeypatch.setattr("tokens.viewer._load_user", boom)
    response = client.post(
        "/graphql/",
        data=json.dumps({"query": ME}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    body = assert_clean_error(response, 200, "INTERNAL_SERVER_ERROR")
    assert "secret" not in response.content.decode()
    assert "hunter2" not in response.content.decode()
    assert body["errors"][0]["message"] == "Internal server error."


def test_responses_are_not_cached(client):
    response = client.post(
        "/graphql/", data=json.dumps({"query": ME}), content_type="application/json"
    )
    assert response["Cache-Control"] == "no-store"


def test_a_body_without_content_length_is_bounded_too(db):
    import io

    from django.test import RequestFactory

    from config.schema import schema
    from config.views import GatehouseGraphQLView

    # given a body the client did not announce (as with chunked transfer), over 256 KiB
    huge = json.dumps({"query": "{ me { id } }" + " " * (300 * 1024)}).encode()
    request = RequestFactory().post("/graphql/", data=b"", content_type="application/json")
    request.META.pop("CONTENT_LENGTH", None)
    request.META["wsgi.input"] = io.BytesIO(huge)
    request._stream = io.BytesIO(huge)  # what a server that de-chunks would hand Django
    # when
    response = GatehouseGraphQLView.as_view(schema=schema)(request)
    # then a JSON 413, not Django's plain error page
    assert_clean_error(response, 413)
