"""Persisted queries as Apollo's link and graphql-codegen's persisted documents speak them."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from config.persisted import document_cost
from config.trusted_documents import load_trusted_documents
from membership.tests.fixtures import make_article

pytestmark = pytest.mark.django_db

QUERY = "query Titles { articles(first: 5) { edges { node { slug } } } }"
OTHER = "query Slugs { articles(first: 1) { totalCount } }"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def persisted(sha256: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256}}


# What Apollo Client 4 sends; urql, Apollo Kotlin and Apollo iOS list the same type first.
MODERN = "application/graphql-response+json,application/json;q=0.9"


def post(client: Client, accept: str | None = None, **payload: Any) -> tuple[int, dict[str, Any]]:
    headers = {"Accept": accept} if accept else {}
    response = client.post(
        "/graphql/", data=json.dumps(payload), content_type="application/json", headers=headers
    )
    return response.status_code, json.loads(response.content)


def get(
    client: Client, accept: str = "application/json", **params: Any
) -> tuple[int, dict[str, Any]]:
    query = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in params.items()}
    response = client.get("/graphql/", query, headers={"Accept": accept})
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
    status, body = post(client, MODERN, query=QUERY, extensions=persisted(sha(OTHER)))
    assert (status, codes(body)) == (422, ["BAD_REQUEST"])
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
    status, body = post(client, MODERN, extensions=extensions)
    assert (status, codes(body)) == (422, ["BAD_REQUEST"])


def test_a_hash_with_the_sha256_prefix_names_the_same_document(client):
    # graphql-codegen's persisted documents and the GraphQL-over-HTTP appendix write the
    # identifier as "sha256:<hex>"; Apollo sends the bare hex. One document, one entry.
    prefixed = persisted(f"sha256:{sha(QUERY)}")
    status, body = post(client, extensions=prefixed)
    assert (status, codes(body)) == (200, ["PERSISTED_QUERY_NOT_FOUND"])
    assert post(client, query=QUERY, extensions=prefixed) == (200, EXPECTED)
    assert post(client, extensions=prefixed) == (200, EXPECTED)
    assert post(client, extensions=persisted(sha(QUERY))) == (200, EXPECTED)
    assert get(client, extensions=persisted(f"SHA256:{sha(QUERY).upper()}")) == (200, EXPECTED)


def test_persisted_query_not_found_is_200_whatever_the_client_accepts(client):
    # A step of the protocol, not a failure: Apollo iOS drops a 4xx before its
    # persisted-query interceptor could resend the text.
    for accept in (MODERN, "application/json", None):
        status, body = post(client, accept, extensions=persisted(sha(QUERY)))
        assert (status, body["data"], codes(body)) == (200, None, ["PERSISTED_QUERY_NOT_FOUND"])


def kept(client: Client, text: str) -> bool:
    """Whether the hash of `text` alone runs (it was remembered)."""
    return codes(post(client, extensions=persisted(sha(text)))[1]) != ["PERSISTED_QUERY_NOT_FOUND"]


def from_ip(ip: str) -> Client:
    return Client(REMOTE_ADDR=ip)


def test_the_bytes_each_client_registers_are_bounded_but_queries_still_run(client, settings):
    settings.RATE_LIMITS = {"apq_register": f"{document_cost(QUERY)}/1d"}
    assert post(client, query=QUERY, extensions=persisted(sha(QUERY)))[0] == 200
    other = post(client, query=OTHER, extensions=persisted(sha(OTHER)))
    assert other == (200, {"data": {"articles": {"totalCount": 1}}})
    assert not kept(client, OTHER)
    assert post(client, extensions=persisted(sha(QUERY))) == (200, EXPECTED)
    # Another client has its own budget.
    assert post(from_ip("198.51.100.20"), query=OTHER, extensions=persisted(sha(OTHER)))[0] == 200
    assert kept(client, OTHER)


def test_bytes_are_counted_not_documents(client, settings):
    # Room for both documents by bytes, whatever their number.
    settings.RATE_LIMITS = {"apq_register": f"{document_cost(QUERY) + document_cost(OTHER)}/1d"}
    padded = QUERY.replace("Titles", "Titles" + "x" * 200)
    for text in (QUERY, OTHER, padded):
        assert post(client, query=text, extensions=persisted(sha(text)))[0] == 200
    assert [kept(client, text) for text in (QUERY, OTHER, padded)] == [True, True, False]


def test_addresses_of_one_ipv6_network_share_one_budget(client, settings):
    settings.RATE_LIMITS = {"apq_register": f"{document_cost(QUERY)}/1d"}
    post(from_ip("2001:db8:5:6::1"), query=QUERY, extensions=persisted(sha(QUERY)))
    post(from_ip("2001:db8:5:6::2"), query=OTHER, extensions=persisted(sha(OTHER)))
    assert (kept(client, QUERY), kept(client, OTHER)) == (True, False)
    post(from_ip("2001:db8:5:7::1"), query=OTHER, extensions=persisted(sha(OTHER)))
    assert kept(client, OTHER)


def test_a_document_above_the_size_cap_runs_but_is_not_kept(client, settings):
    settings.GRAPHQL_APQ_MAX_DOCUMENT_BYTES = len(QUERY.encode()) - 1
    assert post(client, query=QUERY, extensions=persisted(sha(QUERY))) == (200, EXPECTED)
    assert not kept(client, QUERY)
    settings.GRAPHQL_APQ_MAX_DOCUMENT_BYTES = len(QUERY.encode())
    post(client, query=QUERY, extensions=persisted(sha(QUERY)))
    assert kept(client, QUERY)


def test_the_whole_store_is_bounded_across_clients(client, settings):
    settings.GRAPHQL_APQ_MAX_STORE_BYTES = document_cost(QUERY) + document_cost(OTHER) - 1
    post(from_ip("198.51.100.1"), query=QUERY, extensions=persisted(sha(QUERY)))
    # Another client, well within its own budget: the store is full.
    other = post(from_ip("198.51.100.2"), query=OTHER, extensions=persisted(sha(OTHER)))
    assert other == (200, {"data": {"articles": {"totalCount": 1}}})
    assert (kept(client, QUERY), kept(client, OTHER)) == (True, False)
    settings.GRAPHQL_APQ_MAX_STORE_BYTES = document_cost(QUERY) + document_cost(OTHER)
    post(from_ip("198.51.100.2"), query=OTHER, extensions=persisted(sha(OTHER)))
    assert kept(client, OTHER)


def test_the_store_counters_expire_after_the_documents_they_count(client, settings):
    from core.cache import raw_redis

    settings.GRAPHQL_APQ_TTL = timedelta(hours=1)
    post(client, query=QUERY, extensions=persisted(sha(QUERY)))
    redis, prefix = raw_redis()
    [key] = redis.keys(f"{prefix}apq:v1:bytes:*")
    assert int(redis.get(key)) == document_cost(QUERY)
    # A document kept at the end of its bucket (a 24th of the TTL) lives one TTL more.
    assert 3600 < redis.ttl(key) <= 3600 + 3600 // 24
    assert 0 < redis.ttl(f"{prefix}apq:v1:{sha(QUERY)}") <= 3600


def test_the_deprecated_registration_window_still_applies(client, settings):
    settings.GRAPHQL_APQ_REGISTRATIONS_WINDOW = timedelta(minutes=5)
    from core import ratelimit

    assert ratelimit.rule("apq_register").spec == "1048576/5m/ip"


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
    # A client that accepts application/graphql-response+json reads the body whatever the
    # status: 403, and no `data` (nothing ran).
    status, body = post(trusted, MODERN, **payload)
    assert (status, "data" in body, codes(body)) == (403, False, ["FORBIDDEN"])
    assert body["errors"][0]["message"] == "Only trusted documents run here."
    status, body = get(trusted, MODERN, **payload)
    assert (status, codes(body)) == (403, ["FORBIDDEN"])
    # An application/json client only trusts a 200 to be GraphQL's answer (a 403 would be
    # "Received status code 403" in Apollo Client 3): 200 with the error.
    for accept in ("application/json", None, "*/*"):
        status, body = post(trusted, accept, **payload)
        assert (status, body["data"], codes(body)) == (200, None, ["FORBIDDEN"])
    status, body = get(trusted, **payload)
    assert (status, codes(body)) == (200, ["FORBIDDEN"])


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"query=" + QUERY.encode(), "application/x-www-form-urlencoded", 415),
        (QUERY.encode(), "application/graphql", 415),
        (b"{not json", "application/json", 400),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused_with_trusted_documents(
    trusted, body, content_type, status
):
    response = trusted.post("/graphql/", data=body, content_type=content_type)
    assert response.status_code == status
    assert json.loads(response.content)["data"] is None


def test_graphql_codegen_persisted_documents_are_read_as_written(client, settings, tmp_path):
    # The client preset's persisted-documents.json keys are "sha256:<hex>", and its
    # documents' __meta__.hash, which the client sends, is the same string.
    path = tmp_path / "persisted-documents.json"
    path.write_text(json.dumps({f"sha256:{sha(QUERY)}": QUERY}))
    settings.GRAPHQL_TRUSTED_DOCUMENTS = load_trusted_documents(str(path))
    assert post(client, extensions=persisted(sha(QUERY))) == (200, EXPECTED)
    assert post(client, MODERN, extensions=persisted(f"sha256:{sha(QUERY)}")) == (200, EXPECTED)
    assert get(client, extensions=persisted(f"sha256:{sha(QUERY)}")) == (200, EXPECTED)
    assert codes(post(client, query=OTHER)[1]) == ["FORBIDDEN"]


def apollo_manifest(*documents: str) -> dict[str, Any]:
    """Apollo's persisted query manifest, as Apollo iOS, Apollo Kotlin and
    @apollo/generate-persisted-query-manifest write it."""
    return {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [
            {"id": sha(text), "body": text, "name": text.split()[1], "type": "query"}
            for text in documents
        ],
    }


def test_several_manifests_are_merged_at_start(client, settings, tmp_path):
    web = tmp_path / "web.json"
    web.write_text(json.dumps({f"sha256:{sha(QUERY)}": QUERY}))
    ios = tmp_path / "ios.json"
    ios.write_text(json.dumps(apollo_manifest(OTHER, QUERY)))
    for setting in (f"{web}, {ios}", json.dumps([str(web), str(ios)])):
        documents = load_trusted_documents(setting)
        assert documents == {sha(QUERY): QUERY, sha(OTHER): OTHER}
    settings.GRAPHQL_TRUSTED_DOCUMENTS = load_trusted_documents(f"{web},{ios}")
    assert post(client, extensions=persisted(sha(OTHER))) == (
        200,
        {"data": {"articles": {"totalCount": 1}}},
    )
    assert post(client, extensions=persisted(f"sha256:{sha(QUERY)}")) == (200, EXPECTED)


def test_the_trusted_documents_setting_is_read_at_start(monkeypatch, tmp_path):
    import importlib

    import config.settings.graphql as graphql_settings

    web = tmp_path / "web.json"
    web.write_text(json.dumps({sha(QUERY): QUERY}))
    android = tmp_path / "android.json"
    android.write_text(json.dumps(apollo_manifest(OTHER)))
    monkeypatch.setenv("GRAPHQL_TRUSTED_DOCUMENTS", f"{web},{android}")
    try:
        reloaded = importlib.reload(graphql_settings)
        assert set(reloaded.GRAPHQL_TRUSTED_DOCUMENTS) == {sha(QUERY), sha(OTHER)}
        android.write_text(json.dumps(apollo_manifest(OTHER) | {"version": 2}))
        with pytest.raises(ImproperlyConfigured, match="version 1"):
            importlib.reload(graphql_settings)
    finally:
        monkeypatch.delenv("GRAPHQL_TRUSTED_DOCUMENTS")
        importlib.reload(graphql_settings)


def test_the_same_hash_for_another_text_in_a_second_manifest_stops_start_up(tmp_path):
    web = tmp_path / "web.json"
    web.write_text(json.dumps({sha(QUERY): QUERY}))
    ios = tmp_path / "ios.json"
    # iOS's manifest lists another text under web's hash: one of the two is wrong, and the
    # error names the manifest that is.
    conflicting = apollo_manifest(QUERY)
    conflicting["operations"][0]["body"] = OTHER
    ios.write_text(json.dumps(conflicting))
    with pytest.raises(ImproperlyConfigured, match=f"{ios}: {sha(QUERY)} is not the sha256"):
        load_trusted_documents(f"{web},{ios}")


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("[1, 2]", "paths"),
        ("[not json", "JSON list"),
        (" , ", "names no manifest"),
    ],
)
def test_a_trusted_documents_setting_that_names_no_manifest_stops_start_up(setting, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        load_trusted_documents(setting)


def test_an_apollo_manifest_with_custom_ids_stops_start_up(tmp_path):
    manifest = apollo_manifest(QUERY)
    manifest["operations"][0]["id"] = "TitlesV1"
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    with pytest.raises(ImproperlyConfigured, match="TitlesV1 is not the sha256"):
        load_trusted_documents(str(path))
    path.write_text(json.dumps([QUERY]))
    with pytest.raises(ImproperlyConfigured, match="must hold a JSON object"):
        load_trusted_documents(str(path))


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
    # 503 either way; a graphql-response+json client gets that type and no `data`.
    response = redis_down.post(
        "/graphql/",
        data=json.dumps({"extensions": persisted(sha(QUERY))}),
        content_type="application/json",
        headers={"Accept": MODERN},
    )
    assert response.status_code == 503 and response["Retry-After"]
    assert response["Content-Type"] == "application/graphql-response+json; charset=utf-8"
    body = json.loads(response.content)
    assert "data" not in body and codes(body) == ["SERVICE_UNAVAILABLE"]


def test_a_registration_with_redis_down_still_runs_its_text(redis_down):
    # The text is there: only remembering its hash needs Redis.
    assert post(redis_down, query=QUERY, extensions=persisted(sha(QUERY))) == (200, EXPECTED)
