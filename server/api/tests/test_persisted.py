"""Persisted queries as Apollo's link and graphql-codegen's persisted documents speak them."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from config.trusted_documents import load_trusted_documents
from membership.tests.fixtures import make_article

pytestmark = pytest.mark.django_db

QUERY = "query Titles { articles(first: 5) { edges { node { slug } } } }"
OTHER = "query Slugs { articles(first: 1) { totalCount } }"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def persisted(sha256: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256}}


def post(client: Client, **payload: Any) -> tuple[int, dict[str, Any]]:
    response = client.post("/graphql/", data=json.dumps(payload), content_type="application/json")
    return response.status_code, json.loads(response.content)


def get(client: Client, **params: Any) -> tuple[int, dict[str, Any]]:
    query = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in params.items()}
    response = client.get("/graphql/", query, headers={"Accept": "application/json"})
    return response.status_code, json.loads(response.content)


@pytest.fixture
def client(db) -> Client:
    make_article("hello", tier=0)
    return Client()


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


EXPECTED = {"data": {"articles": {"edges": [{"node": {"slug": "hello"}}]}}}


def test_apollo_round_trip_over_post(client):
    # Apollo first sends only the hash…
    status, body = post(client, extensions=persisted(sha(QUERY)))
    assert status == 200
    assert body["errors"] == [
        {"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
    ]
    # …then retries with the text, which runs and is remembered…
    assert post(client, query=QUERY, extensions=persisted(sha(QUERY))) == (200, EXPECTED)
    # …so that the hash alone runs from then on.
    assert post(client, extensions=persisted(sha(QUERY))) == (200, EXPECTED)


def test_apollo_round_trip_over_get(client):
    status, body = get(client, extensions=persisted(sha(QUERY)))
    assert (status, codes(body)) == (200, ["PERSISTED_QUERY_NOT_FOUND"])
    assert get(client, query=QUERY, extensions=persisted(sha(QUERY))) == (200, EXPECTED)
    assert get(client, extensions=persisted(sha(QUERY))) == (200, EXPECTED)


def test_a_persisted_mutation_is_still_refused_over_get(client):
    mutation = 'mutation { verifyEmail(token: "x") { ok } }'
    post(client, query=mutation, extensions=persisted(sha(mutation)))
    status, body = get(client, extensions=persisted(sha(mutation)))
    assert status != 200 and body["data"] is None
    assert codes(body) == ["BAD_REQUEST"]


def test_a_query_that_does_not_match_its_hash_is_a_bad_request(client):
    status, body = post(client, query=QUERY, extensions=persisted(sha(OTHER)))
    assert (status, codes(body)) == (400, ["BAD_REQUEST"])
    # …and was not remembered under that hash.
    assert codes(post(client, extensions=persisted(sha(OTHER)))[1]) == ["PERSISTED_QUERY_NOT_FOUND"]


@pytest.mark.parametrize(
    "extensions",
    [
        {"persistedQuery": {"version": 2, "sha256Hash": "0" * 64}},
        {"persistedQuery": {"version": 1, "sha256Hash": "not-a-hash"}},
        {"persistedQuery": "yes"},
        "not an object",
    ],
)
def test_a_malformed_persisted_query_is_a_bad_request(client, extensions):
    status, body = post(client, extensions=extensions)
    assert (status, codes(body)) == (400, ["BAD_REQUEST"])


def test_registrations_per_client_are_bounded_but_queries_still_run(client, settings):
    settings.GRAPHQL_APQ_REGISTRATIONS_PER_IP = 1
    assert post(client, query=QUERY, extensions=persisted(sha(QUERY)))[0] == 200
    other = post(client, query=OTHER, extensions=persisted(sha(OTHER)))
    assert other == (200, {"data": {"articles": {"totalCount": 1}}})
    assert codes(post(client, extensions=persisted(sha(OTHER)))[1]) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert post(client, extensions=persisted(sha(QUERY))) == (200, EXPECTED)


# --- trusted documents ------------------------------------------------------------------


@pytest.fixture
def trusted(client, settings, tmp_path):
    path = tmp_path / "persisted-documents.json"
    path.write_text(json.dumps({sha(QUERY): QUERY}))
    settings.GRAPHQL_TRUSTED_DOCUMENTS = load_trusted_documents(str(path))
    return client


def test_trusted_documents_run_by_hash_or_as_text(trusted):
    assert post(trusted, extensions=persisted(sha(QUERY))) == (200, EXPECTED)
    assert get(trusted, extensions=persisted(sha(QUERY))) == (200, EXPECTED)
    assert post(trusted, query=QUERY) == (200, EXPECTED)
    assert post(trusted, query=QUERY, extensions=persisted(sha(QUERY))) == (200, EXPECTED)


@pytest.mark.parametrize(
    "payload",
    [
        {"query": OTHER},
        {"query": OTHER, "extensions": persisted(sha(OTHER))},
        {"extensions": persisted(sha(OTHER))},
    ],
)
def test_anything_else_is_forbidden_with_trusted_documents(trusted, payload):
    status, body = post(trusted, **payload)
    assert (status, body["data"], codes(body)) == (403, None, ["FORBIDDEN"])
    status, body = get(trusted, **payload)
    assert (status, codes(body)) == (403, ["FORBIDDEN"])


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"query=" + QUERY.encode(), "application/x-www-form-urlencoded"),
        (QUERY.encode(), "application/graphql"),
        (b"{not json", "application/json"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused_with_trusted_documents(
    trusted, body, content_type
):
    response = trusted.post("/graphql/", data=body, content_type=content_type)
    assert response.status_code in {400, 403}
    assert json.loads(response.content)["data"] is None


def test_graphql_codegen_persisted_documents_are_read_as_written(client, settings, tmp_path):
    # The client preset's persisted-documents.json keys are "sha256:<hex>".
    path = tmp_path / "persisted-documents.json"
    path.write_text(json.dumps({f"sha256:{sha(QUERY)}": QUERY}))
    settings.GRAPHQL_TRUSTED_DOCUMENTS = load_trusted_documents(str(path))
    assert post(client, extensions=persisted(sha(QUERY))) == (200, EXPECTED)
    assert codes(post(client, query=OTHER)[1]) == ["FORBIDDEN"]


def test_a_trusted_documents_file_whose_hashes_are_wrong_stops_start_up(tmp_path):
    path = tmp_path / "docs.json"
    path.write_text(json.dumps({sha(OTHER): QUERY}))
    with pytest.raises(ImproperlyConfigured):
        load_trusted_documents(str(path))
    (tmp_path / "empty.json").write_text("{}")
    with pytest.raises(ImproperlyConfigured):
        load_trusted_documents(str(tmp_path / "empty.json"))


# --- Redis down -------------------------------------------------------------------------


@pytest.fixture
def redis_down(client, tmp_path):
    from tokens.tests.redis_server import own_redis

    with own_redis(tmp_path) as server:
        server.kill()
        yield client


def assert_unavailable(status: int, body: dict[str, Any]) -> None:
    assert (status, codes(body)) == (503, ["SERVICE_UNAVAILABLE"]), body
    assert body["errors"][0]["extensions"]["retryAfter"] >= 1


def test_a_hash_lookup_with_redis_down_is_503_not_a_500(redis_down):
    assert_unavailable(*post(redis_down, extensions=persisted(sha(QUERY))))
    assert_unavailable(*get(redis_down, extensions=persisted(sha(QUERY))))


def test_a_registration_with_redis_down_still_runs_its_text(redis_down):
    # The text is there: only remembering its hash needs Redis.
    assert post(redis_down, query=QUERY, extensions=persisted(sha(QUERY))) == (200, EXPECTED)
