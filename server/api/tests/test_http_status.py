"""Statuses and media types as GraphQL over HTTP sets them: a client that accepts
`application/graphql-response+json` gets the 4xx of a request error with a body it reads
whatever the status; an `application/json` client gets 200 for a well-formed request that
is refused (it cannot tell a 4xx from a proxy's page), and a 4xx only for what is not a
GraphQL request at all."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, RequestFactory

from api.responses import wants_graphql_response

pytestmark = pytest.mark.django_db

APOLLO_4 = "application/graphql-response+json,application/json;q=0.9"
URQL = (
    "application/graphql-response+json, application/graphql+json, application/json, "
    "text/event-stream, multipart/mixed"
)
APOLLO_IOS = "multipart/mixed;deferSpec=20220824,application/graphql-response+json,application/json"
MODERN_TYPE = "application/graphql-response+json; charset=utf-8"


@pytest.mark.parametrize(
    ("accept", "modern"),
    [
        (APOLLO_4, True),
        (URQL, True),
        (APOLLO_IOS, True),
        ("application/graphql-response+json", True),
        ("application/json, application/graphql-response+json", True),  # a tie: ours
        ("application/json", False),
        ("*/*", False),  # Apollo Client 3, curl
        ("", False),
        ("application/json, application/graphql-response+json;q=0.5", False),
        ("*/*, application/graphql-response+json;q=0.9", False),
        ("application/*;q=0.2, application/graphql-response+json;q=0.9", True),
        ("application/graphql-response+json;q=0", False),
        ("application/graphql-response+json;q=oops", False),
    ],
)
def test_the_media_type_follows_the_accept_header(accept, modern):
    request = RequestFactory().post("/graphql/", headers={"Accept": accept} if accept else {})
    assert wants_graphql_response(request) is modern


def call(query: str, accept: str | None, **extra: Any) -> tuple[int, str, dict[str, Any]]:
    headers = {"Accept": accept} if accept else {}
    headers.update(extra)
    response = Client().post(
        "/graphql/",
        data=json.dumps({"query": query}),
        content_type="application/json",
        headers=headers,
    )
    return response.status_code, response["Content-Type"], json.loads(response.content)


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body["errors"]]


@pytest.mark.parametrize(
    ("query", "headers", "status", "code"),
    [
        ("{ me { ", {}, 400, "BAD_REQUEST"),  # does not parse
        ("{ nope }", {}, 422, "BAD_REQUEST"),  # does not validate
        ("query A { me { id } } query B { me { id } }", {}, 422, "BAD_REQUEST"),  # which one?
        ("query($n: Int!) { articles(first: $n) { totalCount } }", {}, 422, "BAD_REQUEST"),
        ("{ me { id } }", {"Authorization": "Bearer not-a-jwt"}, 401, "UNAUTHENTICATED"),
    ],
)
def test_request_errors(query, headers, status, code):
    # Apollo Client 4 and urql read the body of a 4xx labelled graphql-response+json, so
    # they surface extensions.code; the body has no `data` (nothing ran).
    for modern in (APOLLO_4, URQL):
        answer = call(query, modern, **headers)
        assert answer[:2] == (status, MODERN_TYPE)
        assert "data" not in answer[2] and codes(answer[2]) == [code]
    # An application/json client (or one that says nothing, or anything) gets 200.
    for legacy in ("application/json", "*/*", None):
        answer = call(query, legacy, **headers)
        assert answer[:2] == (200, "application/json")
        assert answer[2]["data"] is None and codes(answer[2]) == [code]


def test_an_answer_is_labelled_with_the_negotiated_type():
    assert call("{ me { id } }", APOLLO_4) == (200, MODERN_TYPE, {"data": {"me": None}})
    assert call("{ me { id } }", "application/json") == (
        200,
        "application/json",
        {"data": {"me": None}},
    )
    response = Client().get("/graphql/", {"query": "{ me { id } }"}, headers={"Accept": APOLLO_4})
    assert (response.status_code, response["Content-Type"]) == (200, MODERN_TYPE)


def test_an_error_met_while_executing_stays_200_with_its_data(monkeypatch):
    def boom() -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("membership.selectors.plan_list_active", boom)
    # `plans` is non-null, so its failure nulls `data`; but the operation ran (the error
    # has a path): not a request error, so 200 and a `data` entry, for either client.
    for accept in (APOLLO_4, "application/json"):
        status, _, body = call("{ plans { __typename } }", accept)
        assert (status, body["data"], codes(body)) == (200, None, ["INTERNAL_SERVER_ERROR"])
        assert body["errors"][0]["path"] == ["plans"]


def body_of(response: Any) -> dict[str, Any]:
    return json.loads(response.content)


@pytest.mark.parametrize("accept", [APOLLO_4, "application/json"])
def test_what_is_not_a_graphql_request_is_a_4xx_either_way(accept):
    client = Client(headers={"Accept": accept})
    modern = accept == APOLLO_4
    malformed = client.post("/graphql/", data="{not json", content_type="application/json")
    assert malformed.status_code == 400
    not_json = client.post("/graphql/", data="query=x", content_type="text/plain")
    assert not_json.status_code == 415
    put = client.put("/graphql/", data="{}", content_type="application/json")
    assert (put.status_code, put["Allow"]) == (405, "GET, POST, OPTIONS")
    mutation = client.get("/graphql/", {"query": 'mutation { verifyEmail(token: "x") { ok } }'})
    assert (mutation.status_code, mutation["Allow"]) == (405, "POST")
    for response in (malformed, not_json, put, mutation):
        assert response["Content-Type"] == (MODERN_TYPE if modern else "application/json")
        assert codes(body_of(response)) == ["BAD_REQUEST"]
        assert ("data" in body_of(response)) is not modern


@pytest.mark.parametrize(
    "payload",
    [[{"query": "{ me { id } }"}], "a string", {"query": 5}, {"query": ""}, {"variables": {}}],
)
def test_parameters_that_do_not_make_a_request_are_422_or_400(payload):
    client = Client()
    for accept, status in ((APOLLO_4, 422), ("application/json", 400)):
        response = client.post(
            "/graphql/",
            data=json.dumps(payload),
            content_type="application/json",
            headers={"Accept": accept},
        )
        assert response.status_code == status, response.content
        assert codes(body_of(response)) == ["BAD_REQUEST"]
