"""What production shows of the API: no schema suggestions, one operation per request,
/graphql served without a redirect, and ALLOWED_HOSTS on the GraphQL endpoint too."""

from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings

MULTI = "query A { me { id } } query B { plans { slug } }"


def post(client, query, path="/graphql/", **extra):
    return client.post(
        path, data=json.dumps({"query": query, **extra}), content_type="application/json"
    )


@pytest.fixture
def client(db):
    return Client()


@pytest.mark.parametrize(
    ("query", "suggested"),
    [
        ("{ mee { id } }", "'me'"),  # field
        ("{ plans { slugg } }", "'slug'"),  # field on a nested type
        ('{ article(slugg: "x") { title } }', "'slug'"),  # argument
        (
            'mutation { login(input: {email: "a@b.co", password: "x", emial: "y"}, '
            "transport: BODY) { accessToken } }",
            "'email'",
        ),  # input field
        (
            'mutation { login(input: {email: "a@b.co", password: "x"}, transport: BOD) '
            "{ accessToken } }",
            "'BODY'",
        ),  # enum value
        ("query($t: TokenTransprt!) { __typename }", "'TokenTransport'"),  # type
    ],
)
def test_no_suggestions_when_introspection_is_off(client, query, suggested):
    with override_settings(GRAPHQL_INTROSPECTION=True):
        shown = post(client, query).content.decode()
    assert "Did you mean" in shown and suggested in shown  # what development shows
    with override_settings(GRAPHQL_INTROSPECTION=False):
        response = post(client, query)
    body = json.loads(response.content)
    assert body["errors"]
    assert {e["extensions"]["code"] for e in body["errors"]} == {"BAD_REQUEST"}
    text = response.content.decode()
    assert "Did you mean" not in text
    assert suggested not in text


def test_suggestions_still_help_in_development(client):
    with override_settings(GRAPHQL_INTROSPECTION=True):
        body = json.loads(post(client, "{ mee { id } }").content)
    assert "Did you mean 'me'?" in body["errors"][0]["message"]


def test_several_operations_without_a_name_are_refused_over_post(client):
    body = json.loads(post(client, MULTI).content)
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_REQUEST"]
    assert "operationName" in body["errors"][0]["message"]


def test_several_operations_without_a_name_are_refused_over_get(client):
    response = client.get("/graphql/", {"query": MULTI}, headers={"Accept": "application/json"})
    body = json.loads(response.content)
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_REQUEST"]


def test_the_named_operation_of_several_runs(client):
    body = json.loads(post(client, MULTI, operationName="B").content)
    assert body == {"data": {"plans": []}}
    response = client.get(
        "/graphql/",
        {"query": MULTI, "operationName": "A"},
        headers={"Accept": "application/json"},
    )
    assert json.loads(response.content) == {"data": {"me": None}}


def test_post_without_the_trailing_slash_is_served_not_redirected(client, user, password):
    from tokens.tests.helpers import LOGIN

    response = post(
        client,
        LOGIN,
        path="/graphql",
        variables={"email": user.email, "password": password, "transport": "BODY"},
    )
    assert response.status_code == 200
    assert json.loads(response.content)["data"]["login"]["accessToken"]
    assert response["Cache-Control"] == "no-store"


def test_get_without_the_trailing_slash_is_served_too(client):
    response = client.get("/graphql", {"query": "{ me { id } }"})
    assert response.status_code == 200
    assert json.loads(response.content) == {"data": {"me": None}}


@pytest.mark.parametrize("path", ["/graphql/", "/graphql"])
def test_a_host_outside_allowed_hosts_is_refused_on_graphql(client, path):
    response = client.post(
        path,
        data=json.dumps({"query": "{ me { id } }"}),
        content_type="application/json",
        headers={"Host": "evil.example"},
    )
    assert response.status_code == 400
    body = json.loads(response.content)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_REQUEST"]


def test_an_allowed_host_is_served(client):
    response = client.post(
        "/graphql/",
        data=json.dumps({"query": "{ me { id } }"}),
        content_type="application/json",
        headers={"Host": "localhost"},
    )
    assert response.status_code == 200
