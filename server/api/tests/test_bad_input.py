"""Bad input is a clear JSON error with a code, never an HTML 500 or a masked internal
error."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client


@pytest.fixture
def client(db):
    return Client()


def codes(response):
    return [e["extensions"]["code"] for e in json.loads(response.content)["errors"]]


@pytest.mark.parametrize(
    "body",
    [
        b"null",
        b'"{ me { id } }"',
        b"5",
        b"1.5",
        b"true",
        b"false",
        b"\xff\xfe{}",
        b'{"query": "\xc3"}',
        # nested deeper than Python's json can recurse (6 KB)
        b'{"query": "{ __typename }", "variables": {"a": ' + b"[" * 3000 + b"]" * 3000 + b"}}",
    ],
)
@pytest.mark.parametrize("accept", ["application/json", "text/event-stream"])
def test_a_json_body_that_is_not_one_object_in_utf8_is_a_400(client, body, accept):
    response = client.post(
        "/graphql/", data=body, content_type="application/json", headers={"Accept": accept}
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert codes(response) == ["BAD_REQUEST"]


def articles(client, arguments):
    return client.post(
        "/graphql/",
        data=json.dumps(
            {"query": f"{{ articles({arguments}) {{ edges {{ cursor node {{ slug }} }} }} }}"}
        ),
        content_type="application/json",
    )


def _cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "zzz",  # not base64
        "!!!!",
        _cursor("no-colon"),
        _cursor("arrayconnection:3"),  # another kind of cursor
        _cursor("orderedcursor:not json"),
        _cursor('orderedcursor:["2026-01-01T00:00:00+00:00"]'),  # one value short
        _cursor('orderedcursor:["not a date", "1"]'),
        _cursor('orderedcursor:["2026-01-01T00:00:00+00:00", "one"]'),
        _cursor("orderedcursor:[1, 2]"),
        _cursor('orderedcursor:["99999-01-01T00:00:00+00:00", "1"]'),
    ],
)
@pytest.mark.parametrize("argument", ["after", "before"])
def test_a_malformed_cursor_is_a_bad_request(client, cursor, argument):
    response = articles(client, f'first: 2, {argument}: "{cursor}"')
    assert response.status_code == 200
    assert codes(response) == ["BAD_REQUEST"]
    assert argument in json.loads(response.content)["errors"][0]["message"]


def test_a_real_cursor_still_pages(client):
    from datetime import timedelta

    from django.utils import timezone

    from content.models import Article

    now = timezone.now()
    for n in range(3):
        Article.objects.create(
            slug=f"a{n}", title="t", summary="s", body="b", published_at=now - timedelta(hours=n)
        )
    first_page = json.loads(articles(client, "first: 2").content)["data"]["articles"]["edges"]
    assert [e["node"]["slug"] for e in first_page] == ["a0", "a1"]
    after = first_page[-1]["cursor"]
    rest = json.loads(articles(client, f'first: 2, after: "{after}"').content)
    assert [e["node"]["slug"] for e in rest["data"]["articles"]["edges"]] == ["a2"]


@pytest.mark.parametrize(
    "arguments", ["first: -1", "first: 101", "first: 2147483648", "last: -5", "last: 1000"]
)
def test_page_sizes_out_of_range_are_bad_requests(client, arguments):
    response = articles(client, arguments)
    assert codes(response) == ["BAD_REQUEST"]


# JSON may escape one half of a UTF-16 pair alone ("\ud800"): Python decodes it into a str
# that no UTF-8 encoder accepts (psycopg's for PostgreSQL, Argon2's for a password).
LONE = "\\ud800"
PAIR = "\\ud83d\\ude00"  # 😀, escaped as a pair the way json.dumps writes it


@pytest.mark.parametrize(
    "body",
    [
        # in a variable that reaches PostgreSQL
        '{"query": "query A($s: String!) { article(slug: $s) { slug } }", '
        '"variables": {"s": "a%s"}}',
        # in a literal of the document
        '{"query": "{ article(slug: \\"a%s\\") { slug } }"}',
        # in a key
        '{"query": "{ __typename }", "variables": {"a%s": 1}}',
    ],
)
def test_a_lone_surrogate_escape_in_the_json_body_is_a_400(client, body):
    body = body.replace("%s", LONE)
    response = client.post("/graphql/", data=body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert codes(response) == ["BAD_REQUEST"]


def test_a_lone_surrogate_escape_in_get_variables_is_a_400(client):
    query = "query A($s: String!) { article(slug: $s) { slug } }"
    response = client.get(
        "/graphql/",
        {"query": query, "variables": '{"s": "a' + LONE + '"}'},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400, response.content
    assert codes(response) == ["BAD_REQUEST"]


def test_an_escaped_surrogate_pair_is_an_ordinary_character(client):
    query = "query A($s: String!) { article(slug: $s) { slug } }"
    body = json.dumps({"query": query, "variables": {"s": "a\U0001f600"}})
    assert PAIR in body
    response = client.post("/graphql/", data=body, content_type="application/json")
    assert (response.status_code, json.loads(response.content)) == (
        200,
        {"data": {"article": None}},
    )


@pytest.mark.parametrize("name", ["variables", "extensions"])
def test_get_json_parameters_nested_too_deeply_are_a_400(client, name):
    response = client.get(
        "/graphql/",
        {"query": "{ __typename }", name: '{"a": ' + "[" * 3000 + "]" * 3000 + "}"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400, response.content
    assert codes(response) == ["BAD_REQUEST"]
