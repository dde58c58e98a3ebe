"""Relay: `Query.node` refetches every Node type by its global id, with the same
visibility and gating as `articles`; the edge type is `ArticleEdge`."""

from __future__ import annotations

import base64

import pytest

from content.tests.test_gating import body_of
from membership.tests.fixtures import make_article, make_plan, make_subscription

NODE = """
query Node($id: ID!) {
  node(id: $id) { __typename id ... on Article { slug locked body } }
}
"""
PAGE = "{ articles(first: 10) { edges { __typename node { id slug } } } }"


def global_id(type_name: str, node_id: object) -> str:
    return base64.b64encode(f"{type_name}:{node_id}".encode()).decode()


@pytest.fixture
def articles(db):
    return {
        "free": make_article("free", tier=0, days_ago=2),
        "premium": make_article("premium", tier=1, days_ago=1),
        "draft": make_article("draft", tier=0, published_at=None),
    }


def test_every_listed_article_refetches_by_its_id(gql, articles):
    edges = gql(PAGE).data["articles"]["edges"]
    assert {e["__typename"] for e in edges} == {"ArticleEdge"}
    for edge in edges:
        node = gql(NODE, {"id": edge["node"]["id"]}).data["node"]
        assert node["__typename"] == "Article"
        assert (node["id"], node["slug"]) == (edge["node"]["id"], edge["node"]["slug"])


def test_node_gates_the_body_like_articles(gql, user, access_token, articles):
    premium_id = global_id("Article", articles["premium"].pk)
    anonymous = gql(NODE, {"id": premium_id}).data["node"]
    assert (anonymous["locked"], anonymous["body"]) == (True, None)
    make_subscription(user, make_plan("basic", tier=1))
    subscriber = gql(NODE, {"id": premium_id}, token=access_token).data["node"]
    assert (subscriber["locked"], subscriber["body"]) == (False, body_of("premium"))


def test_node_is_null_for_what_does_not_exist_or_is_not_published(gql, articles):
    for id_ in (
        global_id("Article", articles["draft"].pk),
        global_id("Article", 999_999),
        global_id("Article", "not-a-number"),
        global_id("Plan", 1),  # a type that is not a Node
        global_id("NoSuchType", 1),
    ):
        result = gql(NODE, {"id": id_})
        assert result.errors == [] and result.data == {"node": None}, id_


def test_a_malformed_id_is_a_bad_request(gql, articles):
    result = gql(NODE, {"id": "%%% not base64"})
    assert result.error_codes == ["BAD_REQUEST"]


def test_every_node_type_resolves_through_node(gql, articles):
    # A Node type added later must answer `node` too, not fall back to an unfiltered query.
    from config.schema import schema

    node_types = [
        t.name
        for t in schema._schema.type_map.values()
        if any(i.name == "Node" for i in getattr(t, "interfaces", ()))
    ]
    assert sorted(node_types) == ["Article", "MemberSubscription", "Plan", "User"]
    for name in node_types:
        definition = schema.get_type_by_name(name)
        origin = definition.origin  # type: ignore[union-attr]
        assert "resolve_nodes" in vars(origin), f"{name} needs its own resolve_nodes"


def test_last_is_described_as_backward_paging():
    from config.schema import schema

    args = schema._schema.query_type.fields["articles"].args  # type: ignore[union-attr]
    assert "before" in (args["last"].description or "")
    assert "after" not in (args["last"].description or "").split("`")[0]
